-- The two-way Metakocka sync (metakocka::sync): one mapping table per entity kind (the
-- integration guide's names), each CRM record mapped to at most one Metakocka record and back;
-- the sync settings per company and kind; the history of runs; conflicts left for a person.
-- Hashes are the content hash of each side's synced fields at the last sync (hex SHA-256).
CREATE TABLE metakocka_product_mappings (
    company_id      TEXT NOT NULL,
    crm_id          TEXT NOT NULL,
    mk_id           TEXT NOT NULL,
    count_code      TEXT,
    status          TEXT NOT NULL,
    last_synced_at  INTEGER,
    crm_hash        TEXT,
    mk_hash         TEXT,
    last_error      TEXT,
    PRIMARY KEY (company_id, crm_id),
    UNIQUE (company_id, mk_id)
);

CREATE TABLE metakocka_contact_mappings (
    company_id      TEXT NOT NULL,
    crm_id          TEXT NOT NULL,
    mk_id           TEXT NOT NULL,
    count_code      TEXT,
    status          TEXT NOT NULL,
    last_synced_at  INTEGER,
    crm_hash        TEXT,
    mk_hash         TEXT,
    last_error      TEXT,
    PRIMARY KEY (company_id, crm_id),
    UNIQUE (company_id, mk_id)
);

CREATE TABLE metakocka_sales_document_mappings (
    company_id      TEXT NOT NULL,
    crm_id          TEXT NOT NULL,
    mk_id           TEXT NOT NULL,
    count_code      TEXT,
    status          TEXT NOT NULL,
    last_synced_at  INTEGER,
    crm_hash        TEXT,
    mk_hash         TEXT,
    last_error      TEXT,
    PRIMARY KEY (company_id, crm_id),
    UNIQUE (company_id, mk_id)
);

CREATE TABLE metakocka_sync_settings (
    company_id        TEXT NOT NULL,
    kind              TEXT NOT NULL,
    auto              INTEGER NOT NULL,
    interval_minutes  INTEGER NOT NULL,
    direction         TEXT NOT NULL,
    conflict_rule     TEXT NOT NULL,
    updated_at        INTEGER NOT NULL,
    PRIMARY KEY (company_id, kind)
);
-- The schedule looks for companies with automatic sync on.
CREATE INDEX metakocka_sync_settings_auto ON metakocka_sync_settings(auto);

-- Counters and the errors summary (a JSON array of lines) are rewritten as a run goes.
CREATE TABLE metakocka_sync_runs (
    company_id   TEXT NOT NULL,
    id           TEXT NOT NULL,
    kind         TEXT NOT NULL,
    direction    TEXT NOT NULL,
    trigger      TEXT NOT NULL,
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    total        INTEGER NOT NULL,
    processed    INTEGER NOT NULL,
    created      INTEGER NOT NULL,
    updated      INTEGER NOT NULL,
    skipped      INTEGER NOT NULL,
    failed       INTEGER NOT NULL,
    conflicts    INTEGER NOT NULL,
    state        TEXT NOT NULL,
    stopped_at   TEXT,
    errors       TEXT NOT NULL,
    PRIMARY KEY (company_id, id)
);

-- Snapshots are JSON objects of each side's synced fields.
CREATE TABLE metakocka_sync_conflicts (
    company_id     TEXT NOT NULL,
    id             TEXT NOT NULL,
    kind           TEXT NOT NULL,
    crm_id         TEXT NOT NULL,
    mk_id          TEXT NOT NULL,
    crm_snapshot   TEXT NOT NULL,
    mk_snapshot    TEXT NOT NULL,
    detected_at    INTEGER NOT NULL,
    resolved_with  TEXT,
    resolved_at    INTEGER,
    PRIMARY KEY (company_id, id)
);

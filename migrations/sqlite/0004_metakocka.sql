-- Metakocka credentials (metakocka::credentials): the organisation's and users' own, one row
-- per (company, owner). owner is 'organization' or 'user:<user id>'; secret_key is sealed.
CREATE TABLE metakocka_credentials (
    company_id     TEXT NOT NULL,
    owner          TEXT NOT NULL,
    user_id        TEXT,
    mk_company_id  TEXT NOT NULL,
    secret_key     TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_by     TEXT NOT NULL,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (company_id, owner)
);

-- The integration error log (metakocka::error_log). Times are milliseconds since the epoch;
-- details is a JSON object. id is a UUIDv7, so it breaks ties of created_at in time order.
CREATE TABLE metakocka_error_logs (
    id                TEXT PRIMARY KEY,
    company_id        TEXT NOT NULL,
    user_id           TEXT,
    category          TEXT NOT NULL,
    entity_type       TEXT NOT NULL,
    entity_id         TEXT,
    operation         TEXT NOT NULL,
    message           TEXT NOT NULL,
    -- message lower-cased by Rust (full Unicode), for the case-insensitive text filter:
    -- SQLite's own lower() folds ASCII letters only.
    message_folded    TEXT NOT NULL,
    details           TEXT NOT NULL,
    status            TEXT NOT NULL,
    resolution_notes  TEXT,
    resolved_by       TEXT,
    resolved_at       INTEGER,
    created_at        INTEGER NOT NULL
);
-- The list, newest first; and the filters an operator uses most.
CREATE INDEX metakocka_error_logs_created ON metakocka_error_logs(company_id, created_at DESC);
CREATE INDEX metakocka_error_logs_status ON metakocka_error_logs(company_id, status, created_at DESC);
CREATE INDEX metakocka_error_logs_category ON metakocka_error_logs(company_id, category, created_at DESC);
CREATE INDEX metakocka_error_logs_entity ON metakocka_error_logs(company_id, entity_type, entity_id);

-- The embedded store's schema. Table names follow the MongoDB collections; pages and their
-- CRM links, which MongoDB keeps inside `companies`, are rows of their own here.
-- Times are unix milliseconds (UTC).

CREATE TABLE companies (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    company_id    TEXT NOT NULL REFERENCES companies(id),
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'agent')),
    created_at    INTEGER NOT NULL
);
CREATE INDEX users_company ON users(company_id);

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id),
    company_id  TEXT NOT NULL REFERENCES companies(id),
    role        TEXT NOT NULL CHECK (role IN ('admin', 'agent')),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_expiry ON sessions(expires_at);

-- page_id is the primary key: one Facebook page belongs to one company.
CREATE TABLE pages (
    page_id            TEXT PRIMARY KEY,
    company_id         TEXT NOT NULL REFERENCES companies(id),
    page_name          TEXT NOT NULL,
    access_token       TEXT NOT NULL,  -- sealed (AES-256-GCM), never plain
    version            INTEGER NOT NULL,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
CREATE INDEX pages_company ON pages(company_id);

-- One row per link per list: a link for both channels is two rows sharing link_id.
CREATE TABLE crm_links (
    company_id   TEXT NOT NULL,
    page_id      TEXT NOT NULL REFERENCES pages(page_id) ON DELETE CASCADE,
    list         TEXT NOT NULL CHECK (list IN ('facebook', 'messenger', 'legacy')),
    position     INTEGER NOT NULL,
    link_id      TEXT NOT NULL,
    name         TEXT NOT NULL,
    url          TEXT NOT NULL,
    type         TEXT NOT NULL CHECK (type IN ('api', 'webhook', 'database', 'file')),
    channels     TEXT NOT NULL,  -- JSON array of channel names
    api_key      TEXT,           -- sealed
    headers      TEXT NOT NULL,  -- JSON array of {name, value: {plain|sealed}}
    description  TEXT,
    is_active    INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (page_id, list, position)
);
CREATE INDEX crm_links_company ON crm_links(company_id);

-- Events that want a reply. (page_id, natural_key) makes a redelivery a no-op.
CREATE TABLE inbox_events (
    id           TEXT PRIMARY KEY,
    company_id   TEXT NOT NULL,
    page_id      TEXT NOT NULL,
    natural_key  TEXT NOT NULL,
    channel      TEXT NOT NULL CHECK (channel IN ('facebook', 'messenger')),
    sender_id    TEXT NOT NULL,
    message      TEXT NOT NULL,  -- JSON of domain::events::InboxMessage
    occurred_at  INTEGER,
    received_at  INTEGER NOT NULL,
    status       TEXT NOT NULL,
    UNIQUE (page_id, natural_key)
);
CREATE INDEX inbox_company_received ON inbox_events(company_id, received_at DESC);
CREATE INDEX inbox_status ON inbox_events(status, received_at);

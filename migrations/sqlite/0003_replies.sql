-- The reply worker (issue 4): leases on inbox events, the outbox of replies, conversations.

-- A page's reply settings (domain::reply::ReplySettings as JSON); '{}' means the defaults.
ALTER TABLE pages ADD COLUMN reply_settings TEXT NOT NULL DEFAULT '{}';

-- Leases: a worker owns a `processing` event until lease_until; after that another may take
-- it. available_at holds back a `pending` event (a throttled page) until then.
ALTER TABLE inbox_events ADD COLUMN available_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE inbox_events ADD COLUMN lease_owner TEXT;
ALTER TABLE inbox_events ADD COLUMN lease_until INTEGER;
UPDATE inbox_events SET available_at = received_at;
CREATE INDEX inbox_due ON inbox_events(status, available_at);
CREATE INDEX inbox_lease ON inbox_events(status, lease_until);

-- One reply per inbox event (id = the event's id). The reply itself is a JSON document
-- (domain::reply::OutboxReply); the columns are what the dashboard filters and sorts by.
CREATE TABLE outbox_replies (
    id          TEXT PRIMARY KEY,
    company_id  TEXT NOT NULL,
    page_id     TEXT NOT NULL,
    status      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    reply       TEXT NOT NULL
);
CREATE INDEX outbox_company_created ON outbox_replies(company_id, created_at DESC);
CREATE INDEX outbox_company_page_status ON outbox_replies(company_id, page_id, status, created_at DESC);

CREATE TABLE conversations (
    company_id        TEXT NOT NULL,
    page_id           TEXT NOT NULL,
    conversation      TEXT NOT NULL,
    channel           TEXT NOT NULL,
    last_customer_at  INTEGER,
    last_message_at   INTEGER,
    paused_until      INTEGER,
    pause_reason      TEXT,
    turns             INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (page_id, conversation)
);
CREATE INDEX conversations_company_last ON conversations(company_id, last_message_at DESC);

-- (page_id, id): a message seen twice (a redelivery, the echo of the bot's own reply) is
-- one turn.
CREATE TABLE conversation_turns (
    page_id       TEXT NOT NULL,
    id            TEXT NOT NULL,
    company_id    TEXT NOT NULL,
    conversation  TEXT NOT NULL,
    channel       TEXT NOT NULL,
    author        TEXT NOT NULL,
    text          TEXT NOT NULL,
    at            INTEGER NOT NULL,
    PRIMARY KEY (page_id, id)
);
CREATE INDEX conversation_turns_recent ON conversation_turns(company_id, page_id, conversation, at DESC);

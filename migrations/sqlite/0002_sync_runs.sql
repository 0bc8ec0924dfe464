-- Sync runs of CRM links (domain::sync_run). The run itself is a JSON document; the columns
-- beside it are what the dashboard filters and sorts by. id is a UUIDv7, so it sorts by start.
CREATE TABLE crm_sync_runs (
    id          TEXT PRIMARY KEY,
    company_id  TEXT NOT NULL,
    page_id     TEXT NOT NULL,
    link_id     TEXT NOT NULL,
    started_at  INTEGER NOT NULL,
    run         TEXT NOT NULL
);
CREATE INDEX crm_sync_runs_page ON crm_sync_runs(company_id, page_id, started_at DESC);
CREATE INDEX crm_sync_runs_link ON crm_sync_runs(company_id, link_id, started_at DESC);

-- The signing secret of webhook-type links (sealed), shown once when the link is created.
ALTER TABLE crm_links ADD COLUMN webhook_secret TEXT;
-- A link's own refresh interval in minutes; NULL means the global one.
ALTER TABLE crm_links ADD COLUMN refresh_minutes INTEGER;

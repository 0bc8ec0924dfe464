-- Report schedules (reports::schedule): which report, with which parameters, how often and
-- where to (the destination sealed with the secrets cipher), when it is next due, and the
-- last delivery's outcome.
CREATE TABLE report_schedules (
    id                 TEXT PRIMARY KEY,
    company_id         TEXT NOT NULL,
    report             TEXT NOT NULL,
    parameters         TEXT NOT NULL,
    cadence            TEXT NOT NULL,
    destination_kind   TEXT NOT NULL,
    destination        TEXT NOT NULL,
    destination_hint   TEXT NOT NULL,
    created_at         INTEGER NOT NULL,
    next_due_at        INTEGER NOT NULL,
    last_delivery_at   INTEGER,
    last_delivery_ok   INTEGER,
    last_delivery_detail TEXT
);
-- A company's schedules, listed oldest first.
CREATE INDEX report_schedules_company ON report_schedules(company_id, created_at, id);
-- The delivery loop's "what is due now", across companies.
CREATE INDEX report_schedules_due ON report_schedules(next_due_at);

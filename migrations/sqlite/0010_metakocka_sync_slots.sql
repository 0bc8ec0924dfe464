-- One sync run at a time per company and entity kind, across processes: the run holding a
-- slot renews its lease while it runs; a lease that ran out (its process stopped) may be
-- taken by the next run. A cancel asked of another process is left here for the holder,
-- which looks while it runs.
CREATE TABLE metakocka_sync_slots (
    company_id   TEXT NOT NULL,
    kind         TEXT NOT NULL,
    run_id       TEXT NOT NULL,
    lease_until  INTEGER NOT NULL,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (company_id, kind)
);

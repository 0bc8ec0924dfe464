-- A company's own email settings (src/email/settings.rs): the whole record as JSON, read and
-- written whole, one row per company.
CREATE TABLE email_settings (
    company_id  TEXT PRIMARY KEY,
    record      TEXT NOT NULL
);

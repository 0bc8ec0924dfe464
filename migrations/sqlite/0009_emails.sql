-- Customer emails (src/email): one row per email, the whole record as JSON (it is read and
-- written whole), with the columns that queries filter and order by beside it.
CREATE TABLE emails (
    id           TEXT PRIMARY KEY,
    company_id   TEXT NOT NULL,
    message_id   TEXT NOT NULL,
    received_at  INTEGER NOT NULL,
    record       TEXT NOT NULL,
    -- The mail system may post an email again: it is stored once.
    UNIQUE (company_id, message_id)
);
-- A company's emails, newest first.
CREATE INDEX emails_company_received ON emails(company_id, received_at DESC, id DESC);

-- The sender of an email as a Metakocka partner and/or CRM contact, with why and how sure.
CREATE TABLE email_metakocka_contact_mappings (
    company_id     TEXT NOT NULL,
    email_id       TEXT NOT NULL REFERENCES emails(id) ON DELETE CASCADE,
    partner_mk_id  TEXT,
    contact_id     TEXT,
    reason         TEXT NOT NULL,
    confidence     REAL NOT NULL
);
CREATE INDEX email_contact_by_email ON email_metakocka_contact_mappings(company_id, email_id);
CREATE INDEX email_contact_by_partner ON email_metakocka_contact_mappings(company_id, partner_mk_id);
CREATE INDEX email_contact_by_contact ON email_metakocka_contact_mappings(company_id, contact_id);

-- The Metakocka documents an email mentions, as Metakocka confirmed them.
CREATE TABLE email_metakocka_document_mappings (
    company_id   TEXT NOT NULL,
    email_id     TEXT NOT NULL REFERENCES emails(id) ON DELETE CASCADE,
    doc_type     TEXT NOT NULL,
    mk_id        TEXT NOT NULL,
    count_code   TEXT NOT NULL,
    reason       TEXT NOT NULL,
    confidence   REAL NOT NULL
);
CREATE INDEX email_document_by_email ON email_metakocka_document_mappings(company_id, email_id);
CREATE INDEX email_document_by_mk_id ON email_metakocka_document_mappings(company_id, mk_id);
CREATE INDEX email_document_by_code ON email_metakocka_document_mappings(company_id, count_code);

-- Reply templates with placeholders (src/email/templates.rs).
CREATE TABLE email_templates (
    id           TEXT PRIMARY KEY,
    company_id   TEXT NOT NULL,
    name         TEXT NOT NULL,
    language     TEXT NOT NULL,
    subject      TEXT NOT NULL,
    body         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX email_templates_company ON email_templates(company_id, name, language, id);

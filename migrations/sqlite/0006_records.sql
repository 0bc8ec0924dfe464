-- The CRM side's own records for the Metakocka sync (src/records): products and contacts,
-- each owned by one company. Decimals are exact text (rust_decimal), never floats.
CREATE TABLE products (
    id           TEXT PRIMARY KEY,
    company_id   TEXT NOT NULL,
    code         TEXT NOT NULL,
    name         TEXT NOT NULL,
    description  TEXT,
    unit         TEXT,
    price        TEXT NOT NULL,
    currency     TEXT NOT NULL,
    vat_rate     TEXT NOT NULL,
    active       INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    -- The text filter's haystack: name and code, lower-cased in Rust (Unicode-aware).
    search       TEXT NOT NULL,
    -- A code names one product of a company; the API answers 409 on a second.
    UNIQUE (company_id, code)
);

CREATE TABLE contacts (
    id           TEXT PRIMARY KEY,
    company_id   TEXT NOT NULL,
    name         TEXT NOT NULL,
    email        TEXT,
    phone        TEXT,
    street       TEXT,
    post_number  TEXT,
    city         TEXT,
    country      TEXT,
    vat_id       TEXT,
    kind         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    -- The text filter's haystack: name and email, lower-cased in Rust (Unicode-aware).
    search       TEXT NOT NULL
);
-- Lists are one company's, by name.
CREATE INDEX contacts_company_name ON contacts(company_id, name, id);

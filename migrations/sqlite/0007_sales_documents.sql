-- Sales documents of the CRM side (src/records/sales_document): orders, offers and domestic
-- bills of a company to one of its contacts. Decimals are exact text (rust_decimal).
--
-- The lines are a JSON array in the row, not a child table: a document is always read,
-- replaced and deleted whole (last write wins), so one row is one atomic write with no
-- join, and the row has the shape of MongoDB's embedded array. The one query that looks
-- inside the lines ("documents of this product", asked before a product is deleted) reads
-- them with json_each over one company's documents.
CREATE TABLE sales_documents (
    id           TEXT PRIMARY KEY,
    company_id   TEXT NOT NULL,
    doc_type     TEXT NOT NULL,
    -- NULL when the document has no number yet; NULLs never collide in a UNIQUE key.
    number       TEXT,
    contact_id   TEXT NOT NULL,
    -- YYYY-MM-DD, so text order is date order.
    doc_date     TEXT NOT NULL,
    status       TEXT NOT NULL,
    currency     TEXT NOT NULL,
    lines        TEXT NOT NULL,
    total_net    TEXT NOT NULL,
    total_vat    TEXT NOT NULL,
    total_gross  TEXT NOT NULL,
    notes        TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    -- The text filter's haystack: number and notes, lower-cased in Rust (Unicode-aware).
    search       TEXT NOT NULL,
    -- A number names one document of a type in a company; the API answers 409 on a second.
    UNIQUE (company_id, doc_type, number)
);
-- Lists are one company's, newest first.
CREATE INDEX sales_documents_company_date ON sales_documents(company_id, doc_date, id);
-- A contact's documents (the list filter, and the check before a contact is deleted).
CREATE INDEX sales_documents_company_contact ON sales_documents(company_id, contact_id);

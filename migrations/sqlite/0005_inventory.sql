-- The Metakocka inventory snapshot (metakocka::inventory): each company's stock per product
-- and warehouse as of its last refresh, replaced whole in one transaction. Amounts are exact
-- decimals written as text (rust_decimal), never floats.
CREATE TABLE metakocka_inventory_snapshots (
    company_id    TEXT PRIMARY KEY,
    refreshed_at  INTEGER NOT NULL
);

CREATE TABLE metakocka_inventory (
    company_id      TEXT NOT NULL,
    product_mk_id   TEXT NOT NULL,
    product_code    TEXT,
    count_code      TEXT,
    product_name    TEXT,
    warehouse_id    TEXT NOT NULL,
    warehouse_mark  TEXT,
    warehouse_name  TEXT,
    amount          TEXT NOT NULL,
    reserved        TEXT NOT NULL,
    free            TEXT NOT NULL,
    PRIMARY KEY (company_id, product_mk_id, warehouse_id)
);
-- GET /api/integrations/metakocka/inventory?code=...: by the product's code or count code.
CREATE INDEX metakocka_inventory_code ON metakocka_inventory(company_id, product_code);
CREATE INDEX metakocka_inventory_count_code ON metakocka_inventory(company_id, count_code);

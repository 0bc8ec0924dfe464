//! `products` in SQLite. Prices and VAT rates are exact decimal text; the text filter
//! compares with a lower-cased `search` column written from Rust, so case folding is
//! Unicode-aware (SQLite's own `lower()` folds ASCII only).

use super::accounts::conflict_or_unavailable;
use super::records_table::RecordTable;
use super::{SqliteStore, corrupt, from_millis, millis};
use crate::domain::CompanyId;
use crate::records::product::Product;
use crate::records::{RecordPage, RecordQuery};
use crate::store::{ProductStore, StoreResult};
use async_trait::async_trait;
use rusqlite::{Connection, Row, params};
use rust_decimal::Decimal;

const COLUMNS: &str = "id, company_id, code, name, description, unit, price, currency, vat_rate,
     active, created_at, updated_at";
const TABLE: RecordTable<Product> = RecordTable {
    name: "products",
    columns: COLUMNS,
    order_by: "code, id",
    read: read_product,
};
const DUPLICATE_CODE: &str = "the company already has a product with this code";

/// What the text filter searches: the name and the code, lower-cased.
fn product_search(product: &Product) -> String {
    format!("{}\u{1f}{}", product.name, product.code).to_lowercase()
}

#[async_trait]
impl ProductStore for SqliteStore {
    async fn insert_product(&self, product: &Product) -> StoreResult<()> {
        let p = product.clone();
        self.writer.write(move |conn| insert_row(conn, &p)).await
    }

    async fn get_product(&self, company: &CompanyId, id: &str) -> StoreResult<Option<Product>> {
        let (company, id) = (company.clone(), id.to_owned());
        self.read(move |conn| TABLE.get(conn, &company, &id)).await
    }

    async fn list_products(
        &self,
        company: &CompanyId,
        query: &RecordQuery,
    ) -> StoreResult<RecordPage<Product>> {
        let (company, query) = (company.clone(), query.clone());
        self.read(move |conn| TABLE.list(conn, &company, &query))
            .await
    }

    async fn update_product(&self, product: &Product) -> StoreResult<bool> {
        let p = product.clone();
        self.writer.write(move |conn| update_row(conn, &p)).await
    }

    async fn delete_product(&self, company: &CompanyId, id: &str) -> StoreResult<bool> {
        let (company, id) = (company.clone(), id.to_owned());
        self.writer
            .write(move |conn| TABLE.delete(conn, &company, &id))
            .await
    }
}

/// Inserts a product inside a writer job (the sync's batched pulls write many in one).
pub(super) fn insert_row(conn: &Connection, p: &Product) -> StoreResult<()> {
    conn.execute(
        &format!(
            "INSERT INTO products ({COLUMNS}, search)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
        ),
        params![
            p.id,
            p.company_id.as_str(),
            p.code,
            p.name,
            p.description,
            p.unit,
            p.price.to_string(),
            p.currency,
            p.vat_rate.to_string(),
            p.active,
            millis(p.created_at),
            millis(p.updated_at),
            product_search(p),
        ],
    )
    .map(|_| ())
    .map_err(|e| conflict_or_unavailable(e, DUPLICATE_CODE))
}

/// Replaces a product by company and id inside a writer job; `false` when there is none.
pub(super) fn update_row(conn: &Connection, p: &Product) -> StoreResult<bool> {
    conn.execute(
        "UPDATE products SET code = ?3, name = ?4, description = ?5, unit = ?6,
             price = ?7, currency = ?8, vat_rate = ?9, active = ?10,
             created_at = ?11, updated_at = ?12, search = ?13
         WHERE company_id = ?1 AND id = ?2",
        params![
            p.company_id.as_str(),
            p.id,
            p.code,
            p.name,
            p.description,
            p.unit,
            p.price.to_string(),
            p.currency,
            p.vat_rate.to_string(),
            p.active,
            millis(p.created_at),
            millis(p.updated_at),
            product_search(p),
        ],
    )
    .map(|changed| changed > 0)
    .map_err(|e| conflict_or_unavailable(e, DUPLICATE_CODE))
}

/// A row as a product; the outer error is SQLite's, the inner one corrupt stored text.
fn read_product(row: &Row<'_>) -> rusqlite::Result<StoreResult<Product>> {
    let company: String = row.get(1)?;
    let price: String = row.get(6)?;
    let vat_rate: String = row.get(8)?;
    let (created_at, updated_at): (i64, i64) = (row.get(10)?, row.get(11)?);
    let id: String = row.get(0)?;
    let code: String = row.get(2)?;
    let name: String = row.get(3)?;
    let description: Option<String> = row.get(4)?;
    let unit: Option<String> = row.get(5)?;
    let currency: String = row.get(7)?;
    let active: bool = row.get(9)?;
    Ok((|| {
        Ok(Product {
            id,
            company_id: CompanyId::from(company),
            code,
            name,
            description,
            unit,
            price: decimal(&price)?,
            currency,
            vat_rate: decimal(&vat_rate)?,
            active,
            created_at: from_millis(created_at)?,
            updated_at: from_millis(updated_at)?,
        })
    })())
}

fn decimal(text: &str) -> StoreResult<Decimal> {
    text.parse()
        .map_err(|_| corrupt(format!("a product amount {text:?} is not a decimal")))
}

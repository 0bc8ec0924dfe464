//! `metakocka_inventory` in SQLite: a company's snapshot rows and its `refreshed_at`
//! (`metakocka_inventory_snapshots`), replaced in one writer job, which is one savepoint: a
//! reader sees the old rows or the new ones. Amounts are decimal text.

use super::{SqliteStore, corrupt, from_millis, millis, unavailable};
use crate::domain::CompanyId;
use crate::metakocka::inventory::{ProductInventory, ProductKey, StockEntry};
use crate::store::{MetakockaInventoryStore, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};
use rust_decimal::Decimal;

const COLUMNS: &str = "product_mk_id, product_code, count_code, product_name, warehouse_id,
     warehouse_mark, warehouse_name, amount, reserved, free";

#[async_trait]
impl MetakockaInventoryStore for SqliteStore {
    async fn replace_inventory(
        &self,
        company: &CompanyId,
        refreshed_at: DateTime<Utc>,
        entries: &[StockEntry],
    ) -> StoreResult<()> {
        let (company, entries) = (company.clone(), entries.to_vec());
        self.writer
            .write(move |conn| {
                conn.execute(
                    "DELETE FROM metakocka_inventory WHERE company_id = ?1",
                    params![company.as_str()],
                )
                .map_err(unavailable)?;
                let mut insert = conn
                    .prepare_cached(&format!(
                        "INSERT INTO metakocka_inventory (company_id, {COLUMNS})
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
                    ))
                    .map_err(unavailable)?;
                for e in &entries {
                    insert
                        .execute(params![
                            company.as_str(),
                            e.product_mk_id,
                            e.product_code,
                            e.count_code,
                            e.product_name,
                            e.warehouse_id,
                            e.warehouse_mark,
                            e.warehouse_name,
                            e.amount.to_string(),
                            e.reserved.to_string(),
                            e.free.to_string(),
                        ])
                        .map_err(unavailable)?;
                }
                conn.execute(
                    "INSERT INTO metakocka_inventory_snapshots (company_id, refreshed_at)
                     VALUES (?1, ?2)
                     ON CONFLICT (company_id) DO UPDATE SET refreshed_at = excluded.refreshed_at",
                    params![company.as_str(), millis(refreshed_at)],
                )
                .map(|_| ())
                .map_err(unavailable)
            })
            .await
    }

    async fn product_inventory(
        &self,
        company: &CompanyId,
        product: &ProductKey,
    ) -> StoreResult<Option<ProductInventory>> {
        let (company, product) = (company.clone(), product.clone());
        self.read(move |conn| {
            // One read transaction, so the rows and the time are of the same snapshot.
            let tx = conn.unchecked_transaction().map_err(unavailable)?;
            let refreshed_at: Option<i64> = tx
                .query_row(
                    "SELECT refreshed_at FROM metakocka_inventory_snapshots WHERE company_id = ?1",
                    params![company.as_str()],
                    |row| row.get(0),
                )
                .optional()
                .map_err(unavailable)?;
            let Some(refreshed_at) = refreshed_at else {
                return Ok(None);
            };
            let (condition, key) = match &product {
                ProductKey::MkId(id) => ("product_mk_id = ?2", id),
                ProductKey::Code(code) => ("(product_code = ?2 OR count_code = ?2)", code),
            };
            let mut select = tx
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM metakocka_inventory
                     WHERE company_id = ?1 AND {condition}
                     ORDER BY warehouse_id, product_mk_id"
                ))
                .map_err(unavailable)?;
            let rows = select
                .query_map(params![company.as_str(), key], Columns::read)
                .map_err(unavailable)?;
            let mut entries = Vec::new();
            for row in rows {
                entries.push(row.map_err(unavailable)?.into_entry()?);
            }
            Ok(Some(ProductInventory {
                refreshed_at: from_millis(refreshed_at)?,
                entries,
            }))
        })
        .await
    }

    async fn companies_with_organization_credentials(&self) -> StoreResult<Vec<CompanyId>> {
        self.read(|conn| {
            let mut select = conn
                .prepare_cached(
                    "SELECT company_id FROM metakocka_credentials
                     WHERE owner = 'organization' ORDER BY company_id",
                )
                .map_err(unavailable)?;
            let rows = select
                .query_map([], |row| row.get::<_, String>(0))
                .map_err(unavailable)?;
            rows.map(|row| row.map(CompanyId::from).map_err(unavailable))
                .collect()
        })
        .await
    }
}

/// One row's columns, before the amounts are parsed.
struct Columns {
    product_mk_id: String,
    product_code: Option<String>,
    count_code: Option<String>,
    product_name: Option<String>,
    warehouse_id: String,
    warehouse_mark: Option<String>,
    warehouse_name: Option<String>,
    amounts: [String; 3],
}

impl Columns {
    fn read(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            product_mk_id: row.get(0)?,
            product_code: row.get(1)?,
            count_code: row.get(2)?,
            product_name: row.get(3)?,
            warehouse_id: row.get(4)?,
            warehouse_mark: row.get(5)?,
            warehouse_name: row.get(6)?,
            amounts: [row.get(7)?, row.get(8)?, row.get(9)?],
        })
    }

    fn into_entry(self) -> StoreResult<StockEntry> {
        let [amount, reserved, free] = self.amounts;
        Ok(StockEntry {
            product_mk_id: self.product_mk_id,
            product_code: self.product_code,
            count_code: self.count_code,
            product_name: self.product_name,
            warehouse_id: self.warehouse_id,
            warehouse_mark: self.warehouse_mark,
            warehouse_name: self.warehouse_name,
            amount: decimal(&amount)?,
            reserved: decimal(&reserved)?,
            free: decimal(&free)?,
        })
    }
}

fn decimal(text: &str) -> StoreResult<Decimal> {
    text.parse()
        .map_err(|_| corrupt(format!("an inventory amount {text:?} is not a decimal")))
}

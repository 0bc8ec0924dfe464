//! What the `products` and `contacts` tables share: read one record, list a page with its
//! total, delete one, each scoped to the company. The per-record files keep only their
//! columns, their row reader and their writes.

use super::unavailable;
use crate::domain::CompanyId;
use crate::records::{RecordPage, RecordQuery};
use crate::store::StoreResult;
use rusqlite::{Connection, OptionalExtension, Row, params};

/// A row reader: the outer error is SQLite's, the inner one corrupt stored text.
pub(super) type ReadRow<T> = fn(&Row<'_>) -> rusqlite::Result<StoreResult<T>>;

/// One record table and how to read and order its rows.
pub(super) struct RecordTable<T> {
    pub name: &'static str,
    pub columns: &'static str,
    /// The list order, ending with `id` so that pages are stable.
    pub order_by: &'static str,
    pub read: ReadRow<T>,
}

impl<T> RecordTable<T> {
    pub fn get(&self, conn: &Connection, company: &CompanyId, id: &str) -> StoreResult<Option<T>> {
        let (name, columns) = (self.name, self.columns);
        conn.query_row(
            &format!("SELECT {columns} FROM {name} WHERE company_id = ?1 AND id = ?2"),
            params![company.as_str(), id],
            self.read,
        )
        .optional()
        .map_err(unavailable)?
        .transpose()
    }

    /// The page and the total of the filter, read in one transaction so that they agree.
    pub fn list(
        &self,
        conn: &Connection,
        company: &CompanyId,
        query: &RecordQuery,
    ) -> StoreResult<RecordPage<T>> {
        let (name, columns, order_by) = (self.name, self.columns, self.order_by);
        let tx = conn.unchecked_transaction().map_err(unavailable)?;
        let filter = "company_id = ?1 AND (?2 IS NULL OR instr(search, ?2) > 0)";
        let total: i64 = tx
            .query_row(
                &format!("SELECT COUNT(*) FROM {name} WHERE {filter}"),
                params![company.as_str(), query.text],
                |row| row.get(0),
            )
            .map_err(unavailable)?;
        let mut select = tx
            .prepare_cached(&format!(
                "SELECT {columns} FROM {name} WHERE {filter} ORDER BY {order_by} LIMIT ?3 OFFSET ?4"
            ))
            .map_err(unavailable)?;
        let rows = select
            .query_map(
                params![company.as_str(), query.text, query.limit, query.offset],
                self.read,
            )
            .map_err(unavailable)?;
        let mut items = Vec::new();
        for row in rows {
            items.push(row.map_err(unavailable)??);
        }
        Ok(RecordPage {
            items,
            total: u64::try_from(total).unwrap_or_default(),
        })
    }

    pub fn delete(&self, conn: &Connection, company: &CompanyId, id: &str) -> StoreResult<bool> {
        conn.execute(
            &format!(
                "DELETE FROM {} WHERE company_id = ?1 AND id = ?2",
                self.name
            ),
            params![company.as_str(), id],
        )
        .map(|changed| changed > 0)
        .map_err(unavailable)
    }
}

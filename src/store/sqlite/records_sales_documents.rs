//! `sales_documents` in SQLite: one row per document, its lines a JSON array column (why:
//! migrations/sqlite/0007_sales_documents.sql), decimals exact text. The text filter
//! compares with a lower-cased `search` column written from Rust, as products and contacts
//! do; the exact filters (type, contact, status, product) are bound parameters that are
//! NULL when unused.

use super::accounts::conflict_or_unavailable;
use super::{SqliteStore, corrupt, from_millis, millis, unavailable};
use crate::domain::CompanyId;
use crate::records::RecordPage;
use crate::records::sales_document::{
    DocStatus, DocType, SalesDocument, SalesDocumentLine, SalesDocumentQuery, Totals,
};
use crate::store::{SalesDocumentStore, StoreResult};
use async_trait::async_trait;
use chrono::NaiveDate;
use rusqlite::types::{ToSql, Value};
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};
use rust_decimal::Decimal;

const COLUMNS: &str = "id, company_id, doc_type, number, contact_id, doc_date, status, currency,
     lines, total_net, total_vat, total_gross, notes, created_at, updated_at";
const DUPLICATE_NUMBER: &str = "the company already has a document of this type and number";
/// Every exact filter is NULL or matches; ?1 is the company, ?2 the lower-cased text.
const FILTER: &str = "company_id = ?1
    AND (?2 IS NULL OR instr(search, ?2) > 0)
    AND (?3 IS NULL OR doc_type = ?3)
    AND (?4 IS NULL OR contact_id = ?4)
    AND (?5 IS NULL OR status = ?5)
    AND (?6 IS NULL OR EXISTS (
        SELECT 1 FROM json_each(lines) WHERE json_extract(value, '$.product_id') = ?6))";

#[async_trait]
impl SalesDocumentStore for SqliteStore {
    async fn insert_sales_document(&self, document: &SalesDocument) -> StoreResult<()> {
        let values = row_values(document)?;
        self.writer
            .write(move |conn| {
                conn.execute(
                    &format!(
                        "INSERT INTO sales_documents ({COLUMNS}, search)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,
                                 ?15, ?16)"
                    ),
                    params_from_iter(values),
                )
                .map(|_| ())
                .map_err(|e| conflict_or_unavailable(e, DUPLICATE_NUMBER))
            })
            .await
    }

    async fn get_sales_document(
        &self,
        company: &CompanyId,
        id: &str,
    ) -> StoreResult<Option<SalesDocument>> {
        let (company, id) = (company.clone(), id.to_owned());
        self.read(move |conn| {
            conn.query_row(
                &format!("SELECT {COLUMNS} FROM sales_documents WHERE company_id = ?1 AND id = ?2"),
                params![company.as_str(), id],
                read_document,
            )
            .optional()
            .map_err(unavailable)?
            .transpose()
        })
        .await
    }

    async fn list_sales_documents(
        &self,
        company: &CompanyId,
        query: &SalesDocumentQuery,
    ) -> StoreResult<RecordPage<SalesDocument>> {
        let (company, query) = (company.clone(), query.clone());
        self.read(move |conn| list(conn, &company, &query)).await
    }

    async fn update_sales_document(&self, document: &SalesDocument) -> StoreResult<bool> {
        let values = row_values(document)?;
        self.writer
            .write(move |conn| {
                conn.execute(
                    "UPDATE sales_documents SET doc_type = ?3, number = ?4, contact_id = ?5,
                         doc_date = ?6, status = ?7, currency = ?8, lines = ?9,
                         total_net = ?10, total_vat = ?11, total_gross = ?12, notes = ?13,
                         created_at = ?14, updated_at = ?15, search = ?16
                     WHERE id = ?1 AND company_id = ?2",
                    params_from_iter(values),
                )
                .map(|changed| changed > 0)
                .map_err(|e| conflict_or_unavailable(e, DUPLICATE_NUMBER))
            })
            .await
    }

    async fn delete_sales_document(&self, company: &CompanyId, id: &str) -> StoreResult<bool> {
        let (company, id) = (company.clone(), id.to_owned());
        self.writer
            .write(move |conn| {
                conn.execute(
                    "DELETE FROM sales_documents WHERE company_id = ?1 AND id = ?2",
                    params![company.as_str(), id],
                )
                .map(|changed| changed > 0)
                .map_err(unavailable)
            })
            .await
    }
}

/// The page and the total of the filter, read in one transaction so that they agree.
fn list(
    conn: &Connection,
    company: &CompanyId,
    query: &SalesDocumentQuery,
) -> StoreResult<RecordPage<SalesDocument>> {
    let (doc_type, status) = (
        query.doc_type.map(DocType::as_str),
        query.status.map(DocStatus::as_str),
    );
    let filter_values: [&dyn ToSql; 6] = [
        &company.as_str(),
        &query.records.text,
        &doc_type,
        &query.contact_id,
        &status,
        &query.product_id,
    ];
    let tx = conn.unchecked_transaction().map_err(unavailable)?;
    let total: i64 = tx
        .query_row(
            &format!("SELECT COUNT(*) FROM sales_documents WHERE {FILTER}"),
            filter_values.as_slice(),
            |row| row.get(0),
        )
        .map_err(unavailable)?;
    let mut select = tx
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM sales_documents WHERE {FILTER}
             ORDER BY doc_date DESC, id DESC LIMIT ?7 OFFSET ?8"
        ))
        .map_err(unavailable)?;
    let mut values = filter_values.to_vec();
    values.extend([&query.records.limit as &dyn ToSql, &query.records.offset]);
    let rows = select
        .query_map(values.as_slice(), read_document)
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

/// ?1 to ?16 of an insert or update, in [`COLUMNS`] order and then `search`.
fn row_values(d: &SalesDocument) -> StoreResult<Vec<Value>> {
    let lines = serde_json::to_string(&d.lines)
        .map_err(|e| corrupt(format!("document lines not serialisable: {e}")))?;
    let text = |s: &str| Value::Text(s.to_owned());
    let optional = |s: &Option<String>| s.as_deref().map_or(Value::Null, text);
    Ok(vec![
        text(&d.id),
        text(d.company_id.as_str()),
        text(d.doc_type.as_str()),
        optional(&d.number),
        text(&d.contact_id),
        text(&d.doc_date.format("%Y-%m-%d").to_string()),
        text(d.status.as_str()),
        text(&d.currency),
        Value::Text(lines),
        text(&d.totals.net.to_string()),
        text(&d.totals.vat.to_string()),
        text(&d.totals.gross.to_string()),
        optional(&d.notes),
        Value::Integer(millis(d.created_at)),
        Value::Integer(millis(d.updated_at)),
        Value::Text(d.search_text()),
    ])
}

/// A row as a document; the outer error is SQLite's, the inner one corrupt stored text.
fn read_document(row: &Row<'_>) -> rusqlite::Result<StoreResult<SalesDocument>> {
    let id: String = row.get(0)?;
    let company: String = row.get(1)?;
    let doc_type: String = row.get(2)?;
    let number: Option<String> = row.get(3)?;
    let contact_id: String = row.get(4)?;
    let doc_date: String = row.get(5)?;
    let status: String = row.get(6)?;
    let currency: String = row.get(7)?;
    let lines: String = row.get(8)?;
    let totals: [String; 3] = [row.get(9)?, row.get(10)?, row.get(11)?];
    let notes: Option<String> = row.get(12)?;
    let (created_at, updated_at): (i64, i64) = (row.get(13)?, row.get(14)?);
    Ok((|| {
        let lines: Vec<SalesDocumentLine> = serde_json::from_str(&lines)
            .map_err(|e| corrupt(format!("document {id}: lines unreadable: {e}")))?;
        Ok(SalesDocument {
            company_id: CompanyId::from(company),
            doc_type: DocType::parse("doc_type", &doc_type).map_err(corrupt)?,
            number,
            contact_id,
            doc_date: NaiveDate::parse_from_str(&doc_date, "%Y-%m-%d")
                .map_err(|_| corrupt(format!("document {id}: date {doc_date:?}")))?,
            status: DocStatus::parse("status", &status).map_err(corrupt)?,
            currency,
            lines,
            totals: Totals {
                net: decimal(&totals[0])?,
                vat: decimal(&totals[1])?,
                gross: decimal(&totals[2])?,
            },
            notes,
            created_at: from_millis(created_at)?,
            updated_at: from_millis(updated_at)?,
            id,
        })
    })())
}

fn decimal(text: &str) -> StoreResult<Decimal> {
    text.parse()
        .map_err(|_| corrupt(format!("a document amount {text:?} is not a decimal")))
}

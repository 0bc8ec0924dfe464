//! The CSV export of the error log: the entries a filter matches, newest first, one row
//! each under a header row, written with the `csv` crate (quoting, embedded newlines).
//!
//! The file is built in memory, read from the store a page at a time and capped at
//! [`MAX_EXPORT_ROWS`]: a bounded size that a spreadsheet still opens, and a narrower filter
//! for anything larger. Whether the cap cut the export off is reported beside the bytes.

use super::ErrorLog;
use super::entry::ErrorLogEntry;
use super::query::{ErrorLogFilter, Paging};
use crate::domain::CompanyId;
use crate::store::StoreError;

/// The most rows one export holds.
pub const MAX_EXPORT_ROWS: u64 = 50_000;
const PAGE: u32 = 1_000;

/// The column names of the header row, in order.
pub const COLUMNS: &[&str] = &[
    "id",
    "created_at",
    "status",
    "category",
    "entity_type",
    "entity_id",
    "operation",
    "message",
    "details",
    "user_id",
    "resolution_notes",
    "resolved_by",
    "resolved_at",
];

/// A finished export.
#[derive(Debug)]
pub struct CsvExport {
    pub bytes: Vec<u8>,
    pub rows: u64,
    /// More entries matched than [`MAX_EXPORT_ROWS`].
    pub truncated: bool,
}

impl ErrorLog {
    /// The entries of `company` that `filter` matches, as CSV.
    pub async fn export_csv(
        &self,
        company: &CompanyId,
        filter: &ErrorLogFilter,
    ) -> Result<CsvExport, StoreError> {
        // Entries recorded while the export pages through the log would shift the offsets
        // (newest first) and repeat rows: the export covers what existed when it began.
        let began = chrono::Utc::now();
        let filter = &ErrorLogFilter {
            to: Some(filter.to.map_or(began, |to| to.min(began))),
            ..filter.clone()
        };
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(COLUMNS).map_err(csv_failure)?;
        let mut rows = 0u64;
        let mut total;
        loop {
            let paging = Paging {
                limit: PAGE,
                offset: u32::try_from(rows).unwrap_or(u32::MAX),
            };
            let page = self.list(company, filter, paging).await?;
            total = page.total;
            let fetched = page.items.len();
            for entry in page.items.iter().take((MAX_EXPORT_ROWS - rows) as usize) {
                writer.write_record(row(entry)).map_err(csv_failure)?;
                rows += 1;
            }
            if fetched < PAGE as usize || rows >= MAX_EXPORT_ROWS {
                break;
            }
        }
        let bytes = writer
            .into_inner()
            .map_err(|e| StoreError::Unavailable(format!("writing CSV: {e}")))?;
        Ok(CsvExport {
            bytes,
            rows,
            truncated: total > rows,
        })
    }
}

/// One entry's cells, in [`COLUMNS`] order. Times are written as the JSON API writes them.
fn row(entry: &ErrorLogEntry) -> [String; 13] {
    let time =
        |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
    [
        entry.id.clone(),
        time(entry.created_at),
        entry.status.as_str().to_owned(),
        entry.category.as_str().to_owned(),
        entry.entity_type.as_str().to_owned(),
        entry.entity_id.clone().unwrap_or_default(),
        entry.operation.clone(),
        entry.message.clone(),
        entry.details.to_string(),
        entry
            .user_id
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        entry.resolution_notes.clone().unwrap_or_default(),
        entry
            .resolved_by
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        entry.resolved_at.map(time).unwrap_or_default(),
    ]
}

/// Writing to a `Vec` fails only if the data cannot be encoded, which is ours to fix.
fn csv_failure(e: csv::Error) -> StoreError {
    StoreError::Corrupt(format!(
        "an error log entry could not be written as CSV: {e}"
    ))
}

//! `metakocka_error_logs` in SQLite. One WHERE clause with named parameters serves every
//! filter: a NULL parameter means "any", so each statement is prepared (and cached) once.
//!
//! The text filter compares lower-cased text: the message is stored a second time folded by
//! Rust (`message_folded`), because SQLite's `lower()` folds ASCII letters only and a search
//! for `čokolada` must find `Čokolada`.

use super::{SqliteStore, corrupt, from_millis, millis, unavailable};
use crate::domain::{CompanyId, UserId};
use crate::metakocka::error_log::{
    EntityType, ErrorCategory, ErrorLogEntry, ErrorLogFilter, ErrorLogPage, ErrorLogStats,
    ErrorStatus, Paging, Resolution, ResolveTarget,
};
use crate::store::{MetakockaErrorLogStore, StoreResult};
use async_trait::async_trait;
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, Row, ToSql, params};

const COLUMNS: &str = "id, company_id, user_id, category, entity_type, entity_id, operation,
    message, details, status, resolution_notes, resolved_by, resolved_at, created_at";

const WHERE: &str = "company_id = :company
    AND (:status IS NULL OR status = :status)
    AND (:category IS NULL OR category = :category)
    AND (:entity_type IS NULL OR entity_type = :entity_type)
    AND (:entity_id IS NULL OR entity_id = :entity_id)
    AND (:from IS NULL OR created_at >= :from)
    AND (:to IS NULL OR created_at < :to)
    AND (:text IS NULL OR instr(message_folded, :text) > 0)";

type Named = Vec<(&'static str, SqlValue)>;

fn filter_params(company: &CompanyId, filter: &ErrorLogFilter) -> Named {
    let text = |v: Option<&str>| v.map_or(SqlValue::Null, |v| SqlValue::Text(v.to_owned()));
    let time = |v: Option<chrono::DateTime<chrono::Utc>>| {
        v.map_or(SqlValue::Null, |t| SqlValue::Integer(millis(t)))
    };
    vec![
        (":company", SqlValue::Text(company.as_str().to_owned())),
        (":status", text(filter.status.map(ErrorStatus::as_str))),
        (
            ":category",
            text(filter.category.map(ErrorCategory::as_str)),
        ),
        (
            ":entity_type",
            text(filter.entity_type.map(EntityType::as_str)),
        ),
        (":entity_id", text(filter.entity_id.as_deref())),
        (":from", time(filter.from)),
        (":to", time(filter.to)),
        (
            ":text",
            text(filter.text.as_deref().map(str::to_lowercase).as_deref()),
        ),
    ]
}

fn bind(named: &Named) -> Vec<(&str, &dyn ToSql)> {
    named.iter().map(|(n, v)| (*n, v as &dyn ToSql)).collect()
}

#[async_trait]
impl MetakockaErrorLogStore for SqliteStore {
    async fn insert_error_log(&self, entry: &ErrorLogEntry) -> StoreResult<()> {
        let e = entry.clone();
        let details = serde_json::to_string(&e.details).map_err(corrupt)?;
        self.writer
            .write(move |conn| {
                conn.prepare_cached(&format!(
                    "INSERT INTO metakocka_error_logs ({COLUMNS}, message_folded)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
                ))
                .and_then(|mut stmt| {
                    stmt.execute(params![
                        e.id,
                        e.company_id.as_str(),
                        e.user_id.as_ref().map(UserId::as_str),
                        e.category.as_str(),
                        e.entity_type.as_str(),
                        e.entity_id,
                        e.operation,
                        e.message,
                        details,
                        e.status.as_str(),
                        e.resolution_notes,
                        e.resolved_by.as_ref().map(UserId::as_str),
                        e.resolved_at.map(millis),
                        millis(e.created_at),
                        e.message.to_lowercase(),
                    ])
                })
                .map(|_| ())
                .map_err(unavailable)
            })
            .await
    }

    async fn get_error_log(
        &self,
        company: &CompanyId,
        id: &str,
    ) -> StoreResult<Option<ErrorLogEntry>> {
        let (company, id) = (company.clone(), id.to_owned());
        self.read(move |conn| {
            conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM metakocka_error_logs WHERE company_id = ?1 AND id = ?2"
            ))
            .and_then(|mut stmt| {
                stmt.query_row(params![company.as_str(), id], read_row)
                    .optional()
            })
            .map_err(unavailable)?
            .transpose()
        })
        .await
    }

    async fn list_error_logs(
        &self,
        company: &CompanyId,
        filter: &ErrorLogFilter,
        paging: Paging,
    ) -> StoreResult<ErrorLogPage> {
        let named = filter_params(company, filter);
        self.read(move |conn| {
            let total = count(conn, &named)?;
            if paging.limit == 0 {
                return Ok(ErrorLogPage {
                    items: Vec::new(),
                    total,
                });
            }
            let mut named = named;
            named.push((":limit", SqlValue::Integer(i64::from(paging.limit))));
            named.push((":offset", SqlValue::Integer(i64::from(paging.offset))));
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM metakocka_error_logs WHERE {WHERE}
                     ORDER BY created_at DESC, id DESC LIMIT :limit OFFSET :offset"
                ))
                .map_err(unavailable)?;
            let items = stmt
                .query_map(bind(&named).as_slice(), read_row)
                .map_err(unavailable)?
                .map(|row| row.map_err(unavailable)?)
                .collect::<StoreResult<Vec<_>>>()?;
            Ok(ErrorLogPage { items, total })
        })
        .await
    }

    async fn resolve_error_logs(
        &self,
        company: &CompanyId,
        target: &ResolveTarget,
        resolution: &Resolution,
    ) -> StoreResult<u64> {
        let (mut named, ids) = match target {
            ResolveTarget::Ids(ids) => (
                filter_params(company, &ErrorLogFilter::default()),
                SqlValue::Text(serde_json::to_string(ids).map_err(corrupt)?),
            ),
            ResolveTarget::Filter(filter) => (filter_params(company, filter), SqlValue::Null),
        };
        named.push((":ids", ids));
        named.push((
            ":notes",
            resolution
                .notes
                .clone()
                .map_or(SqlValue::Null, SqlValue::Text),
        ));
        named.push((":by", SqlValue::Text(resolution.resolved_by.to_string())));
        named.push((":at", SqlValue::Integer(millis(resolution.resolved_at))));
        self.writer
            .write(move |conn| {
                conn.prepare_cached(&format!(
                    "UPDATE metakocka_error_logs
                     SET status = 'resolved', resolution_notes = :notes, resolved_by = :by,
                         resolved_at = :at
                     WHERE {WHERE} AND status = 'open'
                       AND (:ids IS NULL OR id IN (SELECT value FROM json_each(:ids)))"
                ))
                .and_then(|mut stmt| stmt.execute(bind(&named).as_slice()))
                .map(|changed| changed as u64)
                .map_err(unavailable)
            })
            .await
    }

    async fn error_log_stats(
        &self,
        company: &CompanyId,
        filter: &ErrorLogFilter,
    ) -> StoreResult<ErrorLogStats> {
        let named = filter_params(company, filter);
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT status, category, entity_type,
                            strftime('%Y-%m-%d', created_at / 1000, 'unixepoch'), COUNT(*)
                     FROM metakocka_error_logs WHERE {WHERE} GROUP BY 1, 2, 3, 4"
                ))
                .map_err(unavailable)?;
            let mut rows = stmt.query(bind(&named).as_slice()).map_err(unavailable)?;
            let mut stats = ErrorLogStats::default();
            while let Some(row) = rows.next().map_err(unavailable)? {
                let text = |i: usize| row.get::<_, String>(i).map_err(unavailable);
                stats.add(
                    ErrorStatus::parse(&text(0)?).map_err(corrupt)?,
                    ErrorCategory::parse(&text(1)?).map_err(corrupt)?,
                    EntityType::parse(&text(2)?).map_err(corrupt)?,
                    text(3)?,
                    row.get::<_, i64>(4).map_err(unavailable)? as u64,
                );
            }
            Ok(stats)
        })
        .await
    }
}

fn count(conn: &Connection, named: &Named) -> StoreResult<u64> {
    conn.prepare_cached(&format!(
        "SELECT COUNT(*) FROM metakocka_error_logs WHERE {WHERE}"
    ))
    .and_then(|mut stmt| stmt.query_row(bind(named).as_slice(), |row| row.get::<_, i64>(0)))
    .map(|n| n as u64)
    .map_err(unavailable)
}

/// A row in [`COLUMNS`] order. The outer error is SQLite's; the inner, a value that does not
/// parse back (which only a hand-edited database can hold).
fn read_row(row: &Row<'_>) -> rusqlite::Result<StoreResult<ErrorLogEntry>> {
    let category: String = row.get(3)?;
    let entity_type: String = row.get(4)?;
    let details: String = row.get(8)?;
    let status: String = row.get(9)?;
    let resolved_at: Option<i64> = row.get(12)?;
    let created_at: i64 = row.get(13)?;
    let (id, company, user, entity_id, operation, message, notes, resolved_by) = (
        row.get::<_, String>(0)?,
        row.get::<_, String>(1)?,
        row.get::<_, Option<String>>(2)?,
        row.get::<_, Option<String>>(5)?,
        row.get::<_, String>(6)?,
        row.get::<_, String>(7)?,
        row.get::<_, Option<String>>(10)?,
        row.get::<_, Option<String>>(11)?,
    );
    Ok((|| {
        Ok(ErrorLogEntry {
            id,
            company_id: CompanyId::from(company),
            user_id: user.map(UserId::from),
            category: ErrorCategory::parse(&category).map_err(corrupt)?,
            entity_type: EntityType::parse(&entity_type).map_err(corrupt)?,
            entity_id,
            operation,
            message,
            details: serde_json::from_str(&details).map_err(corrupt)?,
            status: ErrorStatus::parse(&status).map_err(corrupt)?,
            resolution_notes: notes,
            resolved_by: resolved_by.map(UserId::from),
            resolved_at: resolved_at.map(from_millis).transpose()?,
            created_at: from_millis(created_at)?,
        })
    })())
}

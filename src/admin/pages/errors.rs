//! The integration error log: filters, resolve one entry with notes, bulk resolve of the
//! ticked entries, statistics with a chart per day, and a CSV export of the filtered entries.

use super::{flash_query, see_other};
use crate::admin::chart;
use crate::admin::csrf::AdminForm;
use crate::admin::error::AdminError;
use crate::admin::render::Rendered;
use crate::admin::session::{AdminSession, page};
use crate::domain::FieldError;
use crate::http::AppState;
use crate::metakocka::error_log::{
    EntityType, ErrorCategory, ErrorLogFilter, ErrorStatus, Paging, ResolveTarget,
};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{NaiveDate, TimeZone, Utc};
use minijinja::context;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const MAX_NOTES: usize = 2_000;
const MAX_BULK: usize = 500;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/errors", get(list))
        .route("/errors/export.csv", get(export))
        .route("/errors/bulk-resolve", post(bulk_resolve))
        .route("/errors/{id}/resolve", post(resolve))
}

/// The filters as the form sends them; blank means "any".
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct Filters {
    #[serde(default)]
    status: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    entity_type: String,
    #[serde(default)]
    search: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    flash: Option<String>,
}

fn day(
    field: &'static str,
    text: &str,
    next: bool,
) -> Result<Option<chrono::DateTime<Utc>>, FieldError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| FieldError::new(field, "must be a day such as 2026-11-30"))?;
    let date = if next {
        date.succ_opt().unwrap_or(date)
    } else {
        date
    };
    Ok(date.and_hms_opt(0, 0, 0).map(|t| Utc.from_utc_datetime(&t)))
}

impl Filters {
    fn parse(&self) -> Result<ErrorLogFilter, FieldError> {
        fn given(text: &str) -> Option<&str> {
            Some(text.trim()).filter(|t| !t.is_empty())
        }
        Ok(ErrorLogFilter {
            status: given(&self.status).map(ErrorStatus::parse).transpose()?,
            category: given(&self.category)
                .map(ErrorCategory::parse)
                .transpose()?,
            entity_type: given(&self.entity_type)
                .map(EntityType::parse)
                .transpose()?,
            entity_id: None,
            from: day("from", &self.from, false)?,
            // The "to" day is included: entries before the start of the next day.
            to: day("to", &self.to, true)?,
            text: given(&self.search).map(str::to_owned),
        })
    }

    /// The filters as a query string, for the export link and redirects.
    fn query(&self) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (key, value) in [
            ("status", &self.status),
            ("category", &self.category),
            ("entity_type", &self.entity_type),
            ("search", &self.search),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if !value.trim().is_empty() {
                query.append_pair(key, value.trim());
            }
        }
        query.finish()
    }
}

/// `GET /admin/errors`.
pub async fn list(
    State(state): State<AppState>,
    session: AdminSession,
    Query(filters): Query<Filters>,
) -> Result<Rendered, AdminError> {
    let mut errors: BTreeMap<&str, String> = BTreeMap::new();
    let filter = filters.parse().unwrap_or_else(|e| {
        errors.insert(e.field, e.message);
        ErrorLogFilter::default()
    });
    let company = session.company();
    let entries = state
        .metakocka_errors
        .list(
            company,
            &filter,
            Paging {
                limit: 100,
                offset: 0,
            },
        )
        .await?;
    let stats = state.metakocka_errors.stats(company, &filter).await?;
    let by_day: Vec<(String, f64)> = stats
        .by_day
        .iter()
        .rev()
        .take(14)
        .rev()
        .map(|(day, count)| (day.get(5..).unwrap_or(day).to_owned(), *count as f64))
        .collect();
    let rows: Vec<_> = entries
        .items
        .iter()
        .map(|e| {
            context! {
                id => &e.id,
                category => e.category.as_str(),
                entity_type => e.entity_type.as_str(),
                entity_id => &e.entity_id,
                operation => &e.operation,
                message => &e.message,
                open => e.status == ErrorStatus::Open,
                notes => &e.resolution_notes,
                created_at => e.created_at.format("%Y-%m-%d %H:%M UTC").to_string(),
            }
        })
        .collect();
    page(
        &session,
        "errors.html",
        "errors",
        context! {
            entries => rows,
            total => entries.total,
            stats => context! {
                total => stats.total,
                open => stats.by_status.get(&ErrorStatus::Open).copied().unwrap_or(0),
                by_category => stats.by_category.iter().map(|(c, n)| (c.as_str(), *n)).collect::<BTreeMap<_, _>>(),
            },
            chart => minijinja::Value::from_safe_string(chart::bars("Errors per day", &by_day, "")),
            filters => &filters,
            export_query => filters.query(),
            statuses => ErrorStatus::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            categories => ErrorCategory::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
            entity_types => EntityType::ALL.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
            errors => errors,
            flash => &filters.flash,
        },
    )
}

/// `GET /admin/errors/export.csv`: the filtered entries as CSV (the API's export format).
pub async fn export(
    State(state): State<AppState>,
    session: AdminSession,
    Query(filters): Query<Filters>,
) -> Result<Response, AdminError> {
    let filter = filters
        .parse()
        .map_err(|e| AdminError::BadRequest(format!("{}: {}", e.field, e.message)))?;
    let export = state
        .metakocka_errors
        .export_csv(session.company(), &filter)
        .await?;
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                CONTENT_DISPOSITION,
                "attachment; filename=\"metakocka-error-logs.csv\"",
            ),
        ],
        export.bytes,
    )
        .into_response())
}

fn notes(text: Option<&str>) -> Result<Option<String>, AdminError> {
    let notes = text
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    if notes
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_NOTES)
    {
        return Err(AdminError::BadRequest(format!(
            "Notes may be at most {MAX_NOTES} characters."
        )));
    }
    Ok(notes)
}

#[derive(Deserialize)]
pub struct ResolveForm {
    notes: Option<String>,
}

/// `POST /admin/errors/{id}/resolve`.
pub async fn resolve(
    State(state): State<AppState>,
    Path(id): Path<String>,
    AdminForm(form): AdminForm<ResolveForm>,
) -> Result<Response, AdminError> {
    let session = form.session;
    let notes = notes(form.form.notes.as_deref())?;
    state
        .metakocka_errors
        .resolve(session.company(), &id, notes, &session.session.user_id)
        .await?;
    Ok(see_other(&format!(
        "/admin/errors?{}",
        flash_query("Error resolved.")
    )))
}

#[derive(Deserialize)]
pub struct BulkForm {
    notes: Option<String>,
}

/// `POST /admin/errors/bulk-resolve`: resolves the ticked entries.
pub async fn bulk_resolve(
    State(state): State<AppState>,
    AdminForm(form): AdminForm<BulkForm>,
) -> Result<Response, AdminError> {
    let session = form.session;
    let ids = form.fields.all("ids");
    if ids.is_empty() {
        return Ok(see_other(&format!(
            "/admin/errors?{}",
            flash_query("Tick the errors to resolve first.")
        )));
    }
    if ids.len() > MAX_BULK {
        return Err(AdminError::BadRequest(format!(
            "At most {MAX_BULK} errors at a time."
        )));
    }
    let notes = notes(form.form.notes.as_deref())?;
    let resolved = state
        .metakocka_errors
        .resolve_many(
            session.company(),
            &ResolveTarget::Ids(ids),
            notes,
            &session.session.user_id,
        )
        .await?;
    Ok(see_other(&format!(
        "/admin/errors?{}",
        flash_query(&format!("{resolved} error(s) resolved."))
    )))
}

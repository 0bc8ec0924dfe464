//! `/api/integrations/metakocka/logs`: list, resolve one, bulk resolve, CSV export, stats.

use super::super::AppState;
use super::super::error::ApiError;
use super::super::extract::{ApiJson, ApiQuery, Caller};
use super::super::openapi::Page;
use super::filter::{FilterFields, ListQuery};
use crate::domain::FieldError;
use crate::metakocka::error_log::{EntityType, ErrorCategory, ErrorStatus};
use crate::metakocka::error_log::{ErrorLogEntry, ResolveTarget};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// Most ids one bulk resolve may name.
const MAX_BULK_IDS: usize = 1_000;
const MAX_NOTES_LEN: usize = 2_000;

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    get,
    path = "/api/integrations/metakocka/logs",
    tag = "metakocka-logs",
    params(
        ListQuery,
    ),
    responses(
        (status = 200, description = "error log entries, newest first", body = Page<ErrorLogEntry>),
        (status = 400, response = super::super::openapi::responses::BadRequest),
    ),
    security(("bearer" = [])),
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Page<ErrorLogEntry>>, ApiError> {
    let (filter, paging) = (query.filter()?, query.paging()?);
    let page = state
        .metakocka_errors
        .list(caller.company(), &filter, paging)
        .await?;
    Ok(Json(Page {
        items: page.items,
        total: page.total,
        limit: paging.limit,
        offset: paging.offset,
    }))
}

#[derive(Deserialize, ToSchema)]
#[schema(as = ErrorLogResolveBody)]
pub struct ResolveBody {
    /// At most 2000 characters (trimmed).
    #[serde(default)]
    #[schema(max_length = 2000)]
    notes: Option<String>,
}

#[tracing::instrument(skip_all, fields(company = %caller.company(), id = %id))]
#[utoipa::path(
    post,
    path = "/api/integrations/metakocka/logs/{id}/resolve",
    tag = "metakocka-logs",
    params(
        ("id" = String, Path, description = "the entry's id"),
    ),
    request_body = ResolveBody,
    responses(
        (status = 200, description = "the entry, resolved", body = ErrorLogEntry),
        (status = 400, response = super::super::openapi::responses::BadRequest),
        (status = 403, response = super::super::openapi::responses::Forbidden),
        (status = 404, response = super::super::openapi::responses::NotFound),
        (status = 409, description = "the entry is resolved already (`already_resolved`)", body = super::super::error::ErrorBody),
        (status = 415, response = super::super::openapi::responses::UnsupportedMediaType),
    ),
    security(("bearer" = [])),
)]
pub async fn resolve(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ResolveBody>,
) -> Result<Json<ErrorLogEntry>, ApiError> {
    caller.require_admin()?;
    let notes = notes(body.notes)?;
    let entry = state
        .metakocka_errors
        .resolve(caller.company(), &id, notes, &caller.session.user_id)
        .await?;
    Ok(Json(entry))
}

/// `{"ids": [...]}` or `{"filter": {...}}` (not both), and optional `notes`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkResolveBody {
    /// 1 to 1000 entries' ids.
    #[schema(min_items = 1, max_items = 1000)]
    ids: Option<Vec<String>>,
    filter: Option<FilterFields>,
    /// At most 2000 characters (trimmed).
    #[serde(default)]
    #[schema(max_length = 2000)]
    notes: Option<String>,
}

crate::body_with_rule!(
    /// [`BulkResolveBody`] with `ids` or `filter`, exactly one.
    BulkResolveRequest,
    BulkResolveBody,
    {
        let ids = utoipa::openapi::schema::ArrayBuilder::new()
            .items(utoipa::openapi::schema::ObjectBuilder::new().schema_type(utoipa::openapi::schema::Type::String))
            .min_items(Some(1))
            .max_items(Some(MAX_BULK_IDS))
            .into();
        crate::http::openapi::combine::exactly_one_of(
            BulkResolveBody::schema(),
            vec![("ids", ids), ("filter", FilterFields::schema())],
        )
    }
);

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    post,
    path = "/api/integrations/metakocka/logs/bulk-resolve",
    tag = "metakocka-logs",
    request_body = BulkResolveRequest,
    responses(
        (status = 200, description = "how many entries were resolved", body = Resolved),
        (status = 400, response = super::super::openapi::responses::BadRequest),
        (status = 403, response = super::super::openapi::responses::Forbidden),
        (status = 415, response = super::super::openapi::responses::UnsupportedMediaType),
    ),
    security(("bearer" = [])),
)]
pub async fn bulk_resolve(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<BulkResolveBody>,
) -> Result<Json<Resolved>, ApiError> {
    caller.require_admin()?;
    let target = match (body.ids, body.filter) {
        (Some(ids), None) if ids.is_empty() => {
            return Err(FieldError::new("ids", "must name at least one entry").into());
        }
        (Some(ids), None) if ids.len() > MAX_BULK_IDS => {
            return Err(FieldError::new("ids", format!("at most {MAX_BULK_IDS} at a time")).into());
        }
        (Some(ids), None) => ResolveTarget::Ids(ids),
        (None, Some(filter)) => ResolveTarget::Filter(filter.parse()?),
        _ => {
            return Err(FieldError::new("ids", "send either ids or filter (one of them)").into());
        }
    };
    let notes = notes(body.notes)?;
    let resolved = state
        .metakocka_errors
        .resolve_many(caller.company(), &target, notes, &caller.session.user_id)
        .await?;
    Ok(Json(Resolved { resolved }))
}

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    get,
    path = "/api/integrations/metakocka/logs/export",
    tag = "metakocka-logs",
    params(
        ListQuery,
    ),
    responses(
        (status = 200, description = "the matching entries as CSV; `x-export-truncated: true` when cut at the row limit", body = String, content_type = "text/csv"),
        (status = 400, response = super::super::openapi::responses::BadRequest),
    ),
    security(("bearer" = [])),
)]
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    // The paging is checked though not used, so the parameters mean the same on every route.
    let (filter, _) = (query.filter()?, query.paging()?);
    let export = state
        .metakocka_errors
        .export_csv(caller.company(), &filter)
        .await?;
    let headers = [
        (CONTENT_TYPE, "text/csv; charset=utf-8"),
        (
            CONTENT_DISPOSITION,
            "attachment; filename=\"metakocka-error-logs.csv\"",
        ),
    ];
    let truncated = [(
        "x-export-truncated",
        if export.truncated { "true" } else { "false" },
    )];
    Ok((headers, truncated, export.bytes).into_response())
}

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    get,
    path = "/api/integrations/metakocka/logs/stats",
    tag = "metakocka-logs",
    params(
        ListQuery,
    ),
    responses(
        (status = 200, description = "counts of the entries the filter names", body = LogStats),
        (status = 400, response = super::super::openapi::responses::BadRequest),
    ),
    security(("bearer" = [])),
)]
pub async fn stats(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<LogStats>, ApiError> {
    // The paging is checked though not used, so the parameters mean the same on every route.
    let (filter, _) = (query.filter()?, query.paging()?);
    let stats = state
        .metakocka_errors
        .stats(caller.company(), &filter)
        .await?;
    let by_day = (stats.by_day.into_iter())
        .map(|(day, count)| DayCount { day, count })
        .collect();
    Ok(Json(LogStats {
        total: stats.total,
        by_status: stats.by_status,
        by_category: stats.by_category,
        by_entity_type: stats.by_entity_type,
        by_day,
    }))
}

/// `POST .../logs/bulk-resolve`.
#[derive(Serialize, ToSchema)]
pub struct Resolved {
    resolved: u64,
}

/// `GET .../logs/stats`: counts by status, category, entity type and UTC day.
#[derive(Serialize, ToSchema)]
pub struct LogStats {
    total: u64,
    #[schema(value_type = BTreeMap<String, u64>)]
    by_status: BTreeMap<ErrorStatus, u64>,
    #[schema(value_type = BTreeMap<String, u64>)]
    by_category: BTreeMap<ErrorCategory, u64>,
    #[schema(value_type = BTreeMap<String, u64>)]
    by_entity_type: BTreeMap<EntityType, u64>,
    /// Oldest first.
    by_day: Vec<DayCount>,
}

/// Entries of one UTC day.
#[derive(Serialize, ToSchema)]
pub struct DayCount {
    /// `YYYY-MM-DD`.
    day: String,
    count: u64,
}

/// Notes as stored: trimmed, blank meaning none, and of a size a person writes.
fn notes(notes: Option<String>) -> Result<Option<String>, FieldError> {
    let notes = notes.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    match notes {
        Some(n) if n.chars().count() > MAX_NOTES_LEN => Err(FieldError::new(
            "notes",
            format!("must be at most {MAX_NOTES_LEN} characters"),
        )),
        other => Ok(other),
    }
}

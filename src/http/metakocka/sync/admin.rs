//! Run history (with progress while a run goes, and cancel), the sync settings, the
//! conflicts waiting for a person, and the mapping audit.

use super::super::super::AppState;
use super::super::super::error::ApiError;
use super::super::super::extract::{ApiJson, ApiQuery, Caller};
use super::answers::{
    AuditFindings, ConflictList, ConflictResolved, MappingFixed, RunCancelled, RunDetail, RunList,
    RunView, SettingsAnswer,
};
use crate::metakocka::sync::audit::Fix;
use crate::metakocka::sync::model::{ConflictRule, Direction, EntityKind, Side};
use crate::records::now;
use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RunsQuery {
    /// `product`, `contact` or `sales_document`; every kind when left out.
    #[param(pattern = "^(product|contact|sales_document)$")]
    kind: Option<String>,
    /// At most this many (default 50; 0 reads 1, more than 200 reads 200).
    #[param(value_type = Option<u32>, format = Int64, minimum = 0, maximum = 4294967295_u32)]
    limit: Option<u32>,
}

fn kind_of(value: &str) -> Result<EntityKind, ApiError> {
    EntityKind::parse(value).ok_or_else(|| {
        ApiError::bad_request(format!(
            "unknown entity kind {value:?}; expected product, contact or sales_document"
        ))
    })
}

/// `GET .../sync/runs`: newest first, with counts, duration and errors.
#[utoipa::path(
    get,
    path = "/api/integrations/metakocka/sync/runs",
    tag = "metakocka-sync",
    params(
        RunsQuery,
    ),
    responses(
        (status = 200, description = "`{runs}`, newest first, each with `duration_ms`", body = RunList),
        (status = 400, response = super::super::super::openapi::responses::BadRequest),
    ),
    security(("bearer" = [])),
)]
pub async fn runs(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<RunsQuery>,
) -> Result<Json<RunList>, ApiError> {
    let kind = query.kind.as_deref().map(kind_of).transpose()?;
    let limit = query.limit.unwrap_or(50).clamp(1, 200);
    let runs = state
        .store
        .list_metakocka_runs(caller.company(), kind, limit)
        .await?;
    let runs = runs.into_iter().map(RunView::from).collect();
    Ok(Json(RunList { runs }))
}

/// `GET .../sync/runs/{id}`: the run as saved last (`counts.processed` of `counts.total`).
#[utoipa::path(
    get,
    path = "/api/integrations/metakocka/sync/runs/{id}",
    tag = "metakocka-sync",
    params(
        ("id" = String, Path, description = "the run's id"),
    ),
    responses(
        (status = 200, description = "`{run}` as saved last", body = RunDetail),
        (status = 404, response = super::super::super::openapi::responses::NotFound),
    ),
    security(("bearer" = [])),
)]
pub async fn run(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<RunDetail>, ApiError> {
    let run = state
        .store
        .get_metakocka_run(caller.company(), &id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no sync run {id}")))?;
    Ok(Json(RunDetail {
        run: RunView::from(run),
    }))
}

/// `POST .../sync/runs/{id}/cancel`: the run stops before its next record.
#[utoipa::path(
    post,
    path = "/api/integrations/metakocka/sync/runs/{id}/cancel",
    tag = "metakocka-sync",
    params(
        ("id" = String, Path, description = "the run's id"),
    ),
    responses(
        (status = 200, description = "`{message, run}`", body = RunCancelled),
        (status = 400, response = super::super::super::openapi::responses::BadRequest),
        (status = 403, response = super::super::super::openapi::responses::Forbidden),
        (status = 404, response = super::super::super::openapi::responses::NotFound),
        (status = 409, description = "the run cannot be cancelled now", body = super::super::super::error::ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<RunCancelled>, ApiError> {
    caller.require_admin()?;
    let run = state.metakocka_sync.cancel(caller.company(), &id).await?;
    Ok(Json(RunCancelled {
        message: "the run stops before its next record",
        run,
    }))
}

/// `GET .../settings`: every kind's settings (defaults where none were saved).
#[utoipa::path(
    get,
    path = "/api/integrations/metakocka/settings",
    tag = "metakocka-sync",
    responses(
        (status = 200, description = "`{settings}`: each kind's settings", body = SettingsAnswer),
    ),
    security(("bearer" = [])),
)]
pub async fn settings(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<SettingsAnswer>, ApiError> {
    let all = state.metakocka_sync.settings(caller.company()).await?;
    Ok(Json(SettingsAnswer::of(caller.company(), &all)))
}

/// One kind's changes; fields left out keep their value.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsChange {
    auto: Option<bool>,
    /// 5 to 10080 (a week).
    #[serde(default, deserialize_with = "crate::http::openapi::whole::optional")]
    #[schema(minimum = 5, maximum = 10080)]
    interval_minutes: Option<u32>,
    /// `to`, `from` or `both`.
    #[schema(pattern = "^(to|from|both)$")]
    direction: Option<String>,
    /// `crm_wins`, `metakocka_wins`, `newest_wins` or `manual`.
    #[schema(pattern = "^(crm_wins|metakocka_wins|newest_wins|manual)$")]
    conflict_rule: Option<String>,
}

/// The body of `PUT .../settings`: the changes of each kind named (for the schema only; the
/// handler reads a map and refuses another key).
#[derive(ToSchema)]
#[allow(dead_code)]
#[serde(deny_unknown_fields)]
pub struct SettingsChanges {
    #[schema(nullable = false)]
    product: Option<SettingsChange>,
    #[schema(nullable = false)]
    contact: Option<SettingsChange>,
    #[schema(nullable = false)]
    sales_document: Option<SettingsChange>,
}

/// `PUT .../settings {"product": {...}, "contact": {...}}`.
#[utoipa::path(
    put,
    path = "/api/integrations/metakocka/settings",
    tag = "metakocka-sync",
    request_body(content = SettingsChanges, description = "changes by kind"),
    responses(
        (status = 200, description = "`{settings}` after the change", body = SettingsAnswer),
        (status = 400, response = super::super::super::openapi::responses::BadRequest),
        (status = 403, response = super::super::super::openapi::responses::Forbidden),
        (status = 415, response = super::super::super::openapi::responses::UnsupportedMediaType),
    ),
    security(("bearer" = [])),
)]
pub async fn save_settings(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(changes): ApiJson<BTreeMap<String, SettingsChange>>,
) -> Result<Json<SettingsAnswer>, ApiError> {
    caller.require_admin()?;
    let sync = &state.metakocka_sync;
    let mut checked = Vec::new();
    for (kind, change) in changes {
        let mut settings = sync.settings_of(caller.company(), kind_of(&kind)?).await?;
        if let Some(auto) = change.auto {
            settings.auto = auto;
        }
        if let Some(minutes) = change.interval_minutes {
            if !(5..=10_080).contains(&minutes) {
                return Err(ApiError::bad_request(
                    "interval_minutes must be between 5 and 10080 (a week)",
                ));
            }
            settings.interval_minutes = minutes;
        }
        if let Some(direction) = &change.direction {
            settings.direction = Direction::parse(direction)
                .ok_or_else(|| ApiError::bad_request("direction must be to, from or both"))?;
        }
        if let Some(rule) = &change.conflict_rule {
            settings.conflict_rule = ConflictRule::parse(rule).ok_or_else(|| {
                ApiError::bad_request(
                    "conflict_rule must be crm_wins, metakocka_wins, newest_wins or manual",
                )
            })?;
        }
        settings.updated_at = now();
        checked.push(settings);
    }
    for settings in &checked {
        sync.save_settings(settings).await?;
    }
    let all = sync.settings(caller.company()).await?;
    Ok(Json(SettingsAnswer::of(caller.company(), &all)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConflictsQuery {
    /// `open` (the default) or `all`.
    #[param(pattern = "^(open|all)$")]
    status: Option<String>,
}

/// `GET .../conflicts`.
#[utoipa::path(
    get,
    path = "/api/integrations/metakocka/conflicts",
    tag = "metakocka-sync",
    params(
        ConflictsQuery,
    ),
    responses(
        (status = 200, description = "`{count, conflicts}`", body = ConflictList),
        (status = 400, response = super::super::super::openapi::responses::BadRequest),
    ),
    security(("bearer" = [])),
)]
pub async fn conflicts(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ConflictsQuery>,
) -> Result<Json<ConflictList>, ApiError> {
    let open_only = match query.status.as_deref() {
        None | Some("open") => true,
        Some("all") => false,
        Some(_) => return Err(ApiError::bad_request("status must be open or all")),
    };
    let conflicts = state
        .store
        .list_sync_conflicts(caller.company(), open_only)
        .await?;
    Ok(Json(ConflictList {
        count: conflicts.len(),
        conflicts,
    }))
}

#[derive(Deserialize, ToSchema)]
#[schema(as = ConflictResolveBody)]
#[serde(deny_unknown_fields)]
pub struct ResolveBody {
    /// `crm` or `metakocka`: whose version wins.
    #[serde(rename = "use")]
    #[schema(pattern = "^(crm|metakocka)$")]
    side: String,
}

/// `POST .../conflicts/{id}/resolve {"use": "crm" | "metakocka"}`.
#[utoipa::path(
    post,
    path = "/api/integrations/metakocka/conflicts/{id}/resolve",
    tag = "metakocka-sync",
    params(
        ("id" = String, Path, description = "the conflict's id"),
    ),
    request_body = ResolveBody,
    responses(
        (status = 200, description = "`{conflict}`, resolved", body = ConflictResolved),
        (status = 400, response = super::super::super::openapi::responses::BadRequest),
        (status = 403, response = super::super::super::openapi::responses::Forbidden),
        (status = 404, response = super::super::super::openapi::responses::NotFound),
        (status = 409, description = "no credentials, or the conflict is resolved already", body = super::super::super::error::ErrorBody),
        (status = 415, response = super::super::super::openapi::responses::UnsupportedMediaType),
        (status = 502, description = "Metakocka refused or failed (`metakocka_failed`)", body = super::super::super::error::ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn resolve(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ResolveBody>,
) -> Result<Json<ConflictResolved>, ApiError> {
    caller.require_admin()?;
    let side = Side::parse(&body.side)
        .ok_or_else(|| ApiError::bad_request("use must be crm or metakocka"))?;
    let conflict = state
        .metakocka_sync
        .resolve_conflict(caller.company(), Some(&caller.session.user_id), &id, side)
        .await?;
    Ok(Json(ConflictResolved { conflict }))
}

/// `GET .../mappings/audit`: orphaned mappings and mappings whose sides differ.
#[utoipa::path(
    get,
    path = "/api/integrations/metakocka/mappings/audit",
    tag = "metakocka-sync",
    responses(
        (status = 200, description = "`{count, findings}`: orphaned mappings and mappings whose sides differ", body = AuditFindings),
        (status = 409, description = "no Metakocka credentials (`no_credentials`)", body = super::super::super::error::ErrorBody),
        (status = 502, description = "Metakocka refused or failed (`metakocka_failed`)", body = super::super::super::error::ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn audit(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<AuditFindings>, ApiError> {
    let found = state
        .metakocka_sync
        .audit(caller.company(), Some(&caller.session.user_id))
        .await?;
    Ok(Json(AuditFindings {
        count: found.len(),
        findings: found,
    }))
}

/// `POST .../mappings/audit/{kind}/{crm_id}/repair` or `.../remove`.
#[utoipa::path(
    post,
    path = "/api/integrations/metakocka/mappings/audit/{kind}/{crm_id}/{action}",
    tag = "metakocka-sync",
    params(
        ("kind" = String, Path, description = "`product`, `contact` or `sales_document`"),
        ("crm_id" = String, Path, description = "the CRM record's id"),
        ("action" = String, Path, description = "`repair` or `remove`"),
    ),
    responses(
        (status = 200, description = "`{action, mapping}`", body = MappingFixed),
        (status = 400, response = super::super::super::openapi::responses::BadRequest),
        (status = 403, response = super::super::super::openapi::responses::Forbidden),
        (status = 404, response = super::super::super::openapi::responses::NotFound),
        (status = 409, description = "no Metakocka credentials (`no_credentials`)", body = super::super::super::error::ErrorBody),
        (status = 502, description = "Metakocka refused or failed (`metakocka_failed`)", body = super::super::super::error::ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn fix(
    State(state): State<AppState>,
    caller: Caller,
    Path((kind, crm_id, action)): Path<(String, String, String)>,
) -> Result<Json<MappingFixed>, ApiError> {
    caller.require_admin()?;
    let fix = match action.as_str() {
        "repair" => Fix::Repair,
        "remove" => Fix::Remove,
        _ => return Err(ApiError::not_found("the action is repair or remove")),
    };
    let kind = kind_of(&kind)?;
    state
        .metakocka_sync
        .fix_mapping(
            caller.company(),
            Some(&caller.session.user_id),
            kind,
            &crm_id,
            fix,
        )
        .await?;
    let mapping = state
        .store
        .get_mapping_by_crm(caller.company(), kind, &crm_id)
        .await?;
    Ok(Json(MappingFixed { action, mapping }))
}

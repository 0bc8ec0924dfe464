//! The per-kind sync handlers: push one or many CRM records, pull one or all Metakocka
//! records, the records Metakocka has that are not mapped yet, and the mapping status.

use super::super::super::AppState;
use super::super::super::error::ApiError;
use super::super::super::extract::{ApiQuery, Caller};
use super::answers::{
    KindMappings, MappingState, RecordMapping, RecordSynced, RunAnswer, UnsyncedRecords,
};
use super::{SyncBody, id_field, parse_body};
use crate::metakocka::sync::StartRun;
use crate::metakocka::sync::entity::RunFilter;
use crate::metakocka::sync::model::{
    Direction, EntityKind, MappingStatus, MetakockaSyncRun, RunState, RunTrigger,
};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::collections::HashMap;

/// `POST .../sync {"product_id": ...}`: one CRM record to Metakocka.
pub async fn push_one(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
    kind: EntityKind,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let body: SyncBody = parse_body(&body)?;
    let id = body
        .one(kind)
        .ok_or_else(|| ApiError::bad_request(format!("name the record with {}", id_field(kind))))?
        .clone();
    let filter = RunFilter {
        crm_ids: Some(vec![id.clone()]),
        ..body.filter()
    };
    let run = start(
        &state,
        &caller,
        kind,
        Direction::To,
        RunTrigger::Manual,
        filter,
        false,
    )
    .await?;
    single_answer(&state, &caller, kind, Some(&id), run).await
}

/// `POST .../sync/bulk {"product_ids": [...]}` (all records when none are named).
pub async fn push_many(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
    kind: EntityKind,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let body: SyncBody = parse_body(&body)?;
    let filter = RunFilter {
        crm_ids: body.many(kind).cloned(),
        ..body.filter()
    };
    let direction = body.direction(Direction::To)?;
    let run = start(
        &state,
        &caller,
        kind,
        direction,
        RunTrigger::Bulk,
        filter,
        body.background,
    )
    .await?;
    Ok(run_answer(run, body.background))
}

#[derive(Deserialize)]
pub struct BulkQuery {
    #[serde(default)]
    bulk: bool,
}

/// The contact and document paths where one route takes both: `?bulk=true` or a list of
/// ids in the body means many.
pub async fn push_one_or_bulk(
    state: State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<BulkQuery>,
    body: Bytes,
    kind: EntityKind,
) -> Result<Response, ApiError> {
    let parsed: SyncBody = parse_body(&body)?;
    if query.bulk || parsed.many(kind).is_some() {
        push_many(state, caller, body, kind).await
    } else {
        push_one(state, caller, body, kind).await
    }
}

/// `POST .../sync-from-metakocka {"mk_id": ...}`: one Metakocka record into crm-mind.
pub async fn pull_one(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
    kind: EntityKind,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let body: SyncBody = parse_body(&body)?;
    let mk_id = body
        .mk_id
        .clone()
        .ok_or_else(|| ApiError::bad_request("name the Metakocka record with mk_id"))?;
    let filter = RunFilter {
        mk_ids: Some(vec![mk_id.clone()]),
        ..body.filter()
    };
    let run = start(
        &state,
        &caller,
        kind,
        Direction::From,
        RunTrigger::Manual,
        filter,
        false,
    )
    .await?;
    let mapping = state
        .store
        .get_mapping_by_mk(caller.company(), kind, &mk_id)
        .await?;
    let crm_id = mapping.map(|m| m.crm_id);
    single_answer(&state, &caller, kind, crm_id.as_ref(), run).await
}

/// `POST .../sync-all-from-metakocka` (and `/import`): every Metakocka record in scope.
pub async fn pull_all(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
    kind: EntityKind,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let body: SyncBody = parse_body(&body)?;
    let run = start(
        &state,
        &caller,
        kind,
        body.direction(Direction::From)?,
        RunTrigger::Bulk,
        body.filter(),
        body.background,
    )
    .await?;
    Ok(run_answer(run, body.background))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnsyncedQuery {
    category: Option<String>,
    partner: Option<String>,
    doc_type: Option<String>,
}

/// `GET .../sync-from-metakocka`: Metakocka's records with no mapping, and their count.
pub async fn unsynced(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<UnsyncedQuery>,
    kind: EntityKind,
) -> Result<Json<UnsyncedRecords>, ApiError> {
    let filter = RunFilter {
        category: query.category,
        partner: query.partner,
        doc_type: query.doc_type,
        ..RunFilter::default()
    };
    let records = state
        .metakocka_sync
        .unsynced(
            caller.company(),
            Some(&caller.session.user_id),
            kind,
            &filter,
        )
        .await?;
    Ok(Json(UnsyncedRecords {
        count: records.len(),
        records,
    }))
}

/// `GET .../sync` (status) and `.../mappings`: one record's mapping (`?product_id=`, ...)
/// or every mapping of the kind with counts by status.
pub async fn status(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<HashMap<String, String>>,
    kind: EntityKind,
) -> Result<Json<MappingState>, ApiError> {
    let store = &state.store;
    if let Some(id) = query.get(id_field(kind)) {
        let mapping = store.get_mapping_by_crm(caller.company(), kind, id).await?;
        return Ok(Json(MappingState::One(RecordMapping {
            synced: mapping
                .as_ref()
                .is_some_and(|m| m.status == MappingStatus::Synced),
            mapping,
        })));
    }
    let mappings = store.list_mappings(caller.company(), kind).await?;
    Ok(Json(MappingState::All(KindMappings::of(mappings))))
}

async fn start(
    state: &AppState,
    caller: &Caller,
    kind: EntityKind,
    direction: Direction,
    trigger: RunTrigger,
    filter: RunFilter,
    background: bool,
) -> Result<MetakockaSyncRun, ApiError> {
    let start = StartRun {
        company: caller.company().clone(),
        user: Some(caller.session.user_id.clone()),
        kind,
        direction,
        trigger,
        filter,
    };
    let sync = &state.metakocka_sync;
    Ok(if background {
        sync.spawn(start).await?
    } else {
        sync.run(start).await?
    })
}

fn run_answer(run: MetakockaSyncRun, background: bool) -> Response {
    let status = if background {
        StatusCode::ACCEPTED
    } else {
        StatusCode::OK
    };
    (status, Json(RunAnswer { run })).into_response()
}

/// A single record's answer: its mapping and the run, or the record's failure.
async fn single_answer(
    state: &AppState,
    caller: &Caller,
    kind: EntityKind,
    crm_id: Option<&String>,
    run: MetakockaSyncRun,
) -> Result<Response, ApiError> {
    if run.state == RunState::Failed || run.counts.failed > 0 {
        let message = run.errors.first().cloned().unwrap_or_default();
        if message.contains("not found") {
            return Err(ApiError::not_found(message));
        }
        return Err(ApiError::new(
            StatusCode::BAD_GATEWAY,
            "sync_failed",
            format!("{message}; the error is in the error log"),
        ));
    }
    let mapping = match crm_id {
        Some(id) => {
            state
                .store
                .get_mapping_by_crm(caller.company(), kind, id)
                .await?
        }
        None => None,
    };
    Ok(Json(RecordSynced {
        id: mapping.as_ref().map(|m| m.crm_id.clone()),
        mapping,
        run,
    })
    .into_response())
}

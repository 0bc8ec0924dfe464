//! The sync history: every kind's runs, newest first, with their counts, duration and
//! first errors; filtered by kind.

use super::nouns;
use super::progress::run_view;
use crate::admin::error::AdminError;
use crate::admin::session::{AdminSession, page};
use crate::http::AppState;
use crate::metakocka::sync::model::EntityKind;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Deserialize;

/// Runs shown at once; older ones are in the API (`/api/integrations/metakocka/sync/runs`).
const SHOWN: u32 = 100;

#[derive(Deserialize)]
pub struct HistoryQuery {
    kind: Option<String>,
}

/// `GET /admin/integrations/metakocka/history?kind=product`.
pub async fn show(
    State(state): State<AppState>,
    session: AdminSession,
    Query(query): Query<HistoryQuery>,
) -> Result<Response, AdminError> {
    let chosen = query.kind.unwrap_or_default();
    let (kind, error) = match chosen.as_str() {
        "" => (None, None),
        text => match EntityKind::parse(text) {
            Some(kind) => (Some(kind), None),
            None => (None, Some("must be one of the listed record types")),
        },
    };
    let runs = if error.is_none() {
        state
            .store
            .list_metakocka_runs(session.company(), kind, SHOWN)
            .await?
    } else {
        Vec::new()
    };
    let kinds: Vec<_> = EntityKind::ALL
        .into_iter()
        .map(|k| context! { value => k.as_str(), label => nouns(k).1 })
        .collect();
    let body = page(
        &session,
        "mk_history.html",
        "metakocka",
        context! {
            mk_active => "history",
            runs => runs.iter().map(run_view).collect::<Vec<_>>(),
            kinds => kinds,
            chosen => chosen,
            kind_error => error,
        },
    )?;
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    Ok((status, body).into_response())
}

//! The Metakocka sync pages under `/admin/integrations/metakocka/`: per entity kind the
//! CRM's records with their mapping status and the sync buttons (`records`, `actions`), the
//! progress of the running bulk run (`progress`), the run history (`history`), the conflicts
//! waiting for a person (`conflicts`) and the sync settings (`settings`).
//!
//! They call [`crate::metakocka::sync::MetakockaSync`] and the stores directly, like the
//! JSON routes in `crate::http::metakocka::sync` do, so both obey the same rules.

mod actions;
mod conflicts;
mod history;
mod progress;
mod records;
mod settings;

use crate::admin::error::AdminError;
use crate::http::AppState;
use crate::metakocka::sync::SyncError;
use crate::metakocka::sync::model::EntityKind;
use axum::Router;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::Deserialize;

/// Where the Metakocka pages live, below `/admin`.
const BASE: &str = "/integrations/metakocka";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(&format!("{BASE}/sync/{{kind}}"), get(records::show))
        .route(&format!("{BASE}/sync/{{kind}}"), post(actions::sync))
        .route(
            &format!("{BASE}/sync/{{kind}}/progress"),
            get(progress::fragment),
        )
        .route(&format!("{BASE}/runs/{{id}}/cancel"), post(actions::cancel))
        .route(&format!("{BASE}/history"), get(history::show))
        .route(&format!("{BASE}/conflicts"), get(conflicts::show))
        .route(
            &format!("{BASE}/conflicts/{{id}}/resolve"),
            post(conflicts::resolve),
        )
        .route(
            &format!("{BASE}/settings"),
            get(settings::show).post(settings::save),
        )
}

/// The path segment of each kind's page (`products`, `contacts`, `sales-documents`).
fn segment(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Product => "products",
        EntityKind::Contact => "contacts",
        EntityKind::SalesDocument => "sales-documents",
    }
}

fn kind_of_segment(segment_text: &str) -> Result<EntityKind, AdminError> {
    EntityKind::ALL
        .into_iter()
        .find(|k| segment(*k) == segment_text)
        .ok_or_else(|| AdminError::NotFound("No such Metakocka sync page.".into()))
}

/// How people call each kind, singular and plural.
fn nouns(kind: EntityKind) -> (&'static str, &'static str) {
    match kind {
        EntityKind::Product => ("product", "products"),
        EntityKind::Contact => ("contact", "contacts"),
        EntityKind::SalesDocument => ("sales document", "sales documents"),
    }
}

/// The kind's page, with a note for the operator in the query.
fn page_url(kind: EntityKind, note: &Note) -> String {
    format!("/admin{BASE}/sync/{}{}", segment(kind), note.query())
}

/// A note shown once at the top of the next page: good news (`flash`) or a problem.
#[derive(Deserialize, Default)]
pub struct Note {
    flash: Option<String>,
    problem: Option<String>,
}

impl Note {
    fn ok(text: impl Into<String>) -> Self {
        Self {
            flash: Some(text.into()),
            problem: None,
        }
    }

    fn problem(text: impl Into<String>) -> Self {
        Self {
            flash: None,
            problem: Some(text.into()),
        }
    }

    fn query(&self) -> String {
        let encode =
            |t: &str| url::form_urlencoded::byte_serialize(t.as_bytes()).collect::<String>();
        match (&self.flash, &self.problem) {
            (_, Some(problem)) => format!("?problem={}", encode(problem)),
            (Some(flash), None) => format!("?flash={}", encode(flash)),
            (None, None) => String::new(),
        }
    }
}

/// A sync failure in words for the operator; our own failures are logged, not shown.
fn sync_problem(e: SyncError) -> Result<String, AdminError> {
    match e {
        SyncError::Store(e) => Err(e.into()),
        SyncError::NoCredentials => Ok(
            "No Metakocka credentials are saved: save them on the Credentials page first.".into(),
        ),
        other => Ok(other.to_string()),
    }
}

fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

//! The Metakocka sync routes (issue 5, item 5): every path of the integration guide's
//! "API Endpoints" for products, contacts and sales documents, the architecture document's
//! aliases (`/api/metakocka/contacts/...`, `/api/metakocka/sales-documents/...`) on the same
//! handlers, and the run history, settings, conflicts and mapping audit under
//! `/api/integrations/metakocka/`.
//!
//! Starting a sync and changing settings, conflicts or mappings need the admin role; agents
//! read. A sync answers when it is done (the run record with its counts), or at once with
//! `"background": true` (202 and the running run, to follow at `.../sync/runs/{id}`).

mod admin;
mod answers;
mod paths;
mod records;

use super::super::AppState;
use super::super::error::ApiError;
use crate::metakocka::sync::SyncError;
use crate::metakocka::sync::entity::RunFilter;
use crate::metakocka::sync::model::{Direction, EntityKind};
use axum::body::Bytes;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        // Products (the integration guide's paths).
        .routes(routes!(paths::product_push, paths::product_status))
        .routes(routes!(paths::product_push_bulk))
        .routes(routes!(paths::product_unsynced, paths::product_pull))
        .routes(routes!(paths::product_pull_all))
        // Contacts: the guide's paths and the architecture document's.
        .routes(routes!(paths::contact_push))
        .routes(routes!(paths::contact_status))
        .routes(routes!(paths::contact_unsynced, paths::contact_pull))
        .routes(routes!(paths::contact_pull_all))
        .routes(routes!(paths::contact_push_alias))
        .routes(routes!(paths::contact_status_alias))
        .routes(routes!(paths::contact_import))
        // Sales documents: the guide's paths and the architecture document's.
        .routes(routes!(paths::document_push, paths::document_status))
        .routes(routes!(paths::document_push_bulk))
        .routes(routes!(paths::document_unsynced, paths::document_pull))
        .routes(routes!(paths::document_pull_all))
        .routes(routes!(paths::document_push_alias))
        .routes(routes!(paths::document_status_alias))
        .routes(routes!(paths::document_import))
        // Runs, settings, conflicts, audit.
        .routes(routes!(admin::runs))
        .routes(routes!(admin::run))
        .routes(routes!(admin::cancel))
        .routes(routes!(admin::settings, admin::save_settings))
        .routes(routes!(admin::conflicts))
        .routes(routes!(admin::resolve))
        .routes(routes!(admin::audit))
        .routes(routes!(admin::fix))
}

/// A sync request's body: the record(s) by the kind's snake_case id, the filters of a
/// selective run, and whether to answer before the run ends. Every field is optional; an
/// empty body is `{}`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = MetakockaSyncBody)]
#[serde(deny_unknown_fields)]
pub(super) struct SyncBody {
    product_id: Option<String>,
    contact_id: Option<String>,
    document_id: Option<String>,
    product_ids: Option<Vec<String>>,
    contact_ids: Option<Vec<String>>,
    document_ids: Option<Vec<String>>,
    mk_id: Option<String>,
    changed_since: Option<DateTime<Utc>>,
    category: Option<String>,
    doc_type: Option<String>,
    partner: Option<String>,
    /// A bulk run's direction (`to`, `from`, `both`); each route has its own default.
    #[schema(pattern = "^(to|from|both)$")]
    direction: Option<String>,
    #[serde(default)]
    background: bool,
}

crate::body_with_rule!(
    /// [`SyncBody`] naming the product (`POST /api/products/sync`).
    ProductSyncBody,
    SyncBody,
    {
        use crate::http::openapi::combine::{exactly_one_of, not_blank};
        exactly_one_of(SyncBody::schema(), vec![("product_id", not_blank())])
    }
);

crate::body_with_rule!(
    /// [`SyncBody`] naming a Metakocka record by `mk_id` (the `sync-from-metakocka` routes).
    MkIdSyncBody,
    SyncBody,
    {
        use crate::http::openapi::combine::{exactly_one_of, not_blank};
        exactly_one_of(SyncBody::schema(), vec![("mk_id", not_blank())])
    }
);

impl SyncBody {
    fn one(&self, kind: EntityKind) -> Option<&String> {
        match kind {
            EntityKind::Product => self.product_id.as_ref(),
            EntityKind::Contact => self.contact_id.as_ref(),
            EntityKind::SalesDocument => self.document_id.as_ref(),
        }
    }

    fn many(&self, kind: EntityKind) -> Option<&Vec<String>> {
        match kind {
            EntityKind::Product => self.product_ids.as_ref(),
            EntityKind::Contact => self.contact_ids.as_ref(),
            EntityKind::SalesDocument => self.document_ids.as_ref(),
        }
    }

    fn direction(&self, default: Direction) -> Result<Direction, ApiError> {
        match &self.direction {
            None => Ok(default),
            Some(text) => Direction::parse(text)
                .ok_or_else(|| ApiError::bad_request("direction must be to, from or both")),
        }
    }

    fn filter(&self) -> RunFilter {
        RunFilter {
            changed_since: self.changed_since,
            category: self.category.clone(),
            doc_type: self.doc_type.clone(),
            partner: self.partner.clone(),
            ..RunFilter::default()
        }
    }
}

/// The name of the kind's single-record id field, for error messages.
fn id_field(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Product => "product_id",
        EntityKind::Contact => "contact_id",
        EntityKind::SalesDocument => "document_id",
    }
}

/// A JSON body that may be empty (then `T::default()`), answering a bad one in the API's
/// error shape.
pub(super) fn parse_body<T: DeserializeOwned + Default>(body: &Bytes) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    // `null` says "no body" as well as an empty one does (the spec's body is optional); an
    // object is the body (serde would read a struct from an array too, the spec does not).
    serde_json::from_slice::<Option<serde_json::Map<String, serde_json::Value>>>(body)
        .and_then(|object| {
            object
                .map(|o| serde_json::from_value(serde_json::Value::Object(o)))
                .transpose()
        })
        .map(Option::unwrap_or_default)
        .map_err(|e| ApiError::bad_request(format!("the request body is not valid: {e}")))
}

impl From<SyncError> for ApiError {
    fn from(e: SyncError) -> Self {
        match e {
            SyncError::NoCredentials => {
                Self::new(StatusCode::CONFLICT, "no_credentials", e.to_string())
            }
            SyncError::AlreadyRunning { .. } => {
                Self::new(StatusCode::CONFLICT, "sync_running", e.to_string())
            }
            SyncError::NotFound(_) => Self::not_found(e.to_string()),
            SyncError::Invalid(_) => Self::bad_request(e.to_string()),
            SyncError::Metakocka(_) => {
                Self::new(StatusCode::BAD_GATEWAY, "metakocka_failed", e.to_string())
            }
            SyncError::Credentials(e) => e.into(),
            SyncError::Store(e) => e.into(),
        }
    }
}

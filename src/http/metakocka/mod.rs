//! The Metakocka routes: `/api/metakocka/credentials` (the product's architecture document
//! names this path) and the error log under `/api/integrations/metakocka/logs` (the
//! integration guide's error management endpoints), the connection test, and the inventory
//! snapshot under `/api/integrations/metakocka/inventory`, and the reindex of Metakocka's
//! records for retrieval (`.../knowledge/reindex`).
//!
//! Agents may read; setting the organisation's credentials and resolving errors need the
//! admin role. Another company's entry answers 404, exactly like one that does not exist.

mod credentials;
mod filter;
mod inventory;
mod knowledge;
mod logs;
mod sync;

use super::AppState;
use super::error::ApiError;
use crate::metakocka::credentials::CredentialError;
use crate::metakocka::error_log::ResolveError;
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(
            credentials::show,
            credentials::save,
            credentials::remove
        ))
        .routes(routes!(credentials::test))
        .routes(routes!(inventory::show))
        .routes(routes!(inventory::refresh))
        .routes(routes!(knowledge::reindex))
        .routes(routes!(logs::list))
        .routes(routes!(logs::export))
        .routes(routes!(logs::stats))
        .routes(routes!(logs::bulk_resolve))
        .routes(routes!(logs::resolve))
        .merge(sync::routes())
}

impl From<CredentialError> for ApiError {
    fn from(e: CredentialError) -> Self {
        match e {
            CredentialError::Invalid(field) => field.into(),
            CredentialError::NotFound => Self::not_found(e.to_string()),
            CredentialError::Unreadable => Self::new(
                StatusCode::CONFLICT,
                "credentials_unreadable",
                e.to_string(),
            ),
            CredentialError::Store(e) => e.into(),
        }
    }
}

impl From<ResolveError> for ApiError {
    fn from(e: ResolveError) -> Self {
        match e {
            ResolveError::NotFound(_) => Self::not_found(e.to_string()),
            ResolveError::AlreadyResolved(_) => {
                Self::new(StatusCode::CONFLICT, "already_resolved", e.to_string())
            }
            ResolveError::Store(e) => e.into(),
        }
    }
}

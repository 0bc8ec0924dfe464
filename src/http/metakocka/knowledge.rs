//! `POST /api/integrations/metakocka/knowledge/reindex` (admins): makes the company's
//! Metakocka products, partners and recent sales documents searchable now, and answers what
//! the run did (records, chunks embedded, removed, unchanged).

use super::super::AppState;
use super::super::error::ApiError;
use super::super::extract::Caller;
use crate::metakocka::knowledge::ReindexError;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    post,
    path = "/api/integrations/metakocka/knowledge/reindex",
    tag = "metakocka",
    responses(
        (status = 200, description = "what the run did", body = Reindexed),
        (status = 403, response = super::super::openapi::responses::Forbidden),
        (status = 409, description = "no Metakocka credentials, or they cannot be read (`no_credentials`, `credentials_unreadable`)", body = super::super::error::ErrorBody),
        (status = 502, description = "Metakocka refused or failed (`metakocka_failed`); the error is in the error log", body = super::super::error::ErrorBody),
        (status = 503, description = "retrieval is not running, or the index could not be written (`retrieval_unavailable`, `index_unavailable`)", body = super::super::error::ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn reindex(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Reindexed>, ApiError> {
    caller.require_admin()?;
    let Some(knowledge) = &state.metakocka_knowledge else {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "retrieval_unavailable",
            "retrieval is not running: the embedding model could not be loaded at start-up \
             (run scripts/fetch-models or set CRM_MIND_MODELS_DIR, then restart)",
        ));
    };
    let summary = knowledge.reindex(caller.company()).await?;
    Ok(Json(Reindexed {
        message: "Metakocka data reindexed",
        records: summary.records,
        products: summary.products,
        partners: summary.partners,
        documents: summary.documents,
        pages: summary.pages,
        chunks_embedded: summary.chunks_embedded,
        chunks_removed: summary.chunks_removed,
        chunks_unchanged: summary.chunks_unchanged,
        indexed_at: summary.indexed_at,
    }))
}

/// What a reindex did: Metakocka records indexed (each on every page) and chunks embedded,
/// removed and left as they were.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Reindexed {
    message: &'static str,
    records: usize,
    products: usize,
    partners: usize,
    documents: usize,
    pages: usize,
    chunks_embedded: u32,
    chunks_removed: u32,
    chunks_unchanged: u32,
    indexed_at: chrono::DateTime<chrono::Utc>,
}

impl From<ReindexError> for ApiError {
    fn from(e: ReindexError) -> Self {
        match e {
            ReindexError::NoCredentials => {
                Self::new(StatusCode::CONFLICT, "no_credentials", e.to_string())
            }
            // The client's text, which never holds the key.
            ReindexError::Metakocka(_) => Self::new(
                StatusCode::BAD_GATEWAY,
                "metakocka_failed",
                format!(
                    "{e}; the indexed Metakocka data is kept and the error is in the error log"
                ),
            ),
            ReindexError::Credentials(e) => e.into(),
            ReindexError::Store(e) => e.into(),
            ReindexError::Index(e) => {
                tracing::warn!(error = %e, "Metakocka reindex could not write the index");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "index_unavailable",
                    "the search index could not be updated; the previous data is kept, try again",
                )
            }
        }
    }
}

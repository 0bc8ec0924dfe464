//! `/api/emails/...` and the Metakocka views of an entity's emails (issue 6): ingest (JSON
//! or a raw `.eml`), list and read, enrichment, context, templates and AI drafts.
//!
//! Every route needs a token and works on the caller's company only: another company's
//! email answers 404, exactly like one that does not exist.

mod ai;
mod context;
mod drafts;
mod ingest;
mod metakocka;
mod send;
mod settings;
mod templates;

use super::AppState;
use super::error::ApiError;
use crate::domain::CompanyId;
use crate::email::StoredEmail;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/emails", get(ingest::list).post(ingest::create))
        .route(
            "/api/emails/raw",
            post(ingest::create_raw).layer(DefaultBodyLimit::max(crate::email::eml::MAX_RAW_BYTES)),
        )
        .route(
            "/api/emails/metakocka",
            get(metakocka::show).post(metakocka::enrich),
        )
        .route(
            "/api/emails/ai-context",
            get(context::by_query).post(drafts::generate),
        )
        .route("/api/ai/generate-response", post(drafts::generate))
        .route("/api/ai/recommendations", get(ai::recommendations))
        .route("/api/ai/insights", get(ai::insights))
        .route(
            "/api/emails/templates",
            get(templates::list).post(templates::create),
        )
        .route("/api/emails/templates/populate", post(templates::populate))
        .route(
            "/api/emails/settings",
            get(settings::show).put(settings::replace),
        )
        .route(
            "/api/emails/templates/{id}",
            put(templates::replace).delete(templates::remove),
        )
        .route("/api/emails/{id}", get(ingest::show))
        .route("/api/emails/{id}/metakocka-context", get(context::by_path))
        .route("/api/emails/{id}/send-draft", post(send::send_draft))
        .route(
            "/api/integrations/metakocka/contacts/{id}/emails",
            get(metakocka::emails_of_contact),
        )
        .route(
            "/api/integrations/metakocka/sales-documents/{id}/emails",
            get(metakocka::emails_of_document),
        )
}

pub(super) fn email_not_found() -> ApiError {
    ApiError::not_found("no such email")
}

/// The company's email `id`, or 404.
pub(super) async fn company_email(
    state: &AppState,
    company: &CompanyId,
    id: &str,
) -> Result<StoredEmail, ApiError> {
    (state.store.get_email(company, id).await?).ok_or_else(email_not_found)
}

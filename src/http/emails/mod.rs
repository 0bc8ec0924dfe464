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
use axum::extract::DefaultBodyLimit;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    let raw = OpenApiRouter::new()
        .routes(routes!(ingest::create_raw))
        .layer(DefaultBodyLimit::max(crate::email::eml::MAX_RAW_BYTES));
    OpenApiRouter::new()
        .routes(routes!(ingest::list, ingest::create))
        .merge(raw)
        .routes(routes!(metakocka::show, metakocka::enrich))
        .routes(routes!(context::by_query, drafts::generate_from_context))
        .routes(routes!(drafts::generate))
        .routes(routes!(templates::list, templates::create))
        .routes(routes!(templates::populate))
        .routes(routes!(templates::replace, templates::remove))
        .routes(routes!(ingest::show))
        .routes(routes!(context::by_path))
        .routes(routes!(metakocka::emails_of_contact))
        .routes(routes!(metakocka::emails_of_document))
        .routes(routes!(ai::recommendations))
        .routes(routes!(ai::insights))
        .routes(routes!(settings::show, settings::replace))
        .routes(routes!(send::send_draft))
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

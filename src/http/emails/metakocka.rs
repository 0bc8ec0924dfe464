//! `POST/GET /api/emails/metakocka` (an email's enrichment) and the emails of a Metakocka
//! partner or document.

use super::super::AppState;
use super::super::error::ApiError;
use super::super::extract::{ApiJson, ApiQuery, Caller};
use super::company_email;
use crate::email::StoredEmail;
use crate::email::enrich::Enrichment;
use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// `{ "email_id": "..." }`, as a body or a query.
#[derive(Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EmailRef {
    pub email_id: String,
}

/// An email's id and what enrichment found for it.
#[derive(Serialize, ToSchema)]
pub struct EnrichmentAnswer {
    email_id: String,
    /// `null` before enrichment ran.
    enrichment: Option<Enrichment>,
}

/// Emails linked to a partner or document, newest first (at most 100).
#[derive(Serialize, ToSchema)]
pub struct LinkedEmails {
    items: Vec<StoredEmail>,
}

/// Runs enrichment again (Metakocka may know more now) and answers what it found.
#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    post,
    path = "/api/emails/metakocka",
    tag = "emails",
    request_body = EmailRef,
    responses(
        (status = 200, description = "what Metakocka knows now", body = EnrichmentAnswer),
        (status = 400, response = super::super::openapi::responses::BadRequest),
        (status = 404, response = super::super::openapi::responses::NotFound),
        (status = 415, response = super::super::openapi::responses::UnsupportedMediaType),
    ),
    security(("bearer" = [])),
)]
pub async fn enrich(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<EmailRef>,
) -> Result<Json<EnrichmentAnswer>, ApiError> {
    let email = company_email(&state, caller.company(), &body.email_id).await?;
    let user = &caller.session.user_id;
    let email = state
        .emails
        .enrich(caller.company(), Some(user), email)
        .await?;
    Ok(Json(EnrichmentAnswer {
        email_id: email.id,
        enrichment: email.enrichment,
    }))
}

/// What enrichment found when it last ran (`null` before it ran).
#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    get,
    path = "/api/emails/metakocka",
    tag = "emails",
    params(
        EmailRef,
    ),
    responses(
        (status = 200, description = "what enrichment found; `enrichment` is null before it ran", body = EnrichmentAnswer),
        (status = 400, response = super::super::openapi::responses::BadRequest),
        (status = 404, response = super::super::openapi::responses::NotFound),
    ),
    security(("bearer" = [])),
)]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<EmailRef>,
) -> Result<Json<EnrichmentAnswer>, ApiError> {
    let email = company_email(&state, caller.company(), &query.email_id).await?;
    Ok(Json(EnrichmentAnswer {
        email_id: email.id,
        enrichment: email.enrichment,
    }))
}

/// How many of an entity's emails a list shows.
const LINKED_LIMIT: u32 = 100;

fn emails_json(items: Vec<StoredEmail>) -> Json<LinkedEmails> {
    Json(LinkedEmails { items })
}

/// The emails whose sender is the partner (Metakocka `mk_id`) or CRM contact `id`.
#[tracing::instrument(skip_all, fields(company = %caller.company(), id = %id))]
#[utoipa::path(
    get,
    path = "/api/integrations/metakocka/contacts/{id}/emails",
    tag = "emails",
    params(
        ("id" = String, Path, description = "a Metakocka partner's mk_id or a CRM contact's id"),
    ),
    responses(
        (status = 200, description = "the emails whose sender is this partner or contact", body = LinkedEmails),
    ),
    security(("bearer" = [])),
)]
pub async fn emails_of_contact(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<LinkedEmails>, ApiError> {
    let emails = state
        .store
        .emails_of_contact(caller.company(), &id, LINKED_LIMIT)
        .await?;
    Ok(emails_json(emails))
}

/// The emails that mention the document (`mk_id` or `count_code`).
#[tracing::instrument(skip_all, fields(company = %caller.company(), id = %id))]
#[utoipa::path(
    get,
    path = "/api/integrations/metakocka/sales-documents/{id}/emails",
    tag = "emails",
    params(
        ("id" = String, Path, description = "a Metakocka document's mk_id or count_code"),
    ),
    responses(
        (status = 200, description = "the emails that mention this document", body = LinkedEmails),
    ),
    security(("bearer" = [])),
)]
pub async fn emails_of_document(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<LinkedEmails>, ApiError> {
    let emails = state
        .store
        .emails_of_document(caller.company(), &id, LINKED_LIMIT)
        .await?;
    Ok(emails_json(emails))
}

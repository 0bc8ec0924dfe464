//! `POST /api/ai/generate-response` and `POST /api/emails/ai-context`: a reply draft for an
//! email, stored with it, with the facts it used and their sources.

use super::super::AppState;
use super::super::error::ApiError;
use super::super::extract::{ApiJson, Caller};
use super::company_email;
use crate::email::draft::{Draft, DraftError, DraftRequest};
use crate::email::language::Language;
use crate::llm::ChatError;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftBody {
    email_id: String,
    #[serde(default)]
    template_id: Option<String>,
    #[serde(default)]
    tone: Option<String>,
    /// `en` or `sl`; the email's own language unless given.
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    agent_name: Option<String>,
}

impl From<DraftError> for ApiError {
    fn from(e: DraftError) -> Self {
        match e {
            DraftError::Store(e) => e.into(),
            DraftError::Model(ChatError::Unavailable(_)) => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "model_unavailable",
                "the chat model is unavailable; try again later",
            ),
            other => {
                tracing::error!(error = %other, "a draft could not be written");
                ApiError::new(
                    StatusCode::BAD_GATEWAY,
                    "model_failed",
                    "the chat model could not write a draft; it has been logged",
                )
            }
        }
    }
}

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    post,
    path = "/api/ai/generate-response",
    tag = "ai",
    request_body = DraftBody,
    responses(
        (status = 200, description = "the draft, stored with the email, with the facts it used and their sources", body = Draft),
        (status = 400, response = super::super::openapi::responses::BadRequest),
        (status = 404, response = super::super::openapi::responses::NotFound),
        (status = 415, response = super::super::openapi::responses::UnsupportedMediaType),
        (status = 502, description = "the chat model could not write a draft (`model_failed`)", body = super::super::error::ErrorBody),
        (status = 503, description = "the chat model is unavailable (`model_unavailable`)", body = super::super::error::ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn generate(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<DraftBody>,
) -> Result<Json<Draft>, ApiError> {
    let company = caller.company();
    let email = company_email(&state, company, &body.email_id).await?;
    let language = match body.language.as_deref() {
        Some(text) => Some(Language::parse(text).ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "validation_failed",
                "language: must be en or sl",
            )
        })?),
        None => None,
    };
    let template = match &body.template_id {
        Some(id) => Some(
            (state.store.get_email_template(company, id).await?)
                .ok_or_else(|| ApiError::not_found("no such template"))?,
        ),
        None => None,
    };
    let request = DraftRequest {
        template,
        tone: body.tone,
        language,
        agent_name: body.agent_name,
    };
    let draft = state
        .emails
        .draft(Some(&caller.session.user_id), email, request)
        .await?;
    Ok(Json(draft))
}

/// The same draft at the path the architecture document names.
#[utoipa::path(
    post,
    path = "/api/emails/ai-context",
    tag = "ai",
    request_body = DraftBody,
    responses(
        (status = 200, description = "the draft, stored with the email, with the facts it used and their sources", body = Draft),
        (status = 400, response = super::super::openapi::responses::BadRequest),
        (status = 404, response = super::super::openapi::responses::NotFound),
        (status = 415, response = super::super::openapi::responses::UnsupportedMediaType),
        (status = 502, description = "the chat model could not write a draft (`model_failed`)", body = super::super::error::ErrorBody),
        (status = 503, description = "the chat model is unavailable (`model_unavailable`)", body = super::super::error::ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn generate_from_context(
    state: State<AppState>,
    caller: Caller,
    body: ApiJson<DraftBody>,
) -> Result<Json<Draft>, ApiError> {
    generate(state, caller, body).await
}

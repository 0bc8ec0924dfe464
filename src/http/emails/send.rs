//! `POST /api/emails/{id}/send-draft`: sends a stored reply draft through the configured
//! SMTP relay and answers the draft with its delivery. Without a relay: 409
//! `smtp_not_configured`; a draft sent before: 409 `already_sent`; a relay that refuses:
//! 502 `smtp_failed` with its words (also recorded on the draft).

use super::super::AppState;
use super::super::error::ApiError;
use super::super::extract::{Caller, RawBody};
use super::company_email;
use crate::email::draft::Draft;
use crate::email::smtp::SendError;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;

/// Which draft to send: the newest when none is named.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendDraftBody {
    #[serde(default)]
    draft_id: Option<String>,
}

impl From<SendError> for ApiError {
    fn from(e: SendError) -> Self {
        let conflict =
            |code, e: &SendError| ApiError::new(StatusCode::CONFLICT, code, e.to_string());
        match e {
            SendError::NotConfigured => conflict("smtp_not_configured", &e),
            SendError::AlreadySent => conflict("already_sent", &e),
            SendError::InProgress => conflict("send_in_progress", &e),
            SendError::NoDraft => ApiError::not_found(e.to_string()),
            SendError::Relay(_) => {
                ApiError::new(StatusCode::BAD_GATEWAY, "smtp_failed", e.to_string())
            }
            SendError::Store(e) => e.into(),
        }
    }
}

/// Sends the draft and answers it with its delivery.
#[utoipa::path(
    post,
    path = "/api/emails/{id}/send-draft",
    tag = "emails",
    params(("id" = String, Path, description = "The email's id")),
    request_body = SendDraftBody,
    responses(
        (status = 200, description = "Sent: the draft with its delivery", body = Draft),
        (status = 400, response = crate::http::openapi::responses::BadRequest),
        (status = 415, response = crate::http::openapi::responses::UnsupportedMediaType),
        (status = 404, response = crate::http::openapi::responses::NotFound),
        (status = 409, description = "No SMTP relay is configured, or the draft was sent already", body = crate::http::error::ErrorBody),
        (status = 502, description = "The relay refused; the failure is recorded on the draft", body = crate::http::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(company = %caller.company(), id = %id))]
pub async fn send_draft(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawBody(body): RawBody,
) -> Result<Json<Draft>, ApiError> {
    // The body is optional: no body sends the newest draft.
    let body: SendDraftBody = if body.iter().all(u8::is_ascii_whitespace) {
        SendDraftBody::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            ApiError::bad_request(format!("the body is not a send-draft request: {e}"))
        })?
    };
    let email = company_email(&state, caller.company(), &id).await?;
    let draft = state
        .emails
        .send_draft(email, body.draft_id.as_deref())
        .await?;
    Ok(Json(draft))
}

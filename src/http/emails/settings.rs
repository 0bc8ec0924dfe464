//! `GET/PUT /api/emails/settings` (admins only): the company's own document-number
//! patterns, which override the service-wide ones for its emails. A pattern that is not a
//! valid regular expression is refused with a 400 naming it.

use super::super::AppState;
use super::super::error::ApiError;
use super::super::extract::{ApiJson, Caller};
use crate::email::settings::EmailSettingsInput;
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// The company's email settings, and what applies without them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EmailSettingsAnswer {
    /// The company's own patterns; `null`: the service-wide ones apply.
    document_patterns: Option<Vec<String>>,
    /// The service-wide patterns.
    default_document_patterns: Vec<String>,
    updated_at: Option<DateTime<Utc>>,
}

async fn answer(state: &AppState, caller: &Caller) -> Result<EmailSettingsAnswer, ApiError> {
    let saved = state.store.get_email_settings(caller.company()).await?;
    Ok(EmailSettingsAnswer {
        document_patterns: saved.as_ref().and_then(|s| s.document_patterns.clone()),
        default_document_patterns: state.emails.default_patterns(),
        updated_at: saved.map(|s| s.updated_at),
    })
}

/// The company's email settings.
#[utoipa::path(
    get,
    path = "/api/emails/settings",
    tag = "emails",
    responses(
        (status = 200, description = "The settings", body = EmailSettingsAnswer),
        (status = 403, response = crate::http::openapi::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(company = %caller.company()))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<EmailSettingsAnswer>, ApiError> {
    caller.require_admin()?;
    Ok(Json(answer(&state, &caller).await?))
}

/// Replaces the company's email settings; a pattern that is not a valid regular expression is
/// a 400 naming it.
#[utoipa::path(
    put,
    path = "/api/emails/settings",
    tag = "emails",
    request_body = EmailSettingsInput,
    responses(
        (status = 200, description = "The saved settings", body = EmailSettingsAnswer),
        (status = 400, response = crate::http::openapi::responses::BadRequest),
        (status = 415, response = crate::http::openapi::responses::UnsupportedMediaType),
        (status = 403, response = crate::http::openapi::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(company = %caller.company()))]
pub async fn replace(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<EmailSettingsInput>,
) -> Result<Json<EmailSettingsAnswer>, ApiError> {
    caller.require_admin()?;
    let settings = body.parse(caller.company(), crate::records::now())?;
    state.store.put_email_settings(&settings).await?;
    Ok(Json(answer(&state, &caller).await?))
}

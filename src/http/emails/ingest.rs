//! `POST /api/emails`, `POST /api/emails/raw`, `GET /api/emails`, `GET /api/emails/{id}`.

use super::super::AppState;
use super::super::error::ApiError;
use super::super::extract::{ApiJson, ApiQuery, Caller};
use super::company_email;
use crate::email::{EmailInput, IncomingEmail, Ingested, StoredEmail};
use crate::records::{DEFAULT_LIMIT, MAX_LIMIT};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<EmailInput>,
) -> Result<(StatusCode, Json<StoredEmail>), ApiError> {
    store(&state, &caller, body.parse()?).await
}

/// A raw email as the mail system has it: `Content-Type: message/rfc822`.
#[tracing::instrument(skip_all, fields(company = %caller.company()))]
pub async fn create_raw(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<StoredEmail>), ApiError> {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type
        .to_ascii_lowercase()
        .starts_with("message/rfc822")
    {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the email as it is (an .eml file) with Content-Type: message/rfc822",
        ));
    }
    store(&state, &caller, crate::email::eml::parse_eml(&body)?).await
}

/// 201 with the new email; 200 with the stored one when the `message_id` is known.
async fn store(
    state: &AppState,
    caller: &Caller,
    incoming: IncomingEmail,
) -> Result<(StatusCode, Json<StoredEmail>), ApiError> {
    let user = &caller.session.user_id;
    match state
        .emails
        .ingest(caller.company(), Some(user), incoming)
        .await?
    {
        Ingested::New(email) => Ok((StatusCode::CREATED, Json(email))),
        Ingested::Existing(email) => Ok((StatusCode::OK, Json(email))),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    #[serde(default)]
    limit: Option<u32>,
    #[serde(default)]
    offset: Option<u32>,
}

/// The company's emails, newest first.
#[tracing::instrument(skip_all, fields(company = %caller.company()))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<Value>, ApiError> {
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT).min(MAX_LIMIT);
    let offset = params.offset.unwrap_or(0);
    let page = state
        .store
        .list_emails(caller.company(), limit, offset)
        .await?;
    Ok(Json(json!({
        "items": page.items,
        "total": page.total,
        "limit": limit,
        "offset": offset,
    })))
}

#[tracing::instrument(skip_all, fields(company = %caller.company(), id = %id))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<StoredEmail>, ApiError> {
    Ok(Json(company_email(&state, caller.company(), &id).await?))
}

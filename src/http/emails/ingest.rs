//! `POST /api/emails`, `POST /api/emails/raw`, `GET /api/emails`, `GET /api/emails/{id}`.

use super::super::AppState;
use super::super::error::ApiError;
use super::super::extract::{ApiJson, ApiQuery, Caller, RawBody};
use super::company_email;
use crate::email::{EmailInput, IncomingEmail, Ingested, StoredEmail};
use crate::records::{DEFAULT_LIMIT, MAX_LIMIT};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::IntoParams;

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    post,
    path = "/api/emails",
    tag = "emails",
    request_body(content = super::super::openapi::JsonObject, description = "the email: `from`, `to`, `subject`, `body_text` and optional `message_id`, `body_html`, `received_at`, ... (docs/emails.md)"),
    responses(
        (status = 201, description = "stored: the email, enriched", body = super::super::openapi::JsonObject),
        (status = 200, description = "the `message_id` is known: the email stored before", body = super::super::openapi::JsonObject),
        (status = 400, response = super::super::openapi::responses::BadRequest),
        (status = 401, response = super::super::openapi::responses::Unauthorized),
        (status = 413, response = super::super::openapi::responses::PayloadTooLarge),
        (status = 415, response = super::super::openapi::responses::UnsupportedMediaType),
        (status = 500, response = super::super::openapi::responses::Internal),
    ),
    security(("bearer" = [])),
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<EmailInput>,
) -> Result<(StatusCode, Json<StoredEmail>), ApiError> {
    store(&state, &caller, body.parse()?).await
}

/// A raw email as the mail system has it: `Content-Type: message/rfc822`.
#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    post,
    path = "/api/emails/raw",
    tag = "emails",
    request_body(content = String, description = "the email as the mail system has it (an .eml file)", content_type = "message/rfc822"),
    responses(
        (status = 201, description = "stored: the email, enriched", body = super::super::openapi::JsonObject),
        (status = 200, description = "the `message_id` is known: the email stored before", body = super::super::openapi::JsonObject),
        (status = 400, response = super::super::openapi::responses::BadRequest),
        (status = 401, response = super::super::openapi::responses::Unauthorized),
        (status = 413, response = super::super::openapi::responses::PayloadTooLarge),
        (status = 415, description = "not sent as `Content-Type: message/rfc822` (`unsupported_media_type`)", body = super::super::error::ErrorBody),
        (status = 500, response = super::super::openapi::responses::Internal),
    ),
    security(("bearer" = [])),
)]
pub async fn create_raw(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    RawBody(body): RawBody,
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

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    #[serde(default)]
    limit: Option<u32>,
    #[serde(default)]
    offset: Option<u32>,
}

/// The company's emails, newest first.
#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    get,
    path = "/api/emails",
    tag = "emails",
    params(
        ListParams,
    ),
    responses(
        (status = 200, description = "`{items, total, limit, offset}`: the company's emails, newest first", body = super::super::openapi::JsonObject),
        (status = 400, response = super::super::openapi::responses::BadRequest),
        (status = 401, response = super::super::openapi::responses::Unauthorized),
        (status = 500, response = super::super::openapi::responses::Internal),
    ),
    security(("bearer" = [])),
)]
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
#[utoipa::path(
    get,
    path = "/api/emails/{id}",
    tag = "emails",
    params(
        ("id" = String, Path, description = "the email's id"),
    ),
    responses(
        (status = 200, description = "the email", body = super::super::openapi::JsonObject),
        (status = 401, response = super::super::openapi::responses::Unauthorized),
        (status = 404, response = super::super::openapi::responses::NotFound),
        (status = 500, response = super::super::openapi::responses::Internal),
    ),
    security(("bearer" = [])),
)]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<StoredEmail>, ApiError> {
    Ok(Json(company_email(&state, caller.company(), &id).await?))
}

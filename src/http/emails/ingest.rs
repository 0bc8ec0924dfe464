//! `POST /api/emails`, `POST /api/emails/raw`, `GET /api/emails`, `GET /api/emails/{id}`.

use super::super::AppState;
use super::super::error::ApiError;
use super::super::extract::{ApiJson, ApiQuery, Caller, RawBody};
use super::super::openapi::Page;
use super::company_email;
use crate::email::{EmailInput, IncomingEmail, Ingested, StoredEmail};
use crate::records::{DEFAULT_LIMIT, MAX_LIMIT};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{AllOfBuilder, AnyOfBuilder, ObjectBuilder, Schema, Type};
use utoipa::{IntoParams, PartialSchema, ToSchema};

/// The schema of `POST /api/emails`'s body: [`EmailInput`], and `text` or `html` holding
/// something besides white space (a rule across two fields, which a derived schema cannot
/// state).
pub struct NewEmail;

impl PartialSchema for NewEmail {
    fn schema() -> RefOr<Schema> {
        let holds = |field: &str| {
            ObjectBuilder::new()
                .property(
                    field,
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .pattern(Some(r"\S|[\x1c-\x1f\uFEFF]")),
                )
                .required(field)
                .build()
        };
        AllOfBuilder::new()
            .item(EmailInput::schema())
            .item(AnyOfBuilder::new().item(holds("text")).item(holds("html")))
            .into()
    }
}

impl ToSchema for NewEmail {}

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    post,
    path = "/api/emails",
    tag = "emails",
    request_body(content = NewEmail, description = "the email (docs/emails.md)"),
    responses(
        (status = 201, description = "stored: the email, enriched", body = StoredEmail),
        (status = 200, description = "the `message_id` is known: the email stored before", body = StoredEmail),
        (status = 400, response = super::super::openapi::responses::BadRequest),
        (status = 415, response = super::super::openapi::responses::UnsupportedMediaType),
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
        (status = 201, description = "stored: the email, enriched", body = StoredEmail),
        (status = 200, description = "the `message_id` is known: the email stored before", body = StoredEmail),
        (status = 400, response = super::super::openapi::responses::BadRequest),
        (status = 415, description = "not sent as `Content-Type: message/rfc822` (`unsupported_media_type`)", body = super::super::error::ErrorBody),
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
    /// At most this many (default 50; more than 200 reads 200).
    #[serde(default)]
    #[param(value_type = Option<u32>, format = Int64, minimum = 0, maximum = 4294967295_u32)]
    limit: Option<u32>,
    #[serde(default)]
    #[param(value_type = Option<u32>, format = Int64, minimum = 0, maximum = 4294967295_u32)]
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
        (status = 200, description = "the company's emails, newest first", body = Page<StoredEmail>),
        (status = 400, response = super::super::openapi::responses::BadRequest),
    ),
    security(("bearer" = [])),
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<Page<StoredEmail>>, ApiError> {
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT).min(MAX_LIMIT);
    let offset = params.offset.unwrap_or(0);
    let page = state
        .store
        .list_emails(caller.company(), limit, offset)
        .await?;
    Ok(Json(Page {
        items: page.items,
        total: page.total,
        limit,
        offset,
    }))
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
        (status = 200, description = "the email", body = StoredEmail),
        (status = 404, response = super::super::openapi::responses::NotFound),
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

//! `GET /api/emails/{id}/metakocka-context` and `GET /api/emails/ai-context?email_id=`: one
//! email's context, each item with its source.

use super::super::AppState;
use super::super::error::ApiError;
use super::super::extract::{ApiQuery, Caller};
use super::company_email;
use super::metakocka::EmailRef;
use crate::email::context::EmailContext;
use axum::Json;
use axum::extract::{Path, State};

#[tracing::instrument(skip_all, fields(company = %caller.company(), id = %id))]
#[utoipa::path(
    get,
    path = "/api/emails/{id}/metakocka-context",
    tag = "emails",
    params(
        ("id" = String, Path, description = "the email's id"),
    ),
    responses(
        (status = 200, description = "the email's context, each item with its source", body = EmailContext),
        (status = 404, response = super::super::openapi::responses::NotFound),
    ),
    security(("bearer" = [])),
)]
pub async fn by_path(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<EmailContext>, ApiError> {
    context(&state, &caller, &id).await
}

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    get,
    path = "/api/emails/ai-context",
    tag = "emails",
    params(
        EmailRef,
    ),
    responses(
        (status = 200, description = "the email's context, each item with its source", body = EmailContext),
        (status = 400, response = super::super::openapi::responses::BadRequest),
        (status = 404, response = super::super::openapi::responses::NotFound),
    ),
    security(("bearer" = [])),
)]
pub async fn by_query(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<EmailRef>,
) -> Result<Json<EmailContext>, ApiError> {
    context(&state, &caller, &query.email_id).await
}

async fn context(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<Json<EmailContext>, ApiError> {
    let email = company_email(state, caller.company(), id).await?;
    let (_, context) = state
        .emails
        .context(Some(&caller.session.user_id), email)
        .await?;
    Ok(Json(context))
}

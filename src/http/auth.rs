//! `POST /api/auth/login`: email and password in, bearer token out.

use super::AppState;
use super::error::ApiError;
use super::extract::ApiJson;
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    email: String,
    #[schema(value_type = String, format = Password)]
    password: SecretString,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    token: String,
    expires_at: DateTime<Utc>,
}

#[tracing::instrument(skip_all)]
/// Signs in with email and password and answers a bearer token.
#[utoipa::path(
    post,
    path = "/api/auth/login",
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "signed in", body = LoginResponse),
        (status = 400, response = super::openapi::responses::BadRequest),
        (status = 401, description = "wrong email or password (`invalid_credentials`)", body = super::error::ErrorBody),
        (status = 415, response = super::openapi::responses::UnsupportedMediaType),
        (status = 500, response = super::openapi::responses::Internal),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    let issued = state
        .accounts
        .login(&request.email, &request.password)
        .await?;
    Ok(Json(LoginResponse {
        token: issued.token.expose().to_owned(),
        expires_at: issued.session.expires_at,
    }))
}

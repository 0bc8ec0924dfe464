//! `POST /api/auth/login`: email and password in, bearer token out.

use super::AppState;
use super::error::ApiError;
use super::extract::ApiJson;
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
pub struct LoginRequest {
    email: String,
    password: SecretString,
}

#[derive(Serialize)]
pub struct LoginResponse {
    token: String,
    expires_at: DateTime<Utc>,
}

#[tracing::instrument(skip_all)]
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

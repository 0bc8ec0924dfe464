//! `/api/metakocka/credentials`: set, show (masked) and delete the organisation's or the
//! caller's own Metakocka credentials.
//!
//! `scope` is `organization` (the default; admins only) or `user` (any user, for themselves).
//! The key is shown as `••••` and its last four characters (fully masked under 12 characters),
//! never whole.

use super::super::AppState;
use super::super::error::ApiError;
use super::super::extract::{ApiJson, ApiQuery, Caller};
use crate::metakocka::credentials::{CredentialOwner, CredentialScope, StoredCredentials};
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

#[derive(Deserialize)]
pub struct SaveCredentials {
    company_id: String,
    secret_key: SecretString,
    #[serde(default = "organization")]
    scope: CredentialScope,
}

#[derive(Deserialize)]
pub struct ScopeQuery {
    #[serde(default = "organization")]
    scope: CredentialScope,
}

fn organization() -> CredentialScope {
    CredentialScope::Organization
}

/// One level's credentials as the API shows them.
#[derive(Serialize)]
struct CredentialsView {
    scope: CredentialScope,
    company_id: String,
    secret_key: String,
    created_by: String,
    created_at: DateTime<Utc>,
    updated_by: String,
    updated_at: DateTime<Utc>,
}

fn view(state: &AppState, stored: &StoredCredentials) -> CredentialsView {
    // A key sealed under another server key cannot be opened: it is still set, so show that.
    let secret_key = state
        .metakocka_credentials
        .masked_key(stored)
        .unwrap_or_else(|_| "••••".to_owned());
    CredentialsView {
        scope: stored.owner.scope(),
        company_id: stored.mk_company_id.clone(),
        secret_key,
        created_by: stored.created_by.to_string(),
        created_at: stored.created_at,
        updated_by: stored.updated_by.to_string(),
        updated_at: stored.updated_at,
    }
}

/// Whose credentials `scope` means for this caller; the organisation's need an admin.
fn owner_for(caller: &Caller, scope: CredentialScope) -> Result<CredentialOwner, ApiError> {
    match scope {
        CredentialScope::Organization => {
            caller.require_admin()?;
            Ok(CredentialOwner::Organization)
        }
        CredentialScope::User => Ok(CredentialOwner::User(caller.session.user_id.clone())),
    }
}

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
pub async fn save(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<SaveCredentials>,
) -> Result<Json<Value>, ApiError> {
    let owner = owner_for(&caller, body.scope)?;
    let stored = state
        .metakocka_credentials
        .save(
            caller.company(),
            owner,
            &body.company_id,
            &body.secret_key,
            &caller.session.user_id,
        )
        .await?;
    Ok(Json(json!({
        "message": "Metakocka credentials saved",
        "credentials": view(&state, &stored),
    })))
}

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
pub async fn show(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    let levels = state
        .metakocka_credentials
        .levels(caller.company(), &caller.session.user_id)
        .await?;
    Ok(Json(json!({
        "organization": levels.organization.as_ref().map(|c| view(&state, c)),
        "user": levels.user.as_ref().map(|c| view(&state, c)),
        "effective_source": levels.effective().map(|c| c.owner.scope()),
    })))
}

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
pub async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ScopeQuery>,
) -> Result<Json<Value>, ApiError> {
    let owner = owner_for(&caller, query.scope)?;
    state
        .metakocka_credentials
        .delete(caller.company(), &owner)
        .await?;
    Ok(Json(json!({
        "message": "Metakocka credentials deleted",
        "scope": query.scope,
    })))
}

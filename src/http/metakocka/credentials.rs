//! `/api/metakocka/credentials`: set, show (masked) and delete the organisation's or the
//! caller's own Metakocka credentials.
//!
//! `scope` is `organization` (the default; admins only) or `user` (any user, for themselves).
//! The key is shown as `••••` and its last four characters (fully masked under 12 characters),
//! never whole. `POST .../test` tries credentials against Metakocka before or after saving.

use super::super::AppState;
use super::super::error::ApiError;
use super::super::extract::{ApiJson, ApiQuery, Caller, RawBody};
use crate::domain::FieldError;
use crate::metakocka::client::MetakockaCredentials;
use crate::metakocka::credentials::{CredentialOwner, CredentialScope, StoredCredentials};
use crate::metakocka::inventory;
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, ToSchema)]
pub struct SaveCredentials {
    /// Metakocka's company id: at most 64 characters, no white space inside (trimmed).
    #[schema(pattern = r"^[^\s]{1,64}$")]
    company_id: String,
    /// Stored sealed; answers show only its last four characters. At most 512 characters
    /// (trimmed).
    #[schema(value_type = String, format = Password, min_length = 1, max_length = 512, pattern = r"\S|[\x1c-\x1f\uFEFF]")]
    secret_key: SecretString,
    #[serde(default = "organization")]
    scope: CredentialScope,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScopeQuery {
    #[serde(default = "organization")]
    scope: CredentialScope,
}

fn organization() -> CredentialScope {
    CredentialScope::Organization
}

/// One level's credentials as the API shows them: the key masked to its last four
/// characters (`••••1234`), or whole (`••••`) when it is short.
#[derive(Serialize, ToSchema)]
pub struct CredentialsView {
    scope: CredentialScope,
    company_id: String,
    /// Masked: never the key.
    #[schema(pattern = "^••••")]
    secret_key: String,
    created_by: String,
    created_at: DateTime<Utc>,
    updated_by: String,
    updated_at: DateTime<Utc>,
}

/// `POST /api/metakocka/credentials`.
#[derive(Serialize, ToSchema)]
pub struct Saved {
    message: &'static str,
    credentials: CredentialsView,
}

/// `GET /api/metakocka/credentials`: both levels, and which one calls use.
#[derive(Serialize, ToSchema)]
pub struct Levels {
    organization: Option<CredentialsView>,
    user: Option<CredentialsView>,
    effective_source: Option<CredentialScope>,
}

/// `DELETE /api/metakocka/credentials`.
#[derive(Serialize, ToSchema)]
pub struct Deleted {
    message: &'static str,
    scope: CredentialScope,
}

/// `POST /api/metakocka/credentials/test`: whether Metakocka took the credentials.
#[derive(Serialize, ToSchema)]
pub struct Tested {
    ok: bool,
    /// `request`, `organization` or `user`: whose credentials were tried.
    source: &'static str,
    /// Metakocka's refusal, when `ok` is false.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<Refusal>,
}

/// Why Metakocka refused.
#[derive(Serialize, ToSchema)]
pub struct Refusal {
    #[schema(value_type = String)]
    category: crate::metakocka::error_log::ErrorCategory,
    message: String,
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
#[utoipa::path(
    post,
    path = "/api/metakocka/credentials",
    tag = "metakocka",
    request_body = SaveCredentials,
    responses(
        (status = 200, description = "saved; the key masked", body = Saved),
        (status = 400, response = super::super::openapi::responses::BadRequest),
        (status = 403, description = "`scope: organization` needs the admin role", body = super::super::error::ErrorBody),
        (status = 415, response = super::super::openapi::responses::UnsupportedMediaType),
    ),
    security(("bearer" = [])),
)]
pub async fn save(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<SaveCredentials>,
) -> Result<Json<Saved>, ApiError> {
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
    Ok(Json(Saved {
        message: "Metakocka credentials saved",
        credentials: view(&state, &stored),
    }))
}

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    get,
    path = "/api/metakocka/credentials",
    tag = "metakocka",
    responses(
        (status = 200, description = "both levels, keys masked", body = Levels),
    ),
    security(("bearer" = [])),
)]
pub async fn show(State(state): State<AppState>, caller: Caller) -> Result<Json<Levels>, ApiError> {
    let levels = state
        .metakocka_credentials
        .levels(caller.company(), &caller.session.user_id)
        .await?;
    Ok(Json(Levels {
        organization: levels.organization.as_ref().map(|c| view(&state, c)),
        user: levels.user.as_ref().map(|c| view(&state, c)),
        effective_source: levels.effective().map(|c| c.owner.scope()),
    }))
}

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    delete,
    path = "/api/metakocka/credentials",
    tag = "metakocka",
    params(
        ScopeQuery,
    ),
    responses(
        (status = 200, description = "deleted", body = Deleted),
        (status = 400, response = super::super::openapi::responses::BadRequest),
        (status = 403, description = "`scope=organization` needs the admin role", body = super::super::error::ErrorBody),
        (status = 404, response = super::super::openapi::responses::NotFound),
    ),
    security(("bearer" = [])),
)]
pub async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ScopeQuery>,
) -> Result<Json<Deleted>, ApiError> {
    let owner = owner_for(&caller, query.scope)?;
    state
        .metakocka_credentials
        .delete(caller.company(), &owner)
        .await?;
    Ok(Json(Deleted {
        message: "Metakocka credentials deleted",
        scope: query.scope,
    }))
}

crate::body_with_rule!(
    /// [`TestCredentials`] with both fields or neither (the route's `Option` adds `null`).
    TestCredentialsRequest,
    TestCredentials,
    {
        use crate::http::openapi::combine::{all_or_none_of, not_blank};
        all_or_none_of(
            TestCredentials::schema(),
            vec![("company_id", not_blank()), ("secret_key", not_blank())],
        )
    }
);

/// The optional body of the connection test: values to try before saving them.
#[derive(Deserialize, ToSchema)]
struct TestCredentials {
    company_id: Option<String>,
    #[schema(value_type = Option<String>, format = Password)]
    secret_key: Option<SecretString>,
}

/// `POST /api/metakocka/credentials/test`: one cheap real call to Metakocka with the body's
/// credentials or, without a body, the caller's effective ones. Metakocka's refusal is an
/// answer (200, `ok: false`, its own text), and an entry in the error log.
#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    post,
    path = "/api/metakocka/credentials/test",
    tag = "metakocka",
    request_body(content = Option<TestCredentialsRequest>, description = "credentials to try before saving (both or neither); empty or `null` to try the saved ones", content_type = "application/json"),
    responses(
        (status = 200, description = "whether Metakocka took them; its refusal as `error` when `ok` is false", body = Tested),
        (status = 400, response = super::super::openapi::responses::BadRequest),
        (status = 409, description = "nothing to test: no credentials saved and none sent (`no_credentials`, `credentials_unreadable`)", body = super::super::error::ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn test(
    State(state): State<AppState>,
    caller: Caller,
    RawBody(body): RawBody,
) -> Result<Json<Tested>, ApiError> {
    let (credentials, source) = match given_credentials(&body)? {
        Some(given) => (given, "request"),
        None => {
            let effective = state
                .metakocka_credentials
                .effective_credentials(caller.company(), Some(&caller.session.user_id))
                .await?;
            let Some((credentials, scope)) = effective else {
                return Err(ApiError::new(
                    axum::http::StatusCode::CONFLICT,
                    "no_credentials",
                    "no Metakocka credentials are saved for you or your organisation; save them or send company_id and secret_key to test",
                ));
            };
            let source = match scope {
                CredentialScope::Organization => "organization",
                CredentialScope::User => "user",
            };
            (inventory::for_client(credentials), source)
        }
    };
    match state
        .metakocka_inventory
        .test_connection(
            caller.company(),
            &caller.session.user_id,
            &credentials,
            source,
        )
        .await
    {
        Ok(()) => Ok(Json(Tested {
            ok: true,
            source,
            error: None,
        })),
        Err(refused) => Ok(Json(Tested {
            ok: false,
            source,
            error: Some(Refusal {
                category: refused.category,
                message: refused.message,
            }),
        })),
    }
}

/// The body's credentials; `None` for an empty body or `{}`. Parse errors do not quote the
/// body, which holds a secret key.
fn given_credentials(body: &[u8]) -> Result<Option<MetakockaCredentials>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    // An object or `null`, as the schema says (serde would read the struct from an array too).
    let given: Option<TestCredentials> = serde_json::from_slice::<
        Option<serde_json::Map<String, Value>>,
    >(body)
    .and_then(|object| {
        object
            .map(|o| serde_json::from_value(Value::Object(o)))
            .transpose()
    })
    .map_err(|_| {
        ApiError::bad_request(
            "the body must be empty or a JSON object with company_id and secret_key (strings)",
        )
    })?;
    let Some(given) = given else {
        return Ok(None);
    };
    match (given.company_id, given.secret_key) {
        (None, None) => Ok(None),
        (Some(company_id), Some(secret_key))
            if !company_id.trim().is_empty() && !secret_key.expose_secret().trim().is_empty() =>
        {
            Ok(Some(MetakockaCredentials {
                company_id: company_id.trim().to_owned(),
                secret_key: SecretString::from(secret_key.expose_secret().trim().to_owned()),
            }))
        }
        _ => Err(FieldError::new(
            "secret_key",
            "send both company_id and secret_key (non-empty), or neither",
        )
        .into()),
    }
}

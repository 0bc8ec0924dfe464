//! Extractors whose rejections use the API's own error shape, and the authenticated caller.

use super::AppState;
use super::error::ApiError;
use crate::domain::{CompanyId, Role, Session};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

/// `axum::Json`, answering a bad body with `{"error": ...}` instead of plain text. Every body
/// is a JSON object: serde would also read a struct from an array of its fields' values
/// (`[null, null]`), which the contract does not allow, so an array is refused.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        let (parts, body) = request.into_parts();
        let (headers, extensions) = (parts.headers.clone(), parts.extensions.clone());
        let bytes =
            axum::body::Bytes::from_request(axum::extract::Request::from_parts(parts, body), state)
                .await?;
        let is_array = bytes
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|b| *b == b'[');
        // The same request again, so `axum::Json` checks the content type and parses as before.
        let mut again = axum::extract::Request::new(axum::body::Body::from(bytes));
        *again.headers_mut() = headers;
        *again.extensions_mut() = extensions;
        let axum::Json(value) = axum::Json::<T>::from_request(again, state).await?;
        if is_array {
            return Err(ApiError::bad_request("the body must be a JSON object"));
        }
        Ok(Self(value))
    }
}

/// The raw request body (a CRM push, an `.eml`, a body read by hand), answering one over the
/// route's limit with `413 payload_too_large` in the error shape instead of plain text.
pub struct RawBody(pub axum::body::Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        Ok(Self(axum::body::Bytes::from_request(request, state).await?))
    }
}

/// `axum::extract::Query`, answering bad parameters with `{"error": ...}`.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// The caller of a dashboard route, from `Authorization: Bearer <token>`.
pub struct Caller {
    pub session: Session,
}

impl Caller {
    pub fn company(&self) -> &CompanyId {
        &self.session.company_id
    }

    pub fn require_admin(&self) -> Result<(), ApiError> {
        match self.session.role {
            Role::Admin => Ok(()),
            Role::Agent => Err(ApiError::forbidden("this action needs the admin role")),
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts.headers.get(AUTHORIZATION).ok_or_else(|| {
            ApiError::unauthorized("send a token as Authorization: Bearer <token>")
        })?;
        let token = header
            .to_str()
            .ok()
            .and_then(|value| {
                let (scheme, token) = value.split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
            })
            .filter(|token| !token.is_empty())
            .ok_or_else(|| {
                ApiError::unauthorized("the Authorization header must be Bearer <token>")
            })?;
        let session = state.accounts.authenticate(token).await?;
        Ok(Caller { session })
    }
}

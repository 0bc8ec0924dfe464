//! Cross-site request forgery protection for every console form.
//!
//! Signed in, each session has one synchronizer token: the SHA-256 of the session's secret
//! cookie under a label of its own. Only a page the console rendered knows it (the cookie is
//! `HttpOnly`), it is never stored, and it differs from the stored session hash, so a leaked
//! database gives no valid token. Every POST must send it as the `csrf_token` field; a missing
//! or wrong one is refused with a 403 page before the handler runs.
//!
//! Before sign-in there is no session yet, so the sign-in form uses a double-submit token: a
//! random value in a short-lived `SameSite=Strict` cookie that the form must repeat.

use super::error::AdminError;
use super::session::{AdminSession, cookie};
use crate::http::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use rand::rngs::OsRng;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

/// The form field that carries the token.
pub const FIELD: &str = "csrf_token";
/// The cookie of the sign-in form's double-submit token.
pub const LOGIN_COOKIE: &str = "crm_mind_admin_login";
/// Console forms are small; anything larger is not one of ours.
const MAX_FORM_BYTES: usize = 256 * 1024;

/// The synchronizer token of the session whose cookie holds `session_secret`.
pub fn session_token(session_secret: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"crm-mind admin console csrf v1\0");
    hasher.update(session_secret.as_bytes());
    hex::encode(hasher.finalize())
}

/// A fresh random token for the sign-in form.
pub fn new_login_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Compares without stopping at the first difference, so timing tells nothing.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A form body: every field in order (repeated ones, such as checkboxes, kept).
pub struct Fields(Vec<(String, String)>);

impl Fields {
    fn parse(body: &[u8]) -> Self {
        Self(url::form_urlencoded::parse(body).into_owned().collect())
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Every value of a repeated field.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .collect()
    }

    /// The fields as `T` (text fields only; the last of a repeated field wins).
    fn decode<T: DeserializeOwned>(&self) -> Result<T, AdminError> {
        let object: serde_json::Map<String, serde_json::Value> = self
            .0
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect();
        serde_json::from_value(serde_json::Value::Object(object))
            .map_err(|e| AdminError::BadRequest(format!("The form is incomplete: {e}.")))
    }
}

async fn body_fields(request: Request, state: &AppState) -> Result<Fields, AdminError> {
    let bytes = Bytes::from_request(request, state)
        .await
        .map_err(|_| AdminError::BadRequest("The form could not be read.".into()))?;
    if bytes.len() > MAX_FORM_BYTES {
        return Err(AdminError::BadRequest("The form is too large.".into()));
    }
    Ok(Fields::parse(&bytes))
}

fn forged() -> AdminError {
    AdminError::Forbidden(
        "This form has expired or did not come from this console. Reload the page and try again."
            .into(),
    )
}

/// A form from a signed-in user, its CSRF token checked.
pub struct CsrfForm<T> {
    pub session: AdminSession,
    pub form: T,
    pub fields: Fields,
}

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = AdminError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, AdminError> {
        let (mut parts, body) = request.into_parts();
        let session = AdminSession::from_request_parts(&mut parts, state).await?;
        let fields = body_fields(Request::from_parts(parts, body), state).await?;
        let sent = fields.get(FIELD).unwrap_or_default();
        if !same(sent, session.csrf_token()) {
            return Err(forged());
        }
        Ok(Self {
            form: fields.decode()?,
            session,
            fields,
        })
    }
}

/// A change: a form with a valid CSRF token from an admin. Agents are refused (403) here,
/// whatever the page showed them.
pub struct AdminForm<T>(pub CsrfForm<T>);

impl<T: DeserializeOwned> FromRequest<AppState> for AdminForm<T> {
    type Rejection = AdminError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, AdminError> {
        let form = CsrfForm::<T>::from_request(request, state).await?;
        form.session.require_admin()?;
        Ok(Self(form))
    }
}

/// A form with no fields of its own (a button).
#[derive(Deserialize)]
pub struct Empty {}

/// The sign-in form, its double-submit token checked against the cookie.
#[derive(Deserialize)]
pub struct LoginForm {
    pub email: String,
    pub password: secrecy::SecretString,
}

impl FromRequest<AppState> for LoginForm {
    type Rejection = AdminError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, AdminError> {
        let expected = cookie(request.headers(), LOGIN_COOKIE);
        let fields = body_fields(request, state).await?;
        match (expected, fields.get(FIELD)) {
            (Some(expected), Some(sent)) if same(&expected, sent) => fields.decode(),
            _ => Err(forged()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_tokens_are_stable_per_session_and_differ_between_sessions() {
        assert_eq!(session_token("cmm_a"), session_token("cmm_a"));
        assert_ne!(session_token("cmm_a"), session_token("cmm_b"));
        // Not the stored session hash: a copy of the database forges no form.
        assert_ne!(session_token("cmm_a"), crate::accounts::hash_token("cmm_a"));
    }

    #[test]
    fn comparison_needs_equal_tokens() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "ab"));
        assert!(!same("", "a"));
    }

    #[test]
    fn repeated_fields_are_all_kept() {
        let fields = Fields::parse(b"ids=1&ids=2&notes=a+b");
        assert_eq!(fields.all("ids"), ["1", "2"]);
        assert_eq!(fields.get("notes"), Some("a b"));
    }
}

//! Signing in and out of the console, and the signed-in user of each request.
//!
//! A console session is an API session: signing in calls [`crate::accounts::Accounts::login`]
//! with the same users, roles and lifetime, and the cookie carries the bearer token it issues
//! (stored only as its hash, like every token). The cookie is `HttpOnly` (no script reads it),
//! `SameSite=Strict` (no other site's page sends it), scoped to `/admin`, and `Secure` when
//! the request came over TLS.

use super::csrf::{self, LoginForm};
use super::error::AdminError;
use super::render::{Rendered, render_public};
use crate::accounts::AccountError;
use crate::domain::{CompanyId, Role, Session};
use crate::http::AppState;
use axum::extract::{FromRequestParts, State};
use axum::http::header::{COOKIE, LOCATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::context;

/// The session cookie's name.
pub const COOKIE_NAME: &str = "crm_mind_admin";

/// The signed-in user of a console request.
pub struct AdminSession {
    pub session: Session,
    csrf_token: String,
}

impl AdminSession {
    pub fn company(&self) -> &CompanyId {
        &self.session.company_id
    }

    pub fn is_admin(&self) -> bool {
        self.session.role == Role::Admin
    }

    /// The synchronizer token every form of this session must send back.
    pub fn csrf_token(&self) -> &str {
        &self.csrf_token
    }

    /// Agents see the console read-only; a change they send anyway is refused here.
    pub fn require_admin(&self) -> Result<(), AdminError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(AdminError::Forbidden(
                "Your role (agent) may look but not change things; ask an administrator.".into(),
            ))
        }
    }
}

impl FromRequestParts<AppState> for AdminSession {
    type Rejection = AdminError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AdminError> {
        let token = cookie(&parts.headers, COOKIE_NAME).ok_or(AdminError::SignedOut)?;
        let session = match state.accounts.authenticate(&token).await {
            Ok(session) => session,
            Err(AccountError::InvalidToken) => return Err(AdminError::SignedOut),
            Err(e) => return Err(AdminError::internal(e)),
        };
        Ok(AdminSession {
            csrf_token: csrf::session_token(&token),
            session,
        })
    }
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

/// Whether the client reached us over TLS: directly, or through a proxy that says so.
fn over_tls(headers: &HeaderMap) -> bool {
    let forwarded_proto = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .next()
                .unwrap_or("")
                .trim()
                .eq_ignore_ascii_case("https")
        });
    let forwarded = headers
        .get("forwarded")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains("proto=https"));
    forwarded_proto || forwarded
}

/// A `Set-Cookie` value for the console: `value` for `max_age` seconds (0 removes it).
pub fn set_cookie(headers: &HeaderMap, name: &str, value: &str, max_age: i64) -> HeaderValue {
    let secure = if over_tls(headers) { "; Secure" } else { "" };
    let cookie = format!(
        "{name}={value}; Path={}; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}",
        super::BASE
    );
    HeaderValue::from_str(&cookie).expect("cookie values are URL-safe base64 or hex")
}

fn redirect(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, to.to_owned())]).into_response()
}

/// `GET /admin/login`: the form, with a fresh pre-session CSRF token in a cookie.
pub async fn login_form(headers: HeaderMap) -> Result<Response, AdminError> {
    login_page(&headers, None, "", StatusCode::OK)
}

fn login_page(
    headers: &HeaderMap,
    error: Option<&str>,
    email: &str,
    status: StatusCode,
) -> Result<Response, AdminError> {
    let token = csrf::new_login_token();
    let body = render_public(
        "login.html",
        context! { csrf_token => &token, error => error, email => email },
    )?;
    let cookie = set_cookie(headers, csrf::LOGIN_COOKIE, &token, 600);
    Ok((status, [(SET_COOKIE, cookie)], body).into_response())
}

/// `POST /admin/login`: checks the password like the API and sets the session cookie.
pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: LoginForm,
) -> Result<Response, AdminError> {
    match state.accounts.login(&form.email, &form.password).await {
        Ok(issued) => {
            let max_age = (issued.session.expires_at - chrono::Utc::now()).num_seconds();
            let mut response = redirect(super::BASE);
            let cookies = response.headers_mut();
            cookies.append(
                SET_COOKIE,
                set_cookie(&headers, COOKIE_NAME, issued.token.expose(), max_age),
            );
            cookies.append(SET_COOKIE, set_cookie(&headers, csrf::LOGIN_COOKIE, "", 0));
            tracing::info!(company = %issued.session.company_id, "admin console sign-in");
            Ok(response)
        }
        Err(AccountError::InvalidCredentials | AccountError::Invalid(_)) => login_page(
            &headers,
            Some("The email or password is wrong."),
            &form.email,
            StatusCode::UNAUTHORIZED,
        ),
        Err(e) => Err(AdminError::internal(e)),
    }
}

/// `POST /admin/logout`: ends the session in the store (so a copied cookie stops working
/// too), forgets the cookie and goes back to the sign-in form.
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    _form: csrf::CsrfForm<csrf::Empty>,
) -> Result<Response, AdminError> {
    // The CSRF check above proved the cookie holds a live session.
    if let Some(token) = cookie(&headers, COOKIE_NAME) {
        state
            .accounts
            .logout(&token)
            .await
            .map_err(AdminError::internal)?;
    }
    let mut response = redirect(&format!("{}/login", super::BASE));
    response
        .headers_mut()
        .append(SET_COOKIE, set_cookie(&headers, COOKIE_NAME, "", 0));
    tracing::info!("admin console sign-out");
    Ok(response)
}

/// A page for a signed-in user, with the layout's navigation and the session's CSRF token.
pub fn page(
    session: &AdminSession,
    template: &str,
    active: &str,
    ctx: minijinja::Value,
) -> Result<Rendered, AdminError> {
    super::render::render(
        template,
        context! {
            csrf_token => session.csrf_token(),
            is_admin => session.is_admin(),
            role => session.session.role.as_str(),
            active => active,
            ..ctx
        },
    )
}

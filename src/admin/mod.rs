//! The admin console: server-rendered HTML pages under `/admin` for operators who do not
//! want curl and JSON.
//!
//! It owns its session cookie ([`session`]), CSRF protection ([`csrf`]), the templates and
//! static files embedded in the binary ([`render`], [`assets`]) and one module per page
//! ([`pages`]). The pages call the same services as the JSON API (`crate::dashboard`,
//! `crate::rag`, the stores, `crate::metakocka`), so both obey the same rules; every record
//! they show or change is looked up through the signed-in user's company.

mod assets;
mod chart;
mod csrf;
mod error;
mod pages;
mod render;
mod session;

use crate::http::AppState;
use axum::Router;
use axum::http::HeaderValue;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::middleware;
use axum::response::Response;
use axum::routing::{get, post};

pub use error::AdminError;
pub use session::{AdminSession, COOKIE_NAME};

/// Where the console is mounted; cookies are scoped to it.
pub const BASE: &str = "/admin";

/// The console's routes, to be nested at [`BASE`].
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::dashboard::show))
        .route("/login", get(session::login_form).post(session::login))
        .route("/logout", post(session::logout))
        .route("/static/{file}", get(assets::serve))
        .merge(pages::links::routes())
        .merge(pages::search::routes())
        .merge(pages::replies::routes())
        .merge(pages::metakocka::routes())
        .merge(pages::mk_sync::routes())
        .merge(pages::emails::routes())
        .merge(pages::errors::routes())
        .merge(pages::reports::routes())
        .layer(middleware::map_response(security_headers))
}

/// Headers every console answer carries: scripts and styles only from the console itself (no
/// inline code, so an injected `<script>` cannot run), no framing, and nothing cached, since
/// pages show a company's data.
async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !headers.contains_key(CACHE_CONTROL) {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

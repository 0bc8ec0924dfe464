//! `GET /api/openapi.json` (the contract) and `GET /api/docs` (Swagger UI on it).
//!
//! Swagger UI's script and stylesheet are vendored in `static/api-docs/` (see its
//! `PROVENANCE.md`) and embedded in the binary: the page works offline and loads nothing from
//! a CDN. Its start-up code is a file of ours, not an inline script, so the page runs under a
//! Content-Security-Policy of `'self'`.

use axum::Json;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::response::{IntoResponse, Response};

const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>crm-mind API</title>
<link rel="stylesheet" href="/api/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script>
</body>
</html>
"#;
const BUNDLE: &[u8] = include_bytes!("../../../static/api-docs/swagger-ui-bundle.js");
const STYLESHEET: &[u8] = include_bytes!("../../../static/api-docs/swagger-ui.css");
const INIT: &[u8] = include_bytes!("../../../static/api-docs/init.js");

/// Scripts, styles and fetches from this service only; images may be data URLs (Swagger
/// UI's icons are).
pub const DOCS_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
                            img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'";

/// The contract, OpenAPI 3.1.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "docs",
    responses((status = 200, description = "the OpenAPI 3.1 document of this API", body = super::JsonObject))
)]
pub async fn openapi_json() -> Json<&'static utoipa::openapi::OpenApi> {
    Json(super::spec())
}

/// Swagger UI on the contract.
#[utoipa::path(
    get,
    path = "/api/docs",
    tag = "docs",
    responses((status = 200, description = "an HTML page that browses the contract", body = String, content_type = "text/html"))
)]
pub async fn page() -> Response {
    asset("text/html; charset=utf-8", PAGE.as_bytes())
}

/// Swagger UI's script (swagger-ui-dist, embedded).
#[utoipa::path(
    get,
    path = "/api/docs/swagger-ui-bundle.js",
    tag = "docs",
    responses((status = 200, description = "Swagger UI's script", body = String, content_type = "text/javascript"))
)]
pub async fn bundle() -> Response {
    asset("text/javascript; charset=utf-8", BUNDLE)
}

/// Swagger UI's stylesheet (swagger-ui-dist, embedded).
#[utoipa::path(
    get,
    path = "/api/docs/swagger-ui.css",
    tag = "docs",
    responses((status = 200, description = "Swagger UI's stylesheet", body = String, content_type = "text/css"))
)]
pub async fn stylesheet() -> Response {
    asset("text/css; charset=utf-8", STYLESHEET)
}

/// The page's start-up script.
#[utoipa::path(
    get,
    path = "/api/docs/init.js",
    tag = "docs",
    responses((status = 200, description = "starts Swagger UI on /api/openapi.json", body = String, content_type = "text/javascript"))
)]
pub async fn init() -> Response {
    asset("text/javascript; charset=utf-8", INIT)
}

fn asset(content_type: &'static str, body: &'static [u8]) -> Response {
    (
        [
            (CONTENT_TYPE, content_type),
            (CONTENT_SECURITY_POLICY, DOCS_CSP),
            (X_FRAME_OPTIONS, "DENY"),
            (X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (REFERRER_POLICY, "same-origin"),
            (CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

//! `GET /webhook` (the verification handshake) and `POST /webhook` (signed deliveries).
//!
//! See <https://developers.facebook.com/docs/messenger-platform/webhooks>. The order of checks
//! matters: size, then signature on the raw bytes, then parsing; nothing is stored unless the
//! signature matched, and 200 goes out only after the durable write.

use super::AppState;
use super::error::ApiError;
use crate::facebook::{parse_webhook, verify_signature};
use axum::body::{Body, to_bytes};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// Facebook's deliveries are small; 1 MiB leaves room for batches and refuses abuse.
pub const MAX_WEBHOOK_BODY: usize = 1024 * 1024;

/// Facebook's verification handshake: answers `hub.challenge` when the mode is `subscribe`
/// and the token matches.
#[utoipa::path(
    get,
    path = "/webhook",
    tag = "webhook",
    params(
        ("hub.mode" = Option<String>, Query, description = "`subscribe`"),
        ("hub.verify_token" = Option<String>, Query, description = "the configured verify token"),
        ("hub.challenge" = Option<String>, Query, description = "echoed back on success"),
    ),
    responses(
        (status = 200, description = "the challenge, echoed", body = String, content_type = "text/plain"),
        (status = 400, description = "a query parameter is not valid UTF-8 text", body = String, content_type = "text/plain"),
        (status = 403, description = "the request does not match, or verification is not configured", body = super::error::ErrorBody),
    )
)]
pub async fn verify(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let Some(expected) = &state.webhook.verify_token else {
        tracing::warn!("webhook verification refused: CRM_MIND_FACEBOOK_VERIFY_TOKEN is not set");
        return ApiError::forbidden("webhook verification is not configured").into_response();
    };
    let mode_ok = params.get("hub.mode").is_some_and(|m| m == "subscribe");
    // Compare digests, so the time taken says nothing about how much of the token matched.
    let token_ok = params.get("hub.verify_token").is_some_and(|given| {
        Sha256::digest(given.as_bytes()) == Sha256::digest(expected.expose_secret().as_bytes())
    });
    match (mode_ok && token_ok, params.get("hub.challenge")) {
        (true, Some(challenge)) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            challenge.clone(),
        )
            .into_response(),
        _ => ApiError::forbidden("the verification request does not match").into_response(),
    }
}

#[tracing::instrument(skip_all)]
/// A signed delivery from Facebook; answers 200 once it is stored durably.
#[utoipa::path(
    post,
    path = "/webhook",
    tag = "webhook",
    params(("X-Hub-Signature-256" = Option<String>, Header, description = "`sha256=<hex HMAC-SHA256 of the raw body, keyed with the app secret>`")),
    request_body(content = super::openapi::JsonObject, description = "Facebook's webhook payload (`object`, `entry`)", content_type = "application/json"),
    responses(
        (status = 200, description = "stored (or an object type that is ignored)", body = String, content_type = "text/plain", example = "EVENT_RECEIVED"),
        (status = 400, description = "signed correctly but not a webhook payload", body = super::error::ErrorBody),
        (status = 403, description = "missing or wrong signature (`invalid_signature`), or no app secret configured", body = super::error::ErrorBody),
        (status = 500, response = super::openapi::responses::Internal),
    )
)]
pub async fn receive(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    match receive_inner(&state, &headers, body).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

async fn receive_inner(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let declared_len = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared_len.is_some_and(|len| len > MAX_WEBHOOK_BODY) {
        return Err(ApiError::payload_too_large(MAX_WEBHOOK_BODY));
    }
    // Fails when a body without a declared length grows past the limit.
    let body = to_bytes(body, MAX_WEBHOOK_BODY)
        .await
        .map_err(|_| ApiError::payload_too_large(MAX_WEBHOOK_BODY))?;

    let Some(app_secret) = &state.webhook.app_secret else {
        tracing::error!("webhook delivery refused: CRM_MIND_FACEBOOK_APP_SECRET is not set");
        return Err(ApiError::forbidden(
            "webhook signatures cannot be checked: no app secret is configured",
        ));
    };
    let signature = headers.get("x-hub-signature-256").map(|v| v.as_bytes());
    if let Err(e) = verify_signature(app_secret.expose_secret().as_bytes(), &body, signature) {
        metrics::counter!("webhook_signature_rejected_total", "reason" => e.label()).increment(1);
        tracing::warn!(
            reason = e.label(),
            "webhook delivery with a bad signature refused"
        );
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "invalid_signature",
            e.to_string(),
        ));
    }

    let payload = parse_webhook(&body).map_err(|e| ApiError::bad_request(e.to_string()))?;
    if payload.object != "page" {
        tracing::info!(object = %payload.object, "webhook delivery for an object we do not handle; ignored");
        return Ok(event_received());
    }
    if payload.skipped_items > 0 {
        metrics::counter!("webhook_items_skipped_total").increment(payload.skipped_items as u64);
        tracing::warn!(
            skipped = payload.skipped_items,
            "webhook items we could not read were skipped"
        );
    }
    // A store failure is a 500, so Facebook delivers again later.
    let report = state.intake.accept(&payload).await?;
    tracing::debug!(?report, "webhook delivery stored");
    Ok(event_received())
}

/// The answer Facebook's documentation shows for an accepted delivery.
fn event_received() -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "EVENT_RECEIVED",
    )
        .into_response()
}

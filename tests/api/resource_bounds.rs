//! Request body limits on every route (issue 8, item 8): walking every operation of the
//! served spec that takes a body, a body one byte over that route's limit is refused with
//! `413 payload_too_large` in the stable error shape, before the handler runs. The limit is
//! axum's default of 2 MiB, except where a route sets its own: the webhook (1 MiB), a raw
//! `.eml` upload (25 MiB) and a CRM push (50 MiB).

use crate::helpers::{Engine, error_of, spawn_app, spawn_app_with, text_message};
use crate::openapi::operations;
use reqwest::Method;
use serde_json::Value;

/// axum's `DefaultBodyLimit` when a route sets none.
const DEFAULT_LIMIT: usize = 2 * 1024 * 1024;

fn limit_of(path: &str) -> usize {
    match path {
        "/webhook" => crm_mind::http::MAX_WEBHOOK_BODY,
        "/api/emails/raw" => crm_mind::email::eml::MAX_RAW_BYTES,
        "/api/crm-links/webhook/{link_id}" => crm_mind::http::MAX_PUSH_BODY,
        _ => DEFAULT_LIMIT,
    }
}

/// A body of exactly `len` bytes in `content_type`: a JSON object with one long string, or
/// for a raw email a header and a long text.
fn body_of(content_type: &str, len: usize) -> Vec<u8> {
    let (head, tail): (&[u8], &[u8]) = if content_type == "application/json" {
        (br#"{"padding":""#, br#""}"#)
    } else {
        (b"Subject: big\r\n\r\n", b"")
    };
    let mut body = Vec::with_capacity(len);
    body.extend_from_slice(head);
    body.resize(len - tail.len(), b'a');
    body.extend_from_slice(tail);
    body
}

#[tokio::test]
async fn every_body_over_its_routes_limit_is_refused_with_413() {
    let app = spawn_app(Engine::Sqlite).await;
    let (_, token) = app.company_with_admin("Shop").await;
    let spec: Value = app
        .get("/api/openapi.json", &token)
        .await
        .json()
        .await
        .unwrap();
    let mut checked = 0;
    let mut undocumented = Vec::new();
    let mut busy_undocumented = Vec::new();
    for (method, path) in operations(&spec) {
        let operation = &spec["paths"][&path][&method];
        let Some(content) = operation["requestBody"]["content"].as_object() else {
            continue;
        };
        let content_type = content.keys().next().expect("a media type").clone();
        let documented = operation["responses"].get("413").is_some();
        if operation["responses"].get("503").is_none() {
            busy_undocumented.push(format!("{method} {path}"));
        }
        let limit = limit_of(&path);
        let url = path
            .replace("{link_id}", "00000000-0000-0000-0000-000000000000")
            .replace("{page_id}", "123456789")
            .replace("{psid}", "987654321")
            .replace("{kind}", "product")
            .replace("{crm_id}", "x")
            .replace("{action}", "repair")
            .replace("{id}", "x");
        let response = app
            .client
            .request(
                Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(),
                format!("{}{url}", app.address),
            )
            .bearer_auth(&token)
            .header("Content-Type", &content_type)
            .body(body_of(&content_type, limit + 1))
            .send()
            .await
            .unwrap();
        let status = response.status();
        let answer: Value = response.json().await.unwrap_or(Value::Null);
        assert_eq!(
            (status.as_u16(), answer["error"]["code"].as_str()),
            (413, Some("payload_too_large")),
            "{method} {path} took {} bytes: {answer}",
            limit + 1
        );
        if !documented {
            undocumented.push(format!("{method} {path}"));
        }
        checked += 1;
    }
    assert!(
        undocumented.is_empty(),
        "the spec does not list 413 for {undocumented:?}"
    );
    assert!(
        busy_undocumented.is_empty(),
        "the spec does not list 503 (the body budget) for {busy_undocumented:?}"
    );
    assert!(checked >= 30, "only {checked} operations take a body");
    eprintln!("{checked} operations with a body: each refused one byte over its limit");
}

/// The bytes of bodies held at once have one budget over all routes
/// (`CRM_MIND_HTTP_MAX_BODY_BYTES_IN_FLIGHT`); a body that does not fit is answered 503
/// `server_busy` with `Retry-After`, and nothing of it is stored. (How memory behaves under a
/// flood is measured by `benches/body_flood.rs`.)
#[tokio::test]
async fn a_body_past_the_budget_is_answered_503_and_nothing_of_it_is_stored() {
    let app = spawn_app_with(Engine::Sqlite, |settings| {
        settings.http_max_body_bytes_in_flight = 64 * 1024;
    })
    .await;
    let (company, token) = app.company_with_admin("Shop").await;
    assert_eq!(app.register_page(&token, "123456789").await.status(), 201);

    // Under the webhook's own 1 MiB limit, over the whole budget.
    let big = text_message("123456789", "m_big", &"x".repeat(200 * 1024));
    let response = app.post_webhook(&big).await;
    let retry_after = response.headers().get("retry-after").cloned();
    assert_eq!(error_of(response).await.0, 503);
    assert_eq!(retry_after.unwrap(), "1");
    assert!(
        app.inbox(&company).await.is_empty(),
        "the refused event is not stored"
    );

    // The budget is whole again once that request is answered.
    let small = text_message("123456789", "m_small", "Do you ship to Ljubljana?");
    assert_eq!(app.post_webhook(&small).await.status(), 200);
    assert_eq!(app.inbox(&company).await.len(), 1);
}

//! What a fetch sends and what it hands back for one page.

use crate::fake_crm::{
    API_KEY, FakeCrm, fetch_api, fetch_as, fetch_with_credentials, test_settings,
};
use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::routing::get;
use crm_mind::crm::{Body, CrmFetcher};
use crm_mind::domain::CrmLinkType;
use serde_json::json;

/// The guide's example response ("Data Format Handling").
fn guide_customers() -> serde_json::Value {
    json!({
        "customers": [{
            "id": "cust-123",
            "name": "John Doe",
            "email": "john@example.com",
            "subscription": "Premium",
            "support_level": "Gold"
        }]
    })
}

#[tokio::test]
async fn bearer_key_and_custom_headers_reach_the_crm() {
    let body = guide_customers();
    let served = body.clone();
    let crm = FakeCrm::start(Router::new().route(
        "/v1/customers",
        get(move || async move { axum::Json(served) }),
    ))
    .await;
    let fetcher = CrmFetcher::new(test_settings()).unwrap();

    let fetched = fetch_with_credentials(&fetcher, &crm.url("/v1/customers"))
        .await
        .unwrap();

    let requests = crm.requests();
    assert_eq!(requests.len(), 1);
    let seen = &requests[0];
    assert_eq!(
        seen.header("authorization"),
        Some(format!("Bearer {API_KEY}").as_str())
    );
    assert_eq!(seen.header("x-api-key"), Some("internal-key-123"));
    assert_eq!(seen.header("x-client-id"), Some("facebook-bot"));
    assert_eq!(fetched.body, Body::Json(body.clone()));
    assert_eq!(
        fetched.bytes,
        serde_json::to_vec(&body).unwrap().len() as u64
    );
    assert_eq!((fetched.pages, fetched.complete), (1, true));
}

#[tokio::test]
async fn without_an_api_key_no_authorization_header_is_sent() {
    let crm =
        FakeCrm::start(Router::new().route("/", get(|| async { axum::Json(json!([])) }))).await;

    fetch_api(test_settings(), &crm.url("/")).await.unwrap();

    assert_eq!(crm.requests()[0].header("authorization"), None);
}

#[tokio::test]
async fn a_plain_text_body_is_kept_as_text() {
    let text = "Store hours: Mon-Fri 8-16\nReturns within 30 days\nČetrtek: zaprto";
    let crm = FakeCrm::start(Router::new().route(
        "/faq.txt",
        get(move || async move { ([(CONTENT_TYPE, "text/plain; charset=utf-8")], text) }),
    ))
    .await;

    let fetched = fetch_api(test_settings(), &crm.url("/faq.txt"))
        .await
        .unwrap();

    assert_eq!(fetched.body, Body::Text(text.to_owned()));
    assert_eq!(fetched.bytes, text.len() as u64);
}

#[tokio::test]
async fn json_without_a_json_content_type_is_still_json() {
    let crm = FakeCrm::start(Router::new().route(
        "/export",
        get(|| async {
            (
                [(CONTENT_TYPE, "text/plain")],
                r#"{"items": [{"sku": "SKU-12-B"}]}"#,
            )
        }),
    ))
    .await;

    let fetched = fetch_api(test_settings(), &crm.url("/export"))
        .await
        .unwrap();

    assert_eq!(
        fetched.body,
        Body::Json(json!({"items": [{"sku": "SKU-12-B"}]}))
    );
}

#[tokio::test]
async fn webhook_and_database_links_have_nothing_to_fetch() {
    for (link_type, reason) in [
        (
            CrmLinkType::Webhook,
            "webhook links receive data at POST /api/crm-links/webhook/{id}; nothing to fetch",
        ),
        (
            CrmLinkType::Database,
            "database links are not supported yet",
        ),
    ] {
        let err = fetch_as(test_settings(), "https://crm.example/x", link_type)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), "not_supported");
        assert_eq!(err.to_string(), reason);
        assert_eq!(err.status_code(), None);
    }
}

#[tokio::test]
async fn a_file_link_over_http_is_fetched_without_pagination() {
    let crm = FakeCrm::start(Router::new().route(
        "/export.json",
        get(|| async {
            (
                [("link", r#"</export.json?page=2>; rel="next""#)],
                axum::Json(json!({"customers": [{"id": 1}]})),
            )
        }),
    ))
    .await;

    let fetched = fetch_as(test_settings(), &crm.url("/export.json"), CrmLinkType::File)
        .await
        .unwrap();

    assert_eq!(crm.requests().len(), 1);
    assert_eq!((fetched.pages, fetched.complete), (1, true));
    assert_eq!(fetched.body, Body::Json(json!({"customers": [{"id": 1}]})));
}

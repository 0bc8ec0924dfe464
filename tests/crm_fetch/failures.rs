//! The guide's "Error Handling" cases, each mapped to the failure a user sees.

use crate::fake_crm::{API_KEY, FakeCrm, fetch_api, fetch_with_credentials, test_settings};
use axum::Router;
use axum::body::Body as HttpBody;
use axum::http::StatusCode;
use axum::http::header::{CONTENT_TYPE, RETRY_AFTER};
use axum::routing::get;
use crm_mind::crm::{Body, CrmFetcher, FetchError, FetchRequest, FetchSettings};
use crm_mind::domain::CrmLinkType;
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

async fn crm_answering(status: StatusCode) -> FakeCrm {
    FakeCrm::start(Router::new().route(
        "/customers",
        get(move || async move { (status, axum::Json(json!({"error": "nope"}))) }),
    ))
    .await
}

#[tokio::test]
async fn error_statuses_map_to_failures_that_name_the_fix() {
    for (status, kind, message) in [
        (
            401,
            "unauthorized",
            "the CRM answered 401 Unauthorized: check the API key",
        ),
        (
            403,
            "unauthorized",
            "the CRM answered 403 Forbidden: check the API key and what it is allowed to read",
        ),
        (
            404,
            "not_found",
            "the CRM answered 404 Not Found: check the URL",
        ),
        (
            500,
            "server_error",
            "the CRM answered 500 Internal Server Error; the next run tries again",
        ),
        (
            503,
            "server_error",
            "the CRM answered 503 Service Unavailable; the next run tries again",
        ),
        (410, "unexpected_status", "the CRM answered 410 Gone"),
    ] {
        let crm = crm_answering(StatusCode::from_u16(status).unwrap()).await;

        let err = fetch_api(test_settings(), &crm.url("/customers"))
            .await
            .unwrap_err();

        assert_eq!(err.kind(), kind, "{status}");
        assert_eq!(err.status_code(), Some(status));
        assert_eq!(err.to_string(), message);
        // Only 429 is retried; the scheduler's next run retries the rest.
        assert_eq!(crm.requests().len(), 1, "{status}");
    }
}

#[tokio::test]
async fn errors_never_carry_the_api_key_or_header_values() {
    let crm = crm_answering(StatusCode::UNAUTHORIZED).await;
    let fetcher = CrmFetcher::new(test_settings()).unwrap();
    let unauthorized = fetch_with_credentials(&fetcher, &crm.url("/customers"))
        .await
        .unwrap_err();
    // Nothing listens on port 9 of 127.0.0.3 (discard): a connection error.
    let unreachable = fetch_with_credentials(&fetcher, "http://127.0.0.3:9/customers")
        .await
        .unwrap_err();
    assert_eq!(unreachable.kind(), "network");

    let key = secrecy::SecretString::from(API_KEY);
    let headers = crate::fake_crm::credential_headers();
    let request = FetchRequest {
        url: "https://crm.example/customers",
        link_type: CrmLinkType::Api,
        api_key: Some(&key),
        headers: &headers,
    };
    let request_debug = format!("{request:?}");
    assert!(!request_debug.contains(API_KEY), "{request_debug}");

    for err in [unauthorized, unreachable] {
        for text in [err.to_string(), format!("{err:?}")] {
            for secret in [API_KEY, "internal-key-123"] {
                assert!(!text.contains(secret), "{text}");
            }
        }
    }
}

#[tokio::test]
async fn invalid_json_with_a_json_content_type_names_line_and_column() {
    let crm = FakeCrm::start(Router::new().route(
        "/customers",
        get(|| async {
            (
                [(CONTENT_TYPE, "application/json")],
                "{\"customers\": [\n  {\"id\": 1,}\n]}",
            )
        }),
    ))
    .await;

    let err = fetch_api(test_settings(), &crm.url("/customers"))
        .await
        .unwrap_err();

    let FetchError::InvalidJson { line, column, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!((*line, *column), (2, 12));
    assert_eq!(err.kind(), "invalid_json");
    assert!(
        err.to_string().starts_with("the CRM sent invalid JSON: "),
        "{err}"
    );
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_whether_declared_or_streamed() {
    let big = "x".repeat(4096);
    let declared = big.clone();
    let crm = FakeCrm::start(
        Router::new()
            .route("/declared", get(move || async move { declared }))
            .route(
                "/streamed",
                get(|| async {
                    // No Content-Length: chunked, so only counting while reading can stop it.
                    let chunks = (0..64).map(|_| Ok::<_, std::io::Error>(vec![b'y'; 1024]));
                    HttpBody::from_stream(futures::stream::iter(chunks))
                }),
            ),
    )
    .await;
    let settings = FetchSettings {
        max_body_bytes: 1000,
        ..test_settings()
    };

    for path in ["/declared", "/streamed"] {
        let err = fetch_api(settings.clone(), &crm.url(path))
            .await
            .unwrap_err();
        assert_eq!(err, FetchError::TooLarge { limit: 1000 }, "{path}");
        assert_eq!(err.kind(), "too_large");
    }
    let roomy = FetchSettings {
        max_body_bytes: big.len() as u64,
        ..test_settings()
    };
    assert_eq!(
        fetch_api(roomy, &crm.url("/declared")).await.unwrap().body,
        Body::Text(big)
    );
}

#[tokio::test]
async fn the_size_limit_counts_all_pages_together() {
    let crm = FakeCrm::start(Router::new().route(
        "/records",
        get(|axum::extract::RawQuery(query): axum::extract::RawQuery| async move {
            let page: u32 = query.and_then(|q| q.strip_prefix("page=")?.parse().ok()).unwrap_or(1);
            axum::Json(json!({"next": format!("/records?page={}", page + 1), "data": ["z".repeat(300)]}))
        }),
    ))
    .await;
    // Each page is about 340 bytes: two fit in 1000, three do not.
    let settings = FetchSettings {
        max_body_bytes: 1000,
        max_pages: 10,
        ..test_settings()
    };

    let err = fetch_api(settings, &crm.url("/records")).await.unwrap_err();

    assert_eq!(err, FetchError::TooLarge { limit: 1000 });
    assert_eq!(crm.requests().len(), 3);
}

#[tokio::test]
async fn a_crm_slower_than_the_timeout_fails_with_timeout() {
    let crm = FakeCrm::start(Router::new().route(
        "/slow",
        get(|| async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            "too late"
        }),
    ))
    .await;
    let settings = FetchSettings {
        timeout_secs: 1,
        ..test_settings()
    };

    let err = fetch_api(settings, &crm.url("/slow")).await.unwrap_err();

    assert_eq!(err, FetchError::Timeout { secs: 1 });
    assert_eq!(err.to_string(), "the CRM did not answer within 1 s");
}

/// A CRM that answers 429 with the given `Retry-After` to the first `limited` requests.
async fn rate_limited_crm(limited: u32, retry_after: &'static str) -> FakeCrm {
    let calls = Arc::new(AtomicU32::new(0));
    FakeCrm::start(Router::new().route(
        "/customers",
        get(move || {
            let call = calls.fetch_add(1, Ordering::SeqCst);
            async move {
                if call < limited {
                    (
                        StatusCode::TOO_MANY_REQUESTS,
                        [(RETRY_AFTER, retry_after)],
                        "slow down",
                    )
                        .into_response()
                } else {
                    axum::Json(json!({"customers": [{"id": "cust-123"}]})).into_response()
                }
            }
        }),
    ))
    .await
}

use axum::response::IntoResponse;

#[tokio::test]
async fn a_429_is_retried_after_the_wait_the_crm_asks_for() {
    let crm = rate_limited_crm(1, "1").await;

    let fetched = fetch_api(test_settings(), &crm.url("/customers"))
        .await
        .unwrap();

    assert_eq!(
        fetched.body,
        Body::Json(json!({"customers": [{"id": "cust-123"}]}))
    );
    let requests = crm.requests();
    assert_eq!(requests.len(), 2);
    // The base backoff is 1 ms, so a gap of a second can only come from Retry-After.
    assert!(requests[1].at - requests[0].at >= Duration::from_secs(1));
}

#[tokio::test]
async fn retry_after_as_an_http_date_in_the_past_retries_at_once() {
    let crm = rate_limited_crm(2, "Wed, 21 Oct 2015 07:28:00 GMT").await;

    let fetched = fetch_api(test_settings(), &crm.url("/customers"))
        .await
        .unwrap();

    assert_eq!(fetched.pages, 1);
    assert_eq!(crm.requests().len(), 3);
}

#[tokio::test]
async fn a_crm_that_keeps_answering_429_fails_after_max_retries() {
    let crm = rate_limited_crm(u32::MAX, "0").await;
    let settings = FetchSettings {
        max_retries: 2,
        ..test_settings()
    };

    let err = fetch_api(settings, &crm.url("/customers"))
        .await
        .unwrap_err();

    assert_eq!(
        err,
        FetchError::RateLimited {
            retries: 2,
            refused_wait_secs: None
        }
    );
    assert_eq!(err.status_code(), Some(429));
    assert_eq!(crm.requests().len(), 3);
}

#[tokio::test]
async fn a_retry_after_longer_than_allowed_is_not_waited_for() {
    let crm = rate_limited_crm(u32::MAX, "3600").await;

    let err = fetch_api(test_settings(), &crm.url("/customers"))
        .await
        .unwrap_err();

    assert_eq!(err.kind(), "rate_limited");
    assert_eq!(
        err.to_string(),
        "the CRM answered 429 Too Many Requests and asked to wait 3600 s, longer than CRM_MIND_CRM_MAX_RETRY_AFTER_SECS allows; the next run tries again"
    );
    assert_eq!(crm.requests().len(), 1);
}

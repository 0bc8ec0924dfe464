//! The outbound guard: https only, no private addresses after DNS, checked on every redirect,
//! and credentials only for the link's own origin.

use crate::fake_crm::{FakeCrm, fetch_api, fetch_with_credentials, test_settings};
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::IntoResponse;
use axum::routing::get;
use crm_mind::crm::{Body, CrmFetcher, FetchSettings, OutboundPolicy};
use crm_mind::domain::CrmLinkType;
use ipnet::IpNet;
use serde_json::json;

fn data_route() -> Router {
    Router::new().route(
        "/data",
        get(|| async { axum::Json(json!({"customers": [{"id": 7}]})) }),
    )
}

fn redirect_to(target: String) -> Router {
    Router::new().route(
        "/start",
        get(move || async move { (StatusCode::FOUND, [(LOCATION, target)]).into_response() }),
    )
}

/// Production settings: no private networks, so https only and no loopback.
fn strict_settings() -> FetchSettings {
    FetchSettings {
        allow_private_networks: false,
        ..test_settings()
    }
}

fn block(nets: &[&str]) -> Vec<(IpNet, &'static str)> {
    nets.iter()
        .map(|net| (net.parse().unwrap(), "a blocked"))
        .collect()
}

#[tokio::test]
async fn plain_http_is_refused_unless_private_networks_are_allowed() {
    let crm = FakeCrm::start(data_route()).await;

    let err = fetch_api(strict_settings(), &crm.url("/data"))
        .await
        .unwrap_err();

    assert_eq!(err.kind(), "refused");
    assert_eq!(
        err.to_string(),
        "refused: https is required (set CRM_MIND_CRM_ALLOW_PRIVATE_NETWORKS=true for development)"
    );
    assert!(crm.requests().is_empty());
    assert!(fetch_api(test_settings(), &crm.url("/data")).await.is_ok());
}

#[tokio::test]
async fn loopback_is_refused_by_literal_address_and_after_dns() {
    let crm = FakeCrm::start(data_route()).await;

    let literal = fetch_api(
        strict_settings(),
        &format!("https://127.0.0.1:{}/data", crm.port),
    )
    .await
    .unwrap_err();
    let by_name = fetch_api(
        strict_settings(),
        &format!("https://localhost:{}/data", crm.port),
    )
    .await
    .unwrap_err();

    assert_eq!(
        literal.to_string(),
        "refused: 127.0.0.1 is a loopback address"
    );
    // localhost may resolve to ::1 or 127.0.0.1 first; both are loopback.
    let message = by_name.to_string();
    assert!(
        message.starts_with("refused: localhost resolves to "),
        "{message}"
    );
    assert!(message.ends_with(", a loopback address"), "{message}");
    assert!(crm.requests().is_empty());
}

#[tokio::test]
async fn check_url_gives_the_static_reason_before_any_request() {
    let fetcher = CrmFetcher::new(strict_settings()).unwrap();

    let refusal = |url: &str, link_type| {
        fetcher
            .check_url(url, link_type)
            .err()
            .map(|e| e.to_string())
    };

    assert_eq!(
        refusal("https://api.crm.com/v1/customers", CrmLinkType::Api),
        None
    );
    assert_eq!(
        refusal(
            "https://169.254.169.254/latest/meta-data/",
            CrmLinkType::Api
        )
        .as_deref(),
        Some("refused: 169.254.169.254 is a cloud metadata address")
    );
    assert_eq!(
        refusal("http://api.crm.com/v1/customers", CrmLinkType::File).as_deref(),
        Some(
            "refused: https is required (set CRM_MIND_CRM_ALLOW_PRIVATE_NETWORKS=true for development)"
        )
    );
    assert_eq!(
        refusal("file:///srv/crm/x.json", CrmLinkType::Api).as_deref(),
        Some("refused: file:// URLs need a link of type \"file\"")
    );
    // Nothing is fetched for these types, so nothing to refuse.
    assert_eq!(refusal("http://10.0.0.5/hook", CrmLinkType::Webhook), None);
}

#[tokio::test]
async fn a_redirect_to_a_blocked_address_is_refused() {
    let blocked = FakeCrm::start_on("127.0.0.2", data_route()).await;
    let entry = FakeCrm::start(redirect_to(blocked.url("/data"))).await;
    let policy = OutboundPolicy::custom(false, block(&["127.0.0.2/32"]));
    let fetcher = CrmFetcher::with_policy(test_settings(), policy).unwrap();

    let err = fetch_with_credentials(&fetcher, &entry.url("/start"))
        .await
        .unwrap_err();

    assert_eq!(err.to_string(), "refused: 127.0.0.2 is a blocked address");
    assert_eq!(entry.requests().len(), 1);
    assert!(blocked.requests().is_empty());
}

#[tokio::test]
async fn a_redirect_to_a_name_that_resolves_to_a_blocked_address_is_refused() {
    // The entry on 127.0.0.2 is allowed; localhost (127.0.0.1 and ::1) is not.
    let blocked = FakeCrm::start(data_route()).await;
    let entry = FakeCrm::start_on(
        "127.0.0.2",
        redirect_to(format!("http://localhost:{}/data", blocked.port)),
    )
    .await;
    let policy = OutboundPolicy::custom(false, block(&["127.0.0.1/32", "::1/128"]));
    let fetcher = CrmFetcher::with_policy(test_settings(), policy).unwrap();

    let err = fetch_with_credentials(&fetcher, &entry.url("/start"))
        .await
        .unwrap_err();

    assert!(
        err.to_string()
            .starts_with("refused: localhost resolves to "),
        "{err}"
    );
    assert!(blocked.requests().is_empty());
}

/// `/hop/n` redirects to `/hop/n-1`; `/hop/0` answers with data.
async fn redirect_chain() -> FakeCrm {
    FakeCrm::start(Router::new().route(
        "/hop/{n}",
        get(|Path(n): Path<u32>| async move {
            if n == 0 {
                axum::Json(json!({"arrived": true})).into_response()
            } else {
                (
                    StatusCode::TEMPORARY_REDIRECT,
                    [(LOCATION, format!("/hop/{}", n - 1))],
                )
                    .into_response()
            }
        }),
    ))
    .await
}

#[tokio::test]
async fn five_redirects_are_followed_and_a_sixth_is_refused() {
    let crm = redirect_chain().await;

    let five = fetch_api(test_settings(), &crm.url("/hop/5"))
        .await
        .unwrap();
    let six = fetch_api(test_settings(), &crm.url("/hop/6"))
        .await
        .unwrap_err();

    assert_eq!(five.body, Body::Json(json!({"arrived": true})));
    assert_eq!(
        six.to_string(),
        "refused: the CRM redirected more than 5 times"
    );
    assert_eq!(crm.requests().len(), 6 + 6);
}

#[tokio::test]
async fn credentials_go_only_to_the_links_own_origin() {
    let elsewhere = FakeCrm::start_on("127.0.0.2", data_route()).await;
    let entry = FakeCrm::start(redirect_to(elsewhere.url("/data"))).await;
    let fetcher = CrmFetcher::new(test_settings()).unwrap();

    let fetched = fetch_with_credentials(&fetcher, &entry.url("/start"))
        .await
        .unwrap();

    assert_eq!(fetched.body, Body::Json(json!({"customers": [{"id": 7}]})));
    let at_entry = &entry.requests()[0];
    assert!(at_entry.header("authorization").is_some());
    let at_elsewhere = &elsewhere.requests()[0];
    assert_eq!(at_elsewhere.header("authorization"), None);
    assert_eq!(at_elsewhere.header("x-api-key"), None);
    assert_eq!(at_elsewhere.header("x-client-id"), None);
}

/// A first page whose body points the next page at `next`.
fn first_page_pointing_at(next: String) -> Router {
    Router::new().route(
        "/records",
        get(move || async move { axum::Json(json!({"next": next, "results": [{"id": 1}]})) }),
    )
}

#[tokio::test]
async fn a_next_page_on_a_blocked_address_is_refused() {
    let blocked = FakeCrm::start_on("127.0.0.2", data_route()).await;
    let entry = FakeCrm::start(first_page_pointing_at(blocked.url("/data"))).await;
    let policy = OutboundPolicy::custom(false, block(&["127.0.0.2/32"]));
    let fetcher = CrmFetcher::with_policy(test_settings(), policy).unwrap();

    let err = fetch_with_credentials(&fetcher, &entry.url("/records"))
        .await
        .unwrap_err();

    assert_eq!(err.to_string(), "refused: 127.0.0.2 is a blocked address");
    assert!(blocked.requests().is_empty());
}

#[tokio::test]
async fn a_next_page_on_another_origin_gets_no_credentials() {
    let elsewhere = FakeCrm::start_on(
        "127.0.0.2",
        Router::new().route(
            "/records",
            get(|| async { axum::Json(json!({"results": [{"id": 2}]})) }),
        ),
    )
    .await;
    let entry = FakeCrm::start(first_page_pointing_at(elsewhere.url("/records"))).await;
    let fetcher = CrmFetcher::new(test_settings()).unwrap();

    let fetched = fetch_with_credentials(&fetcher, &entry.url("/records"))
        .await
        .unwrap();

    assert_eq!(
        fetched.body,
        Body::Json(json!({"results": [{"id": 1}, {"id": 2}]}))
    );
    assert!(entry.requests()[0].header("x-api-key").is_some());
    let at_elsewhere = &elsewhere.requests()[0];
    assert_eq!(at_elsewhere.header("authorization"), None);
    assert_eq!(at_elsewhere.header("x-api-key"), None);
}

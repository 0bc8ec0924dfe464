//! Pagination as real CRMs do it, and pages merged into one document.

use crate::fake_crm::{API_KEY, FakeCrm, fetch_api, fetch_with_credentials, test_settings};
use axum::Router;
use axum::extract::Query;
use axum::http::HeaderMap;
use axum::routing::get;
use crm_mind::crm::{Body, CrmFetcher, FetchSettings};
use serde::Deserialize;
use serde_json::{Value, json};

const RECORDS: [&str; 5] = [
    "Ana Novak",
    "Bor Kranjc",
    "Cene Zupan",
    "Dora Horvat",
    "Eva Kos",
];
const PER_PAGE: usize = 2;

fn records_of(page: usize) -> Vec<Value> {
    RECORDS
        .iter()
        .enumerate()
        .skip((page - 1) * PER_PAGE)
        .take(PER_PAGE)
        .map(|(i, name)| json!({"id": i + 1, "name": name}))
        .collect()
}

fn all_records() -> Vec<Value> {
    (1..=3).flat_map(records_of).collect()
}

fn last_page() -> usize {
    RECORDS.len().div_ceil(PER_PAGE)
}

#[derive(Deserialize)]
struct PageQuery {
    page: Option<usize>,
    page_info: Option<String>,
}

/// The server's own absolute URL for a page, as real CRMs write next links.
fn absolute(headers: &HeaderMap, path_and_query: &str) -> String {
    let host = headers["host"].to_str().unwrap();
    format!("http://{host}{path_and_query}")
}

#[tokio::test]
async fn shopify_link_headers_are_followed_with_credentials_on_every_page() {
    // https://shopify.dev/docs/api/usage/pagination-rest: cursor in page_info, rel="previous"
    // and rel="next" in one Link header.
    const PATH: &str = "/admin/api/2024-01/customers.json";
    let handler = |Query(q): Query<PageQuery>, headers: HeaderMap| async move {
        let page: usize = q
            .page_info
            .as_deref()
            .map_or(1, |p| p[1..].parse().unwrap());
        let link_to = |n: usize, rel: &str| {
            format!(
                "<{}>; rel=\"{rel}\"",
                absolute(&headers, &format!("{PATH}?limit=2&page_info=p{n}"))
            )
        };
        let mut links = Vec::new();
        if page > 1 {
            links.push(link_to(page - 1, "previous"));
        }
        if page < last_page() {
            links.push(link_to(page + 1, "next"));
        }
        (
            [("link", links.join(", "))],
            axum::Json(json!({"customers": records_of(page)})),
        )
    };
    let crm = FakeCrm::start(Router::new().route(PATH, get(handler))).await;
    let fetcher = CrmFetcher::new(test_settings()).unwrap();

    let fetched = fetch_with_credentials(&fetcher, &crm.url(&format!("{PATH}?limit=2")))
        .await
        .unwrap();

    assert_eq!(
        fetched.body,
        Body::Json(json!({"customers": all_records()}))
    );
    assert_eq!((fetched.pages, fetched.complete), (3, true));
    let requests = crm.requests();
    assert_eq!(requests.len(), 3);
    for seen in &requests {
        assert_eq!(
            seen.header("authorization"),
            Some(format!("Bearer {API_KEY}").as_str())
        );
        assert_eq!(seen.header("x-api-key"), Some("internal-key-123"));
    }
    assert!(requests[2].path_and_query.ends_with("page_info=p3"));
}

#[tokio::test]
async fn relative_link_headers_resolve_against_the_page() {
    let handler = |Query(q): Query<PageQuery>| async move {
        let page = q.page.unwrap_or(1);
        let link = if page < last_page() {
            format!("<?page={}>; rel=next", page + 1)
        } else {
            String::new()
        };
        ([("link", link)], axum::Json(Value::Array(records_of(page))))
    };
    let crm = FakeCrm::start(Router::new().route("/api/contacts", get(handler))).await;

    let fetched = fetch_api(test_settings(), &crm.url("/api/contacts"))
        .await
        .unwrap();

    assert_eq!(fetched.body, Body::Json(Value::Array(all_records())));
    assert_eq!(fetched.pages, 3);
}

/// A body-field pagination style: the page body given its number and the next page's URL,
/// and the merged document the rest of the pipeline should see.
struct Style {
    name: &'static str,
    page: fn(usize, Option<String>) -> Value,
    merged: fn(Vec<Value>) -> Value,
}

fn styles() -> Vec<Style> {
    vec![
        Style {
            // https://www.django-rest-framework.org/api-guide/pagination/#pagenumberpagination
            name: "Django REST framework next",
            page: |page, next| json!({"count": RECORDS.len(), "next": next, "previous": null, "results": records_of(page)}),
            merged: |all| json!({"count": RECORDS.len(), "results": all}),
        },
        Style {
            // Laravel's LengthAwarePaginator::toArray()
            name: "Laravel next_page_url",
            page: |page, next| {
                json!({
                    "current_page": page, "data": records_of(page), "first_page_url": "/records?page=1",
                    "from": (page - 1) * PER_PAGE + 1, "last_page": last_page(),
                    "links": [
                        {"url": null, "label": "&laquo; Previous", "active": false},
                        {"url": next, "label": "Next &raquo;", "active": false},
                    ],
                    "next_page_url": next, "path": "/records", "per_page": PER_PAGE, "prev_page_url": null,
                    "to": page * PER_PAGE, "total": RECORDS.len(),
                })
            },
            merged: |all| json!({"data": all, "total": RECORDS.len()}),
        },
        Style {
            // https://developers.hubspot.com/docs/api/crm/contacts: paging only while more remain
            name: "HubSpot paging.next.link",
            page: |page, next| match next {
                Some(link) => {
                    json!({"results": records_of(page), "paging": {"next": {"after": page.to_string(), "link": link}}})
                }
                None => json!({"results": records_of(page)}),
            },
            merged: |all| json!({"results": all}),
        },
        Style {
            // https://developers.facebook.com/docs/graph-api/results: cursors plus a next URL
            name: "Graph API paging.next",
            page: |page, next| {
                let mut paging = json!({"cursors": {"before": "QVFIUm", "after": "QVFIUn"}});
                if let Some(next) = next {
                    paging["next"] = json!(next);
                }
                json!({"data": records_of(page), "paging": paging})
            },
            merged: |all| json!({"data": all}),
        },
        Style {
            // https://jsonapi.org/format/#fetching-pagination
            name: "JSON:API links.next",
            page: |page, next| {
                json!({
                    "data": records_of(page),
                    "links": {"self": format!("/records?page={page}"), "next": next},
                    "meta": {"page": page},
                })
            },
            merged: |all| json!({"data": all}),
        },
    ]
}

#[tokio::test]
async fn each_body_field_style_is_followed_and_its_fields_dropped() {
    for style in styles() {
        let page_body = style.page;
        let handler = move |Query(q): Query<PageQuery>, headers: HeaderMap| async move {
            let page = q.page.unwrap_or(1);
            let next = (page < last_page())
                .then(|| absolute(&headers, &format!("/records?page={}", page + 1)));
            axum::Json(page_body(page, next))
        };
        let crm = FakeCrm::start(Router::new().route("/records", get(handler))).await;

        let fetched = fetch_api(test_settings(), &crm.url("/records"))
            .await
            .unwrap();

        assert_eq!(
            fetched.body,
            Body::Json((style.merged)(all_records())),
            "{}",
            style.name
        );
        assert_eq!(
            (fetched.pages, fetched.complete),
            (3, true),
            "{}",
            style.name
        );
    }
}

/// A CRM whose pages never end: page n always points at page n + 1.
async fn endless_crm() -> FakeCrm {
    let handler = |Query(q): Query<PageQuery>| async move {
        let page = q.page.unwrap_or(1);
        axum::Json(
            json!({"next": format!("/records?page={}", page + 1), "results": [{"id": page}]}),
        )
    };
    FakeCrm::start(Router::new().route("/records", get(handler))).await
}

#[tokio::test]
async fn max_pages_cuts_pagination_short_and_says_so() {
    let crm = endless_crm().await;
    let settings = FetchSettings {
        max_pages: 3,
        ..test_settings()
    };

    let fetched = fetch_api(settings, &crm.url("/records")).await.unwrap();

    assert_eq!((fetched.pages, fetched.complete), (3, false));
    assert_eq!(
        fetched.body,
        Body::Json(json!({"results": [{"id": 1}, {"id": 2}, {"id": 3}]}))
    );
    assert_eq!(crm.requests().len(), 3);
}

#[tokio::test]
async fn a_next_link_back_to_a_fetched_page_stops_as_a_loop() {
    let handler = |Query(q): Query<PageQuery>| async move {
        let page = q.page.unwrap_or(1);
        // Page 2 points back at page 1, by the URL the fetch started from.
        let next = if page == 1 {
            "/records?page=2"
        } else {
            "/records?page=1"
        };
        axum::Json(json!({"next": next, "results": [{"id": page}]}))
    };
    let crm = FakeCrm::start(Router::new().route("/records", get(handler))).await;

    let fetched = fetch_api(test_settings(), &crm.url("/records?page=1"))
        .await
        .unwrap();

    assert_eq!((fetched.pages, fetched.complete), (2, false));
    assert_eq!(
        fetched.body,
        Body::Json(json!({"results": [{"id": 1}, {"id": 2}]}))
    );
    assert_eq!(crm.requests().len(), 2);
}

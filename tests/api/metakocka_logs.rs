//! `/api/integrations/metakocka/logs`: filters, paging, resolving one and many, and tenant
//! isolation; the seeding the other `metakocka_log_*` files share.

use crate::helpers::{TestApp, engines, error_of, spawn_app};
use chrono::{DateTime, Duration, Utc};
use crm_mind::domain::{CompanyId, Role, UserId};
use crm_mind::metakocka::error_log::{EntityType, ErrorCategory, ErrorLogEntry, NewError};
use reqwest::Method;
use serde_json::{Value, json};

pub(crate) const LOGS: &str = "/api/integrations/metakocka/logs";

pub(crate) fn new_error(
    company: &CompanyId,
    category: ErrorCategory,
    entity: EntityType,
    id: &str,
    message: &str,
) -> NewError {
    NewError {
        company_id: company.clone(),
        user_id: Some(UserId::from("ana")),
        category,
        entity_type: entity,
        entity_id: Some(id.into()),
        operation: "product_add".into(),
        message: message.into(),
        details: json!({"opr_code": "1", "request": {"secret_key": "sk-live-123", "company_id": "4521"}}),
    }
}

/// Stores an entry created at `at` (the store keeps milliseconds).
pub(crate) async fn seed(app: &TestApp, error: NewError, at: DateTime<Utc>) -> ErrorLogEntry {
    let at = DateTime::from_timestamp_millis(at.timestamp_millis()).unwrap();
    let entry = error.into_entry(at);
    app.state.store.insert_error_log(&entry).await.unwrap();
    entry
}

/// Five entries of `company` over three days, oldest first.
pub(crate) async fn seed_five(app: &TestApp, company: &CompanyId) -> Vec<ErrorLogEntry> {
    let now = Utc::now();
    let day = Duration::days(1);
    vec![
        seed(
            app,
            new_error(
                company,
                ErrorCategory::Auth,
                EntityType::Credentials,
                "org",
                "Invalid secret key",
            ),
            now - day * 2,
        )
        .await,
        seed(
            app,
            new_error(
                company,
                ErrorCategory::Validation,
                EntityType::Product,
                "p-1",
                "Product code is missing",
            ),
            now - day,
        )
        .await,
        seed(
            app,
            new_error(
                company,
                ErrorCategory::Network,
                EntityType::Product,
                "p-2",
                "Metakocka timed out",
            ),
            now - day + Duration::minutes(1),
        )
        .await,
        seed(
            app,
            new_error(
                company,
                ErrorCategory::Validation,
                EntityType::Contact,
                "c-1",
                "Partner e-mail MISSING, \"quoted\"\nsecond line",
            ),
            now - Duration::minutes(2),
        )
        .await,
        seed(
            app,
            new_error(
                company,
                ErrorCategory::Api,
                EntityType::SalesDocument,
                "d-9",
                "Document type unknown",
            ),
            now - Duration::minutes(1),
        )
        .await,
    ]
}

pub(crate) async fn list(app: &TestApp, token: &str, query: &str) -> Value {
    let response = app.get(&format!("{LOGS}?{query}"), token).await;
    assert_eq!(response.status(), 200, "{query}");
    response.json().await.unwrap()
}

pub(crate) fn ids_of(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

pub(crate) fn ids(entries: &[&ErrorLogEntry]) -> Vec<String> {
    entries.iter().map(|e| e.id.clone()).collect()
}

#[tokio::test]
async fn each_filter_narrows_the_list_and_paging_walks_it_newest_first() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (company, admin) = app.company_with_admin("Shop").await;
        let agent = app
            .user_token(
                &company,
                &format!("ana-{}@example.com", uuid::Uuid::new_v4().simple()),
                Role::Agent,
            )
            .await;
        let e = seed_five(&app, &company).await;

        let all = list(&app, &agent, "").await;
        assert_eq!(
            (
                all["total"].as_u64(),
                all["limit"].as_u64(),
                all["offset"].as_u64()
            ),
            (Some(5), Some(50), Some(0)),
            "{engine:?}"
        );
        assert_eq!(
            ids_of(&all),
            ids(&[&e[4], &e[3], &e[2], &e[1], &e[0]]),
            "{engine:?}: newest first, agents may read"
        );
        assert_eq!(
            all["items"][4]["details"]["request"]["secret_key"], "***",
            "secret keys never stored"
        );
        assert_eq!(all["items"][4]["category"], "auth");
        assert_eq!(all["items"][4]["status"], "open");

        let day_before = (e[1].created_at - Duration::seconds(1)).to_rfc3339();
        let cases: Vec<(String, Vec<&ErrorLogEntry>)> = vec![
            ("category=validation".into(), vec![&e[3], &e[1]]),
            ("entity_type=product".into(), vec![&e[2], &e[1]]),
            ("entity_type=product&entity_id=p-2".into(), vec![&e[2]]),
            ("search=missing".into(), vec![&e[3], &e[1]]),
            ("status=open&category=api".into(), vec![&e[4]]),
            ("status=resolved".into(), vec![]),
            (
                format!(
                    "from={}&to={}",
                    urlencode(&day_before),
                    urlencode(&e[3].created_at.to_rfc3339())
                ),
                vec![&e[2], &e[1]],
            ),
            (
                format!("to={}", e[0].created_at.format("%Y-%m-%d")),
                vec![&e[0]],
            ),
        ];
        for (query, expected) in cases {
            let body = list(&app, &agent, &query).await;
            assert_eq!(ids_of(&body), ids(&expected), "{engine:?}: {query}");
            assert_eq!(
                body["total"].as_u64(),
                Some(expected.len() as u64),
                "{engine:?}: {query}"
            );
        }

        let page_two = list(&app, &admin, "limit=2&offset=2").await;
        assert_eq!(ids_of(&page_two), ids(&[&e[2], &e[1]]), "{engine:?}");
        assert_eq!(page_two["total"], 5);

        for bad in [
            "category=timeout",
            "status=closed",
            "from=yesterday",
            "limit=0",
            "limit=501",
            "offset=-1",
        ] {
            let (status, code, _) = error_of(app.get(&format!("{LOGS}?{bad}"), &agent).await).await;
            assert_eq!(status, 400, "{engine:?}: {bad} ({code})");
        }
    }
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn admins_resolve_one_entry_with_notes_and_not_twice() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (company, admin) = app.company_with_admin("Shop").await;
        let agent = app
            .user_token(
                &company,
                &format!("ana-{}@example.com", uuid::Uuid::new_v4().simple()),
                Role::Agent,
            )
            .await;
        let e = seed_five(&app, &company).await;
        let path = format!("{LOGS}/{}/resolve", e[0].id);
        let notes = json!({"notes": "Secret key re-entered"});

        let by_agent = app
            .request(Method::POST, &path, Some(&agent), Some(notes.clone()))
            .await;
        assert_eq!(error_of(by_agent).await.0, 403, "{engine:?}");
        let resolved = app
            .request(Method::POST, &path, Some(&admin), Some(notes.clone()))
            .await;
        assert_eq!(resolved.status(), 200, "{engine:?}");
        let resolved: Value = resolved.json().await.unwrap();
        let admin_id = app
            .state
            .accounts
            .authenticate(&admin)
            .await
            .unwrap()
            .user_id;
        assert_eq!(resolved["status"], "resolved");
        assert_eq!(resolved["resolution_notes"], "Secret key re-entered");
        assert_eq!(resolved["resolved_by"], admin_id.as_str());
        assert!(resolved["resolved_at"].is_string());

        let again = app
            .request(Method::POST, &path, Some(&admin), Some(notes.clone()))
            .await;
        assert_eq!(error_of(again).await.0, 409, "{engine:?}: already resolved");
        let unknown = app
            .request(
                Method::POST,
                &format!("{LOGS}/no-such-id/resolve"),
                Some(&admin),
                Some(notes),
            )
            .await;
        assert_eq!(error_of(unknown).await.0, 404, "{engine:?}");
        let open = list(&app, &agent, "status=open").await;
        assert_eq!(open["total"], 4, "{engine:?}");
    }
}

#[tokio::test]
async fn bulk_resolve_by_ids_or_by_filter_counts_what_it_resolved() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (company, admin) = app.company_with_admin("Shop").await;
        let e = seed_five(&app, &company).await;
        let bulk_path = format!("{LOGS}/bulk-resolve");
        let bulk = |body: Value| app.request(Method::POST, &bulk_path, Some(&admin), Some(body));

        let by_ids =
            bulk(json!({"ids": [e[0].id, e[4].id, "no-such-id"], "notes": "Handled"})).await;
        assert_eq!(by_ids.status(), 200, "{engine:?}");
        assert_eq!(by_ids.json::<Value>().await.unwrap()["resolved"], 2);
        let by_filter =
            bulk(json!({"filter": {"category": "validation"}, "notes": "Fixed the data"})).await;
        assert_eq!(
            by_filter.json::<Value>().await.unwrap()["resolved"],
            2,
            "{engine:?}"
        );
        let open = list(&app, &admin, "status=open").await;
        assert_eq!(
            ids_of(&open),
            ids(&[&e[2]]),
            "{engine:?}: only the network error is left"
        );
        let resolved = list(&app, &admin, "status=resolved&category=validation").await;
        assert!(
            resolved["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["resolution_notes"] == "Fixed the data")
        );

        for bad in [
            json!({}),
            json!({"ids": []}),
            json!({"ids": ["x"], "filter": {}}),
            json!({"filter": {"categry": "auth"}}),
            json!({"filter": {"category": "timeout"}}),
        ] {
            let (status, _, _) = error_of(bulk(bad.clone()).await).await;
            assert_eq!(status, 400, "{engine:?}: {bad}");
        }
        assert_eq!(
            list(&app, &admin, "status=open").await["total"],
            1,
            "the refused requests resolved nothing"
        );
    }
}

#[tokio::test]
async fn another_company_can_neither_see_nor_resolve_the_entries() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (company, _) = app.company_with_admin("Shop").await;
        let (_, intruder) = app.company_with_admin("Other shop").await;
        let e = seed_five(&app, &company).await;

        assert_eq!(list(&app, &intruder, "").await["total"], 0, "{engine:?}");
        let resolve = app
            .request(
                Method::POST,
                &format!("{LOGS}/{}/resolve", e[0].id),
                Some(&intruder),
                Some(json!({"notes": "mine now"})),
            )
            .await;
        assert_eq!(
            error_of(resolve).await.0,
            404,
            "{engine:?}: like an id that does not exist"
        );
        let bulk = app
            .request(
                Method::POST,
                &format!("{LOGS}/bulk-resolve"),
                Some(&intruder),
                Some(json!({"ids": [e[1].id]})),
            )
            .await;
        assert_eq!(
            bulk.json::<Value>().await.unwrap()["resolved"],
            0,
            "{engine:?}"
        );
        let everything = app
            .request(
                Method::POST,
                &format!("{LOGS}/bulk-resolve"),
                Some(&intruder),
                Some(json!({"filter": {}})),
            )
            .await;
        assert_eq!(
            everything.json::<Value>().await.unwrap()["resolved"],
            0,
            "{engine:?}"
        );
        let stats: Value = app
            .get(&format!("{LOGS}/stats"), &intruder)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(stats["total"], 0);
        let csv = app
            .get(&format!("{LOGS}/export"), &intruder)
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(csv.lines().count(), 1, "{engine:?}: the header row only");

        let owner_view = app
            .state
            .metakocka_errors
            .list(
                &company,
                &Default::default(),
                crm_mind::metakocka::error_log::Paging {
                    limit: 10,
                    offset: 0,
                },
            )
            .await
            .unwrap();
        assert!(
            owner_view
                .items
                .iter()
                .all(|i| i.resolution_notes.is_none()),
            "{engine:?}: untouched"
        );
    }
}

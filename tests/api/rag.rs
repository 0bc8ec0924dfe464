//! Retrieval through the API: links are fetched when added, searchable by page and channel,
//! kept incrementally, and a failing source never wipes what was indexed.

use crate::fake_crm::FakeCrm;
use crate::helpers::{TestApp, engines, error_of, spawn_app};
use crm_mind::facebook::signature::sign;
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

const PAGE: &str = "555000111";

fn customers(extra: &[(&str, &str, &str)]) -> Value {
    let mut list = vec![
        json!({"id": "cust-1", "name": "Ana Novak", "email": "ana.novak@example.si", "note": "Kupila pohodne čevlje SKU-12-B"}),
        json!({"id": "cust-2", "name": "John Smith", "email": "john@example.com", "note": "Ordered a winter jacket, order 2024-00123"}),
        json!({"id": "cust-3", "name": "Maja Kranjc", "email": "maja@example.si", "note": "Prefers delivery to Maribor"}),
    ];
    for (id, name, note) in extra {
        list.push(json!({"id": id, "name": name, "note": note}));
    }
    json!({ "customers": list })
}

async fn json_of(response: reqwest::Response) -> Value {
    let status = response.status();
    let body: Value = response.json().await.expect("a JSON body");
    assert!(status.is_success(), "{status}: {body}");
    body
}

struct Setup {
    app: TestApp,
    token: String,
    crm: FakeCrm,
}

async fn setup(engine: crate::helpers::Engine, channels: &[&str]) -> Setup {
    let app = spawn_app(engine).await;
    assert!(
        app.state.retrieval.is_some(),
        "retrieval runs (models present)"
    );
    let (_, token) = app.company_with_admin("Shop").await;
    assert_eq!(app.register_page(&token, PAGE).await.status(), 201);
    let crm = FakeCrm::start(customers(&[])).await;
    let added = app
        .add_link(
            &token,
            json!({"page_id": PAGE, "channels": channels, "name": "Customers", "url": crm.url,
                   "type": "api", "api_key": "crm-key-123", "headers": {"X-Tenant": "shop"},
                   "is_active": true}),
        )
        .await;
    assert_eq!(added.status(), 201);
    let setup = Setup { app, token, crm };
    setup.wait_for_runs(1).await;
    setup
}

impl Setup {
    async fn runs(&self) -> Vec<Value> {
        let body = json_of(
            self.app
                .get(
                    &format!("/api/dashboard/crm-links/runs?page_id={PAGE}"),
                    &self.token,
                )
                .await,
        )
        .await;
        body["runs"].as_array().unwrap().clone()
    }

    /// Waits for the sync that adding or activating a link starts in the background.
    async fn wait_for_runs(&self, n: usize) -> Vec<Value> {
        for _ in 0..400 {
            let runs = self.runs().await;
            if runs.len() >= n {
                return runs;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("no sync run {n} within 10 s");
    }

    async fn sync(&self) -> Value {
        let body = json_of(
            self.app
                .request(
                    Method::POST,
                    "/api/dashboard/crm-links/sync",
                    Some(&self.token),
                    Some(json!({"page_id": PAGE, "url": self.crm.url})),
                )
                .await,
        )
        .await;
        body["runs"][0].clone()
    }

    async fn search(&self, channel: &str, q: &str) -> Vec<Value> {
        let path = format!(
            "/api/dashboard/rag/search?page_id={PAGE}&channel={channel}&k=3&q={}",
            urlencode(q)
        );
        let body = json_of(self.app.get(&path, &self.token).await).await;
        body["hits"].as_array().unwrap().clone()
    }

    async fn found(&self, channel: &str, q: &str, needle: &str) -> bool {
        self.search(channel, q)
            .await
            .iter()
            .any(|hit| hit["text"].as_str().unwrap().contains(needle))
    }

    async fn set_active(&self, active: bool) {
        json_of(
            self.app
                .request(
                    Method::PUT,
                    "/api/dashboard/crm-links/status",
                    Some(&self.token),
                    Some(json!({"page_id": PAGE, "url": self.crm.url,
                                "channels": ["facebook", "messenger"], "is_active": active})),
                )
                .await,
        )
        .await;
    }
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_added_link_is_fetched_at_once_and_found_by_words_codes_and_meaning() {
    for engine in engines() {
        let s = setup(engine, &["facebook", "messenger"]).await;
        let run = &s.runs().await[0];
        assert_eq!(run["outcome"], "succeeded", "{run}");
        assert_eq!(run["trigger"], "link_activated");
        assert_eq!(run["chunks"]["new"], run["chunks"]["total"]);
        let request = &s.crm.requests()[0];
        assert_eq!(request["authorization"], "Bearer crm-key-123");
        assert_eq!(request["x-tenant"], "shop");

        assert!(
            s.found("messenger", "SKU-12-B", "cust-1").await,
            "a product code"
        );
        assert!(
            s.found("messenger", "2024-00123", "cust-2").await,
            "an order number"
        );
        assert!(
            s.found("facebook", "ana.novak@example.si", "cust-1").await,
            "an email"
        );
        assert!(
            s.found("messenger", "pohodne cevlje", "cust-1").await,
            "without diacritics"
        );
        let hit = &s.search("messenger", "john@example.com").await[0];
        assert_eq!(hit["link_name"], "Customers");
        assert_eq!(hit["source"], "crm");
        assert_eq!(hit["source_url"], s.crm.url.as_str());
        assert!(hit["score"].as_f64().unwrap() > 0.0);
        assert!(
            hit["path"].as_str().unwrap().starts_with("customers["),
            "{hit}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_resync_embeds_only_what_changed_and_removes_what_vanished() {
    for engine in engines() {
        let s = setup(engine, &["messenger"]).await;
        let unchanged = s.sync().await;
        assert_eq!(unchanged["outcome"], "succeeded");
        assert_eq!(
            unchanged["chunks"]["embedded"], 0,
            "unchanged data: {unchanged}"
        );
        assert_eq!(
            unchanged["chunks"]["unchanged"],
            unchanged["chunks"]["total"]
        );

        // Many records so that they fill several chunks; then one changes, one is added,
        // and the last one vanishes.
        let many: Vec<(String, String, String)> = (10..70)
            .map(|i| {
                (
                    format!("cust-{i}"),
                    format!("Customer number {i}"),
                    format!("Loyal customer since 20{i:02}, prefers parcel lockers"),
                )
            })
            .collect();
        let refs: Vec<(&str, &str, &str)> = many
            .iter()
            .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
            .collect();
        s.crm.serve_json(customers(&refs));
        let grown = s.sync().await;
        assert!(grown["chunks"]["total"].as_u64().unwrap() >= 3, "{grown}");
        let mut changed = refs.clone();
        changed[0].2 = "Moved to Koper, new address Ulica 5";
        changed.pop();
        s.crm.serve_json(customers(&changed));
        let after = s.sync().await;
        let chunks = &after["chunks"];
        assert!(chunks["embedded"].as_u64().unwrap() >= 1, "{after}");
        assert!(
            chunks["unchanged"].as_u64().unwrap() >= 1,
            "chunks before the change are left alone: {after}"
        );
        assert_eq!(
            chunks["embedded"],
            chunks["new"].as_u64().unwrap() + chunks["changed"].as_u64().unwrap()
        );
        assert!(s.found("messenger", "Koper Ulica 5", "Koper").await);
        assert!(
            !s.found("messenger", "Customer number 69", "cust-69").await,
            "a vanished record is gone"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_source_keeps_what_was_indexed_and_records_why() {
    for engine in engines() {
        let s = setup(engine, &["messenger"]).await;
        let cases: [(u16, &str, &str, &str); 5] = [
            (401, "{}", "application/json", "unauthorized"),
            (404, "{}", "application/json", "not_found"),
            (503, "down", "text/plain", "server_error"),
            (200, "{\"customers\": [", "application/json", "invalid_json"),
            (403, "{}", "application/json", "unauthorized"),
        ];
        for (status, body, content_type, kind) in cases {
            s.crm.fail_with(status, body, content_type);
            let run = s.sync().await;
            assert_eq!(run["outcome"], "failed", "{status}: {run}");
            assert_eq!(run["error_kind"], kind, "{run}");
            if status != 200 {
                assert_eq!(run["status_code"], status);
            }
            assert!(
                !run["error"].as_str().unwrap().contains("crm-key-123"),
                "no secret in {run}"
            );
            assert!(
                s.found("messenger", "SKU-12-B", "cust-1").await,
                "old chunks stay after {status}"
            );
        }
        let runs = s.runs().await;
        assert_eq!(runs.len(), 6, "every attempt has its record");
        let details = json_of(
            s.app
                .get(
                    &format!("/api/dashboard/rag/documents/details?page_id={PAGE}&source=crm"),
                    &s.token,
                )
                .await,
        )
        .await;
        let link = &details["links"][0];
        assert_eq!(link["status"], "failing", "{details}");
        assert_eq!(link["last_run"]["status_code"], 403);
        assert!(link["chunk_count"].as_u64().unwrap() >= 1);
        assert!(!link["samples"].as_array().unwrap().is_empty());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_messenger_only_link_never_reaches_comment_answers() {
    for engine in engines() {
        let s = setup(engine, &["messenger"]).await;
        assert!(s.found("messenger", "SKU-12-B", "cust-1").await);
        assert!(
            s.search("facebook", "SKU-12-B").await.is_empty(),
            "facebook sees nothing"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn deactivating_removes_from_retrieval_at_once_and_reactivating_fetches_again() {
    for engine in engines() {
        let s = setup(engine, &["facebook", "messenger"]).await;
        s.set_active(false).await;
        assert!(s.search("messenger", "SKU-12-B").await.is_empty());
        s.set_active(true).await;
        let runs = s.wait_for_runs(2).await;
        assert_eq!(runs[0]["trigger"], "link_activated");
        assert!(s.found("messenger", "SKU-12-B", "cust-1").await);
        // Deleting the link deletes its chunks.
        let deleted = s
            .app
            .request(
                Method::DELETE,
                "/api/dashboard/crm-links",
                Some(&s.token),
                Some(json!({"page_id": PAGE, "url": s.crm.url, "channels": ["facebook", "messenger"]})),
            )
            .await;
        assert_eq!(deleted.status(), 200);
        assert!(s.search("messenger", "SKU-12-B").await.is_empty());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn another_company_never_sees_the_chunks() {
    for engine in engines() {
        let s = setup(engine, &["messenger"]).await;
        let (_, other) = s.app.company_with_admin("Other").await;
        let path = format!("/api/dashboard/rag/search?page_id={PAGE}&q=SKU-12-B");
        let (status, code, _) = error_of(s.app.get(&path, &other).await).await;
        assert_eq!((status, code.as_str()), (404, "not_found"));
        assert_eq!(s.app.register_page(&other, "777").await.status(), 201);
        let body = json_of(
            s.app
                .get("/api/dashboard/rag/search?page_id=777&q=SKU-12-B", &other)
                .await,
        )
        .await;
        assert_eq!(body["hits"], json!([]));
        let (status, _, _) = error_of(
            s.app
                .get(
                    &format!("/api/dashboard/crm-links/runs?page_id={PAGE}"),
                    &other,
                )
                .await,
        )
        .await;
        assert_eq!(status, 404);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_restart_keeps_the_index_without_embedding_again() {
    for engine in engines() {
        let s = setup(engine, &["messenger"]).await;
        let Setup { app, token, crm } = s;
        let app = app.restart().await;
        let s = Setup { app, token, crm };
        assert!(s.found("messenger", "SKU-12-B", "cust-1").await);
        let run = s.sync().await;
        assert_eq!(run["chunks"]["embedded"], 0, "{run}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_webhook_link_takes_signed_pushes_only() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (_, token) = app.company_with_admin("Shop").await;
        assert_eq!(app.register_page(&token, PAGE).await.status(), 201);
        let added = json_of(
            app.add_link(
                &token,
                json!({"page_id": PAGE, "channels": ["messenger"], "name": "Pushed",
                       "url": "https://crm.example/hook", "type": "webhook", "is_active": true}),
            )
            .await,
        )
        .await;
        let secret = added["webhook"]["secret"].as_str().unwrap().to_owned();
        let push_path = added["webhook"]["url"].as_str().unwrap().to_owned();
        let listed = app
            .get(&format!("/api/dashboard/crm-links?page_id={PAGE}"), &token)
            .await
            .text()
            .await
            .unwrap();
        assert!(!listed.contains(&secret), "the secret is shown once only");

        let body = customers(&[]).to_string();
        let push = |signature: Option<String>| {
            let mut request = app
                .client
                .post(format!("{}{push_path}", app.address))
                .header("content-type", "application/json")
                .body(body.clone());
            if let Some(signature) = signature {
                request = request.header("X-CRM-Signature-256", signature);
            }
            request.send()
        };
        let (status, code, _) = error_of(push(None).await.unwrap()).await;
        assert_eq!((status, code.as_str()), (401, "unauthorized"));
        let forged = sign(b"not-the-secret", body.as_bytes());
        assert_eq!(push(Some(forged)).await.unwrap().status(), 401);

        let pushed = push(Some(sign(secret.as_bytes(), body.as_bytes())))
            .await
            .unwrap();
        let run = json_of(pushed).await["run"].clone();
        assert_eq!(run["outcome"], "succeeded", "{run}");
        assert_eq!(run["trigger"], "push");
        let s = Setup {
            crm: FakeCrm::start(json!({})).await,
            app,
            token,
        };
        assert!(s.found("messenger", "SKU-12-B", "cust-1").await);
        let unknown = s
            .app
            .client
            .post(format!(
                "{}/api/crm-links/webhook/no-such-link",
                s.app.address
            ))
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(unknown.status(), 404);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_database_link_is_reported_as_not_supported() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (_, token) = app.company_with_admin("Shop").await;
        assert_eq!(app.register_page(&token, PAGE).await.status(), 201);
        let added = app
            .add_link(
                &token,
                json!({"page_id": PAGE, "channels": ["messenger"], "name": "Warehouse DB",
                       "url": "https://db.example/warehouse", "type": "database", "is_active": true}),
            )
            .await;
        assert_eq!(added.status(), 201);
        let s = Setup {
            crm: FakeCrm::start(json!({})).await,
            app,
            token,
        };
        let runs = s.wait_for_runs(1).await;
        assert_eq!(runs[0]["outcome"], "not_supported", "{}", runs[0]);
        assert!(
            runs[0]["error"]
                .as_str()
                .unwrap()
                .contains("not supported yet")
        );
    }
}

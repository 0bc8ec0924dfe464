//! Retrieval through the API: links are fetched when added, searchable by page and channel,
//! kept incrementally, and a failing source never wipes what was indexed.
//!
//! This module holds the shop every test starts from (a page with a link to a fake CRM) and
//! its calls; the tests live in one module per concern.

use crate::fake_crm::FakeCrm;
use crate::helpers::{TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

mod indexing;
mod link_types;
mod scope;

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

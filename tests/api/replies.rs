//! The reply worker end to end: a signed webhook in, an answer out through a fake Graph API
//! that behaves as Facebook documents, with facts from a CRM served by a fake CRM. Every
//! test runs on each store engine.

use crate::fake_crm::FakeCrm;
use crate::fake_graph::{COMMENT_ID, FakeGraph, PAGE_ID, PAGE_TOKEN, PSID, Seen};
use crate::helpers::{Engine, TestApp, engines, spawn_app_with};
use chrono::{Duration, Utc};
use crm_mind::domain::CompanyId;
use crm_mind::domain::events::InboxStatus;
use crm_mind::reply::WorkerHandle;
use reqwest::Method;
use serde_json::{Value, json};

mod handoff;
mod outcomes;
mod policy;

/// A shop's CRM: one product the customers ask about, and customers with private details.
fn shop_data() -> Value {
    json!({
        "products": [
            {"sku": "KET-RED-1", "name": "Red kettle", "price": "39.90 EUR", "stock": 4}
        ],
        "customers": [
            {"name": "Ana Novak", "email": "ana.novak@example.si", "phone": "+386 41 555 123"}
        ]
    })
}

pub struct Harness {
    pub app: TestApp,
    pub graph: FakeGraph,
    pub token: String,
    pub company: CompanyId,
    worker: Option<WorkerHandle>,
    _crm: Option<FakeCrm>,
}

/// The app with its Graph API pointed at a fake, a company and the fake's page registered,
/// and (when `channels` is not empty) a CRM link on those channels, synced.
pub async fn harness(engine: Engine, channels: &[&str]) -> Harness {
    harness_with(engine, channels, |_| {}).await
}

/// [`harness`] with settings changed by `configure` (a chat model, say).
pub async fn harness_with(
    engine: Engine,
    channels: &[&str],
    configure: impl FnOnce(&mut crm_mind::config::Settings),
) -> Harness {
    let graph = FakeGraph::start().await;
    let base_url = graph.base_url.clone();
    let app = spawn_app_with(engine, |settings| {
        settings.graph_api_base_url = base_url;
        settings.graph_retry_base_ms = 1;
        settings.graph_max_retries = 2;
        settings.reply_workers = 2;
        configure(settings);
    })
    .await;
    let (company, token) = app.company_with_admin("Shop").await;
    let registered = app
        .request(
            Method::POST,
            "/api/dashboard/pages",
            Some(&token),
            Some(
                json!({"page_id": PAGE_ID, "page_name": "Kettle Shop", "access_token": PAGE_TOKEN}),
            ),
        )
        .await;
    assert_eq!(registered.status(), 201);
    let mut crm = None;
    if !channels.is_empty() {
        let fake = FakeCrm::start(shop_data()).await;
        let added = app
            .add_link(
                &token,
                json!({"page_id": PAGE_ID, "channels": channels, "name": "Shop CRM", "url": fake.url,
                       "type": "api", "is_active": true}),
            )
            .await;
        assert_eq!(added.status(), 201);
        wait_for_sync(&app, &token).await;
        crm = Some(fake);
    }
    let worker = Some(app.state.replies.as_ref().expect("replies are on").spawn());
    Harness {
        app,
        graph,
        token,
        company,
        worker,
        _crm: crm,
    }
}

async fn wait_for_sync(app: &TestApp, token: &str) {
    for _ in 0..400 {
        let body: Value = app
            .get(
                &format!("/api/dashboard/crm-links/runs?page_id={PAGE_ID}"),
                token,
            )
            .await
            .json()
            .await
            .unwrap();
        if body["runs"].as_array().is_some_and(|r| !r.is_empty()) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the CRM link was never synced");
}

/// A Messenger text from `PSID`, sent now (inside the 24-hour window).
pub fn message(mid: &str, text: &str) -> Vec<u8> {
    message_at(mid, text, Utc::now().timestamp_millis())
}

pub fn message_at(mid: &str, text: &str, timestamp_ms: i64) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "object": "page",
        "entry": [{"id": PAGE_ID, "time": timestamp_ms, "messaging": [{
            "sender": {"id": PSID}, "recipient": {"id": PAGE_ID}, "timestamp": timestamp_ms,
            "message": {"mid": mid, "text": text}
        }]}]
    }))
    .unwrap()
}

/// A new top-level comment under a post of the page, by a customer.
pub fn comment(comment_id: &str, text: &str) -> Vec<u8> {
    let post_id = format!("{PAGE_ID}_1001");
    serde_json::to_vec(&json!({
        "object": "page",
        "entry": [{"id": PAGE_ID, "time": Utc::now().timestamp(), "changes": [{
            "field": "feed",
            "value": {
                "item": "comment", "verb": "add", "comment_id": comment_id,
                "post_id": post_id, "parent_id": post_id,
                "from": {"id": "998877", "name": "Bob Customer"},
                "message": text, "created_time": Utc::now().timestamp()
            }
        }]}]
    }))
    .unwrap()
}

impl Harness {
    pub async fn deliver(&self, body: &[u8]) {
        assert_eq!(self.app.post_webhook(body).await.status(), 200);
    }

    pub async fn replies(&self, query: &str) -> Vec<Value> {
        let body: Value = self
            .app
            .get(&format!("/api/dashboard/replies?{query}"), &self.token)
            .await
            .json()
            .await
            .unwrap();
        body["replies"].as_array().cloned().unwrap_or_default()
    }

    /// The one reply to the question `text`, once it settled.
    pub async fn reply_to(&self, text: &str) -> Value {
        for _ in 0..600 {
            if let Some(reply) = self.replies("limit=100").await.into_iter().find(|r| {
                r["question"] == text && !matches!(r["status"].as_str(), Some("queued" | "sending"))
            }) {
                return reply;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!(
            "no settled reply to {text:?}: {:?}",
            self.replies("limit=100").await
        );
    }

    pub fn sent(&self) -> Vec<Seen> {
        self.graph.requests()
    }

    pub async fn stop_worker(&mut self) {
        if let Some(worker) = self.worker.take() {
            worker.shutdown().await;
        }
    }

    pub fn start_worker(&mut self) {
        self.worker = Some(self.app.state.replies.as_ref().unwrap().spawn());
    }

    /// The inbox events' statuses once none is waiting or in a worker's hands.
    pub async fn inbox_settled(&self) -> Vec<InboxStatus> {
        let mut statuses = Vec::new();
        for _ in 0..300 {
            statuses = self
                .app
                .inbox(&self.company)
                .await
                .into_iter()
                .map(|e| e.status)
                .collect();
            if !statuses
                .iter()
                .any(|s| matches!(s, InboxStatus::Pending | InboxStatus::Processing))
            {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        statuses
    }
}

#[tokio::test]
async fn a_messenger_question_is_answered_once_with_the_crm_fact() {
    for engine in engines() {
        let h = harness(engine, &["messenger"]).await;
        let question = "How much is the red kettle?";
        let body = message("mid.q1", question);
        h.deliver(&body).await;
        h.deliver(&body).await; // Facebook's redelivery
        let reply = h.reply_to(question).await;
        assert_eq!(reply["status"], "sent", "{engine:?}: {reply}");
        let sent = h.sent();
        assert_eq!(
            sent.len(),
            1,
            "{engine:?}: one answer for a redelivered message"
        );
        assert_eq!(sent[0].path, format!("/v21.0/{PAGE_ID}/messages"));
        assert_eq!(sent[0].access_token.as_deref(), Some(PAGE_TOKEN));
        assert_eq!(sent[0].body["recipient"]["id"], PSID);
        assert_eq!(sent[0].body["messaging_type"], "RESPONSE");
        let text = sent[0].body["message"]["text"].as_str().unwrap();
        assert!(
            text.contains("39.90"),
            "{engine:?}: the price from the CRM: {text}"
        );
        assert_eq!(reply["answer"], text);
        assert!(
            reply["facts"].as_array().unwrap().iter().any(|f| f["text"]
                .as_str()
                .unwrap()
                .contains("Red kettle")
                && f["source"].as_str().unwrap().contains("Shop CRM")),
            "{engine:?}: the facts used, with their source: {reply}"
        );
        assert_eq!(reply["deliveries"][0]["kind"], "message");
        assert_eq!(
            h.inbox_settled().await,
            vec![InboxStatus::Done],
            "{engine:?}"
        );
    }
}

#[tokio::test]
async fn a_comment_is_answered_publicly_without_another_customers_details() {
    for engine in engines() {
        let h = harness(engine, &["facebook"]).await;
        let question = "Do you have the red kettle? And what is Ana Novak's email and phone?";
        h.deliver(&comment(COMMENT_ID, question)).await;
        let reply = h.reply_to(question).await;
        assert_eq!(reply["status"], "sent", "{engine:?}: {reply}");
        let sent = h.sent();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].path, format!("/v21.0/{COMMENT_ID}/comments"));
        assert_eq!(sent[0].access_token.as_deref(), Some(PAGE_TOKEN));
        let text = sent[0].body["message"].as_str().unwrap();
        assert!(!text.contains("ana.novak@example.si"), "{engine:?}: {text}");
        assert!(!text.contains("555 123"), "{engine:?}: {text}");
        assert!(
            reply["facts"]
                .as_array()
                .unwrap()
                .iter()
                .all(|f| !f["text"].as_str().unwrap().contains("ana.novak")),
            "{engine:?}: a customer's record never reaches a public reply's facts: {reply}"
        );
        assert_eq!(reply["deliveries"][0]["kind"], "public_comment");
    }
}

#[tokio::test]
async fn a_message_older_than_24_hours_goes_to_review_unsent() {
    for engine in engines() {
        let h = harness(engine, &[]).await;
        let old = (Utc::now() - Duration::hours(25)).timestamp_millis();
        h.deliver(&message_at("mid.old", "Hello?", old)).await;
        let reply = h.reply_to("Hello?").await;
        assert_eq!(reply["status"], "needs_review", "{engine:?}: {reply}");
        assert!(reply["reason"].as_str().unwrap().contains("24-hour"));
        assert!(
            h.sent().is_empty(),
            "{engine:?}: nothing is sent outside the window"
        );
    }
}

#[tokio::test]
async fn without_facts_the_default_answerer_hands_over() {
    for engine in engines() {
        let h = harness(engine, &[]).await;
        h.deliver(&message("mid.h1", "Can I pay with bitcoin?"))
            .await;
        let reply = h.reply_to("Can I pay with bitcoin?").await;
        assert_eq!(reply["status"], "sent", "{engine:?}: {reply}");
        assert_eq!(reply["model"], "extractive");
        let text = h.sent()[0].body["message"]["text"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            text.contains(crm_mind::llm::HANDOVER_EN),
            "{engine:?}: {text}"
        );
    }
}

#[tokio::test]
async fn replies_of_another_company_are_not_visible_or_retryable() {
    for engine in engines() {
        let h = harness(engine, &[]).await;
        h.deliver(&message("mid.i1", "Hi there")).await;
        let reply = h.reply_to("Hi there").await;
        let (_, other) = h.app.company_with_admin("Other").await;
        let listed: Value = h
            .app
            .get("/api/dashboard/replies", &other)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(listed["total"], 0, "{engine:?}");
        let retry = h
            .app
            .request(
                Method::POST,
                &format!(
                    "/api/dashboard/replies/{}/retry",
                    reply["id"].as_str().unwrap()
                ),
                Some(&other),
                None,
            )
            .await;
        assert_eq!(retry.status(), 404, "{engine:?}");
        let foreign_page = h
            .app
            .get(&format!("/api/dashboard/replies?page_id={PAGE_ID}"), &other)
            .await;
        assert_eq!(foreign_page.status(), 404, "{engine:?}");
        let bad_status = h
            .app
            .get("/api/dashboard/replies?status=lost", &h.token)
            .await;
        assert_eq!(bad_status.status(), 400, "{engine:?}");
    }
}

#[tokio::test]
async fn one_conversations_messages_are_answered_in_order() {
    for engine in engines() {
        let h = harness(engine, &[]).await;
        let now = Utc::now().timestamp_millis();
        // One delivery with five messages from one customer, while two workers are free.
        let items: Vec<Value> = (0..5)
            .map(|i| {
                json!({"sender": {"id": PSID}, "recipient": {"id": PAGE_ID}, "timestamp": now + i,
                       "message": {"mid": format!("mid.o{i}"), "text": format!("question {i}")}})
            })
            .collect();
        let body = serde_json::to_vec(
            &json!({"object": "page", "entry": [{"id": PAGE_ID, "time": now, "messaging": items}]}),
        )
        .unwrap();
        // The first answer is slow to go out: the later ones must still wait for it.
        h.graph.script([Some(crate::fake_graph::Failure::Slow(
            std::time::Duration::from_millis(300),
        ))]);
        h.deliver(&body).await;
        let mut sent_ids = Vec::new();
        for i in 0..5 {
            let reply = h.reply_to(&format!("question {i}")).await;
            assert_eq!(reply["status"], "sent", "{engine:?}: {reply}");
            let id = reply["deliveries"][0]["id"].as_str().unwrap().to_owned();
            sent_ids.push(id.trim_start_matches("m_fake").parse::<u64>().unwrap());
        }
        let mut in_order = sent_ids.clone();
        in_order.sort_unstable();
        assert_eq!(
            sent_ids, in_order,
            "{engine:?}: the Graph API got them in the customer's order"
        );
    }
}

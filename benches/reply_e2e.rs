//! End to end on loopback: a signed Messenger webhook in, the reply received by a fake Graph
//! API, through the whole embedded stack (SQLite, the embedded vector index with the local
//! embedding model, and the extractive answerer), or with the OpenAI-compatible client
//! against a fake chat server that answers after a fixed delay.
//!
//!     cargo bench --bench reply_e2e                       # extractive answerer
//!     CHAT_DELAY_MS=200 WORKERS=4 cargo bench --bench reply_e2e   # fake chat model, 200 ms
//!
//! Two phases: light load (one message every 50 ms, `LIGHT` messages; p50/p95 latency from
//! the webhook POST to the Graph API call), then a burst (`BURST` messages from 16 senders at
//! once, each from its own customer; replies per second from the first POST to the last
//! reply). Needs the model files (`scripts/fetch-models`, `CRM_MIND_MODELS_DIR`).

use axum::extract::{Path, State};
use axum::routing::post;
use axum::{Json, Router};
use crm_mind::config::Settings;
use crm_mind::dashboard::NewCrmLink;
use crm_mind::domain::{Channel, CrmLinkDraft, CrmLinkType};
use crm_mind::facebook::signature::sign;
use crm_mind::startup;
use crm_mind::store::SyncRunQuery;
use parking_lot::Mutex;
use secrecy::SecretString;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

const APP_SECRET: &str = "bench-app-secret";
const PAGE_ID: &str = "1895382890692545";
const PAGE_TOKEN: &str = "EAAG-bench-page-token";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// When each customer (PSID) got their reply.
type Received = Arc<Mutex<HashMap<String, Instant>>>;

async fn fake_graph(received: Received) -> String {
    async fn messages(
        State(received): State<Received>,
        Path(_page): Path<String>,
        Json(body): Json<Value>,
    ) -> Json<Value> {
        let psid = body["recipient"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        received
            .lock()
            .entry(psid.clone())
            .or_insert_with(Instant::now);
        Json(
            json!({"recipient_id": psid, "message_id": format!("m_{}", uuid::Uuid::new_v4().simple())}),
        )
    }
    let app = Router::new()
        .route("/v21.0/{page_id}/messages", post(messages))
        .with_state(received);
    serve(app).await + "/v21.0"
}

/// An OpenAI-compatible chat endpoint that answers after `delay`.
async fn fake_chat(delay: Duration) -> String {
    let app = Router::new().route(
        "/v1/chat/completions",
        post(move || async move {
            tokio::time::sleep(delay).await;
            Json(json!({
                "id": "chatcmpl-bench", "object": "chat.completion", "model": "bench-model",
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": "The red kettle costs 39.90 EUR."}}],
                "usage": {"prompt_tokens": 120, "completion_tokens": 9, "total_tokens": 129}
            }))
        }),
    );
    serve(app).await + "/v1/"
}

async fn fake_crm() -> String {
    let products: Vec<Value> = (0..200)
        .map(|i| json!({"sku": format!("SKU-{i:04}"), "name": format!("Product number {i}"), "price": format!("{}.90 EUR", 10 + i % 50), "stock": i % 7}))
        .collect();
    let body = json!({"products": products});
    let app = Router::new().route(
        "/products",
        axum::routing::get(move || async move { Json(body.clone()) }),
    );
    serve(app).await + "/products"
}

async fn serve(app: Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    address
}

fn message(psid: &str, mid: &str, text: &str) -> Vec<u8> {
    let now = chrono::Utc::now().timestamp_millis();
    serde_json::to_vec(&json!({
        "object": "page",
        "entry": [{"id": PAGE_ID, "time": now, "messaging": [{
            "sender": {"id": psid}, "recipient": {"id": PAGE_ID}, "timestamp": now,
            "message": {"mid": mid, "text": text}
        }]}]
    }))
    .unwrap()
}

struct Bench {
    client: reqwest::Client,
    webhook: String,
    received: Received,
}

impl Bench {
    async fn send(&self, psid: &str, mid: &str) -> Instant {
        let body = message(psid, mid, "How much is product number 17?");
        let signature = sign(APP_SECRET.as_bytes(), &body);
        let started = Instant::now();
        let response = self
            .client
            .post(&self.webhook)
            .header("Content-Type", "application/json")
            .header("X-Hub-Signature-256", signature)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        started
    }

    async fn wait_for(&self, psids: &[String]) {
        let deadline = Instant::now() + Duration::from_secs(600);
        while Instant::now() < deadline {
            let done = {
                let received = self.received.lock();
                psids.iter().all(|p| received.contains_key(p))
            };
            if done {
                return;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        panic!("replies missing after 10 minutes");
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main]
async fn main() {
    let light = env_usize("LIGHT", 200);
    let burst = env_usize("BURST", 1000);
    let workers = env_usize("WORKERS", 4);
    let chat_delay = env_usize("CHAT_DELAY_MS", 0);

    let received: Received = Arc::default();
    let graph_url = fake_graph(received.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::for_data_dir(dir.path());
    settings.facebook_app_secret = Some(SecretString::from(APP_SECRET));
    settings.graph_api_base_url = graph_url;
    settings.crm_allow_private_networks = true;
    settings.reply_workers = workers;
    if let Some(models) = std::env::var_os("CRM_MIND_MODELS_DIR") {
        settings.models_dir = models.into();
    }
    if chat_delay > 0 {
        settings.llm_base_url = Some(fake_chat(Duration::from_millis(chat_delay as u64)).await);
        settings.llm_model = "bench-model".into();
    }
    let state = startup::build_state(&settings)
        .await
        .expect("the app builds");
    assert!(
        state.retrieval.is_some(),
        "the model files are needed (scripts/fetch-models)"
    );
    let company = state.accounts.create_company("Bench shop").await.unwrap();
    state
        .dashboard
        .register_page(
            &company.id,
            PAGE_ID,
            "Bench shop",
            &SecretString::from(PAGE_TOKEN),
        )
        .await
        .unwrap();
    let crm_url = fake_crm().await;
    let added = state
        .dashboard
        .add_crm_link(
            &company.id,
            NewCrmLink {
                page_id: PAGE_ID.into(),
                draft: CrmLinkDraft {
                    name: "Products".into(),
                    url: crm_url,
                    link_type: CrmLinkType::Api,
                    channels: vec![Channel::Messenger],
                    api_key: None,
                    headers: Vec::new(),
                    description: None,
                    is_active: true,
                    refresh_minutes: None,
                },
            },
        )
        .await
        .expect("the CRM link is added");
    // Adding a link syncs it in the background; wait for that run to be recorded.
    let runs = SyncRunQuery {
        company_id: company.id.clone(),
        page_id: Some(PAGE_ID.into()),
        link_id: Some(added.link.id.clone()),
        limit: 1,
    };
    while state.store.list_sync_runs(&runs).await.unwrap().is_empty() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let webhook = format!("http://{}/webhook", listener.local_addr().unwrap());
    let worker = state.replies.as_ref().unwrap().spawn();
    tokio::spawn(startup::serve(
        state.clone(),
        listener,
        std::future::pending(),
    ));
    let bench = Arc::new(Bench {
        client: reqwest::Client::new(),
        webhook,
        received: received.clone(),
    });

    // Warm-up: the first answer loads caches and opens connections.
    bench.send("warmup", "mid.warmup").await;
    bench.wait_for(&["warmup".to_owned()]).await;

    let mut latencies = Vec::with_capacity(light);
    for i in 0..light {
        let psid = format!("light-{i}");
        let started = bench.send(&psid, &format!("mid.light.{i}")).await;
        bench.wait_for(std::slice::from_ref(&psid)).await;
        latencies.push(received.lock()[&psid].duration_since(started).as_secs_f64() * 1000.0);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    latencies.sort_by(f64::total_cmp);

    let psids: Vec<String> = (0..burst).map(|i| format!("burst-{i}")).collect();
    let first = Instant::now();
    let mut senders = tokio::task::JoinSet::new();
    for chunk in psids.chunks(burst.div_ceil(16).max(1)) {
        let (bench, chunk) = (bench.clone(), chunk.to_vec());
        senders.spawn(async move {
            for psid in chunk {
                bench.send(&psid, &format!("mid.{psid}")).await;
            }
        });
    }
    while senders.join_next().await.is_some() {}
    bench.wait_for(&psids).await;
    let last = psids.iter().map(|p| received.lock()[p]).max().unwrap();
    let seconds = last.duration_since(first).as_secs_f64();

    println!(
        "reply_e2e: workers={workers} chat_delay_ms={chat_delay} model={}",
        if chat_delay > 0 {
            "openai-compatible (fake)"
        } else {
            "extractive"
        }
    );
    println!(
        "light load ({light} messages, one every 50 ms): p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.95),
        latencies.last().unwrap()
    );
    println!(
        "burst ({burst} messages, 16 senders): {:.1} replies/s ({seconds:.2} s)",
        burst as f64 / seconds
    );
    worker.shutdown().await;
}

//! The secrets sweep (issue 8, item 7): a whole scenario with known secret values — a page
//! token, a CRM link's API key and credential header, Metakocka's secret key, the encryption
//! key, a user's password and bearer token — run through the real binary at `debug` log
//! level, including failures whose errors are most tempting to log in full. Afterwards none of
//! the values may appear in plain text in the service's log, in any API response, or in any
//! file the service wrote (SQLite database and WAL, vector index, anything in its data dir).

#[path = "support/binary.rs"]
#[allow(dead_code)]
mod binary;
#[path = "api/fake_crm.rs"]
#[allow(dead_code)]
mod fake_crm;
#[path = "graph_api/fake_graph.rs"]
#[allow(dead_code)]
mod fake_graph;
#[path = "support/fake_metakocka.rs"]
mod fake_metakocka;

use base64::Engine as _;
use binary::{Engine, Installation, Running, mongo_engine, mongo_uri, sign};
use fake_graph::{FakeGraph, PAGE_ID, PAGE_TOKEN};
use reqwest::Method;
use serde_json::{Value, json};
use std::path::Path;
use std::time::{Duration, Instant};

const CRM_API_KEY: &str = "crm-sweep-api-key-5d1e0b77";
const CRM_HEADER_SECRET: &str = "hdr-sweep-secret-a44c91f2";
const METAKOCKA_KEY: &str = "mk-sweep-secret-93b7e12c";
const PASSWORD: &str = "sweep passphrase 2f8a6d";

struct Sweep {
    client: reqwest::Client,
    base: String,
    token: String,
    /// Every response body the scenario received.
    responses: Vec<String>,
}

impl Sweep {
    async fn call(&mut self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the service answers");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        self.responses.push(format!("{path} -> {status}: {text}"));
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn get(&mut self, path: &str) -> Value {
        self.call(Method::GET, path, None).await.1
    }
}

/// The scenario: everything that touches a secret, the failures included.
async fn scenario(engine: Engine) {
    let sqlite = matches!(engine, Engine::Sqlite);
    let graph = FakeGraph::start().await;
    let crm = fake_crm::FakeCrm::start(json!({
        "products": [{"sku": "KET-RED-1", "name": "Red kettle", "price": "39.90 EUR"}]
    }))
    .await;
    let metakocka = fake_metakocka::FakeMetakocka::start().await;
    metakocka.add_company("5150", METAKOCKA_KEY);
    let encryption_key = base64::engine::general_purpose::STANDARD.encode([42u8; 32]);
    let installation = Installation::new(engine)
        .env("RUST_LOG", "debug")
        .env("CRM_MIND_SECRET_KEY", &encryption_key)
        .env("CRM_MIND_GRAPH_API_BASE_URL", &graph.base_url)
        .env("CRM_MIND_GRAPH_RETRY_BASE_MS", "1")
        .env("CRM_MIND_GRAPH_MAX_RETRIES", "1")
        .env("CRM_MIND_METAKOCKA_BASE_URL", &metakocka.base_url)
        .env("CRM_MIND_CRM_ALLOW_PRIVATE_NETWORKS", "true");
    let (_, token) = installation.company_with_admin("owner@example.com", PASSWORD);
    let service = installation.start(0).await;
    let mut sweep = Sweep {
        client: reqwest::Client::new(),
        base: service.base.clone(),
        token: token.clone(),
        responses: Vec::new(),
    };

    // Signing in with the password returns a token; both are secrets.
    let login = sweep
        .client
        .post(format!("{}/api/auth/login", service.base))
        .json(&json!({"email": "owner@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let login: Value = login.json().await.unwrap();
    let session_token = login["token"].as_str().unwrap_or_default().to_owned();

    let (status, _) = sweep
        .call(
            Method::POST,
            "/api/dashboard/pages",
            Some(
                json!({"page_id": PAGE_ID, "page_name": "Sweep Shop", "access_token": PAGE_TOKEN}),
            ),
        )
        .await;
    assert_eq!(status, 201);
    let (status, added) = sweep
        .call(
            Method::POST,
            "/api/dashboard/crm-links",
            Some(json!({
                "page_id": PAGE_ID, "channels": ["messenger", "facebook"], "name": "Sweep CRM",
                "url": crm.url, "type": "api", "api_key": CRM_API_KEY,
                "headers": {"X-Api-Key": CRM_HEADER_SECRET, "X-Shop": "sweep"},
                "is_active": true
            })),
        )
        .await;
    assert_eq!(status, 201, "{added}");
    wait_until(&mut sweep, "/api/dashboard/crm-links/runs", |body| {
        body["runs"].as_array().is_some_and(|runs| !runs.is_empty())
    })
    .await;
    let sent_headers = crm.requests();
    assert!(
        sent_headers.iter().any(|h| h
            .get("authorization")
            .is_some_and(|v| v == &format!("Bearer {CRM_API_KEY}"))),
        "the CRM received its key (so the sweep would see a leak of a real, used value)"
    );

    // A failing CRM: the error text must not carry the request's credentials.
    crm.fail_with(401, r#"{"error":"bad key"}"#, "application/json");
    sweep
        .call(
            Method::POST,
            "/api/dashboard/crm-links/sync",
            Some(json!({"page_id": PAGE_ID})),
        )
        .await;

    // Metakocka: save, test (good), refresh inventory; then a wrong key and a failing call.
    let (status, _) = sweep
        .call(
            Method::POST,
            "/api/metakocka/credentials",
            Some(
                json!({"company_id": "5150", "secret_key": METAKOCKA_KEY, "scope": "organization"}),
            ),
        )
        .await;
    assert!(matches!(status, 200 | 201), "credentials saved: {status}");
    let (status, tested) = sweep
        .call(Method::POST, "/api/metakocka/credentials/test", None)
        .await;
    assert_eq!(status, 200, "{tested}");
    sweep
        .call(
            Method::POST,
            "/api/integrations/metakocka/inventory/refresh",
            None,
        )
        .await;
    metakocka.fail_next(20);
    sweep
        .call(
            Method::POST,
            "/api/integrations/metakocka/inventory/refresh",
            None,
        )
        .await;

    // A Messenger question answered through the Graph API; then the token stops working.
    let now = chrono::Utc::now().timestamp_millis();
    let message = |mid: &str| {
        serde_json::to_vec(
            &json!({"object": "page", "entry": [{"id": PAGE_ID, "time": now,
            "messaging": [{"sender": {"id": "4242"}, "recipient": {"id": PAGE_ID}, "timestamp": now,
                           "message": {"mid": mid, "text": "How much is the red kettle?"}}]}]}),
        )
        .unwrap()
    };
    post_webhook(&sweep, &message("m_sweep_1")).await;
    wait_until(&mut sweep, "/api/dashboard/replies", |body| {
        body["replies"]
            .as_array()
            .is_some_and(|r| r.iter().any(|r| r["status"] == "sent"))
    })
    .await;
    graph.fail_always(fake_graph::Failure::api(
        400,
        190,
        "Error validating access token: the session has been invalidated",
    ));
    post_webhook(&sweep, &message("m_sweep_2")).await;
    wait_until(&mut sweep, "/api/dashboard/replies", |body| {
        body["replies"]
            .as_array()
            .is_some_and(|r| r.iter().any(|r| r["status"] == "failed"))
    })
    .await;

    // Everything an operator reads.
    for path in [
        "/api/dashboard/pages",
        "/api/dashboard/crm-links/all",
        &format!("/api/dashboard/crm-links/runs?page_id={PAGE_ID}"),
        &format!("/api/dashboard/rag/search?page_id={PAGE_ID}&q=kettle"),
        "/api/dashboard/replies",
        "/api/dashboard/conversations",
        "/api/metakocka/credentials",
        "/api/integrations/metakocka/logs",
        "/api/integrations/metakocka/logs/export",
        "/api/integrations/metakocka/logs/stats",
        "/metrics",
    ] {
        sweep.get(path).await;
    }
    assert!(
        sweep.responses.iter().any(|r| r.contains("Red kettle")),
        "the scenario ran: the CRM data is searchable"
    );
    stop(service);

    let secrets: Vec<(&str, String)> = vec![
        ("page token", PAGE_TOKEN.to_owned()),
        ("CRM API key", CRM_API_KEY.to_owned()),
        ("CRM credential header", CRM_HEADER_SECRET.to_owned()),
        ("Metakocka secret key", METAKOCKA_KEY.to_owned()),
        ("encryption key", encryption_key.clone()),
        ("password", PASSWORD.to_owned()),
        ("bearer token", token.clone()),
        ("session token", session_token.clone()),
    ];
    let log = std::fs::read(installation.log_path(0)).unwrap();
    assert!(
        String::from_utf8_lossy(&log).contains("DEBUG"),
        "the log was written at debug level"
    );
    if sqlite {
        // The scan reads what the service stored (the CRM's data is there in plain text).
        assert!(
            files(installation.data_dir())
                .iter()
                .any(|f| contains(&std::fs::read(f).unwrap(), "KET-RED-1")),
            "the data files hold the synced records"
        );
    }
    for (name, value) in &secrets {
        assert!(!value.is_empty(), "{name} is known");
        assert!(!contains(&log, value), "the {name} is in the service log");
        for response in &sweep.responses {
            assert!(
                !response.contains(value.as_str()),
                "the {name} is in a response: {response}"
            );
        }
        for file in files(installation.data_dir()) {
            let bytes = std::fs::read(&file).unwrap();
            assert!(
                !contains(&bytes, value),
                "the {name} is in plain text in {}",
                file.display()
            );
        }
    }
}

async fn post_webhook(sweep: &Sweep, body: &[u8]) {
    let response = sweep
        .client
        .post(format!("{}/webhook", sweep.base))
        .header("Content-Type", "application/json")
        .header("X-Hub-Signature-256", sign(body))
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

async fn wait_until(sweep: &mut Sweep, path: &str, done: impl Fn(&Value) -> bool) {
    let path = if path.contains("crm-links/runs") {
        format!("{path}?page_id={PAGE_ID}")
    } else {
        path.to_owned()
    };
    let started = Instant::now();
    loop {
        let body = sweep.get(&path).await;
        if done(&body) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{path} never got there: {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn stop(service: Running) {
    service.kill();
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

/// Every file under `dir`, however deep; the service's own logs are read separately.
fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if !path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("serve-"))
            {
                found.push(path);
            }
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_a_log_a_response_or_a_data_file_on_sqlite() {
    scenario(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_a_log_a_response_on_mongodb() {
    let Some(uri) = mongo_uri() else {
        return;
    };
    scenario(mongo_engine(&uri, "sweep")).await;
}

//! `spawn_app`: the real router on 127.0.0.1:0 over a fresh store, SQLite in a temporary
//! directory or MongoDB in a database of its own, plus the calls the tests make through it.

use base64::Engine as _;
use crm_mind::config::Settings;
use crm_mind::domain::{CompanyId, Role};
use crm_mind::facebook::signature::sign;
use crm_mind::http::AppState;
use crm_mind::startup;
use reqwest::{Method, Response};
use secrecy::SecretString;
use serde_json::Value;
use std::path::PathBuf;
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const APP_SECRET: &str = "test-app-secret";
pub const VERIFY_TOKEN: &str = "test-verify-token";
pub const PASSWORD: &str = "correct horse battery";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Mongo,
}

/// The MongoDB URI tests use, if any. In CI it must be set: a skipped engine there is a failure.
pub fn mongo_uri() -> Option<String> {
    match std::env::var("CRM_MIND_TEST_MONGODB_URI")
        .ok()
        .filter(|v| !v.is_empty())
    {
        Some(uri) => Some(uri),
        None if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!(
                "CI=true but CRM_MIND_TEST_MONGODB_URI is not set: the MongoDB tests must run in CI"
            )
        }
        None => {
            eprintln!("skipped: MongoDB engine (CRM_MIND_TEST_MONGODB_URI not set)");
            None
        }
    }
}

/// Every engine this run can test: SQLite always, MongoDB when a server is given.
pub fn engines() -> Vec<Engine> {
    let mut engines = vec![Engine::Sqlite];
    if mongo_uri().is_some() {
        engines.push(Engine::Mongo);
    }
    engines
}

pub struct TestApp {
    pub engine: Engine,
    pub address: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub settings: Settings,
    pub data_dir: PathBuf,
    _dir: TempDir,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<anyhow::Result<()>>>,
}

fn settings_for(engine: Engine, data_dir: &std::path::Path) -> Settings {
    let mut settings = Settings::for_data_dir(data_dir);
    settings.facebook_app_secret = Some(SecretString::from(APP_SECRET));
    settings.facebook_verify_token = Some(SecretString::from(VERIFY_TOKEN));
    settings.models_dir = models_dir();
    // The fake CRMs of the tests listen on 127.0.0.1 over plain http.
    settings.crm_allow_private_networks = true;
    if engine == Engine::Mongo {
        settings.mongodb_uri = Some(SecretString::from(mongo_uri().expect("MongoDB URI")));
        settings.mongodb_database = format!("crm_mind_test_{}", uuid::Uuid::new_v4().simple());
        let key = base64::engine::general_purpose::STANDARD.encode(rand::random::<[u8; 32]>());
        settings.secret_key = Some(SecretString::from(key));
    }
    settings
}

/// Where `scripts/fetch-models` put the model files (scripts/test exports the variable).
pub fn models_dir() -> PathBuf {
    std::env::var_os("CRM_MIND_MODELS_DIR")
        .filter(|v| !v.is_empty())
        .map_or_else(|| PathBuf::from("models"), PathBuf::from)
}

pub async fn spawn_app(engine: Engine) -> TestApp {
    spawn_app_with(engine, |_| {}).await
}

/// Like [`spawn_app`], with settings changed by `configure` first.
pub async fn spawn_app_with(engine: Engine, configure: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut settings = settings_for(engine, dir.path());
    configure(&mut settings);
    let data_dir = dir.path().to_owned();
    start(engine, settings, data_dir, dir).await
}

async fn start(engine: Engine, settings: Settings, data_dir: PathBuf, dir: TempDir) -> TestApp {
    let state = startup::build_state(&settings)
        .await
        .expect("the app builds");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let address = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(startup::serve(state.clone(), listener, async {
        let _ = stopped.await;
    }));
    TestApp {
        engine,
        address,
        client: reqwest::Client::new(),
        state,
        settings,
        data_dir,
        _dir: dir,
        stop: Some(stop),
        server: Some(server),
    }
}

impl TestApp {
    /// Stops the server (gracefully) and starts a new one on the same data.
    pub async fn restart(mut self) -> TestApp {
        self.stop.take().unwrap().send(()).unwrap();
        self.server.take().unwrap().await.unwrap().unwrap();
        let TestApp {
            engine,
            settings,
            data_dir,
            _dir,
            state,
            ..
        } = self;
        drop(state); // close the old store before reopening the file
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        start(engine, settings, data_dir, _dir).await
    }

    /// A company with an admin; returns its id and the admin's bearer token.
    pub async fn company_with_admin(&self, name: &str) -> (CompanyId, String) {
        let company = self.state.accounts.create_company(name).await.unwrap();
        let email = format!("admin-{}@example.com", uuid::Uuid::new_v4().simple());
        let token = self.user_token(&company.id, &email, Role::Admin).await;
        (company.id, token)
    }

    pub async fn user_token(&self, company: &CompanyId, email: &str, role: Role) -> String {
        self.state
            .accounts
            .create_user(company, email, &SecretString::from(PASSWORD), role)
            .await
            .unwrap();
        self.login(email, PASSWORD).await["token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn login(&self, email: &str, password: &str) -> Value {
        let response = self
            .request(
                Method::POST,
                "/api/auth/login",
                None,
                Some(serde_json::json!({"email": email, "password": password})),
            )
            .await;
        assert_eq!(response.status(), 200, "log-in of {email}");
        response.json().await.unwrap()
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Response {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.address));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("the request is sent")
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.request(Method::GET, path, Some(token), None).await
    }

    pub async fn register_page(&self, token: &str, page_id: &str) -> Response {
        let body = serde_json::json!({"page_id": page_id, "page_name": format!("Page {page_id}"), "access_token": format!("EAAB-token-of-{page_id}")});
        self.request(
            Method::POST,
            "/api/dashboard/pages",
            Some(token),
            Some(body),
        )
        .await
    }

    pub async fn add_link(&self, token: &str, body: Value) -> Response {
        self.request(
            Method::POST,
            "/api/dashboard/crm-links",
            Some(token),
            Some(body),
        )
        .await
    }

    /// Posts `body` to the webhook signed with the app secret, as Facebook would.
    pub async fn post_webhook(&self, body: &[u8]) -> Response {
        let signature = sign(APP_SECRET.as_bytes(), body);
        self.post_webhook_with(body, &[("X-Hub-Signature-256", signature.as_str())])
            .await
    }

    pub async fn post_webhook_with(&self, body: &[u8], headers: &[(&str, &str)]) -> Response {
        let mut request = self
            .client
            .post(format!("{}/webhook", self.address))
            .header("Content-Type", "application/json")
            .body(body.to_vec());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.expect("the webhook request is sent")
    }

    pub async fn inbox(&self, company: &CompanyId) -> Vec<crm_mind::domain::InboxEvent> {
        self.state
            .store
            .list_inbox_events(company, 1000)
            .await
            .unwrap()
    }
}

/// The error code of a `{"error": {"code", "message"}}` body, checking its shape.
pub async fn error_of(response: Response) -> (u16, String, String) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.expect("an error body is JSON");
    let code = body["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error.code in {body}"))
        .to_owned();
    let message = body["error"]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("no error.message in {body}"))
        .to_owned();
    (status, code, message)
}

pub fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/fixtures/external/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("reading {full}: {e}"))
}

/// A one-message Messenger delivery for `page_id`.
pub fn text_message(page_id: &str, mid: &str, text: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "object": "page",
        "entry": [{"id": page_id, "time": 1_700_000_000_000i64, "messaging": [{
            "sender": {"id": "psid-1"}, "recipient": {"id": page_id}, "timestamp": 1_700_000_000_000i64,
            "message": {"mid": mid, "text": text}
        }]}]
    }))
    .unwrap()
}

//! Fake CRM servers: an axum router on a loopback port that records every request it gets,
//! plus the settings and requests the tests share.

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use crm_mind::crm::{CrmFetcher, FetchError, FetchRequest, FetchSettings, Fetched};
use crm_mind::domain::CrmLinkType;
use parking_lot::Mutex;
use secrecy::SecretString;
use std::sync::Arc;
use std::time::Instant;
use tokio::net::TcpListener;

pub const API_KEY: &str = "sk-1234567890";

/// One request as the fake CRM saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub path_and_query: String,
    pub headers: axum::http::HeaderMap,
    pub at: Instant,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub struct FakeCrm {
    /// `http://IP:PORT`, no trailing slash.
    pub base: String,
    pub port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl FakeCrm {
    pub async fn start(router: Router) -> Self {
        Self::start_on("127.0.0.1", router).await
    }

    /// On another loopback address (127.0.0.2 works on Linux without setup), for tests that
    /// allow one address and block another.
    pub async fn start_on(ip: &str, router: Router) -> Self {
        let listener = TcpListener::bind((ip, 0))
            .await
            .expect("bind a loopback port");
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let app = router.layer(middleware::from_fn_with_state(Arc::clone(&seen), record));
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            base: format!("http://{ip}:{port}"),
            port,
            seen,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().clone()
    }
}

async fn record(
    State(seen): State<Arc<Mutex<Vec<Seen>>>>,
    request: Request,
    next: Next,
) -> Response {
    seen.lock().push(Seen {
        path_and_query: request
            .uri()
            .path_and_query()
            .map(ToString::to_string)
            .unwrap_or_default(),
        headers: request.headers().clone(),
        at: Instant::now(),
    });
    next.run(request).await
}

/// Settings for tests against loopback fakes: private networks allowed, tiny backoffs.
pub fn test_settings() -> FetchSettings {
    FetchSettings {
        allow_private_networks: true,
        timeout_secs: 10,
        retry_base_ms: 1,
        max_retries: 3,
        max_retry_after_secs: 5,
        ..FetchSettings::default()
    }
}

/// Fetches `url` as an `api` link with no credentials.
pub async fn fetch_api(settings: FetchSettings, url: &str) -> Result<Fetched, FetchError> {
    fetch_as(settings, url, CrmLinkType::Api).await
}

pub async fn fetch_as(
    settings: FetchSettings,
    url: &str,
    link_type: CrmLinkType,
) -> Result<Fetched, FetchError> {
    let fetcher = CrmFetcher::new(settings).expect("fetcher");
    fetcher
        .fetch(&FetchRequest {
            url,
            link_type,
            api_key: None,
            headers: &[],
        })
        .await
}

/// Fetches with the guide's "combined authentication": a bearer key plus custom headers.
pub async fn fetch_with_credentials(
    fetcher: &CrmFetcher,
    url: &str,
) -> Result<Fetched, FetchError> {
    let key = SecretString::from(API_KEY);
    let headers = credential_headers();
    fetcher
        .fetch(&FetchRequest {
            url,
            link_type: CrmLinkType::Api,
            api_key: Some(&key),
            headers: &headers,
        })
        .await
}

pub fn credential_headers() -> Vec<(String, SecretString)> {
    vec![
        (
            "X-API-Key".to_owned(),
            SecretString::from("internal-key-123"),
        ),
        ("X-Client-ID".to_owned(), SecretString::from("facebook-bot")),
    ]
}

//! A fake Graph API on a loopback port, answering the way Facebook documents:
//! * `POST /v21.0/{page_id}/messages` (Send API and private replies) answers
//!   `{"recipient_id", "message_id"}`;
//! * `POST /v21.0/{comment_id}/comments` answers `{"id"}`;
//! * the page token is the `access_token` query parameter; a missing one gets code 104, a
//!   wrong one code 190, a text over 2,000 characters code 100, all in Facebook's error body
//!   `{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}`.
//!
//! Tests script failures ahead of time ([`FakeGraph::fail_next`], [`FakeGraph::fail_always`])
//! and read back every request it received.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use crm_mind::facebook::graph::{GraphClient, GraphSettings};
use parking_lot::Mutex;
use secrecy::SecretString;
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::net::TcpListener;

// Ids from the real webhook payloads in fixtures/external (bottender-facebook's
// text_message and comment_add fixtures), so the shapes match what the worker will pass.
pub const PAGE_ID: &str = "1895382890692545";
pub const PSID: &str = "1412611362105802";
pub const COMMENT_ID: &str = "139560936744456_139620233405726";
pub const PAGE_TOKEN: &str = "EAAGm0PX4ZCpsBAFakePageToken0123456789";

/// The Send API's documented text limit.
const MAX_TEXT_CHARS: usize = 2000;

/// One request as the fake saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// Without the query.
    pub path: String,
    pub access_token: Option<String>,
    pub body: Value,
}

/// A scripted failure.
#[derive(Debug, Clone)]
pub enum Failure {
    /// Facebook's error body with this code, under this HTTP status.
    Api {
        status: u16,
        code: i64,
        subcode: Option<i64>,
        message: String,
    },
    /// A bare status with a non-JSON body, as a load balancer in front of Facebook sends.
    Status(u16),
    /// Never answers (until the test ends).
    Hang,
    /// Not a failure: answers normally, this late (a slow Graph API; the reply tests use it).
    #[allow(dead_code)]
    Slow(Duration),
}

impl Failure {
    pub fn api(status: u16, code: i64, message: &str) -> Self {
        Self::Api {
            status,
            code,
            subcode: None,
            message: message.to_owned(),
        }
    }
}

#[derive(Default)]
struct Fake {
    seen: Mutex<Vec<Seen>>,
    next: Mutex<VecDeque<Option<Failure>>>,
    always: Mutex<Option<Failure>>,
    ids: AtomicU64,
}

pub struct FakeGraph {
    /// `http://127.0.0.1:PORT/v21.0`: the versioned root, like the real base URL.
    pub base_url: String,
    fake: Arc<Fake>,
}

impl FakeGraph {
    pub async fn start() -> Self {
        let fake = Arc::new(Fake::default());
        let app = Router::new()
            .route("/v21.0/{page_id}/messages", post(messages))
            .route("/v21.0/{object_id}/comments", post(comments))
            .with_state(Arc::clone(&fake));
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            base_url: format!("http://127.0.0.1:{port}/v21.0"),
            fake,
        }
    }

    /// The next requests fail this way, one failure each, in order.
    pub fn fail_next(&self, failures: impl IntoIterator<Item = Failure>) {
        self.script(failures.into_iter().map(Some));
    }

    /// The next requests, in order: `None` answers normally, `Some` fails that way.
    pub fn script(&self, answers: impl IntoIterator<Item = Option<Failure>>) {
        self.fake.next.lock().extend(answers);
    }

    /// Every request fails this way.
    pub fn fail_always(&self, failure: Failure) {
        *self.fake.always.lock() = Some(failure);
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.fake.seen.lock().clone()
    }

    /// A client for this fake with `max_retries` and waits of a millisecond or two.
    pub fn client(&self, max_retries: u32) -> GraphClient {
        GraphClient::new(GraphSettings {
            base_url: self.base_url.clone(),
            timeout_secs: 10,
            max_retries,
            retry_base_ms: 1,
        })
        .expect("client")
    }
}

pub fn token() -> SecretString {
    SecretString::from(PAGE_TOKEN)
}

async fn messages(
    State(fake): State<Arc<Fake>>,
    Path(page_id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    Json(body): Json<Value>,
) -> Response {
    if let Some(refusal) = fake
        .receive(format!("/v21.0/{page_id}/messages"), &query, &body)
        .await
    {
        return refusal;
    }
    let text = body.pointer("/message/text").and_then(Value::as_str);
    let Some(text) = text.filter(|t| !t.is_empty()) else {
        return error(400, 100, None, "(#100) The parameter message is required");
    };
    if text.chars().count() > MAX_TEXT_CHARS {
        return error(
            400,
            100,
            None,
            "(#100) Length of param message[text] must be less than or equal to 2000",
        );
    }
    let recipient_id = if let Some(psid) = body.pointer("/recipient/id").and_then(Value::as_str) {
        if body.get("messaging_type").is_none() {
            return error(
                400,
                100,
                None,
                "(#100) The parameter messaging_type is required",
            );
        }
        psid.to_owned()
    } else if body.pointer("/recipient/comment_id").is_some() {
        // A private reply goes to the comment's author.
        "139560936744123".to_owned()
    } else {
        return error(400, 100, None, "(#100) The parameter recipient is required");
    };
    let n = fake.ids.fetch_add(1, Ordering::SeqCst);
    Json(json!({"recipient_id": recipient_id, "message_id": format!("m_fake{n}")})).into_response()
}

async fn comments(
    State(fake): State<Arc<Fake>>,
    Path(object_id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    Json(body): Json<Value>,
) -> Response {
    if let Some(refusal) = fake
        .receive(format!("/v21.0/{object_id}/comments"), &query, &body)
        .await
    {
        return refusal;
    }
    if body
        .get("message")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        return error(400, 100, None, "(#100) The parameter message is required");
    }
    let post_id = object_id.split('_').next().unwrap_or_default();
    let n = fake.ids.fetch_add(1, Ordering::SeqCst);
    Json(json!({"id": format!("{post_id}_{}", 900_000 + n)})).into_response()
}

impl Fake {
    /// Records the request, then answers a scripted failure or a token problem, if any.
    async fn receive(
        &self,
        path: String,
        query: &HashMap<String, String>,
        body: &Value,
    ) -> Option<Response> {
        self.seen.lock().push(Seen {
            path,
            access_token: query.get("access_token").cloned(),
            body: body.clone(),
        });
        let scripted = match self.next.lock().pop_front() {
            Some(answer) => answer,
            None => self.always.lock().clone(),
        };
        match scripted {
            Some(Failure::Api {
                status,
                code,
                subcode,
                message,
            }) => return Some(error(status, code, subcode, &message)),
            Some(Failure::Status(status)) => {
                let status = StatusCode::from_u16(status).unwrap();
                return Some((status, "<html>Bad Gateway</html>").into_response());
            }
            Some(Failure::Hang) => {
                tokio::time::sleep(Duration::from_secs(3600)).await;
            }
            Some(Failure::Slow(delay)) => tokio::time::sleep(delay).await,
            None => {}
        }
        match query.get("access_token") {
            None => Some(error(
                400,
                104,
                None,
                "An access token is required to request this resource.",
            )),
            Some(token) if token != PAGE_TOKEN => Some(error(
                400,
                190,
                None,
                "Invalid OAuth access token - Cannot parse access token",
            )),
            Some(_) => None,
        }
    }
}

/// Facebook's documented error body.
fn error(status: u16, code: i64, subcode: Option<i64>, message: &str) -> Response {
    let mut fields = json!({
        "message": message,
        "type": "OAuthException",
        "code": code,
        "fbtrace_id": "BLBz/WZt8dN",
    });
    if let Some(subcode) = subcode {
        fields["error_subcode"] = json!(subcode);
    }
    let status = StatusCode::from_u16(status).unwrap();
    (status, Json(json!({ "error": fields }))).into_response()
}

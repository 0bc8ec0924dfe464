//! A fake chat-completions server on a loopback port: it records every request and answers
//! from a script, in the shapes of OpenAI's API reference
//! (<https://platform.openai.com/docs/api-reference/chat/create>, error bodies as in
//! <https://platform.openai.com/docs/guides/error-codes>).

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use crm_mind::llm::{AnswerRequest, Fact, OpenAiChat, OpenAiSettings, Turn};
use parking_lot::Mutex;
use secrecy::SecretString;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

pub const API_KEY: &str = "sk-proj-fake-0123456789abcdef";

/// One scripted answer.
#[derive(Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Value,
    /// Waited before answering, to make the client time out.
    pub delay: Duration,
}

impl Reply {
    /// A successful completion, as OpenAI sends it.
    pub fn completion(content: &str) -> Self {
        Self::json(
            200,
            json!({
                "id": "chatcmpl-123",
                "object": "chat.completion",
                "created": 1_764_000_000,
                "model": "gpt-4o-mini-2024-07-18",
                "choices": [{
                    "index": 0,
                    "message": {"role": "assistant", "content": content, "refusal": null},
                    "logprobs": null,
                    "finish_reason": "stop"
                }],
                "usage": {"prompt_tokens": 57, "completion_tokens": 17, "total_tokens": 74}
            }),
        )
    }

    /// An error in OpenAI's documented error body.
    pub fn error(status: u16, message: &str, kind: &str, code: &str) -> Self {
        Self::json(
            status,
            json!({"error": {"message": message, "type": kind, "param": null, "code": code}}),
        )
    }

    pub fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body,
            delay: Duration::ZERO,
        }
    }

    pub fn with_header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }

    pub fn after(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

/// A request as the fake saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub path_and_query: String,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

#[derive(Default)]
struct Script {
    /// Answered in order; the last one repeats.
    replies: Vec<Reply>,
    seen: Vec<Seen>,
}

pub struct FakeChat {
    /// `http://127.0.0.1:PORT/v1/`, with the trailing slash users often write.
    pub base_url: String,
    script: Arc<Mutex<Script>>,
}

impl FakeChat {
    pub async fn start(replies: Vec<Reply>) -> Self {
        assert!(!replies.is_empty(), "a script needs at least one reply");
        let script = Arc::new(Mutex::new(Script {
            replies,
            seen: Vec::new(),
        }));
        let app = Router::new()
            .route("/v1/chat/completions", post(chat_completions))
            .with_state(Arc::clone(&script));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            base_url: format!("http://127.0.0.1:{port}/v1/"),
            script,
        }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.script.lock().seen.clone()
    }

    /// Settings pointing at the fake, with the key set and retries quick.
    pub fn settings(&self) -> OpenAiSettings {
        OpenAiSettings {
            base_url: self.base_url.clone(),
            api_key: Some(SecretString::from(API_KEY)),
            model: "gpt-4o-mini".to_owned(),
            timeout_secs: 5,
            max_retries: 3,
            retry_base_ms: 2,
            max_tokens: None,
            temperature: None,
        }
    }

    pub fn client(&self) -> OpenAiChat {
        OpenAiChat::new(self.settings()).unwrap()
    }
}

async fn chat_completions(
    State(script): State<Arc<Mutex<Script>>>,
    uri: Uri,
    headers: HeaderMap,
    body: axum::Json<Value>,
) -> Response {
    let reply = {
        let mut script = script.lock();
        let index = script.seen.len().min(script.replies.len() - 1);
        script.seen.push(Seen {
            path_and_query: uri
                .path_and_query()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default(),
            headers,
            body: body.0,
        });
        script.replies[index].clone()
    };
    tokio::time::sleep(reply.delay).await;
    let mut response = (
        StatusCode::from_u16(reply.status).unwrap(),
        axum::Json(reply.body),
    )
        .into_response();
    for (name, value) in reply.headers {
        response.headers_mut().insert(name, value.parse().unwrap());
    }
    response
}

/// A Messenger question with one earlier exchange and one fact.
pub fn request() -> AnswerRequest {
    AnswerRequest {
        system_prompt: "You answer for Gorski svet. Facts:\n- products[0].price: 129.9 (Shop API)"
            .to_owned(),
        question: "How much are the Alpina boots?".to_owned(),
        facts: vec![Fact {
            text: "products[0].price: 129.9".to_owned(),
            source: "Shop API".to_owned(),
        }],
        history: vec![
            Turn {
                from: "customer".to_owned(),
                text: "Hi!".to_owned(),
            },
            Turn {
                from: "page".to_owned(),
                text: "Hello, how can I help?".to_owned(),
            },
        ],
    }
}

//! A fake CRM endpoint on 127.0.0.1: answers what the test sets (status, body, content type),
//! and records the headers of each request, as a real CRM API behind a bearer key would.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use std::sync::{Arc, Mutex};

#[derive(Clone)]
pub struct FakeCrm {
    pub url: String,
    answer: Arc<Mutex<(u16, String, &'static str)>>,
    seen: Arc<Mutex<Vec<HeaderMap>>>,
}

impl FakeCrm {
    pub async fn start(body: serde_json::Value) -> Self {
        let answer = Arc::new(Mutex::new((200, body.to_string(), "application/json")));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (a, s) = (answer.clone(), seen.clone());
        let app = Router::new().route(
            "/customers",
            get(move |headers: HeaderMap| {
                let (a, s) = (a.clone(), s.clone());
                async move {
                    s.lock().unwrap().push(headers);
                    let (status, body, content_type) = a.lock().unwrap().clone();
                    Response::builder()
                        .status(StatusCode::from_u16(status).unwrap())
                        .header("content-type", content_type)
                        .body(Body::from(body))
                        .unwrap()
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/customers", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, answer, seen }
    }

    /// The next requests get this JSON body with 200.
    pub fn serve_json(&self, body: serde_json::Value) {
        *self.answer.lock().unwrap() = (200, body.to_string(), "application/json");
    }

    /// The next requests get this status and raw body.
    pub fn fail_with(&self, status: u16, body: &str, content_type: &'static str) {
        *self.answer.lock().unwrap() = (status, body.to_owned(), content_type);
    }

    pub fn requests(&self) -> Vec<HeaderMap> {
        self.seen.lock().unwrap().clone()
    }
}

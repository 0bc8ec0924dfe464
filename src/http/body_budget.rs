//! One bound on the request bodies held in memory at once, across every route (issue 8,
//! item 8).
//!
//! Each route caps one body (axum's `DefaultBodyLimit`, the webhook's own 1 MiB, 50 MiB for a
//! CRM push); this caps their sum. Without it a flood of large bodies — many connections, each
//! sending up to its route's limit — grows memory with the number of connections, and the
//! webhook and the CRM push read their bodies before they can tell a stranger from a client
//! (the signature covers the body). Every body's bytes are counted against one budget as they
//! arrive and given back when the request has been answered.
//!
//! A request whose bytes do not fit is answered `503 server_busy` with `Retry-After` at once,
//! whatever its handler made of the cut-off body. It does not wait for room: a request that
//! waited while holding part of the budget could wait for others that wait for it.

use super::error::ApiError;
use axum::body::{Body, HttpBody};
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use parking_lot::Mutex;
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The default budget: room for five CRM pushes at their 50 MiB limit, or 256 webhook
/// deliveries at theirs, at once.
pub const DEFAULT_BODY_BYTES_IN_FLIGHT: usize = 256 * 1024 * 1024;

/// The bytes of request bodies the process may hold at once; cheap to clone (one shared
/// budget).
#[derive(Clone)]
pub struct BodyBudget {
    room: Arc<Semaphore>,
    bytes: usize,
}

impl BodyBudget {
    pub fn new(bytes: usize) -> Self {
        let bytes = bytes.clamp(1, Semaphore::MAX_PERMITS);
        Self {
            room: Arc::new(Semaphore::new(bytes)),
            bytes,
        }
    }

    /// Bytes of bodies held now (those of requests still being answered).
    pub fn held(&self) -> usize {
        self.bytes - self.room.available_permits()
    }
}

impl Default for BodyBudget {
    fn default() -> Self {
        Self::new(DEFAULT_BODY_BYTES_IN_FLIGHT)
    }
}

/// What one request holds: its bytes' share of the budget, and whether a chunk was refused.
#[derive(Default)]
struct Held {
    permit: Option<OwnedSemaphorePermit>,
    refused: bool,
}

/// The error a refused chunk ends the body with; handlers see a body that failed to read.
#[derive(Debug, thiserror::Error)]
#[error("the server holds as many request bodies as it may; try again shortly")]
struct OverBudget;

/// Middleware: counts the request's body against `budget` while the request is answered.
pub async fn admit(budget: BodyBudget, request: Request, next: Next) -> Response {
    if !may_have_body(&request) {
        return next.run(request).await;
    }
    let held = Arc::new(Mutex::new(Held::default()));
    let (parts, body) = request.into_parts();
    let counted = {
        let held = held.clone();
        body.into_data_stream().map(move |chunk| {
            let chunk = chunk?;
            let len = u32::try_from(chunk.len()).unwrap_or(u32::MAX);
            let mut held = held.lock();
            match budget.room.clone().try_acquire_many_owned(len) {
                Ok(permit) => match held.permit.as_mut() {
                    Some(all) => all.merge(permit),
                    None => held.permit = Some(permit),
                },
                Err(_) => {
                    held.refused = true;
                    return Err(Box::new(OverBudget) as axum::BoxError);
                }
            }
            Ok(chunk)
        })
    };
    let response = next
        .run(Request::from_parts(parts, Body::from_stream(counted)))
        .await;
    // The handler is done with the body: its bytes go back to the budget here.
    let refused = std::mem::take(&mut *held.lock()).refused;
    if refused { busy() } else { response }
}

/// Whether the request may carry a body (hyper knows an empty one: no length, no chunks).
fn may_have_body(request: &Request) -> bool {
    !HttpBody::is_end_stream(request.body())
}

fn busy() -> Response {
    metrics::counter!("http_bodies_refused_busy_total").increment(1);
    tracing::warn!("request refused: request bodies in memory are at their budget");
    let mut response = ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "server_busy",
        OverBudget.to_string(),
    )
    .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Bytes;
    use axum::routing::{MethodRouter, post};
    use tokio::sync::mpsc;
    use tower::ServiceExt;

    /// A handler that reads its whole body and answers its length.
    fn app(budget: BodyBudget) -> MethodRouter {
        post(|body: Bytes| async move { body.len().to_string() }).layer(axum::middleware::from_fn(
            move |request, next| admit(budget.clone(), request, next),
        ))
    }

    fn post_body(body: Body, len: usize) -> Request {
        Request::post("/")
            .header(header::CONTENT_LENGTH, len)
            .body(body)
            .unwrap()
    }

    /// A body whose chunks the test sends one by one, so a request can be held half-read.
    fn streamed() -> (mpsc::Sender<Result<Bytes, std::io::Error>>, Body) {
        let (tx, rx) = mpsc::channel(4);
        let stream = futures::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|chunk| (chunk, rx))
        });
        (tx, Body::from_stream(stream))
    }

    #[tokio::test]
    async fn a_body_that_does_not_fit_beside_another_gets_503_with_retry_after() {
        let budget = BodyBudget::new(1_000);
        let (tx, slow_body) = streamed();
        let slow = tokio::spawn(app(budget.clone()).oneshot(post_body(slow_body, 900)));
        tx.send(Ok(Bytes::from(vec![b'a'; 700]))).await.unwrap();
        // Until the first request's 700 bytes are counted, the second could still fit.
        for _ in 0..10_000 {
            if budget.held() >= 700 {
                break;
            }
            tokio::task::yield_now().await;
        }
        assert_eq!(
            budget.held(),
            700,
            "the first body's bytes are counted as they arrive"
        );

        let refused = app(budget.clone())
            .oneshot(post_body(Body::from(vec![b'b'; 400]), 400))
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(refused.headers()[header::RETRY_AFTER], "1");
        let body = axum::body::to_bytes(refused.into_body(), 10_000)
            .await
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(json["error"]["code"], "server_busy");
        assert_eq!(
            budget.held(),
            700,
            "the refused request gives back what it took"
        );

        // The first request still completes, and then the budget is whole again.
        tx.send(Ok(Bytes::from(vec![b'a'; 200]))).await.unwrap();
        drop(tx);
        let first = slow.await.unwrap().unwrap();
        assert_eq!(first.status(), StatusCode::OK);
        let body = axum::body::to_bytes(first.into_body(), 100).await.unwrap();
        assert_eq!(&body[..], b"900");
        assert_eq!(budget.held(), 0);

        let later = app(budget.clone())
            .oneshot(post_body(Body::from(vec![b'c'; 1_000]), 1_000))
            .await
            .unwrap();
        assert_eq!(
            later.status(),
            StatusCode::OK,
            "a body of the whole budget fits alone"
        );
    }

    #[tokio::test]
    async fn one_body_larger_than_the_whole_budget_is_refused_and_holds_nothing_after() {
        let budget = BodyBudget::new(1_000);
        let response = app(budget.clone())
            .oneshot(post_body(Body::from(vec![b'x'; 1_001]), 1_001))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(budget.held(), 0);
    }

    #[tokio::test]
    async fn requests_without_a_body_are_not_counted() {
        let budget = BodyBudget::new(1);
        let response = app(budget.clone())
            .oneshot(Request::post("/").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
}

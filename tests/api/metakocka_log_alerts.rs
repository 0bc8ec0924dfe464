//! Telling an operator of a burst: errors of one category reaching the threshold within the
//! window post one summary to the configured webhook, not one per further error.

use crate::helpers::{engines, spawn_app};
use crate::metakocka_logs::new_error;
use axum::Json;
use axum::http::StatusCode;
use axum::routing::post;
use crm_mind::metakocka::error_log::{EntityType, ErrorCategory, ErrorLog, NotifySettings};
use serde_json::Value;
use std::sync::{Arc, Mutex};

/// An operator's webhook on 127.0.0.1 that keeps every summary it receives, answering
/// `503` to the first `refuse` of them (kept too) as a receiver that is down would.
async fn fake_receiver(refuse: usize) -> (String, Arc<Mutex<Vec<Value>>>) {
    let received = Arc::new(Mutex::new(Vec::new()));
    let keep = received.clone();
    let app = axum::Router::new().route(
        "/alerts",
        post(move |Json(body): Json<Value>| {
            let keep = keep.clone();
            async move {
                let mut kept = keep.lock().unwrap();
                kept.push(body);
                if kept.len() <= refuse {
                    StatusCode::SERVICE_UNAVAILABLE
                } else {
                    StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/alerts", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

#[tokio::test]
async fn a_burst_of_one_category_is_reported_once_per_window() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (company, _) = app.company_with_admin("Shop").await;
        let (url, received) = fake_receiver(0).await;
        let log = ErrorLog::new(
            app.state.store.clone(),
            Some(NotifySettings {
                webhook_url: url,
                threshold: 3,
                window_minutes: 60,
            }),
        );
        let network = |i: usize| {
            new_error(
                &company,
                ErrorCategory::Network,
                EntityType::Product,
                &format!("p-{i}"),
                &format!("timeout {i}"),
            )
        };

        log.record(network(1)).await.unwrap();
        log.record(network(2)).await.unwrap();
        log.record(new_error(
            &company,
            ErrorCategory::Auth,
            EntityType::Credentials,
            "org",
            "bad key",
        ))
        .await
        .unwrap();
        assert!(
            received.lock().unwrap().is_empty(),
            "{engine:?}: two network errors are below the threshold"
        );

        let third = log.record(network(3)).await.unwrap();
        for i in 4..=6 {
            log.record(network(i)).await.unwrap();
        }
        let summaries = received.lock().unwrap().clone();
        assert_eq!(
            summaries.len(),
            1,
            "{engine:?}: once per window, not per further error: {summaries:?}"
        );
        let summary = &summaries[0];
        assert_eq!(summary["company_id"], company.as_str());
        assert_eq!(summary["category"], "network");
        assert_eq!(summary["count"], 3);
        assert_eq!(summary["window_minutes"], 60);
        assert_eq!(summary["latest"]["id"], third.id.as_str());
        assert_eq!(summary["latest"]["message"], "timeout 3");
        assert!(
            !summary.to_string().contains("sk-live-123"),
            "no secret in the summary"
        );
    }
}

#[tokio::test]
async fn an_undelivered_summary_is_tried_again_with_the_next_error() {
    let app = spawn_app(engines()[0]).await;
    let (company, _) = app.company_with_admin("Shop").await;
    let (url, received) = fake_receiver(1).await;
    let log = ErrorLog::new(
        app.state.store.clone(),
        Some(NotifySettings {
            webhook_url: url,
            threshold: 2,
            window_minutes: 60,
        }),
    );
    let auth = |i: usize| {
        new_error(
            &company,
            ErrorCategory::Auth,
            EntityType::Credentials,
            "org",
            &format!("bad key {i}"),
        )
    };
    for i in 1..=4 {
        log.record(auth(i)).await.unwrap();
    }
    let counts: Vec<Value> = received
        .lock()
        .unwrap()
        .iter()
        .map(|s| s["count"].clone())
        .collect();
    assert_eq!(
        counts,
        [2, 3],
        "the refused summary of 2 errors, then the delivered one of 3, then none"
    );
}

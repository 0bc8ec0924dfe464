//! Health, readiness, metrics and the error shape of unknown routes.

use crate::helpers::{engines, error_of, spawn_app, text_message};

#[tokio::test]
async fn health_readiness_and_metrics_answer() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let health = app
            .client
            .get(format!("{}/healthz", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(health.status(), 200);
        let ready: serde_json::Value = app
            .client
            .get(format!("{}/readyz", app.address))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(ready["status"], "ready");
        assert_eq!(ready["store"], app.state.store.engine());

        let (_, token) = app.company_with_admin("Shop").await;
        app.register_page(&token, "1001").await;
        app.post_webhook(&text_message("1001", "mid.metrics", "hi"))
            .await;
        app.post_webhook_with(b"{}", &[("X-Hub-Signature-256", "sha256=00")])
            .await;

        let metrics = app
            .client
            .get(format!("{}/metrics", app.address))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        for expected in [
            "http_requests_total{method=\"POST\",route=\"/webhook\",status=\"200\"}",
            "http_request_duration_seconds_bucket{method=\"POST\",route=\"/webhook\"",
            "webhook_events_received_total{kind=\"message\"}",
            "webhook_signature_rejected_total{reason=\"malformed\"}",
            "webhook_events_queued_total",
            "webhook_events_duplicate_total",
        ] {
            assert!(
                metrics.contains(expected),
                "{expected} missing from /metrics"
            );
        }
    }
}

#[tokio::test]
async fn unknown_routes_get_the_json_error_shape() {
    let app = spawn_app(engines()[0]).await;
    let response = app
        .client
        .get(format!("{}/api/nope", app.address))
        .send()
        .await
        .unwrap();
    let (status, code, _) = error_of(response).await;
    assert_eq!((status, code.as_str()), (404, "not_found"));
}

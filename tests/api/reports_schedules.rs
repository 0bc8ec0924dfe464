//! `/api/reports/schedules` and the delivery rounds: a schedule is delivered when due (the
//! tests choose the time and call the round directly; nothing waits), once per period, as a
//! JSON POST to its webhook with the same figures as the API; a failing webhook is recorded;
//! the webhook URL is never shown again; email needs an SMTP relay; agents only read; one
//! company cannot touch another's schedules.

use crate::helpers::{TestApp, engines, error_of, spawn_app};
use crate::reports::{report, world};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use chrono::{Duration, Utc};
use crm_mind::domain::Role;
use reqwest::Method;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

/// A webhook receiver on a local port: it keeps each POST's path and JSON body and answers
/// with the status it is told.
#[derive(Clone, Default)]
struct Receiver {
    received: Arc<Mutex<Vec<(String, Value)>>>,
    status: Arc<AtomicU16>,
}

impl Receiver {
    async fn start() -> (Receiver, String) {
        let receiver = Receiver::default();
        receiver.status.store(200, Ordering::SeqCst);
        let app = Router::new()
            .route("/{*path}", post(receive))
            .with_state(receiver.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (receiver, address)
    }

    fn received(&self) -> Vec<(String, Value)> {
        self.received.lock().unwrap().clone()
    }
}

async fn receive(
    State(receiver): State<Receiver>,
    uri: axum::http::Uri,
    axum::Json(body): axum::Json<Value>,
) -> StatusCode {
    receiver
        .received
        .lock()
        .unwrap()
        .push((uri.path().to_owned(), body));
    StatusCode::from_u16(receiver.status.load(Ordering::SeqCst)).unwrap()
}

async fn schedule(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    app.request(
        Method::POST,
        "/api/reports/schedules",
        Some(token),
        Some(body),
    )
    .await
}

#[tokio::test]
async fn a_due_schedule_is_delivered_once_with_the_reports_figures() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let world = world(&app, "Shop").await;
        let token = &world.shop.admin;
        let (receiver, address) = Receiver::start().await;
        let url = format!("{address}/hooks/secret-token-123");
        let created = schedule(
            &app,
            token,
            json!({"report": "top-products", "parameters": {"by": "quantity", "limit": "1"},
                   "cadence": "daily", "webhook_url": url}),
        )
        .await;
        assert_eq!(created.status(), 201, "{engine:?}");
        let text = created.text().await.unwrap();
        assert!(
            !text.contains("secret-token-123"),
            "the URL is not shown again: {text}"
        );
        let created: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(created["destination_hint"], format!("{address}/…"));
        assert_eq!(created["last_delivery"], json!(null));

        let reports = &app.state.reports;
        let round = reports.deliver_due(Utc::now()).await;
        assert_eq!(
            (round.delivered, round.failed),
            (0, 0),
            "not due before a day"
        );
        assert!(receiver.received().is_empty());

        let tomorrow = Utc::now() + Duration::hours(25);
        let round = reports.deliver_due(tomorrow).await;
        assert_eq!((round.delivered, round.failed), (1, 0), "{engine:?}");
        let again = reports.deliver_due(tomorrow).await;
        assert_eq!(again.delivered, 0, "one delivery per period");

        let received = receiver.received();
        assert_eq!(received.len(), 1);
        let (path, body) = &received[0];
        assert_eq!(path, "/hooks/secret-token-123");
        assert_eq!(body["schedule_id"], created["id"]);
        assert_eq!(body["cadence"], "daily");
        let api = report(&app, token, "/api/reports/top-products?by=quantity&limit=1").await;
        assert_eq!(body["report"]["rows"], api["rows"], "the API's figures");
        assert_eq!(body["report"]["rows"][0]["code"], "SALT");

        let listed = report(&app, token, "/api/reports/schedules").await;
        let stored = &listed["items"][0];
        assert_eq!(stored["last_delivery"]["ok"], true);
        assert_eq!(stored["last_delivery"]["detail"], "HTTP 200");
        let next: chrono::DateTime<Utc> =
            serde_json::from_value(stored["next_due_at"].clone()).unwrap();
        assert!(next > tomorrow, "due again a day after the delivery");
    }
}

#[tokio::test]
async fn a_failing_webhook_is_recorded_without_its_url() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (_, token) = app.company_with_admin("Shop").await;
        let (receiver, address) = Receiver::start().await;
        receiver.status.store(503, Ordering::SeqCst);
        let body = json!({"report": "sync-health", "cadence": "weekly",
                          "webhook_url": format!("{address}/in/secret-path")});
        let created: Value = schedule(&app, &token, body).await.json().await.unwrap();
        let id = created["id"].as_str().unwrap();

        let in_a_week = Utc::now() + Duration::days(8);
        let round = app.state.reports.deliver_due(in_a_week).await;
        assert_eq!((round.delivered, round.failed), (0, 1), "{engine:?}");
        assert_eq!(receiver.received().len(), 1);

        // Delivering now by hand records the outcome too.
        receiver.status.store(200, Ordering::SeqCst);
        let path = format!("/api/reports/schedules/{id}/deliver");
        let response = app.request(Method::POST, &path, Some(&token), None).await;
        assert_eq!(response.status(), 200);
        let delivered: Value = response.json().await.unwrap();
        assert_eq!(delivered["last_delivery"]["ok"], true);
        assert_eq!(receiver.received().len(), 2);

        receiver.status.store(500, Ordering::SeqCst);
        app.request(Method::POST, &path, Some(&token), None).await;
        let listed = report(&app, &token, "/api/reports/schedules").await;
        let last = &listed["items"][0]["last_delivery"];
        assert_eq!(last["ok"], false);
        assert_eq!(last["detail"], "the webhook answered HTTP 500");
        assert!(!listed.to_string().contains("secret-path"));
    }
}

#[tokio::test]
async fn schedules_are_validated_email_needs_smtp_and_agents_only_read() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (company, token) = app.company_with_admin("Shop").await;
        let hook = "https://hooks.example.com/x";
        for (body, field) in [
            (
                json!({"report": "weather", "cadence": "daily", "webhook_url": hook}),
                "report",
            ),
            (
                json!({"report": "low-stock", "cadence": "hourly", "webhook_url": hook}),
                "cadence",
            ),
            (
                json!({"report": "low-stock", "cadence": "daily", "webhook_url": "ftp://x.example/a"}),
                "webhook_url",
            ),
            (
                json!({"report": "low-stock", "cadence": "daily"}),
                "webhook_url",
            ),
            (
                json!({"report": "top-products", "cadence": "daily", "webhook_url": hook,
                       "parameters": {"limit": "500"}}),
                "limit",
            ),
        ] {
            let (status, code, message) = error_of(schedule(&app, &token, body).await).await;
            assert_eq!(
                (status, code.as_str()),
                (400, "validation_failed"),
                "{engine:?}"
            );
            assert!(message.starts_with(&format!("{field}:")), "{message}");
        }
        let email = json!({"report": "low-stock", "cadence": "daily", "email": "boss@example.com"});
        let (status, code, _) = error_of(schedule(&app, &token, email).await).await;
        assert_eq!((status, code.as_str()), (409, "smtp_not_configured"));

        let agent = app
            .user_token(&company, "agent@example.com", Role::Agent)
            .await;
        let body = json!({"report": "low-stock", "cadence": "daily", "webhook_url": hook});
        assert_eq!(
            error_of(schedule(&app, &agent, body.clone()).await).await.0,
            403
        );
        let created: Value = schedule(&app, &token, body).await.json().await.unwrap();
        let listed = report(&app, &agent, "/api/reports/schedules").await;
        assert_eq!(listed["items"].as_array().unwrap().len(), 1, "agents read");
        let path = format!("/api/reports/schedules/{}", created["id"].as_str().unwrap());
        let response = app.request(Method::DELETE, &path, Some(&agent), None).await;
        assert_eq!(error_of(response).await.0, 403);
    }
}

#[tokio::test]
async fn one_company_cannot_see_deliver_or_delete_anothers_schedule() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (_, shop) = app.company_with_admin("Shop").await;
        let (_, other) = app.company_with_admin("Other").await;
        let body = json!({"report": "sync-health", "cadence": "daily",
                          "webhook_url": "https://hooks.example.com/x"});
        let created: Value = schedule(&app, &shop, body).await.json().await.unwrap();
        let path = format!("/api/reports/schedules/{}", created["id"].as_str().unwrap());

        let listed = report(&app, &other, "/api/reports/schedules").await;
        assert_eq!(listed["items"], json!([]), "{engine:?}");
        let response = app.request(Method::DELETE, &path, Some(&other), None).await;
        assert_eq!(error_of(response).await.0, 404);
        let deliver = format!("{path}/deliver");
        let response = app
            .request(Method::POST, &deliver, Some(&other), None)
            .await;
        assert_eq!(error_of(response).await.0, 404);

        let response = app.request(Method::DELETE, &path, Some(&shop), None).await;
        assert_eq!(response.status(), 204);
        let listed = report(&app, &shop, "/api/reports/schedules").await;
        assert_eq!(listed["items"], json!([]));
    }
}

//! `POST /api/metakocka/credentials/test` against the fake Metakocka: success from saved or
//! given credentials, Metakocka's own refusal text (logged, the key never echoed), and 409
//! when there is nothing to test.

use crate::fake_metakocka::{COMPANY_ID, FakeMetakocka, SECRET_KEY};
use crate::helpers::{TestApp, engines, error_of, spawn_app_with};
use crm_mind::domain::{CompanyId, Role};
use crm_mind::metakocka::error_log::{EntityType, ErrorCategory, ErrorLogFilter, Paging};
use reqwest::Method;
use serde_json::{Value, json};

const TEST: &str = "/api/metakocka/credentials/test";
const WRONG_KEY: &str = "0000-wrong-secret-key-4242";

pub(crate) async fn app_with_fake(engine: crate::helpers::Engine, fake: &FakeMetakocka) -> TestApp {
    let base_url = fake.base_url.clone();
    spawn_app_with(engine, move |settings| {
        settings.metakocka_base_url = base_url
    })
    .await
}

/// Saves Metakocka credentials through the API (`scope` organization or user).
pub(crate) async fn save_credentials(
    app: &TestApp,
    token: &str,
    scope: &str,
    company_id: &str,
    key: &str,
) {
    let body = json!({"company_id": company_id, "secret_key": key, "scope": scope});
    let response = app
        .request(
            Method::POST,
            "/api/metakocka/credentials",
            Some(token),
            Some(body),
        )
        .await;
    assert_eq!(response.status(), 200);
}

async fn test_connection(app: &TestApp, token: &str, body: Option<Value>) -> Value {
    let response = app.request(Method::POST, TEST, Some(token), body).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn logged(
    app: &TestApp,
    company: &CompanyId,
) -> Vec<crm_mind::metakocka::error_log::ErrorLogEntry> {
    let paging = Paging {
        limit: 50,
        offset: 0,
    };
    (app.state.metakocka_errors)
        .list(company, &ErrorLogFilter::default(), paging)
        .await
        .unwrap()
        .items
}

#[tokio::test]
async fn saved_or_given_credentials_that_work_say_so_and_where_they_came_from() {
    let fake = FakeMetakocka::start().await;
    for engine in engines() {
        let app = app_with_fake(engine, &fake).await;
        let (company, admin) = app.company_with_admin("Shop").await;

        // Before saving: the values in the body are tried.
        let given = json!({"company_id": COMPANY_ID, "secret_key": SECRET_KEY});
        let answer = test_connection(&app, &admin, Some(given)).await;
        assert_eq!(
            answer,
            json!({"ok": true, "source": "request"}),
            "{engine:?}"
        );

        save_credentials(&app, &admin, "organization", COMPANY_ID, SECRET_KEY).await;
        let answer = test_connection(&app, &admin, None).await;
        assert_eq!(
            answer,
            json!({"ok": true, "source": "organization"}),
            "{engine:?}"
        );

        // An agent's own credentials are theirs to test, and win over the organisation's.
        let agent = app
            .user_token(&company, "agent@example.com", Role::Agent)
            .await;
        save_credentials(&app, &agent, "user", COMPANY_ID, SECRET_KEY).await;
        let answer = test_connection(&app, &agent, None).await;
        assert_eq!(answer, json!({"ok": true, "source": "user"}), "{engine:?}");
        assert!(logged(&app, &company).await.is_empty(), "{engine:?}");
    }
    assert!(fake.calls("json/warehouse_list") >= 3);
}

#[tokio::test]
async fn a_wrong_key_shows_metakockas_text_is_logged_and_is_never_echoed() {
    let fake = FakeMetakocka::start().await;
    for engine in engines() {
        let app = app_with_fake(engine, &fake).await;
        let (company, admin) = app.company_with_admin("Shop").await;
        save_credentials(&app, &admin, "organization", COMPANY_ID, WRONG_KEY).await;

        let response = app.request(Method::POST, TEST, Some(&admin), None).await;
        assert_eq!(response.status(), 200, "{engine:?}");
        let text = response.text().await.unwrap();
        assert!(!text.contains(WRONG_KEY), "{engine:?}: {text}");
        let answer: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(answer["ok"], false, "{engine:?}");
        assert_eq!(answer["source"], "organization");
        assert_eq!(answer["error"]["category"], "auth");
        assert_eq!(answer["error"]["message"], "Wrong secret_key or company_id");

        let entries = logged(&app, &company).await;
        assert_eq!(entries.len(), 1, "{engine:?}");
        let entry = &entries[0];
        assert_eq!(entry.category, ErrorCategory::Auth);
        assert_eq!(entry.entity_type, EntityType::Credentials);
        assert_eq!(entry.operation, "test_connection");
        assert_eq!(entry.message, "Wrong secret_key or company_id");
        let stored = serde_json::to_string(entry).unwrap();
        assert!(!stored.contains(WRONG_KEY), "{engine:?}: {stored}");
    }
}

#[tokio::test]
async fn nothing_to_test_is_409_and_half_a_body_is_400() {
    let fake = FakeMetakocka::start().await;
    for engine in engines() {
        let app = app_with_fake(engine, &fake).await;
        let (_, admin) = app.company_with_admin("Shop").await;
        let response = app.request(Method::POST, TEST, Some(&admin), None).await;
        let (status, code, _) = error_of(response).await;
        assert_eq!(
            (status, code.as_str()),
            (409, "no_credentials"),
            "{engine:?}"
        );

        let half = json!({"secret_key": WRONG_KEY});
        let response = app
            .request(Method::POST, TEST, Some(&admin), Some(half))
            .await;
        let (status, _, message) = error_of(response).await;
        assert_eq!(status, 400, "{engine:?}");
        assert!(!message.contains(WRONG_KEY));
    }
    assert_eq!(fake.total_calls(), 0, "nothing reached Metakocka");
}

//! Registering pages; tokens sealed at rest; data surviving a restart.

use crate::helpers::{Engine, engines, error_of, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn pages_are_registered_listed_and_deleted_without_their_token() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (_, token) = app.company_with_admin("Shop").await;
        let response = app.register_page(&token, "1001").await;
        assert_eq!(response.status(), 201);
        let text = response.text().await.unwrap();
        assert!(
            !text.contains("EAAB-token-of-1001"),
            "the token is never returned: {text}"
        );
        let body: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(body["page_id"], "1001");
        assert_eq!(body["page_name"], "Page 1001");

        // Registering again renews name and token.
        let response = app
            .request(
                Method::POST,
                "/api/dashboard/pages",
                Some(&token),
                Some(
                    json!({"page_id": "1001", "page_name": "Renamed", "access_token": "EAAB-new"}),
                ),
            )
            .await;
        assert_eq!(response.status(), 200);

        let listed = app
            .get("/api/dashboard/pages", &token)
            .await
            .text()
            .await
            .unwrap();
        assert!(!listed.contains("EAAB"), "{listed}");
        let listed: Value = serde_json::from_str(&listed).unwrap();
        assert_eq!(listed["total"], 1);
        assert_eq!(listed["pages"][0]["page_name"], "Renamed");

        for (body, field) in [
            (json!({"page_name": "x", "access_token": "t"}), "page_id"),
            (
                json!({"page_id": "", "page_name": "x", "access_token": "t"}),
                "page_id",
            ),
            (
                json!({"page_id": "1", "page_name": " ", "access_token": "t"}),
                "page_name",
            ),
            (
                json!({"page_id": "1", "page_name": "x", "access_token": ""}),
                "access_token",
            ),
        ] {
            let (status, _, message) = error_of(
                app.request(
                    Method::POST,
                    "/api/dashboard/pages",
                    Some(&token),
                    Some(body),
                )
                .await,
            )
            .await;
            assert_eq!(status, 400);
            assert!(message.contains(field), "{message}");
        }

        let response = app
            .request(
                Method::DELETE,
                "/api/dashboard/pages/1001",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(response.status(), 200, "{engine:?}");
        let response = app
            .request(
                Method::DELETE,
                "/api/dashboard/pages/1001",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(error_of(response).await.0, 404);
        let listed: Value = app
            .get("/api/dashboard/pages", &token)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(listed["total"], 0);
    }
}

/// Reads every byte the engine keeps for the company, as someone with a copy of the store would.
async fn raw_store_bytes(app: &crate::helpers::TestApp) -> Vec<u8> {
    match app.engine {
        Engine::Sqlite => {
            let mut bytes = Vec::new();
            for entry in std::fs::read_dir(&app.data_dir).unwrap() {
                let path = entry.unwrap().path();
                if path.to_string_lossy().contains("crm-mind.sqlite3") {
                    bytes.extend(std::fs::read(path).unwrap());
                }
            }
            bytes
        }
        Engine::Mongo => {
            let uri = app.settings.mongodb_uri.as_ref().unwrap();
            let client = mongodb::Client::with_uri_str(secrecy::ExposeSecret::expose_secret(uri))
                .await
                .unwrap();
            let db = client.database(&app.settings.mongodb_database);
            let mut bytes = Vec::new();
            for name in db.list_collection_names().await.unwrap() {
                let collection = db.collection::<mongodb::bson::Document>(&name);
                let mut cursor = collection.find(mongodb::bson::doc! {}).await.unwrap();
                while cursor.advance().await.unwrap() {
                    let doc = cursor.deserialize_current().unwrap();
                    bytes.extend(format!("{doc:?}").into_bytes());
                }
            }
            bytes
        }
    }
}

#[tokio::test]
async fn page_tokens_and_crm_keys_are_not_readable_in_the_raw_store() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (_, token) = app.company_with_admin("Shop").await;
        app.register_page(&token, "1001").await;
        let response = app
            .add_link(&token, json!({"page_id": "1001", "channels": ["messenger"], "name": "CRM",
                "url": "https://crm.example/a", "api_key": "sk-live-PLAINKEY", "headers": {"X-API-Key": "hdr-PLAINKEY"}, "is_active": true}))
            .await;
        assert_eq!(response.status(), 201);
        let raw = raw_store_bytes(&app).await;
        let raw = String::from_utf8_lossy(&raw);
        assert!(
            raw.contains("crm.example"),
            "{engine:?}: the store was read"
        );
        for secret in ["EAAB-token-of-1001", "sk-live-PLAINKEY", "hdr-PLAINKEY"] {
            assert!(
                !raw.contains(secret),
                "{engine:?}: {secret} is readable at rest"
            );
        }
    }
}

#[tokio::test]
async fn data_survives_a_restart_on_sqlite() {
    let app = spawn_app(Engine::Sqlite).await;
    let (company, token) = app.company_with_admin("Shop").await;
    app.register_page(&token, "1001").await;
    app.add_link(
        &token,
        json!({"page_id": "1001", "channels": ["facebook", "messenger"], "name": "CRM",
        "url": "https://crm.example/a", "api_key": "k", "is_active": true}),
    )
    .await;
    let body = crate::helpers::text_message("1001", "mid.restart", "Do you ship to Koper?");
    assert_eq!(app.post_webhook(&body).await.status(), 200);

    let app = app.restart().await;
    let body: Value = app
        .get("/api/dashboard/crm-links?page_id=1001", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["total"], 2, "links and the token itself survived");
    let inbox = app.inbox(&company).await;
    assert_eq!(inbox.len(), 1);
    // The sealed page token still opens with the key kept in the data directory.
    let page = app
        .state
        .dashboard
        .page(&company, &"1001".into())
        .await
        .unwrap();
    assert!(page.access_token.as_stored().starts_with("v1:"));
    assert!(app.data_dir.join("secret.key").exists());
}

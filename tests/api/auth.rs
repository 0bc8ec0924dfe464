//! Log-in, bearer tokens, expiry and roles.

use crate::helpers::{PASSWORD, engines, error_of, spawn_app};
use chrono::{Duration, Utc};
use crm_mind::accounts::hash_token;
use crm_mind::domain::{Role, Session};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn login_returns_a_token_that_opens_the_dashboard() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let company = app.state.accounts.create_company("Shop").await.unwrap();
        let email = "Ana@Shop.example";
        app.state
            .accounts
            .create_user(&company.id, email, &PASSWORD.to_owned().into(), Role::Admin)
            .await
            .unwrap();

        // Email case does not matter at log-in.
        let body = app.login("ana@shop.example", PASSWORD).await;
        let token = body["token"].as_str().unwrap();
        let expires_at: chrono::DateTime<Utc> =
            body["expires_at"].as_str().unwrap().parse().unwrap();
        assert!(expires_at > Utc::now() + Duration::hours(1), "{engine:?}");

        let response = app.get("/api/dashboard/pages", token).await;
        assert_eq!(response.status(), 200, "{engine:?}");
    }
}

#[tokio::test]
async fn wrong_password_and_unknown_email_are_refused_alike() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (_, _) = app.company_with_admin("Shop").await;
        let company = app.state.accounts.create_company("Other").await.unwrap();
        app.state
            .accounts
            .create_user(
                &company.id,
                "boss@shop.example",
                &PASSWORD.to_owned().into(),
                Role::Admin,
            )
            .await
            .unwrap();
        for (email, password) in [
            ("boss@shop.example", "wrong password"),
            ("nobody@shop.example", PASSWORD),
        ] {
            let response = app
                .request(
                    Method::POST,
                    "/api/auth/login",
                    None,
                    Some(json!({"email": email, "password": password})),
                )
                .await;
            let (status, code, _) = error_of(response).await;
            assert_eq!(
                (status, code.as_str()),
                (401, "invalid_credentials"),
                "{engine:?} {email}"
            );
        }
        let response = app
            .request(
                Method::POST,
                "/api/auth/login",
                None,
                Some(json!({"email": "boss@shop.example"})),
            )
            .await;
        let (status, _, message) = error_of(response).await;
        assert_eq!(status, 400);
        assert!(message.contains("password"), "{message}");
    }
}

#[tokio::test]
async fn dashboard_routes_need_a_valid_unexpired_token() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (company, token) = app.company_with_admin("Shop").await;

        let response = app
            .request(Method::GET, "/api/dashboard/crm-links/all", None, None)
            .await;
        assert_eq!(error_of(response).await.0, 401, "no token");
        let response = app
            .get("/api/dashboard/crm-links/all", "cmm_not-a-real-token")
            .await;
        let (status, code, _) = error_of(response).await;
        assert_eq!((status, code.as_str()), (401, "unauthorized"));
        let response = app
            .client
            .get(format!("{}/api/dashboard/pages", app.address))
            .header("Authorization", format!("Basic {token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "a token must come as Bearer");

        // An expired session is refused though it exists.
        let session = app.state.accounts.authenticate(&token).await.unwrap();
        let expired = "cmm_expired-token-for-test";
        app.state
            .store
            .insert_session(&Session {
                token_hash: hash_token(expired),
                user_id: session.user_id.clone(),
                company_id: company.clone(),
                role: Role::Admin,
                created_at: Utc::now() - Duration::days(2),
                expires_at: Utc::now() - Duration::seconds(1),
            })
            .await
            .unwrap();
        let response = app.get("/api/dashboard/pages", expired).await;
        assert_eq!(error_of(response).await.0, 401, "{engine:?}: expired token");
        assert_eq!(app.get("/api/dashboard/pages", &token).await.status(), 200);
    }
}

#[tokio::test]
async fn agents_read_but_only_admins_change() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (company, admin) = app.company_with_admin("Shop").await;
        let agent = app
            .user_token(&company, "agent@shop.example", Role::Agent)
            .await;
        assert_eq!(app.register_page(&admin, "1001").await.status(), 201);

        let response = app.register_page(&agent, "1002").await;
        let (status, code, _) = error_of(response).await;
        assert_eq!((status, code.as_str()), (403, "forbidden"), "{engine:?}");
        let link = json!({"page_id": "1001", "channels": ["messenger"], "name": "CRM", "url": "https://crm.example/a", "is_active": true});
        assert_eq!(app.add_link(&agent, link.clone()).await.status(), 403);
        assert_eq!(app.add_link(&admin, link).await.status(), 201);
        let response = app
            .request(Method::PUT, "/api/dashboard/crm-links/status", Some(&agent),
                Some(json!({"page_id": "1001", "url": "https://crm.example/a", "channels": ["messenger"], "is_active": false})))
            .await;
        assert_eq!(response.status(), 403);
        let response = app
            .request(
                Method::DELETE,
                "/api/dashboard/pages/1001",
                Some(&agent),
                None,
            )
            .await;
        assert_eq!(response.status(), 403);

        let response = app
            .get("/api/dashboard/crm-links?page_id=1001", &agent)
            .await;
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["total"], 1, "the agent sees the admin's link");
    }
}

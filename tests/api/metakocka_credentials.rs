//! `/api/metakocka/credentials`: the organisation's and a user's own Metakocka credentials,
//! sealed at rest, masked in every answer, the user's own winning for that user.

use crate::helpers::{Engine, TestApp, engines, error_of, spawn_app};
use crm_mind::domain::{Role, UserId};
use crm_mind::metakocka::credentials::{CredentialOwner, CredentialScope};
use reqwest::Method;
use secrecy::ExposeSecret;
use serde_json::{Value, json};

const PATH: &str = "/api/metakocka/credentials";
const ORG_KEY: &str = "3f1c9a7e-org-secret-key-5521";
const USER_KEY: &str = "9d2b4e11-ana-secret-key-7788";

async fn post(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    app.request(Method::POST, PATH, Some(token), Some(body))
        .await
}

async fn show(app: &TestApp, token: &str) -> Value {
    let response = app.get(PATH, token).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// The id of the user a token belongs to, from the session the token stands for.
async fn user_of(app: &TestApp, token: &str) -> UserId {
    app.state
        .accounts
        .authenticate(token)
        .await
        .unwrap()
        .user_id
}

#[tokio::test]
async fn the_key_is_sealed_at_rest_and_masked_in_every_answer() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (company, admin) = app.company_with_admin("Shop").await;
        let response = post(
            &app,
            &admin,
            json!({"company_id": "4521", "secret_key": ORG_KEY, "scope": "organization"}),
        )
        .await;
        assert_eq!(response.status(), 200, "{engine:?}");
        let saved = response.text().await.unwrap();
        assert!(
            !saved.contains(ORG_KEY) && saved.contains("••••5521"),
            "{engine:?}: {saved}"
        );

        let shown = show(&app, &admin).await;
        assert_eq!(shown["organization"]["company_id"], "4521");
        assert_eq!(shown["organization"]["secret_key"], "••••5521");
        assert_eq!(shown["organization"]["scope"], "organization");
        assert_eq!(shown["user"], Value::Null);
        assert_eq!(shown["effective_source"], "organization");
        assert!(!shown.to_string().contains(ORG_KEY));

        let stored = app
            .state
            .store
            .get_metakocka_credentials(&company, &CredentialOwner::Organization)
            .await
            .unwrap()
            .unwrap();
        assert!(
            !stored.secret_key.as_stored().contains(ORG_KEY),
            "{engine:?}: sealed"
        );
        assert!(
            !format!("{stored:?}").contains(ORG_KEY),
            "{engine:?}: Debug hides it"
        );
        if engine == Engine::Sqlite {
            let db = rusqlite::Connection::open(app.settings.sqlite_path()).unwrap();
            let raw: String = db
                .query_row("SELECT secret_key FROM metakocka_credentials", [], |row| {
                    row.get(0)
                })
                .unwrap();
            assert!(
                raw.starts_with("v1:") && !raw.contains(ORG_KEY),
                "the row holds ciphertext: {raw}"
            );
        }
    }
}

#[tokio::test]
async fn a_users_own_credentials_override_the_organisations_for_that_user_only() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (company, admin) = app.company_with_admin("Shop").await;
        let agent = app
            .user_token(
                &company,
                &format!("ana-{}@example.com", uuid::Uuid::new_v4().simple()),
                Role::Agent,
            )
            .await;
        let org = post(
            &app,
            &admin,
            json!({"company_id": "4521", "secret_key": ORG_KEY}),
        )
        .await;
        assert_eq!(org.status(), 200, "scope defaults to the organisation");
        let own = post(
            &app,
            &agent,
            json!({"company_id": "7700", "secret_key": USER_KEY, "scope": "user"}),
        )
        .await;
        assert_eq!(own.status(), 200, "{engine:?}: any user may set their own");

        let agent_view = show(&app, &agent).await;
        assert_eq!(agent_view["effective_source"], "user", "{engine:?}");
        assert_eq!(agent_view["user"]["company_id"], "7700");
        assert_eq!(agent_view["user"]["secret_key"], "••••7788");
        assert_eq!(
            agent_view["organization"]["secret_key"], "••••5521",
            "agents see the org's masked"
        );
        let admin_view = show(&app, &admin).await;
        assert_eq!(
            admin_view["effective_source"], "organization",
            "{engine:?}: the agent's own are not the admin's"
        );
        assert_eq!(admin_view["user"], Value::Null);

        let credentials = &app.state.metakocka_credentials;
        let agent_id = user_of(&app, &agent).await;
        let (for_agent, source) = credentials
            .effective_credentials(&company, Some(&agent_id))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (
                for_agent.company_id.as_str(),
                for_agent.secret_key.expose_secret(),
                source
            ),
            ("7700", USER_KEY, CredentialScope::User)
        );
        let (for_jobs, source) = credentials
            .effective_credentials(&company, None)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (
                for_jobs.company_id.as_str(),
                for_jobs.secret_key.expose_secret(),
                source
            ),
            ("4521", ORG_KEY, CredentialScope::Organization),
            "background jobs use the organisation's"
        );

        // Without their own, the agent falls back to the organisation's.
        let removed = app
            .request(
                Method::DELETE,
                &format!("{PATH}?scope=user"),
                Some(&agent),
                None,
            )
            .await;
        assert_eq!(removed.status(), 200);
        assert_eq!(
            show(&app, &agent).await["effective_source"],
            "organization",
            "{engine:?}"
        );
    }
}

#[tokio::test]
async fn only_admins_change_the_organisations_credentials() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (company, admin) = app.company_with_admin("Shop").await;
        let agent = app
            .user_token(
                &company,
                &format!("ana-{}@example.com", uuid::Uuid::new_v4().simple()),
                Role::Agent,
            )
            .await;
        let attempt = post(
            &app,
            &agent,
            json!({"company_id": "4521", "secret_key": ORG_KEY, "scope": "organization"}),
        )
        .await;
        assert_eq!(error_of(attempt).await.0, 403, "{engine:?}");
        assert_eq!(
            show(&app, &admin).await["organization"],
            Value::Null,
            "nothing was saved"
        );

        assert_eq!(
            post(
                &app,
                &admin,
                json!({"company_id": "4521", "secret_key": ORG_KEY})
            )
            .await
            .status(),
            200
        );
        let delete = app
            .request(
                Method::DELETE,
                &format!("{PATH}?scope=organization"),
                Some(&agent),
                None,
            )
            .await;
        assert_eq!(error_of(delete).await.0, 403, "{engine:?}");
        let delete = app.request(Method::DELETE, PATH, Some(&admin), None).await;
        assert_eq!(delete.status(), 200, "{engine:?}");
        assert_eq!(show(&app, &admin).await["effective_source"], Value::Null);
        let again = app.request(Method::DELETE, PATH, Some(&admin), None).await;
        assert_eq!(
            error_of(again).await.0,
            404,
            "{engine:?}: nothing left to delete"
        );
    }
}

#[tokio::test]
async fn bad_credentials_requests_are_400_and_other_companies_see_nothing() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (_, admin) = app.company_with_admin("Shop").await;
        let (_, other_admin) = app.company_with_admin("Other shop").await;
        for body in [
            json!({"company_id": " ", "secret_key": ORG_KEY}),
            json!({"company_id": "4521", "secret_key": ""}),
            json!({"company_id": "4521"}),
            json!({"company_id": "4521", "secret_key": ORG_KEY, "scope": "everyone"}),
        ] {
            let (status, _, message) = error_of(post(&app, &admin, body.clone()).await).await;
            assert_eq!(status, 400, "{engine:?}: {body}");
            assert!(!message.contains(ORG_KEY), "{message}");
        }
        assert_eq!(
            post(
                &app,
                &admin,
                json!({"company_id": "4521", "secret_key": ORG_KEY})
            )
            .await
            .status(),
            200
        );
        let anonymous = app.request(Method::GET, PATH, None, None).await;
        assert_eq!(
            error_of(anonymous).await.0,
            401,
            "{engine:?}: a token is needed"
        );
        let anonymous_logs = app
            .request(Method::GET, "/api/integrations/metakocka/logs", None, None)
            .await;
        assert_eq!(error_of(anonymous_logs).await.0, 401, "{engine:?}");
        let other = show(&app, &other_admin).await;
        assert_eq!(
            (&other["organization"], &other["effective_source"]),
            (&Value::Null, &Value::Null),
            "{engine:?}"
        );
    }
}

//! Links that are not fetched from an API: a webhook link takes signed pushes only, and a
//! database link is reported as not supported.

use super::{PAGE, Setup, customers, json_of};
use crate::fake_crm::FakeCrm;
use crate::helpers::{engines, error_of, spawn_app};
use crm_mind::facebook::signature::sign;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn a_webhook_link_takes_signed_pushes_only() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (_, token) = app.company_with_admin("Shop").await;
        assert_eq!(app.register_page(&token, PAGE).await.status(), 201);
        let added = json_of(
            app.add_link(
                &token,
                json!({"page_id": PAGE, "channels": ["messenger"], "name": "Pushed",
                       "url": "https://crm.example/hook", "type": "webhook", "is_active": true}),
            )
            .await,
        )
        .await;
        let secret = added["webhook"]["secret"].as_str().unwrap().to_owned();
        let push_path = added["webhook"]["url"].as_str().unwrap().to_owned();
        let listed = app
            .get(&format!("/api/dashboard/crm-links?page_id={PAGE}"), &token)
            .await
            .text()
            .await
            .unwrap();
        assert!(!listed.contains(&secret), "the secret is shown once only");

        let body = customers(&[]).to_string();
        let push = |signature: Option<String>| {
            let mut request = app
                .client
                .post(format!("{}{push_path}", app.address))
                .header("content-type", "application/json")
                .body(body.clone());
            if let Some(signature) = signature {
                request = request.header("X-CRM-Signature-256", signature);
            }
            request.send()
        };
        let (status, code, _) = error_of(push(None).await.unwrap()).await;
        assert_eq!((status, code.as_str()), (401, "unauthorized"));
        let forged = sign(b"not-the-secret", body.as_bytes());
        assert_eq!(push(Some(forged)).await.unwrap().status(), 401);

        let pushed = push(Some(sign(secret.as_bytes(), body.as_bytes())))
            .await
            .unwrap();
        let run = json_of(pushed).await["run"].clone();
        assert_eq!(run["outcome"], "succeeded", "{run}");
        assert_eq!(run["trigger"], "push");
        let s = Setup {
            crm: FakeCrm::start(json!({})).await,
            app,
            token,
        };
        assert!(s.found("messenger", "SKU-12-B", "cust-1").await);
        let unknown = s
            .app
            .client
            .post(format!(
                "{}/api/crm-links/webhook/no-such-link",
                s.app.address
            ))
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(unknown.status(), 404);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_database_link_is_reported_as_not_supported() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (_, token) = app.company_with_admin("Shop").await;
        assert_eq!(app.register_page(&token, PAGE).await.status(), 201);
        let added = app
            .add_link(
                &token,
                json!({"page_id": PAGE, "channels": ["messenger"], "name": "Warehouse DB",
                       "url": "https://db.example/warehouse", "type": "database", "is_active": true}),
            )
            .await;
        assert_eq!(added.status(), 201);
        let s = Setup {
            crm: FakeCrm::start(json!({})).await,
            app,
            token,
        };
        let runs = s.wait_for_runs(1).await;
        assert_eq!(runs[0]["outcome"], "not_supported", "{}", runs[0]);
        assert!(
            runs[0]["error"]
                .as_str()
                .unwrap()
                .contains("not supported yet")
        );
    }
}

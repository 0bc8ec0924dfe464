//! The console's emails pages over HTTP, against the fake Metakocka: an email shows its
//! Metakocka context with sources, a template is filled (or a missing value is named next
//! to the template field), an AI draft is written and shown with the facts it used, and
//! another company's email is not found.

use crate::admin_console::Console;
use crate::emails_world::{World, ingest_fixture, world};
use crate::helpers::{PASSWORD, engines};
use crm_mind::domain::Role;
use reqwest::header::LOCATION;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn console(w: &World, role: Role) -> Console {
    let session = w.app.state.accounts.authenticate(&w.token).await.unwrap();
    let email = format!("console-{}@example.com", uuid::Uuid::new_v4().simple());
    w.app.user_token(&session.company_id, &email, role).await;
    Console::sign_in(&w.app, &email, PASSWORD).await
}

async fn template(w: &World, body: Value) -> String {
    let response = w
        .app
        .request(
            Method::POST,
            "/api/emails/templates",
            Some(&w.token),
            Some(body),
        )
        .await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    created["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_email_shows_its_context_fills_a_template_and_gets_a_draft_with_its_facts() {
    for engine in engines() {
        let w = world(engine).await;
        let email = ingest_fixture(&w.app, &w.token, "01_order_status_en.json").await;
        let id = email["id"].as_str().unwrap();
        let agent = console(&w, Role::Agent).await;

        let (status, list) = agent.get_text("/admin/emails").await;
        assert_eq!(status, StatusCode::OK, "{engine:?}");
        assert!(list.contains(&format!("href=\"/admin/emails/{id}\">Order 2024-00123</a>")));

        let page = format!("/admin/emails/{id}");
        let (status, html) = agent.get_text(&page).await;
        assert_eq!(status, StatusCode::OK, "{engine:?}");
        let context = &html[html.find("id=\"context\"").unwrap()..];
        assert!(context.contains("Novak d.o.o."), "{engine:?}: the partner");
        assert!(
            context.contains("2024-00123"),
            "{engine:?}: the order it mentions"
        );
        assert!(
            context.contains("Source: "),
            "{engine:?}: each item's source"
        );

        let order_status = template(
            &w,
            json!({"name": "Order status", "language": "en", "subject": "Your order {{ order.number }}",
                   "body": "Dear {{ partner.name }}, your order {{ order.number }} is {{ order.status }}. {{ agent.name }}"}),
        )
        .await;
        let filled = agent
            .post(
                &format!("{page}/populate"),
                &[("template_id", &order_status), ("agent_name", "Maja")],
            )
            .await;
        assert_eq!(filled.status(), StatusCode::OK, "{engine:?}");
        let filled = filled.text().await.unwrap();
        assert!(
            filled.contains("Subject: Your order 2024-00123"),
            "{engine:?}"
        );
        assert!(
            filled.contains("Dear Novak d.o.o., your order 2024-00123 is shipped. Maja"),
            "{engine:?}"
        );

        // Without a name, {{ agent.name }} has no value: said in words beside the field.
        let missing = agent
            .post(
                &format!("{page}/populate"),
                &[("template_id", &order_status)],
            )
            .await;
        assert_eq!(missing.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let missing = missing.text().await.unwrap();
        assert!(
            missing.contains("id=\"pop-template-error\">Template: the placeholder {{agent.name}} has no value here"),
            "{engine:?}"
        );
        let nothing = agent.post(&format!("{page}/populate"), &[]).await;
        assert!(
            nothing
                .text()
                .await
                .unwrap()
                .contains("Template: choose one of the list.")
        );

        let drafted = agent
            .post(&format!("{page}/draft"), &[("agent_name", "Maja")])
            .await;
        assert_eq!(drafted.status(), StatusCode::SEE_OTHER, "{engine:?}");
        let location = drafted.headers()[LOCATION].to_str().unwrap().to_owned();
        let draft_id = location.rsplit("#draft-").next().unwrap();
        let (_, with_draft) = agent.get_text(&page).await;
        let article = &with_draft[with_draft
            .find(&format!("id=\"draft-{draft_id}\""))
            .unwrap()..];
        assert!(
            article.contains("2024-00123"),
            "{engine:?}: the draft answers the question"
        );
        assert!(article.contains("Facts used"), "{engine:?}");
        assert!(
            article.contains("Source: "),
            "{engine:?}: each fact's source"
        );
    }
}

#[tokio::test]
async fn another_companys_email_is_not_found() {
    let w = world(engines()[0]).await;
    let email = ingest_fixture(&w.app, &w.token, "03_stock_en.json").await;
    let id = email["id"].as_str().unwrap();
    let (other, _) = w.app.company_with_admin("Other").await;
    w.app
        .user_token(&other, "stranger@example.com", Role::Admin)
        .await;
    let stranger = Console::sign_in(&w.app, "stranger@example.com", PASSWORD).await;
    let (status, _) = stranger.get_text(&format!("/admin/emails/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let drafted = stranger
        .post(&format!("/admin/emails/{id}/draft"), &[])
        .await;
    assert_eq!(drafted.status(), StatusCode::NOT_FOUND);
    let (_, list) = stranger.get_text("/admin/emails").await;
    assert!(!list.contains(id));
}

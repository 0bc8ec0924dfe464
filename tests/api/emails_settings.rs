//! `GET/PUT /api/emails/settings`: a company's own document-number patterns replace the
//! service-wide ones for its emails only; a pattern that is not a regular expression is a
//! 400 naming it; only admins see or change them.

use crate::emails_world::{World, post_email, world};
use crate::helpers::{engines, error_of};
use crm_mind::domain::Role;
use reqwest::Method;
use serde_json::{Value, json};

const PATH: &str = "/api/emails/settings";

async fn put(w: &World, token: &str, body: Value) -> reqwest::Response {
    w.app
        .request(Method::PUT, PATH, Some(token), Some(body))
        .await
}

/// Posts an email naming a default-pattern number and an `INV/…` number; answers what
/// enrichment made of them: the confirmed documents and the unconfirmed numbers.
async fn numbers_found(w: &World, n: u32) -> (Vec<String>, Vec<String>) {
    let body = json!({"message_id": format!("<numbers-{n}@novak.si>"),
                      "from": "Ana Novak <ana.novak@novak.si>", "subject": "Two documents",
                      "text": "Hello,\nwhere are order 2024-00123 and invoice INV/4471?\nAna"});
    let response = post_email(&w.app, &w.token, body).await;
    assert_eq!(response.status(), 201);
    let email: Value = response.json().await.unwrap();
    let list = |key: &str, field: Option<&str>| -> Vec<String> {
        (email["enrichment"][key].as_array().unwrap().iter())
            .map(|v| match field {
                Some(f) => v[f].as_str().unwrap().to_owned(),
                None => v.as_str().unwrap().to_owned(),
            })
            .collect()
    };
    (
        list("documents", Some("count_code")),
        list("unconfirmed_numbers", None),
    )
}

#[tokio::test]
async fn a_companys_own_patterns_replace_the_defaults_for_its_emails() {
    for engine in engines() {
        let w = world(engine).await;
        let before: Value = w.app.get(PATH, &w.token).await.json().await.unwrap();
        assert_eq!(before["document_patterns"], Value::Null, "{engine:?}");
        assert!(
            (before["default_document_patterns"]
                .as_array()
                .unwrap()
                .iter())
            .any(|p| p == r"\b\d{4}-\d{5}\b")
        );
        assert_eq!(
            numbers_found(&w, 1).await,
            (vec!["2024-00123".to_owned()], vec![])
        );

        let response = put(
            &w,
            &w.token,
            json!({"document_patterns": [r"\bINV/\d{4}\b"]}),
        )
        .await;
        assert_eq!(response.status(), 200, "{engine:?}");
        let saved: Value = response.json().await.unwrap();
        assert_eq!(saved["document_patterns"], json!([r"\bINV/\d{4}\b"]));
        assert!(saved["updated_at"].is_string());

        // Only the company's pattern applies now: the invoice number is looked up (the fake
        // Metakocka has no such document), the order number no longer.
        assert_eq!(
            numbers_found(&w, 2).await,
            (vec![], vec!["INV/4471".to_owned()])
        );

        let (_, other) = w.app.company_with_admin("Other shop").await;
        let theirs: Value = w.app.get(PATH, &other).await.json().await.unwrap();
        assert_eq!(
            theirs["document_patterns"],
            Value::Null,
            "another company's own"
        );

        let reset = put(&w, &w.token, json!({"document_patterns": null})).await;
        assert_eq!(reset.status(), 200);
        assert_eq!(
            numbers_found(&w, 3).await,
            (vec!["2024-00123".to_owned()], vec![])
        );
    }
}

#[tokio::test]
async fn a_pattern_that_does_not_compile_is_named_and_nothing_changes() {
    let w = world(engines()[0]).await;

    let response = put(
        &w,
        &w.token,
        json!({"document_patterns": [r"\bINV/\d{4}\b", r"ORD-(\d+"]}),
    )
    .await;

    assert_eq!(response.status(), 400);
    let (_, code, message) = error_of(response).await;
    assert_eq!(code, "validation_failed");
    assert!(message.contains("document_patterns"), "{message}");
    assert!(message.contains(r"ORD-(\\d+"), "{message}");
    let after: Value = w.app.get(PATH, &w.token).await.json().await.unwrap();
    assert_eq!(after["document_patterns"], Value::Null);
}

#[tokio::test]
async fn agents_neither_see_nor_change_the_settings() {
    let w = world(engines()[0]).await;
    let company = (w.app.state.accounts.authenticate(&w.token).await)
        .unwrap()
        .company_id;
    let agent = w
        .app
        .user_token(&company, "agent@kettle-shop.si", Role::Agent)
        .await;

    assert_eq!(w.app.get(PATH, &agent).await.status(), 403);
    let response = put(&w, &agent, json!({"document_patterns": [r"X-\d+"]})).await;
    assert_eq!(response.status(), 403);
}

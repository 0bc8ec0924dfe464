//! `/api/emails/templates` and `POST /api/emails/templates/populate`: every placeholder
//! filled from an email's context and the records named, money and dates in the template's
//! language, a missing value named in a 400, unknown placeholders refused on save.

use crate::emails_world::{World, ingest_fixture, world};
use crate::helpers::{engines, error_of};
use crm_mind::domain::Role;
use reqwest::Method;
use serde_json::{Value, json};

fn default_template(name: &str) -> Value {
    let path = format!(
        "{}/fixtures/email_templates/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

async fn create(w: &World, body: Value) -> reqwest::Response {
    w.app
        .request(
            Method::POST,
            "/api/emails/templates",
            Some(&w.token),
            Some(body),
        )
        .await
}

async fn created_id(w: &World, body: Value) -> String {
    let response = create(w, body).await;
    assert_eq!(response.status(), 201);
    let template: Value = response.json().await.unwrap();
    template["id"].as_str().unwrap().to_owned()
}

async fn populate(w: &World, body: Value) -> reqwest::Response {
    w.app
        .request(
            Method::POST,
            "/api/emails/templates/populate",
            Some(&w.token),
            Some(body),
        )
        .await
}

#[tokio::test]
async fn an_order_status_in_english_and_slovenian() {
    for engine in engines() {
        let w = world(engine).await;
        let email = ingest_fixture(&w.app, &w.token, "01_order_status_en.json").await;
        for (file, expected) in [
            (
                "order_status.en",
                "Dear Novak d.o.o.,\n\nthank you for your message. Your order 2024-00123 of 9 Sep 2024 is shipped. \
                 It contains 2 × Glass kettle 1.7 l, €79.80 in total.\n\nKind regards,\nMaja\nKettle Shop",
            ),
            (
                "order_status.sl",
                "Spoštovani Novak d.o.o.,\n\nhvala za vaše sporočilo. Stanje vašega naročila 2024-00123 z dne 9. 9. 2024: shipped. \
                 Naročilo vsebuje 2 × Glass kettle 1.7 l, skupaj 79,80 €.\n\nLep pozdrav,\nMaja\nKettle Shop",
            ),
        ] {
            let id = created_id(&w, default_template(file)).await;

            let response = populate(
                &w,
                json!({"template_id": id, "email_id": email["id"], "agent_name": "Maja"}),
            )
            .await;
            assert_eq!(response.status(), 200, "{engine:?} {file}");
            let rendered: Value = response.json().await.unwrap();

            assert_eq!(rendered["body"], expected, "{engine:?} {file}");
            assert!(
                rendered["subject"]
                    .as_str()
                    .unwrap()
                    .ends_with("2024-00123")
            );
        }
    }
}

#[tokio::test]
async fn every_placeholder_is_filled() {
    let w = world(engines()[0]).await;
    let email = ingest_fixture(&w.app, &w.token, "01_order_status_en.json").await;
    let body = "{{ partner.name }}|{{ partner.email }}|{{ order.number }}|{{ order.status }}|\
                {{ order.date }}|{{ order.total }}|{{ order.items }}|{{ product.name }}|{{ product.code }}|\
                {{ product.price }}|{{ product.stock }}|{{ company.name }}|{{ agent.name }}";
    let id = created_id(
        &w,
        json!({"name": "all", "language": "sl", "subject": "Vse", "body": body}),
    )
    .await;

    let rendered: Value = populate(
        &w,
        json!({"template_id": id, "email_id": email["id"], "product_id": "MUG-01", "agent_name": "Maja"}),
    )
    .await
    .json()
    .await
    .unwrap();

    assert_eq!(
        rendered["body"],
        "Novak d.o.o.|ana.novak@novak.si|2024-00123|shipped|9. 9. 2024|79,80 €|2 × Glass kettle 1.7 l|\
         Ceramic mug|MUG-01|8,50 €|140|Kettle Shop|Maja"
    );
    assert_eq!(rendered["language"], "sl");
}

#[tokio::test]
async fn records_named_without_an_email() {
    let w = world(engines()[0]).await;
    let id = created_id(&w, default_template("stock_answer.en")).await;

    let rendered: Value = populate(
        &w,
        json!({"template_id": id, "product_id": "KT-200", "agent_name": "Maja"}),
    )
    .await
    .json()
    .await
    .unwrap();

    assert!(
        rendered["body"].as_str().unwrap().contains(
            "We currently have 12 of Glass kettle 1.7 l (KT-200) in stock; the price is €39.90."
        ),
        "{rendered}"
    );
}

#[tokio::test]
async fn a_placeholder_without_a_value_is_named() {
    let w = world(engines()[0]).await;
    let stock_question = ingest_fixture(&w.app, &w.token, "03_stock_en.json").await;
    let order_status = created_id(&w, default_template("order_status.en")).await;

    let no_order = populate(
        &w,
        json!({"template_id": order_status, "email_id": stock_question["id"], "agent_name": "Maja"}),
    )
    .await;
    let (status, code, message) = error_of(no_order).await;
    assert_eq!((status, code.as_str()), (400, "missing_value"));
    assert!(message.contains("{{order.number}}"), "{message}");

    let order = ingest_fixture(&w.app, &w.token, "01_order_status_en.json").await;
    let no_agent = populate(
        &w,
        json!({"template_id": order_status, "email_id": order["id"]}),
    )
    .await;
    assert!(error_of(no_agent).await.2.contains("{{agent.name}}"));
}

#[tokio::test]
async fn unknown_placeholders_are_refused_with_the_known_ones() {
    let w = world(engines()[0]).await;

    let response = create(
        &w,
        json!({"name": "typo", "language": "en", "subject": "Hi", "body": "Dear {{ partner.nmae }}"}),
    )
    .await;

    let (status, code, message) = error_of(response).await;
    assert_eq!((status, code.as_str()), (400, "validation_failed"));
    assert!(message.contains("partner.nmae"), "{message}");
    assert!(
        message.contains("partner.name, partner.email, order.number"),
        "{message}"
    );
}

#[tokio::test]
async fn templates_are_listed_replaced_and_deleted_by_admins_of_their_company() {
    for engine in engines() {
        let w = world(engine).await;
        let id = created_id(&w, default_template("invoice_copy.sl")).await;
        let path = format!("/api/emails/templates/{id}");
        let mut changed = default_template("invoice_copy.sl");
        changed["subject"] = json!("Račun {{ order.number }}");

        let replaced = w
            .app
            .request(Method::PUT, &path, Some(&w.token), Some(changed))
            .await;
        assert_eq!(replaced.status(), 200, "{engine:?}");
        let list: Value = w
            .app
            .get("/api/emails/templates", &w.token)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            list["items"][0]["subject"], "Račun {{ order.number }}",
            "{engine:?}"
        );
        assert_eq!(list["items"][0]["language"], "sl");

        let (_, other) = w.app.company_with_admin("Other").await;
        let theirs = w
            .app
            .request(Method::DELETE, &path, Some(&other), None)
            .await;
        assert_eq!(
            theirs.status(),
            404,
            "{engine:?}: another company's template"
        );
        let still: Value = w
            .app
            .get("/api/emails/templates", &w.token)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(still["items"].as_array().unwrap().len(), 1, "{engine:?}");
        let deleted = w
            .app
            .request(Method::DELETE, &path, Some(&w.token), None)
            .await;
        assert_eq!(deleted.status(), 204, "{engine:?}");
    }
}

/// The shop's company id, through the session of its admin.
async fn list_company(w: &World) -> crm_mind::domain::CompanyId {
    w.app
        .state
        .accounts
        .authenticate(&w.token)
        .await
        .unwrap()
        .company_id
}

#[tokio::test]
async fn agents_fill_templates_but_do_not_change_them() {
    let w = world(engines()[0]).await;
    let company = list_company(&w).await;
    let agent = w
        .app
        .user_token(&company, "agent@kettle-shop.si", Role::Agent)
        .await;

    let refused = w
        .app
        .request(
            Method::POST,
            "/api/emails/templates",
            Some(&agent),
            Some(default_template("stock_answer.en")),
        )
        .await;

    assert_eq!(refused.status(), 403);
}

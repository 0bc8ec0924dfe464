//! `POST /api/ai/generate-response` and `POST /api/emails/ai-context`: reply drafts written
//! from the email's context only, with the facts used and their sources, stored with the
//! email. The extractive default fills the best default template; a chat model gets the
//! facts in its request.

use crate::emails_world::{World, ingest_fixture, world, world_with};
use crate::fake_chat::{FakeChat, Reply};
use crate::helpers::engines;
use crm_mind::llm::HANDOVER_EN;
use reqwest::Method;
use serde_json::{Value, json};

async fn draft(w: &World, path: &str, body: Value) -> Value {
    let response = w
        .app
        .request(Method::POST, path, Some(&w.token), Some(body))
        .await;
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

#[tokio::test]
async fn the_extractive_draft_for_a_stock_question_states_the_amount() {
    for engine in engines() {
        let w = world(engine).await;
        let email = ingest_fixture(&w.app, &w.token, "03_stock_en.json").await;
        let id = email["id"].as_str().unwrap();

        let draft = draft(
            &w,
            "/api/ai/generate-response",
            json!({"email_id": id, "agent_name": "Maja"}),
        )
        .await;

        assert!(
            draft["body"].as_str().unwrap().contains(
                "We currently have 12 of Glass kettle 1.7 l (KT-200) in stock; the price is €39.90."
            ),
            "{engine:?}: {draft}"
        );
        assert_eq!(draft["subject"], "Glass kettle 1.7 l availability");
        assert_eq!(
            (&draft["model"], &draft["default_template"]),
            (&json!("extractive"), &json!("stock_answer"))
        );
        let stock_fact = (draft["facts"].as_array().unwrap().iter())
            .find(|f| f["fact"].as_str().unwrap().starts_with("Product KT-200"))
            .unwrap_or_else(|| panic!("{draft}"));
        assert_eq!(
            stock_fact["fact"],
            "Product KT-200 Glass kettle 1.7 l, price €39.90, in stock 12"
        );
        assert!(
            stock_fact["source"]
                .as_str()
                .unwrap()
                .contains("inventory snapshot")
        );

        let stored: Value = w
            .app
            .get(&format!("/api/emails/{id}"), &w.token)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            stored["drafts"][0], draft,
            "{engine:?}: stored with the email"
        );
    }
}

#[tokio::test]
async fn a_slovenian_order_question_gets_the_slovenian_order_status() {
    let w = world(engines()[0]).await;
    let email = ingest_fixture(&w.app, &w.token, "02_order_status_sl.json").await;

    let draft = draft(
        &w,
        "/api/emails/ai-context",
        json!({"email_id": email["id"]}),
    )
    .await;

    assert_eq!(draft["language"], "sl");
    assert_eq!(draft["subject"], "Vaše naročilo 2024-00456");
    let body = draft["body"].as_str().unwrap();
    assert!(
        body.contains("Stanje vašega naročila 2024-00456 z dne 10. 9. 2024: confirmed.")
            && body.contains("10 × Pohodni čevlji Alpina, skupaj 1.299,00 €")
            && body.ends_with("Služba za stranke\nKettle Shop"),
        "{body}"
    );
}

#[tokio::test]
async fn the_language_can_be_chosen_and_an_unanswerable_email_is_handed_over() {
    let w = world(engines()[0]).await;
    let order = ingest_fixture(&w.app, &w.token, "01_order_status_en.json").await;
    let unknown = ingest_fixture(&w.app, &w.token, "09_unknown_sender_en.json").await;

    let in_slovenian = draft(
        &w,
        "/api/ai/generate-response",
        json!({"email_id": order["id"], "language": "sl"}),
    )
    .await;
    let handed_over = draft(
        &w,
        "/api/ai/generate-response",
        json!({"email_id": unknown["id"]}),
    )
    .await;

    assert!(
        in_slovenian["body"]
            .as_str()
            .unwrap()
            .contains("z dne 9. 9. 2024"),
        "{in_slovenian}"
    );
    assert_eq!(handed_over["body"], HANDOVER_EN);
    assert_eq!(handed_over["subject"], "Re: Shipping to Austria");
}

#[tokio::test]
async fn a_chat_model_gets_the_context_facts_and_its_draft_cites_them() {
    for engine in engines() {
        let chat = FakeChat::start(vec![Reply::completion(
            "Dear Ms Novak, your order 2024-00123 was shipped; it left us on 9 Sep 2024.",
        )])
        .await;
        let chat_settings = chat.settings();
        let w = world_with(engine, |settings| {
            settings.llm_base_url = Some(chat_settings.base_url);
            settings.llm_api_key = chat_settings.api_key;
        })
        .await;
        ingest_fixture(&w.app, &w.token, "02_order_status_sl.json").await;
        let email = ingest_fixture(&w.app, &w.token, "01_order_status_en.json").await;

        let draft = draft(
            &w,
            "/api/ai/generate-response",
            json!({"email_id": email["id"], "tone": "warm"}),
        )
        .await;

        assert_eq!(
            draft["body"],
            "Dear Ms Novak, your order 2024-00123 was shipped; it left us on 9 Sep 2024.",
            "{engine:?}"
        );
        assert_eq!(draft["subject"], "Re: Order 2024-00123");
        assert_eq!(draft["model"], "gpt-4o-mini");
        let order_fact = "Document 2024-00123 (sales_order), status shipped, date 9 Sep 2024, \
                          total €79.80, items 2 × Glass kettle 1.7 l";
        assert!(
            (draft["facts"].as_array().unwrap().iter()).any(|f| f["fact"] == order_fact
                && f["source"] == "Metakocka get_document sales_order 2024-00123"),
            "{engine:?}: {draft}"
        );
        let seen = chat.seen();
        let request = serde_json::to_string(&seen.last().unwrap().body).unwrap();
        for expected in [
            order_fact,
            "Customer: Novak d.o.o.",
            "Metakocka get_document sales_order 2024-00123",
            "warm",
        ] {
            assert!(
                request.contains(expected),
                "{engine:?}: {expected} not in {request}"
            );
        }
        for other_customer in ["Kovač", "2024-00456", "PO-7781"] {
            assert!(
                !request.contains(other_customer),
                "{engine:?}: {other_customer} leaked into {request}"
            );
        }
    }
}

#[tokio::test]
async fn another_companys_email_gets_no_draft() {
    let w = world(engines()[0]).await;
    let email = ingest_fixture(&w.app, &w.token, "01_order_status_en.json").await;
    let (_, other) = w.app.company_with_admin("Other").await;

    let response = w
        .app
        .request(
            Method::POST,
            "/api/ai/generate-response",
            Some(&other),
            Some(json!({"email_id": email["id"]})),
        )
        .await;

    assert_eq!(response.status(), 404);
}

//! `GET /api/ai/recommendations`: products other buyers of what a customer bought also
//! bought, and products like theirs, never out of stock, never what they already have,
//! each with its reason; for a partner or an email's sender; in an email's context, a
//! template's `{{ recommendations }}` and a chat model's request; one company only.

use crate::ai_world::{Customers, customers};
use crate::emails_world::{World, ingest_fixture, world, world_with};
use crate::fake_chat::{FakeChat, Reply};
use crate::helpers::{engines, error_of};
use reqwest::Method;
use serde_json::{Value, json};

async fn recommendations(w: &World, token: &str, query: &str) -> reqwest::Response {
    w.app
        .get(&format!("/api/ai/recommendations?{query}"), token)
        .await
}

async fn ok(w: &World, query: &str) -> Value {
    let response = recommendations(w, &w.token, query).await;
    assert_eq!(response.status(), 200, "{query}");
    response.json().await.unwrap()
}

fn codes(answer: &Value) -> Vec<&str> {
    (answer["recommendations"].as_array().unwrap().iter())
        .map(|r| r["code"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_kettle_buyer_is_offered_what_other_kettle_buyers_bought_and_a_similar_kettle() {
    for engine in engines() {
        let w = world(engine).await;
        let c: Customers = customers(&w).await;

        let answer = ok(&w, &format!("partner_id={}", c.janez)).await;

        // The mug: two other kettle buyers bought it. The 2 l kettle: its name is like the
        // one he bought. Not the boots (out of stock in the snapshot), not the tea (its
        // buyer shares nothing with him), not the kettle he has.
        assert_eq!(codes(&answer), ["MUG-01", "KT-300"], "{engine:?}: {answer}");
        assert_eq!(answer["partner_id"], c.janez.as_str());
        let mug = &answer["recommendations"][0];
        assert_eq!(mug["product_id"], c.mug.as_str());
        assert_eq!(
            (&mug["price"], &mug["stock"]),
            (&json!("8.50"), &json!("140"))
        );
        assert_eq!(
            mug["reason"],
            "Customers who bought Glass kettle 1.7 l also bought this (2 customers)"
        );
        assert_eq!(
            mug["reasons"],
            json!([{"kind": "bought_together", "with": [c.kettle], "customers": 2}])
        );
        assert!(
            mug["source"]
                .as_str()
                .unwrap()
                .contains("inventory snapshot")
        );
        let big = &answer["recommendations"][1];
        assert_eq!(big["product_id"], c.big_kettle.as_str());
        assert_eq!(big["reasons"][0]["kind"], "similar_to");
        assert_eq!(big["reasons"][0]["product_id"], c.kettle.as_str());
        assert_eq!(big["stock"], Value::Null, "the snapshot does not know it");
        let suggested: Vec<&str> = (answer["recommendations"].as_array().unwrap().iter())
            .map(|r| r["product_id"].as_str().unwrap())
            .collect();
        for never in [&c.boots, &c.tea, &c.kettle] {
            assert!(
                !suggested.contains(&never.as_str()),
                "{never} in {suggested:?}"
            );
        }

        let one = ok(&w, &format!("partner_id={}&limit=1", c.janez)).await;
        assert_eq!(codes(&one), ["MUG-01"]);
    }
}

#[tokio::test]
async fn an_emails_sender_gets_them_in_the_language_asked() {
    let w = world(engines()[0]).await;
    let c = customers(&w).await;
    let email = ingest_fixture(&w.app, &w.token, "03_stock_en.json").await;
    let id = email["id"].as_str().unwrap();

    let english = ok(&w, &format!("email_id={id}")).await;
    let slovenian = ok(&w, &format!("email_id={id}&language=sl")).await;

    assert_eq!(english["partner_id"], c.janez.as_str());
    assert_eq!(codes(&english), ["MUG-01", "KT-300"]);
    assert_eq!(
        slovenian["recommendations"][0]["reason"],
        "Kupci, ki so kupili Glass kettle 1.7 l, so kupili tudi ta izdelek (kupcev: 2)"
    );
    assert_eq!(
        slovenian["recommendations"][1]["reason"],
        "Podobno izdelku Glass kettle 1.7 l, ki ga je stranka že kupila"
    );
}

#[tokio::test]
async fn they_reach_the_context_and_a_template_in_its_language() {
    for engine in engines() {
        let w = world(engine).await;
        let c = customers(&w).await;
        let email = ingest_fixture(&w.app, &w.token, "03_stock_en.json").await;

        let context: Value = (w.app)
            .get(
                &format!(
                    "/api/emails/{}/metakocka-context",
                    email["id"].as_str().unwrap()
                ),
                &w.token,
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            codes(&context),
            ["MUG-01", "KT-300"],
            "{engine:?}: {context}"
        );
        assert_eq!(context["insights"]["partner_id"], c.janez.as_str());

        let template = json!({"name": "suggest", "language": "sl", "subject": "Za vas",
                              "body": "Morda vas zanima:\n{{ recommendations }}"});
        let saved: Value = (w.app)
            .request(
                Method::POST,
                "/api/emails/templates",
                Some(&w.token),
                Some(template),
            )
            .await
            .json()
            .await
            .unwrap();
        let populate = |partner: &str| json!({"template_id": saved["id"], "partner_id": partner});
        let path = "/api/emails/templates/populate";
        let filled: Value = (w.app)
            .request(Method::POST, path, Some(&w.token), Some(populate(&c.janez)))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            filled["body"],
            "Morda vas zanima:\n- Ceramic mug (MUG-01), 8,50 €, na zalogi 140\n- Glass kettle 2 l (KT-300), 49,90 €",
            "{engine:?}"
        );

        // Dana bought only tea: nobody else did, and nothing is like it. Nothing to suggest
        // is a missing value, not an empty list.
        let response = (w.app)
            .request(Method::POST, path, Some(&w.token), Some(populate(&c.dana)))
            .await;
        assert_eq!(response.status(), 400);
        let (_, _, message) = error_of(response).await;
        assert!(message.contains("recommendations"), "{message}");
    }
}

#[tokio::test]
async fn a_chat_model_is_given_the_suggestions_and_no_other_customer() {
    let chat = FakeChat::start(vec![Reply::completion("Yes, 12 are in stock.")]).await;
    let chat_settings = chat.settings();
    let w = world_with(engines()[0], |settings| {
        settings.llm_base_url = Some(chat_settings.base_url);
        settings.llm_api_key = chat_settings.api_key;
    })
    .await;
    customers(&w).await;
    let email = ingest_fixture(&w.app, &w.token, "03_stock_en.json").await;

    let response = (w.app)
        .request(
            Method::POST,
            "/api/ai/generate-response",
            Some(&w.token),
            Some(json!({"email_id": email["id"]})),
        )
        .await;
    assert_eq!(response.status(), 200);
    let draft: Value = response.json().await.unwrap();

    let suggestion = "Product to suggest: MUG-01 Ceramic mug, price €8.50, in stock 140 \
                      (Customers who bought Glass kettle 1.7 l also bought this (2 customers))";
    assert!(
        (draft["facts"].as_array().unwrap().iter()).any(|f| f["fact"] == suggestion),
        "{draft}"
    );
    let request = serde_json::to_string(&chat.seen().last().unwrap().body).unwrap();
    assert!(request.contains(suggestion), "{request}");
    for other in ["Bor Kralj", "Cene Zupan", "Dana Vidmar", "ALP-42", "TEA-1"] {
        assert!(!request.contains(other), "{other} leaked into {request}");
    }
}

#[tokio::test]
async fn the_question_names_one_known_customer_of_the_callers_company() {
    let w = world(engines()[0]).await;
    let c = customers(&w).await;
    let email = ingest_fixture(&w.app, &w.token, "03_stock_en.json").await;
    let id = email["id"].as_str().unwrap();
    let (_, other) = w.app.company_with_admin("Other shop").await;

    for query in [format!("partner_id={}", c.janez), format!("email_id={id}")] {
        let response = recommendations(&w, &other, &query).await;
        assert_eq!(response.status(), 404, "another company's {query}");
    }
    for query in [
        String::new(),
        format!("partner_id={}&email_id={id}", c.janez),
    ] {
        let response = recommendations(&w, &w.token, &query).await;
        assert_eq!(response.status(), 400, "{query:?}");
    }
    let unknown = ingest_fixture(&w.app, &w.token, "09_unknown_sender_en.json").await;
    let response = recommendations(
        &w,
        &w.token,
        &format!("email_id={}", unknown["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(response.status(), 422);
    assert_eq!(error_of(response).await.1, "partner_unknown");
    let response = recommendations(&w, &w.token, "partner_id=no-such-contact").await;
    assert_eq!(response.status(), 404);
}

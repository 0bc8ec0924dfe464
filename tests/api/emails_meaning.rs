//! Products an email names in other words, found by the retrieval pipeline's hybrid search
//! over the company's Metakocka products (indexed by the knowledge reindex) and kept only
//! above the similarity threshold: a paraphrased name is found, an email about something
//! else finds no product.

use crate::emails_world::{World, post_email, world};
use crate::helpers::engines;
use reqwest::Method;
use serde_json::{Value, json};

const PAGE: &str = "555000333";

/// The email world with its Metakocka products in retrieval.
async fn indexed_world(engine: crate::helpers::Engine) -> World {
    let w = world(engine).await;
    assert!(
        w.app.state.retrieval.is_some(),
        "retrieval runs (models present)"
    );
    assert_eq!(w.app.register_page(&w.token, PAGE).await.status(), 201);
    let response = (w.app)
        .request(
            Method::POST,
            "/api/integrations/metakocka/knowledge/reindex",
            Some(&w.token),
            None,
        )
        .await;
    assert_eq!(response.status(), 200);
    w
}

async fn products_of(w: &World, n: usize, subject: &str, text: &str) -> Vec<Value> {
    let body = json!({"message_id": format!("<meaning-{n}@example.com>"),
                      "from": "Janez Horvat <janez.horvat@gmail.com>", "subject": subject, "text": text});
    let response = post_email(&w.app, &w.token, body).await;
    assert_eq!(response.status(), 201);
    let email: Value = response.json().await.unwrap();
    email["enrichment"]["products"].as_array().unwrap().clone()
}

fn codes(products: &[Value]) -> Vec<&str> {
    products
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_product_named_in_other_words_is_found_by_meaning() {
    for engine in engines() {
        let w = indexed_world(engine).await;
        let cases = [
            (
                "Do you have a suitcase for travelling? I need one next week.",
                "TB-10",
            ),
            (
                "I would like a porcelain coffee cup, twenty of them for our office.",
                "MUG-01",
            ),
            (
                "Could you tell me whether you sell an electric water boiler made of glass?",
                "KT-200",
            ),
        ];
        for (n, (sentence, code)) in cases.into_iter().enumerate() {
            let text = format!("Hello,\n{sentence}\nThanks");
            let products = products_of(&w, n, "Question", &text).await;

            assert_eq!(codes(&products), [code], "{engine:?}: {sentence}");
            let found = &products[0];
            assert_eq!(found["matched_by"], "product_meaning");
            let mentioned = found["mentioned_as"].as_str().unwrap();
            assert!(sentence.contains(mentioned), "{mentioned}");
            assert!(found["reason"].as_str().unwrap().contains("hybrid search"));
            assert!(found["confidence"].as_f64().unwrap() >= 0.5);
        }
    }
}

#[tokio::test]
async fn an_email_about_something_else_names_no_product() {
    let w = indexed_world(engines()[0]).await;
    for (n, text) in [
        "Hello,\nplease send me the invoice for last month again, our accountant lost it.\nRegards",
        "Hi,\ncan we move our meeting to Thursday afternoon? The weather is bad.\nBest",
    ]
    .into_iter()
    .enumerate()
    {
        let products = products_of(&w, 10 + n, "Hello", text).await;

        assert_eq!(products, Vec::<Value>::new(), "{text}");
    }
}

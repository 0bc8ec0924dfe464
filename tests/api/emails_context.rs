//! `GET /api/emails/{id}/metakocka-context` and `GET /api/emails/ai-context`: the partner,
//! their recent documents, the mentioned documents in full and the products with price and
//! stock, each with its source; only the caller's company's.

use crate::emails_world::{World, ingest_fixture, world};
use crate::helpers::engines;
use serde_json::Value;

async fn context(world: &World, token: &str, id: &str) -> reqwest::Response {
    world
        .app
        .get(&format!("/api/emails/{id}/metakocka-context"), token)
        .await
}

#[tokio::test]
async fn an_order_question_has_the_partner_their_documents_and_the_order_in_full() {
    for engine in engines() {
        let w = world(engine).await;
        let email = ingest_fixture(&w.app, &w.token, "01_order_status_en.json").await;
        let id = email["id"].as_str().unwrap();

        let answer: Value = context(&w, &w.token, id).await.json().await.unwrap();

        assert_eq!(answer["partner"]["name"], "Novak d.o.o.", "{engine:?}");
        assert!(
            answer["partner"]["source"]
                .as_str()
                .unwrap()
                .starts_with("Metakocka")
        );
        let recent: Vec<&str> = (answer["recent_documents"].as_array().unwrap().iter())
            .map(|d| d["count_code"].as_str().unwrap())
            .collect();
        assert_eq!(
            recent,
            ["2024-00999", "2024-00123"],
            "{engine:?}: newest first, Novak's only"
        );
        let order = &answer["mentioned_documents"][0];
        assert_eq!(order["document"]["count_code"], "2024-00123");
        assert_eq!(order["document"]["status_code"], "shipped");
        assert_eq!(order["document"]["product_list"][0]["code"], "KT-200");
        assert!(order["source"].as_str().unwrap().contains("2024-00123"));
        assert_eq!(answer["products"].as_array().unwrap().len(), 0);

        let by_query: Value = (w
            .app
            .get(&format!("/api/emails/ai-context?email_id={id}"), &w.token)
            .await)
            .json()
            .await
            .unwrap();
        assert_eq!(
            by_query["mentioned_documents"],
            answer["mentioned_documents"]
        );
    }
}

#[tokio::test]
async fn a_stock_question_has_the_price_and_the_snapshot_stock() {
    let w = world(engines()[0]).await;
    let email = ingest_fixture(&w.app, &w.token, "03_stock_en.json").await;

    let answer: Value = (context(&w, &w.token, email["id"].as_str().unwrap()).await)
        .json()
        .await
        .unwrap();

    let product = &answer["products"][0];
    assert_eq!(product["code"], "KT-200");
    assert_eq!(product["price"], "39.90");
    assert_eq!(product["stock"], "12");
    let source = product["source"].as_str().unwrap();
    assert!(
        source.contains("CRM product") && source.contains("inventory snapshot"),
        "{source}"
    );
    assert_eq!(answer["partner"]["name"], "Janez Horvat");
    assert_eq!(answer["language"], "en");
}

#[tokio::test]
async fn another_companys_email_has_no_context() {
    let w = world(engines()[0]).await;
    let email = ingest_fixture(&w.app, &w.token, "01_order_status_en.json").await;
    let (_, other) = w.app.company_with_admin("Other").await;

    let response = context(&w, &other, email["id"].as_str().unwrap()).await;

    assert_eq!(response.status(), 404);
}

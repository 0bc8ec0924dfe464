//! `GET /api/ai/insights`: what a customer's CRM sales documents say as of today — their
//! usual reorder interval and that a reorder is due, their volume trend, their unpaid bill —
//! as data and as sentences in the language asked, in an email's context and a draft's
//! facts; nothing for a customer without documents; one company only.

use crate::ai_world::{customers, document, id_of, order};
use crate::emails_world::{World, ingest_fixture, world};
use crate::helpers::engines;
use chrono::{Duration, Utc};
use reqwest::Method;
use serde_json::{Value, json};

fn days_ago(days: i64) -> String {
    (Utc::now().date_naive() - Duration::days(days)).to_string()
}

async fn insights(w: &World, query: &str) -> Value {
    let response = w
        .app
        .get(&format!("/api/ai/insights?{query}"), &w.token)
        .await;
    assert_eq!(response.status(), 200, "{query}");
    response.json().await.unwrap()
}

/// Janez orders a kettle every 30 days, last 35 days ago, and owes bill RA-77 of 20 days
/// ago.
async fn monthly_customer(w: &World) -> String {
    let janez = id_of(&w.app, &w.token, "contacts", "janez").await;
    let kettle = id_of(&w.app, &w.token, "products", "KT-200").await;
    let mug = id_of(&w.app, &w.token, "products", "MUG-01").await;
    for days in [95, 65, 35] {
        order(w, &janez, &days_ago(days), &[&kettle]).await;
    }
    let bill = json!({"doc_type": "sales_bill_domestic", "number": "RA-77", "status": "shipped",
                      "contact_id": janez, "doc_date": days_ago(20),
                      "lines": [{"product_id": mug, "quantity": 2}]});
    let response = (w.app)
        .request(
            Method::POST,
            "/api/sales-documents",
            Some(&w.token),
            Some(bill),
        )
        .await;
    assert_eq!(response.status(), 201);
    janez
}

#[tokio::test]
async fn a_monthly_customer_is_due_to_reorder_buys_more_and_owes_a_bill() {
    for engine in engines() {
        let w = world(engine).await;
        let janez = monthly_customer(&w).await;

        let answer = insights(&w, &format!("partner_id={janez}")).await;

        assert_eq!(
            answer["reorder"]["usual_interval_days"], 30,
            "{engine:?}: {answer}"
        );
        assert_eq!(answer["reorder"]["days_since_last"], 35);
        assert_eq!(answer["reorder"]["due"], true);
        assert_eq!(
            (
                &answer["volume"]["recent_orders"],
                &answer["volume"]["previous_orders"]
            ),
            (&json!(2), &json!(1))
        );
        assert_eq!(answer["volume"]["recent_total"], "79.80");
        assert_eq!(answer["volume"]["trend"], "rising");
        assert_eq!(answer["volume"]["change_percent"], 100);
        assert_eq!(answer["open_documents"][0]["kind"], "unpaid");
        assert_eq!(answer["open_documents"][0]["number"], "RA-77");
        assert_eq!(answer["open_documents"][0]["age_days"], 20);
        assert_eq!(answer["open_documents"].as_array().unwrap().len(), 1);
        let texts: Vec<&str> = (answer["statements"].as_array().unwrap().iter())
            .map(|s| s["text"].as_str().unwrap())
            .collect();
        assert!(
            texts[0].starts_with("Usually reorders every 30 days"),
            "{texts:?}"
        );
        assert!(
            texts[0].contains("(35 days ago), so a reorder is due"),
            "{texts:?}"
        );
        assert!(texts[1].contains("volume rising (+100 %)"), "{texts:?}");
        assert!(texts[1].contains("€79.80"), "{texts:?}");
        assert!(texts[2].starts_with("Bill RA-77 of "), "{texts:?}");
        assert!(texts[2].ends_with("is unpaid (20 days)."), "{texts:?}");
        assert!(
            answer["statements"][2]["source"]
                .as_str()
                .unwrap()
                .contains("RA-77")
        );

        let sl = insights(&w, &format!("partner_id={janez}&language=sl")).await;
        let text = sl["statements"][0]["text"].as_str().unwrap();
        assert!(text.starts_with("Običajno naroča na 30 dni"), "{text}");
        assert!(
            sl["statements"][1]["text"]
                .as_str()
                .unwrap()
                .contains("79,80 €"),
            "{sl}"
        );
    }
}

#[tokio::test]
async fn a_draft_for_the_customers_email_carries_the_insights() {
    let w = world(engines()[0]).await;
    monthly_customer(&w).await;
    let email = ingest_fixture(&w.app, &w.token, "03_stock_en.json").await;
    let id = email["id"].as_str().unwrap();

    let context: Value = (w
        .app
        .get(&format!("/api/emails/{id}/metakocka-context"), &w.token))
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(context["insights"]["reorder"]["due"], true, "{context}");

    let draft: Value = (w.app)
        .request(
            Method::POST,
            "/api/ai/generate-response",
            Some(&w.token),
            Some(json!({"email_id": id})),
        )
        .await
        .json()
        .await
        .unwrap();
    let facts: Vec<&str> = (draft["facts"].as_array().unwrap().iter())
        .map(|f| f["fact"].as_str().unwrap())
        .collect();
    assert!(
        facts
            .iter()
            .any(|f| f.starts_with("Customer insight: Usually reorders every 30 days")),
        "{facts:?}"
    );
    assert!(
        facts
            .iter()
            .any(|f| f.starts_with("Customer insight: Bill RA-77")),
        "{facts:?}"
    );
}

#[tokio::test]
async fn a_customer_without_documents_has_no_insights_and_others_documents_do_not_count() {
    for engine in engines() {
        let w = world(engine).await;
        let c = customers(&w).await;
        // Dana bought once, long ago; everyone else's documents are not hers.
        let quiet = insights(&w, &format!("partner_id={}", c.dana)).await;
        assert_eq!(quiet["reorder"], Value::Null, "{engine:?}: {quiet}");
        assert_eq!(quiet["volume"], Value::Null);
        assert_eq!(quiet["statements"], json!([]));

        let (_, other) = w.app.company_with_admin("Other shop").await;
        let response = (w.app)
            .get(&format!("/api/ai/insights?partner_id={}", c.dana), &other)
            .await;
        assert_eq!(response.status(), 404, "another company's partner");
        let lines = [json!({"product_id": c.tea, "quantity": 1})];
        document(
            &w,
            "sales_offer",
            "confirmed",
            &c.dana,
            &days_ago(3),
            &lines,
        )
        .await;
        let offered = insights(&w, &format!("partner_id={}", c.dana)).await;
        assert_eq!(
            offered["open_documents"][0]["kind"], "open_offer",
            "{offered}"
        );
        assert_eq!(offered["volume"], Value::Null, "an offer is not a purchase");
    }
}

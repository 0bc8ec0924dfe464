//! Lists of sales documents: newest first with paging and a total, and the filters by
//! type, contact, status, product and text (number and notes).

use super::{create, created_id, order, shop};
use crate::helpers::{engines, error_of, spawn_app};
use serde_json::{Value, json};

#[tokio::test]
async fn lists_page_and_filter_by_type_contact_status_product_and_text() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let shop = shop(&app, "Shop").await;
        let bor = created_id(&app, "/api/contacts", &shop.admin, json!({"name": "Bor"})).await;
        let salt_line = json!([{"product_id": shop.salt, "quantity": 1}]);
        for (doc_type, number, contact, status, date, lines) in [
            ("sales_order", "O-1", &shop.ana, "draft", "2024-01-01", None),
            (
                "sales_bill_domestic",
                "B-1",
                &shop.ana,
                "paid",
                "2024-02-01",
                None,
            ),
            (
                "sales_offer",
                "P-1",
                &bor,
                "draft",
                "2024-03-01",
                Some(&salt_line),
            ),
            ("sales_order", "O-2", &bor, "shipped", "2024-04-01", None),
        ] {
            let mut body = order(&shop, number);
            body["doc_type"] = json!(doc_type);
            body["contact_id"] = json!(contact);
            body["status"] = json!(status);
            body["doc_date"] = json!(date);
            body["notes"] = json!(format!("Note for {number}"));
            if let Some(lines) = lines {
                body["lines"] = lines.clone();
            }
            create(&app, &shop.admin, body).await;
        }
        let numbers = |page: &Value| -> Vec<String> {
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["number"].as_str().unwrap().to_owned())
                .collect()
        };
        let page: Value = app
            .get("/api/sales-documents?limit=2&offset=1", &shop.admin)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            (page["total"].clone(), numbers(&page)),
            (json!(4), vec!["P-1".into(), "B-1".into()]),
            "{engine:?}: newest first"
        );
        for (query, expected) in [
            ("doc_type=sales_order".to_owned(), vec!["O-2", "O-1"]),
            (format!("contact_id={bor}"), vec!["O-2", "P-1"]),
            ("status=paid".to_owned(), vec!["B-1"]),
            (format!("product_id={}", shop.salt), vec!["P-1"]),
            ("q=note%20for%20o-".to_owned(), vec!["O-2", "O-1"]),
            (
                format!("doc_type=sales_order&contact_id={}", shop.ana),
                vec!["O-1"],
            ),
        ] {
            let page: Value = app
                .get(&format!("/api/sales-documents?{query}"), &shop.admin)
                .await
                .json()
                .await
                .unwrap();
            assert_eq!(numbers(&page), expected, "{engine:?}: {query}");
        }
        for query in ["doc_type=invoice", "status=lost", "colour=red"] {
            let response = app
                .get(&format!("/api/sales-documents?{query}"), &shop.admin)
                .await;
            assert_eq!(error_of(response).await.0, 400, "{engine:?}: {query}");
        }
    }
}

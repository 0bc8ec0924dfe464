//! Sales documents that break a rule: a 400 naming the field (`lines[1].quantity`), a
//! reference to no contact or product of the company, a client's own totals; a 409 for a
//! taken number, and for deleting a product or contact that a document names.

use super::{create, delete, order, send, shop};
use crate::helpers::{engines, error_of, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn bad_input_is_a_400_naming_the_field_and_the_line() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let shop = shop(&app, "Shop").await;
        let rival = super::shop(&app, "Rival").await;
        let with = |change: &dyn Fn(&mut Value)| {
            let mut body = order(&shop, "N-1");
            body["lines"]
                .as_array_mut()
                .unwrap()
                .push(json!({"product_id": shop.salt, "quantity": 1}));
            change(&mut body);
            body
        };
        let cases: Vec<(Value, &str)> = vec![
            (with(&|b| b["doc_type"] = json!("invoice")), "doc_type"),
            (with(&|b| b["doc_date"] = json!("12.9.2024")), "doc_date"),
            (with(&|b| b["status"] = json!("lost")), "status"),
            (with(&|b| b["currency"] = json!("EURO")), "currency"),
            (with(&|b| b["lines"] = json!([])), "lines"),
            (
                with(&|b| b["contact_id"] = json!("no-such-contact")),
                "contact_id",
            ),
            (with(&|b| b["contact_id"] = json!(rival.ana)), "contact_id"),
            (
                with(&|b| b["lines"][1]["quantity"] = json!(0)),
                "lines[1].quantity",
            ),
            (
                with(&|b| b["lines"][1]["quantity"] = json!("1.00001")),
                "lines[1].quantity",
            ),
            (
                with(&|b| b["lines"][0]["unit_price"] = json!("-1")),
                "lines[0].unit_price",
            ),
            (
                with(&|b| b["lines"][1]["discount_percent"] = json!(100.5)),
                "lines[1].discount_percent",
            ),
            (
                with(&|b| b["lines"][1]["vat_rate"] = json!("a lot")),
                "lines[1].vat_rate",
            ),
            (
                with(&|b| b["lines"][1]["product_id"] = json!("no-such-product")),
                "lines[1].product_id",
            ),
            (
                with(&|b| b["lines"][1]["product_id"] = json!(rival.oil)),
                "lines[1].product_id",
            ),
        ];
        for (body, field) in cases {
            let response = send(
                &app,
                Method::POST,
                "/api/sales-documents",
                &shop.admin,
                body.clone(),
            )
            .await;
            let (status, code, message) = error_of(response).await;
            assert_eq!(
                (status, code.as_str()),
                (400, "validation_failed"),
                "{engine:?}: {body}"
            );
            assert!(
                message.starts_with(&format!("{field}: ")),
                "{engine:?}: {message:?} names {field}"
            );
        }
        // Amounts are the server's: a client's totals, or any unknown field, are refused.
        for (body, names) in [
            (
                with(&|b| b["totals"] = json!({"gross": "1.00"})),
                "unknown field `totals`",
            ),
            (
                with(&|b| b["lines"][1]["net_amount"] = json!("1.00")),
                "unknown field `net_amount`",
            ),
        ] {
            let (status, _, message) = error_of(
                send(
                    &app,
                    Method::POST,
                    "/api/sales-documents",
                    &shop.admin,
                    body,
                )
                .await,
            )
            .await;
            assert_eq!(status, 400);
            assert!(message.contains(names), "{engine:?}: {message:?}");
        }
        let list: Value = app
            .get("/api/sales-documents", &shop.admin)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list["total"], 0, "{engine:?}: nothing was saved");
    }
}

#[tokio::test]
async fn numbers_are_unique_per_type_and_named_records_cannot_be_deleted() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let shop = shop(&app, "Shop").await;
        let first = create(&app, &shop.admin, order(&shop, "2024-00123")).await;
        let (status, code, _) = error_of(
            send(
                &app,
                Method::POST,
                "/api/sales-documents",
                &shop.admin,
                order(&shop, "2024-00123"),
            )
            .await,
        )
        .await;
        assert_eq!(
            (status, code.as_str()),
            (409, "duplicate_number"),
            "{engine:?}"
        );
        let mut offer = order(&shop, "2024-00123");
        offer["doc_type"] = json!("sales_offer");
        create(&app, &shop.admin, offer).await;
        let mut unnumbered = order(&shop, "");
        unnumbered.as_object_mut().unwrap().remove("number");
        create(&app, &shop.admin, unnumbered.clone()).await;
        create(&app, &shop.admin, unnumbered).await;

        for path in [
            format!("/api/products/{}", shop.oil),
            format!("/api/contacts/{}", shop.ana),
        ] {
            let (status, code, message) = error_of(delete(&app, &path, &shop.admin).await).await;
            assert_eq!(
                (status, code.as_str()),
                (409, "in_use"),
                "{engine:?}: {path}"
            );
            assert!(message.starts_with("4 sales document(s)"), "{message}");
        }
        // A product no document names is deleted as before.
        assert_eq!(
            delete(&app, &format!("/api/products/{}", shop.salt), &shop.admin)
                .await
                .status(),
            204
        );
        assert_eq!(
            app.get(
                &format!("/api/sales-documents/{}", first["id"].as_str().unwrap()),
                &shop.admin
            )
            .await
            .status(),
            200
        );
    }
}

//! The sales document sync through the integration guide's and the architecture document's
//! paths: an offer made in crm-mind is put to Metakocka under its own number, an order made
//! in Metakocka is imported with its partner and lines (prices exact), and a re-run writes
//! nothing on either side.

use crate::fake_metakocka::FakeMetakocka;
use crate::helpers::engines;
use crate::metakocka_sync_products::{PULL_ALL, counts, post, synced_app};
use reqwest::Method;
use serde_json::{Value, json};

const MK: &str = "/api/integrations/metakocka/sales-documents";

#[tokio::test]
async fn documents_push_and_import_without_duplicates() {
    let fake = FakeMetakocka::start().await;
    for engine in engines() {
        let mk = format!("documents-{engine:?}");
        fake.seed_products(&mk, 1);
        fake.seed_documents(&mk, "sales_order", 1);
        let (app, _, admin) = synced_app(engine, &fake, &mk).await;
        post(&app, &admin, PULL_ALL, json!({})).await;
        let products: Value = app.get("/api/products", &admin).await.json().await.unwrap();
        let product = products["items"][0]["id"].as_str().unwrap().to_owned();
        let response = app
            .request(
                Method::POST,
                "/api/contacts",
                Some(&admin),
                Some(json!({"name": "Ana Novak", "email": "ana@shop.si"})),
            )
            .await;
        let contact: Value = response.json().await.unwrap();
        let response = app
            .request(
                Method::POST,
                "/api/sales-documents",
                Some(&admin),
                Some(json!({"doc_type": "sales_offer", "number": "OFF-1",
                            "contact_id": contact["id"], "doc_date": "2026-11-02",
                            "lines": [{"product_id": product, "quantity": 2, "unit_price": "10.50"}]})),
            )
            .await;
        assert_eq!(response.status(), 201, "{engine:?}");

        let pushed = post(&app, &admin, &format!("{MK}/sync-bulk"), json!({})).await;
        assert_eq!(counts(&pushed), (1, 0, 0, 0, 0), "{engine:?}: {pushed}");
        let offer = fake.with_books(&mk, |books| {
            (books.documents.iter())
                .find(|d| d["doc_type"] == "sales_offer")
                .cloned()
                .expect("the offer in Metakocka")
        });
        assert_eq!(offer["count_code"], "OFF-1");
        assert_eq!(offer["partner"]["customer"], "Ana Novak");
        assert_eq!(offer["product_list"][0]["price"], "10.5");

        let unsynced: Value = app
            .get(&format!("{MK}/sync-from-metakocka"), &admin)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(unsynced["count"], 1, "{unsynced}");
        assert_eq!(unsynced["records"][0]["number"], "PP-1");

        let imported = post(
            &app,
            &admin,
            "/api/metakocka/sales-documents/import",
            json!({}),
        )
        .await;
        assert_eq!(counts(&imported).0, 1, "{engine:?}: {imported}");
        let orders: Value = app
            .get("/api/sales-documents?doc_type=sales_order", &admin)
            .await
            .json()
            .await
            .unwrap();
        let order = &orders["items"][0];
        assert_eq!(order["number"], "PP-1", "{orders}");
        assert_eq!(order["lines"][0]["unit_price"], "863.75");
        assert_eq!(order["lines"][0]["code"], "P00001");

        let writes = fake.write_calls();
        let again = post(
            &app,
            &admin,
            "/api/metakocka/sales-documents/sync",
            json!({"document_ids": [], "direction": "both"}),
        )
        .await;
        assert_eq!(counts(&again).0 + counts(&again).1, 0, "{again}");
        let again = post(
            &app,
            &admin,
            &format!("{MK}/sync-all-from-metakocka"),
            json!({}),
        )
        .await;
        assert_eq!(counts(&again), (0, 0, 2, 0, 0), "{engine:?}: {again}");
        assert_eq!(fake.write_calls(), writes, "{engine:?}");
        assert_eq!(fake.with_books(&mk, |b| b.documents.len()), 2);
        let all: Value = app
            .get("/api/sales-documents", &admin)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(all["total"], 2);
    }
}

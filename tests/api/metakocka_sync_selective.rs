//! Selective runs through the bulk API (issue 5, item 8): a push of the products changed
//! since a time, a pull of the partners whose name contains a text, and a pull of one
//! document type take only those records; the rest stay where they were.

use crate::fake_metakocka::FakeMetakocka;
use crate::helpers::engines;
use crate::metakocka_sync_products::{BULK, counts, create_product, post, synced_app};
use serde_json::{Value, json};
use std::time::Duration;

const MK: &str = "/api/integrations/metakocka";

fn mk_codes(fake: &FakeMetakocka, mk: &str) -> Vec<String> {
    let mut codes: Vec<String> = fake.with_books(mk, |b| {
        (b.products.iter())
            .filter_map(|p| p.get("code").and_then(Value::as_str).map(str::to_owned))
            .collect()
    });
    codes.sort();
    codes
}

#[tokio::test]
async fn bulk_runs_take_only_the_records_their_narrowing_names() {
    let fake = FakeMetakocka::start().await;
    for engine in engines() {
        let mk = format!("selective-{engine:?}");
        let (app, _, admin) = synced_app(engine, &fake, &mk).await;

        // Pushed: only what changed since `since` (times are kept to the millisecond; the
        // pauses keep the two products on either side of it).
        create_product(
            &app,
            &admin,
            json!({"code": "OLD", "name": "p", "price": 1}),
        )
        .await;
        tokio::time::sleep(Duration::from_millis(10)).await;
        let since = chrono::Utc::now();
        tokio::time::sleep(Duration::from_millis(10)).await;
        create_product(
            &app,
            &admin,
            json!({"code": "NEW", "name": "p", "price": 1}),
        )
        .await;
        let body = json!({"direction": "to", "changed_since": since});
        let pushed = post(&app, &admin, BULK, body).await;
        assert_eq!(counts(&pushed).0, 1, "{engine:?}: {pushed}");
        assert_eq!(mk_codes(&fake, &mk), ["NEW"], "{engine:?}");

        // Pulled: the partners whose name contains "Partner 1" (1, 10, 11, 12 of twelve).
        fake.seed_partners(&mk, 12);
        let path = format!("{MK}/contacts/sync-all-from-metakocka");
        let pulled = post(&app, &admin, &path, json!({"partner": "Partner 1"})).await;
        assert_eq!(counts(&pulled), (4, 0, 0, 0, 0), "{engine:?}: {pulled}");
        let contacts: Value = app.get("/api/contacts", &admin).await.json().await.unwrap();
        assert_eq!(contacts["total"], 4, "{contacts}");

        // Pulled: the offer, of two orders and an offer (their line's product is pulled
        // first, as a company would).
        fake.seed_products(&mk, 1);
        let path = "/api/products/sync-all-from-metakocka";
        post(&app, &admin, path, json!({})).await;
        fake.seed_documents(&mk, "sales_order", 2);
        fake.seed_documents(&mk, "sales_offer", 1);
        let path = format!("{MK}/sales-documents/sync-all-from-metakocka");
        let pulled = post(&app, &admin, &path, json!({"doc_type": "sales_offer"})).await;
        assert_eq!(counts(&pulled), (1, 0, 0, 0, 0), "{engine:?}: {pulled}");
        let documents: Value = (app.get("/api/sales-documents", &admin).await)
            .json()
            .await
            .unwrap();
        assert_eq!(documents["total"], 1, "{documents}");
        assert_eq!(
            documents["items"][0]["doc_type"], "sales_offer",
            "{documents}"
        );
    }
}

//! A pull writes a page of records at a time; a record the store refuses fails alone: here a
//! new Metakocka product whose code crm-mind's products already use (for another Metakocka
//! product) is counted failed and logged under its Metakocka id, while the other new
//! product of the same page is created and the mapped ones are left as they were.

use crate::fake_metakocka::FakeMetakocka;
use crate::helpers::engines;
use crate::metakocka_sync_products::{PULL_ALL, counts, post, synced_app};
use crm_mind::metakocka::error_log::{EntityType, ErrorLogFilter, Paging};
use serde_json::{Value, json};

#[tokio::test]
async fn a_refused_record_of_a_pulled_page_fails_alone_and_is_logged() {
    let fake = FakeMetakocka::start().await;
    for engine in engines() {
        let mk = format!("pages-{engine:?}");
        fake.seed_products(&mk, 3);
        let (app, company, admin) = synced_app(engine, &fake, &mk).await;
        let first = post(&app, &admin, PULL_ALL, json!({})).await;
        assert_eq!(counts(&first), (3, 0, 0, 0, 0), "{engine:?}: {first}");

        let clash = "9000001";
        fake.with_books(&mk, |b| {
            for (mk_id, code) in [(clash, "P00002"), ("9000002", "P00009")] {
                let product = json!({"mk_id": mk_id, "count_code": format!("PA_{mk_id}_PA"),
                                     "code": code, "name": "Added later", "sales": "true"});
                b.products.push(product.as_object().unwrap().clone());
            }
        });
        let second = post(&app, &admin, PULL_ALL, json!({})).await;
        assert_eq!(counts(&second), (1, 0, 3, 1, 0), "{engine:?}: {second}");
        assert_eq!(second["run"]["counts"]["processed"], 5, "{second}");
        let products: Value = app.get("/api/products", &admin).await.json().await.unwrap();
        assert_eq!(products["total"], 4, "{products}");

        let logged = (app.state.metakocka_errors)
            .list(
                &company,
                &ErrorLogFilter::default(),
                Paging {
                    limit: 10,
                    offset: 0,
                },
            )
            .await
            .unwrap();
        assert_eq!(logged.total, 1, "{engine:?}");
        let entry = &logged.items[0];
        assert_eq!(entry.entity_type, EntityType::Product);
        assert_eq!(entry.entity_id.as_deref(), Some(clash));
        assert!(entry.message.contains("code"), "{}", entry.message);
    }
}

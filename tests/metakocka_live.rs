//! Live tests against Metakocka's development server
//! (`https://devmainsi.metakocka.si/rest/eshop/v1/`, or `METAKOCKA_BASE_URL`), as the
//! product docs' own test runners do: they run only when `METAKOCKA_COMPANY_ID` and
//! `METAKOCKA_SECRET_KEY` are set, and print "skipped" otherwise. `scripts/metakocka-live
//! products|contacts|documents` runs one of them.
//!
//! Each creates records named `crm-mind-live-<run>` and syncs them through the real engine
//! (a SQLite store in a temporary directory): push, change, push again, and a re-run that
//! writes nothing. Metakocka's API has no call that deletes a product or a partner, so
//! clean-up marks the product as not sold and renames both `crm-mind-live-deleted-...`;
//! the sales order is left cancelled in its notes for the same reason.

use crm_mind::domain::{Company, CompanyId, UserId};
use crm_mind::metakocka::client::{MetakockaClient, MetakockaSettings};
use crm_mind::metakocka::credentials::{CredentialOwner, Credentials};
use crm_mind::metakocka::error_log::ErrorLog;
use crm_mind::metakocka::sync::entity::RunFilter;
use crm_mind::metakocka::sync::model::{Direction, EntityKind, RunTrigger};
use crm_mind::metakocka::sync::run::Pacing;
use crm_mind::metakocka::sync::{MetakockaSync, StartRun};
use crm_mind::records::contact::{Contact, ContactInput};
use crm_mind::records::product::{Product, ProductInput};
use crm_mind::secrets::Cipher;
use crm_mind::store::DynStore;
use crm_mind::store::sqlite::SqliteStore;
use secrecy::SecretString;
use std::sync::Arc;

struct Live {
    store: DynStore,
    sync: MetakockaSync,
    company: CompanyId,
    prefix: String,
    _dir: tempfile::TempDir,
}

/// The live set-up, or `None` (and "skipped" printed) without credentials.
async fn live(test: &str) -> Option<Live> {
    let (Ok(mk_company), Ok(key)) = (
        std::env::var("METAKOCKA_COMPANY_ID"),
        std::env::var("METAKOCKA_SECRET_KEY"),
    ) else {
        eprintln!("skipped: {test} (METAKOCKA_COMPANY_ID and METAKOCKA_SECRET_KEY not set)");
        return None;
    };
    let base_url = std::env::var("METAKOCKA_BASE_URL")
        .unwrap_or_else(|_| "https://devmainsi.metakocka.si/rest/eshop/v1/".to_owned());
    let dir = tempfile::tempdir().unwrap();
    let store: DynStore =
        Arc::new(SqliteStore::open(&dir.path().join("crm-mind.sqlite3")).unwrap());
    let company = Company::new("crm-mind live test").unwrap();
    store.insert_company(&company).await.unwrap();
    let credentials = Credentials::new(store.clone(), Cipher::new(&rand::random::<[u8; 32]>()));
    credentials
        .save(
            &company.id,
            CredentialOwner::Organization,
            &mk_company,
            &SecretString::from(key),
            &UserId::from("live-test"),
        )
        .await
        .expect("the credentials are accepted");
    let client = MetakockaClient::new(MetakockaSettings {
        base_url,
        ..MetakockaSettings::default()
    });
    let sync = MetakockaSync::new(
        store.clone(),
        client,
        credentials,
        ErrorLog::new(store.clone(), None),
        Pacing::default(),
    );
    Some(Live {
        store,
        sync,
        company: company.id,
        prefix: format!("crm-mind-live-{}", uuid::Uuid::now_v7().simple()),
        _dir: dir,
    })
}

impl Live {
    async fn run(&self, kind: EntityKind, ids: Vec<String>) -> (u64, u64, u64, u64) {
        let run = self
            .sync
            .run(StartRun {
                company: self.company.clone(),
                user: None,
                kind,
                direction: Direction::To,
                trigger: RunTrigger::Cli,
                filter: RunFilter {
                    crm_ids: Some(ids),
                    ..RunFilter::default()
                },
            })
            .await
            .expect("the run starts");
        assert!(run.errors.is_empty(), "{:?}", run.errors);
        let c = run.counts;
        (c.created, c.updated, c.skipped, c.failed)
    }
}

#[tokio::test]
async fn live_product_round_trip() {
    let Some(live) = live("live_product_round_trip").await else {
        return;
    };
    let input = |name: &str, active: bool| -> ProductInput {
        serde_json::from_value(serde_json::json!({
            "code": live.prefix, "name": name, "price": "1.00", "unit": "kos", "active": active
        }))
        .unwrap()
    };
    let now = crm_mind::records::now();
    let mut product = Product::create(&live.company, &input(&live.prefix, true), now).unwrap();
    live.store.insert_product(&product).await.unwrap();
    assert_eq!(
        live.run(EntityKind::Product, vec![product.id.clone()])
            .await,
        (1, 0, 0, 0)
    );
    product
        .replace(&input(&format!("{} changed", live.prefix), true), now)
        .unwrap();
    live.store.update_product(&product).await.unwrap();
    assert_eq!(
        live.run(EntityKind::Product, vec![product.id.clone()])
            .await,
        (0, 1, 0, 0)
    );
    assert_eq!(
        live.run(EntityKind::Product, vec![product.id.clone()])
            .await,
        (0, 0, 1, 0)
    );
    // Clean-up: Metakocka has no product delete; the product is renamed and not sold.
    product
        .replace(
            &input(&format!("crm-mind-live-deleted-{}", product.id), false),
            now,
        )
        .unwrap();
    live.store.update_product(&product).await.unwrap();
    live.run(EntityKind::Product, vec![product.id.clone()])
        .await;
}

#[tokio::test]
async fn live_partner_round_trip() {
    let Some(live) = live("live_partner_round_trip").await else {
        return;
    };
    let input = |name: &str| -> ContactInput {
        serde_json::from_value(serde_json::json!({
            "name": name, "email": format!("{}@example.com", live.prefix),
            "street": "Tehnološki park 24", "post_number": "1000", "city": "Ljubljana"
        }))
        .unwrap()
    };
    let now = crm_mind::records::now();
    let mut contact = Contact::create(&live.company, &input(&live.prefix), now).unwrap();
    live.store.insert_contact(&contact).await.unwrap();
    assert_eq!(
        live.run(EntityKind::Contact, vec![contact.id.clone()])
            .await,
        (1, 0, 0, 0)
    );
    contact
        .replace(&input(&format!("{} changed", live.prefix)), now)
        .unwrap();
    live.store.update_contact(&contact).await.unwrap();
    assert_eq!(
        live.run(EntityKind::Contact, vec![contact.id.clone()])
            .await,
        (0, 1, 0, 0)
    );
    assert_eq!(
        live.run(EntityKind::Contact, vec![contact.id.clone()])
            .await,
        (0, 0, 1, 0)
    );
    contact
        .replace(
            &input(&format!("crm-mind-live-deleted-{}", contact.id)),
            now,
        )
        .unwrap();
    live.store.update_contact(&contact).await.unwrap();
    live.run(EntityKind::Contact, vec![contact.id.clone()])
        .await;
}

#[tokio::test]
async fn live_sales_order_round_trip() {
    let Some(live) = live("live_sales_order_round_trip").await else {
        return;
    };
    let now = crm_mind::records::now();
    let product_input: ProductInput = serde_json::from_value(serde_json::json!({
        "code": live.prefix, "name": live.prefix, "price": "2.50", "unit": "kos"
    }))
    .unwrap();
    let product = Product::create(&live.company, &product_input, now).unwrap();
    live.store.insert_product(&product).await.unwrap();
    let contact_input: ContactInput =
        serde_json::from_value(serde_json::json!({"name": live.prefix})).unwrap();
    let contact = Contact::create(&live.company, &contact_input, now).unwrap();
    live.store.insert_contact(&contact).await.unwrap();
    live.run(EntityKind::Product, vec![product.id.clone()])
        .await;
    let body: crm_mind::records::sales_document::input::SalesDocumentInput =
        serde_json::from_value(serde_json::json!({
            "doc_type": "sales_order", "number": live.prefix, "contact_id": contact.id,
            "notes": "crm-mind live test",
            "lines": [{"product_id": product.id, "quantity": 2, "unit_price": "2.50"}]
        }))
        .unwrap();
    let order = crm_mind::records::sales_document::SalesDocument::create(
        live.store.as_ref(),
        &live.company,
        &body,
        now,
    )
    .await
    .expect("a valid order");
    live.store.insert_sales_document(&order).await.unwrap();
    assert_eq!(
        live.run(EntityKind::SalesDocument, vec![order.id.clone()])
            .await,
        (1, 0, 0, 0)
    );
    assert_eq!(
        live.run(EntityKind::SalesDocument, vec![order.id.clone()])
            .await,
        (0, 0, 1, 0)
    );
}

//! The behaviour suite of the report store ([`ReportStore`]), on SQLite and (when
//! `CRM_MIND_TEST_MONGODB_URI` is set) MongoDB: the whole inventory snapshot of one company,
//! and report schedules kept per company, found when due, claimed once, and their outcome.

#[path = "support/store_subjects.rs"]
mod store_subjects;

use chrono::Duration;
use crm_mind::domain::{Company, CompanyId, Sealed};
use crm_mind::metakocka::inventory::StockEntry;
use crm_mind::reports::ReportKind;
use crm_mind::reports::params::ReportQuery;
use crm_mind::reports::schedule::{Cadence, DeliveryOutcome, DestinationKind, ReportSchedule};
use crm_mind::store::DynStore;
use rust_decimal::Decimal;
use store_subjects::{now, subjects};

async fn company(store: &DynStore, name: &str) -> CompanyId {
    let mut company = Company::new(name).unwrap();
    company.created_at = now();
    store.insert_company(&company).await.unwrap();
    company.id
}

fn entry(product: &str, warehouse: &str, free: &str) -> StockEntry {
    let free: Decimal = free.parse().unwrap();
    StockEntry {
        product_mk_id: product.into(),
        product_code: Some(format!("P{product}")),
        count_code: None,
        product_name: Some(format!("Product {product}")),
        warehouse_id: warehouse.into(),
        warehouse_mark: Some(format!("W{warehouse}")),
        warehouse_name: None,
        amount: free + Decimal::ONE,
        reserved: Decimal::ONE,
        free,
    }
}

fn schedule(company: &CompanyId, id: &str, due_in: Duration) -> ReportSchedule {
    let created = now();
    ReportSchedule {
        id: id.into(),
        company_id: company.clone(),
        report: ReportKind::TopProducts,
        parameters: ReportQuery {
            limit: Some("3".into()),
            by: Some("quantity".into()),
            ..ReportQuery::default()
        },
        cadence: Cadence::Daily,
        destination_kind: DestinationKind::Webhook,
        destination: Sealed::from_stored("v1:sealed-url".into()),
        destination_hint: "https://hooks.example.com/…".into(),
        created_at: created,
        next_due_at: created + due_in,
        last_delivery: None,
    }
}

#[tokio::test]
async fn the_whole_inventory_snapshot_is_read_in_order_and_only_the_companys() {
    for subject in subjects().await {
        let store = &subject.store;
        let (shop, other) = (company(store, "Shop").await, company(store, "Other").await);
        assert_eq!(store.inventory_snapshot(&shop).await.unwrap(), None);
        let taken = now();
        let entries = vec![
            entry("9", "200", "0.0005"),
            entry("10", "100", "3"),
            entry("9", "100", "12.50"),
        ];
        store
            .replace_inventory(&shop, taken, &entries)
            .await
            .unwrap();
        store
            .replace_inventory(&other, taken, &[entry("77", "1", "1")])
            .await
            .unwrap();

        let snapshot = store.inventory_snapshot(&shop).await.unwrap().unwrap();
        assert_eq!(snapshot.refreshed_at, taken, "{}", subject.name);
        let keys: Vec<(&str, &str, String)> = snapshot
            .entries
            .iter()
            .map(|e| {
                (
                    e.product_mk_id.as_str(),
                    e.warehouse_id.as_str(),
                    e.free.to_string(),
                )
            })
            .collect();
        assert_eq!(
            keys,
            vec![
                ("10", "100", "3".to_owned()),
                ("9", "100", "12.50".to_owned()),
                ("9", "200", "0.0005".to_owned()),
            ],
            "{}: by product id then warehouse id, decimals as written",
            subject.name
        );
    }
}

#[tokio::test]
async fn schedules_are_kept_per_company_and_delivered_once_when_due() {
    for subject in subjects().await {
        let store = &subject.store;
        let (shop, other) = (company(store, "Shop").await, company(store, "Other").await);
        let due_soon = schedule(&shop, "s-1", Duration::hours(1));
        let due_later = schedule(&shop, "s-2", Duration::days(3));
        let others = schedule(&other, "o-1", Duration::hours(2));
        for s in [&due_soon, &due_later, &others] {
            store.insert_report_schedule(s).await.unwrap();
        }

        let listed = store.list_report_schedules(&shop).await.unwrap();
        let ids: Vec<&str> = listed.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["s-1", "s-2"], "{}", subject.name);
        assert_eq!(
            listed[0], due_soon,
            "{}: read back as written",
            subject.name
        );
        assert_eq!(
            store.get_report_schedule(&other, "s-1").await.unwrap(),
            None
        );

        let at = now() + Duration::hours(5);
        let due: Vec<String> = (store.due_report_schedules(at, 10).await.unwrap())
            .into_iter()
            .map(|s| s.id)
            .collect();
        assert_eq!(
            due,
            ["s-1", "o-1"],
            "{}: every company's, most overdue first",
            subject.name
        );
        assert_eq!(store.due_report_schedules(at, 1).await.unwrap().len(), 1);

        let next = due_soon.next_due_at + Duration::days(1);
        assert!(
            (store.claim_report_schedule(&shop, "s-1", due_soon.next_due_at, next))
                .await
                .unwrap()
        );
        assert!(
            !(store.claim_report_schedule(&shop, "s-1", due_soon.next_due_at, next))
                .await
                .unwrap(),
            "{}: a second claim of the same period fails",
            subject.name
        );
        assert!(
            !(store.claim_report_schedule(&other, "s-2", due_later.next_due_at, next))
                .await
                .unwrap(),
            "{}: another company cannot claim it",
            subject.name
        );

        let outcome = DeliveryOutcome {
            at: now(),
            ok: false,
            detail: "the webhook answered HTTP 500".into(),
        };
        assert!(
            store
                .record_report_delivery(&shop, "s-1", &outcome)
                .await
                .unwrap()
        );
        assert!(
            !store
                .record_report_delivery(&other, "s-1", &outcome)
                .await
                .unwrap()
        );
        let stored = store
            .get_report_schedule(&shop, "s-1")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.next_due_at, next, "{}", subject.name);
        assert_eq!(stored.last_delivery, Some(outcome), "{}", subject.name);

        assert!(!store.delete_report_schedule(&other, "s-1").await.unwrap());
        assert!(store.delete_report_schedule(&shop, "s-1").await.unwrap());
        assert_eq!(store.list_report_schedules(&shop).await.unwrap().len(), 1);
    }
}

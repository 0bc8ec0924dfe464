//! The behaviour suite of the Metakocka inventory snapshot store (`metakocka_inventory`), on
//! SQLite and (when `CRM_MIND_TEST_MONGODB_URI` is set) MongoDB: whole-snapshot replacement,
//! lookups by id and code, exact decimals, and one company never seeing another's stock.

#[path = "support/store_subjects.rs"]
mod store_subjects;

use crm_mind::domain::{Company, CompanyId, Sealed, UserId};
use crm_mind::metakocka::credentials::{CredentialOwner, StoredCredentials};
use crm_mind::metakocka::inventory::{ProductKey, StockEntry};
use crm_mind::store::DynStore;
use rust_decimal::Decimal;
use store_subjects::{now, subjects};

async fn company(store: &DynStore, name: &str) -> CompanyId {
    let mut company = Company::new(name).unwrap();
    company.created_at = now();
    store.insert_company(&company).await.unwrap();
    company.id
}

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn entry(product: &str, code: &str, warehouse: &str, amount: &str, reserved: &str) -> StockEntry {
    StockEntry {
        product_mk_id: product.into(),
        product_code: Some(code.into()),
        count_code: Some(format!("PA_{product}_PA")),
        product_name: Some(format!("Product {product}")),
        warehouse_id: warehouse.into(),
        warehouse_mark: Some(format!("W{warehouse}")),
        warehouse_name: None,
        amount: dec(amount),
        reserved: dec(reserved),
        free: dec(amount) - dec(reserved),
    }
}

#[tokio::test]
async fn a_refresh_replaces_the_whole_snapshot_and_keeps_decimals_exact() {
    for subject in subjects().await {
        let store = &subject.store;
        let shop = company(store, "Shop").await;
        let by_code = ProductKey::Code("P1".into());
        assert_eq!(
            store.product_inventory(&shop, &by_code).await.unwrap(),
            None,
            "{}: no snapshot before the first refresh",
            subject.name
        );

        let first = now();
        let entries = vec![
            entry("7", "P1", "100", "12.50", "1.25"),
            entry("7", "P1", "200", "0.001", "0"),
            entry("8", "P2", "100", "3", "0"),
        ];
        store
            .replace_inventory(&shop, first, &entries)
            .await
            .unwrap();
        let found = store
            .product_inventory(&shop, &by_code)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found.refreshed_at, first, "{}", subject.name);
        assert_eq!(found.entries, entries[..2].to_vec(), "{}", subject.name);
        assert_eq!(found.entries[0].amount.to_string(), "12.50");
        assert_eq!(found.entries[0].free, dec("11.25"));

        let by_count_code = ProductKey::Code("PA_8_PA".into());
        let by_id = ProductKey::MkId("8".into());
        for key in [&by_count_code, &by_id] {
            let found = store.product_inventory(&shop, key).await.unwrap().unwrap();
            assert_eq!(found.entries, vec![entries[2].clone()], "{}", subject.name);
        }

        // The next snapshot no longer has product 7: nothing of the old one remains.
        let second = first + chrono::Duration::minutes(60);
        let newer = vec![entry("8", "P2", "100", "2", "1")];
        store
            .replace_inventory(&shop, second, &newer)
            .await
            .unwrap();
        let gone = store
            .product_inventory(&shop, &by_code)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (gone.refreshed_at, gone.entries.len()),
            (second, 0),
            "{}",
            subject.name
        );
        let kept = store
            .product_inventory(&shop, &by_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(kept.entries, newer, "{}", subject.name);

        // An empty snapshot is a snapshot too (Metakocka had no stock).
        store.replace_inventory(&shop, second, &[]).await.unwrap();
        let empty = store
            .product_inventory(&shop, &by_id)
            .await
            .unwrap()
            .unwrap();
        assert!(empty.entries.is_empty(), "{}", subject.name);
    }
}

#[tokio::test]
async fn companies_see_only_their_own_snapshot() {
    for subject in subjects().await {
        let store = &subject.store;
        let (a, b) = (company(store, "A").await, company(store, "B").await);
        let at = now();
        store
            .replace_inventory(&a, at, &[entry("7", "P1", "100", "5", "0")])
            .await
            .unwrap();
        let key = ProductKey::Code("P1".into());
        assert_eq!(
            store.product_inventory(&b, &key).await.unwrap(),
            None,
            "{}",
            subject.name
        );

        store
            .replace_inventory(&b, at, &[entry("9", "P9", "100", "1", "0")])
            .await
            .unwrap();
        let b_sees = store.product_inventory(&b, &key).await.unwrap().unwrap();
        assert!(b_sees.entries.is_empty(), "{}", subject.name);
        // B's refresh did not touch A's snapshot.
        let a_sees = store.product_inventory(&a, &key).await.unwrap().unwrap();
        assert_eq!(a_sees.entries.len(), 1, "{}", subject.name);
    }
}

#[tokio::test]
async fn the_schedule_finds_the_companies_with_organisation_credentials() {
    for subject in subjects().await {
        let store = &subject.store;
        let (with_org, user_only) = (company(store, "Org").await, company(store, "User").await);
        let credentials = |company: &CompanyId, owner: CredentialOwner| StoredCredentials {
            company_id: company.clone(),
            owner,
            mk_company_id: "16".into(),
            secret_key: Sealed::from_stored("sealed-for-the-test".to_owned()),
            created_by: UserId::from("u1".to_owned()),
            created_at: now(),
            updated_by: UserId::from("u1".to_owned()),
            updated_at: now(),
        };
        let user = CredentialOwner::User(UserId::from("u1".to_owned()));
        for record in [
            credentials(&with_org, CredentialOwner::Organization),
            credentials(&with_org, user.clone()),
            credentials(&user_only, user),
        ] {
            store.put_metakocka_credentials(&record).await.unwrap();
        }
        assert_eq!(
            store
                .companies_with_organization_credentials()
                .await
                .unwrap(),
            vec![with_org],
            "{}",
            subject.name
        );
    }
}

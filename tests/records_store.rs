//! The behaviour suite of the CRM's own records (`products`, `contacts`), on SQLite and
//! (when `CRM_MIND_TEST_MONGODB_URI` is set) MongoDB: round trips with exact decimals, one
//! code per company, paging with a total, a case-insensitive text filter (Unicode too),
//! last-write-wins updates, and one company never reading or changing another's records.

#[path = "support/store_subjects.rs"]
mod store_subjects;

use crm_mind::domain::{Company, CompanyId, Email};
use crm_mind::records::contact::{Contact, ContactKind};
use crm_mind::records::product::Product;
use crm_mind::records::{RecordQuery, new_id};
use crm_mind::store::{DynStore, StoreError};
use rust_decimal::Decimal;
use store_subjects::{now, subjects};

async fn company(store: &DynStore, name: &str) -> CompanyId {
    let mut company = Company::new(name).unwrap();
    company.created_at = now();
    store.insert_company(&company).await.unwrap();
    company.id
}

fn product(company: &CompanyId, code: &str, name: &str, price: &str) -> Product {
    Product {
        id: new_id(),
        company_id: company.clone(),
        code: code.into(),
        name: name.into(),
        description: Some("cold pressed".into()),
        unit: Some("kos".into()),
        price: price.parse().unwrap(),
        currency: "EUR".into(),
        vat_rate: "9.5".parse().unwrap(),
        active: true,
        created_at: now(),
        updated_at: now(),
    }
}

fn contact(company: &CompanyId, name: &str, email: Option<&str>) -> Contact {
    Contact {
        id: new_id(),
        company_id: company.clone(),
        name: name.into(),
        email: email.map(|e| Email::parse(e).unwrap()),
        phone: None,
        street: Some("Slovenska 1".into()),
        post_number: Some("1000".into()),
        city: Some("Ljubljana".into()),
        country: Some("SI".into()),
        vat_id: None,
        kind: ContactKind::Company,
        created_at: now(),
        updated_at: now(),
    }
}

fn query(text: Option<&str>, limit: u32, offset: u32) -> RecordQuery {
    RecordQuery::new(text, Some(limit), Some(offset))
}

#[tokio::test]
async fn products_round_trip_exactly_and_codes_are_unique_per_company() {
    for subject in subjects().await {
        let (store, name) = (&subject.store, subject.name);
        let shop = company(store, "Shop").await;
        let rival = company(store, "Rival").await;
        let oil = product(&shop, "OIL", "Olive oil", "0.1");
        store.insert_product(&oil).await.unwrap();
        let read = store.get_product(&shop, &oil.id).await.unwrap().unwrap();
        assert_eq!(read, oil, "{name}");
        assert_eq!(
            read.price + "0.2".parse::<Decimal>().unwrap(),
            "0.3".parse().unwrap()
        );

        let again = product(&shop, "OIL", "Another oil", "2");
        assert!(
            matches!(
                store.insert_product(&again).await,
                Err(StoreError::Conflict(_))
            ),
            "{name}: a second product of a code"
        );
        store
            .insert_product(&product(&rival, "OIL", "Their oil", "3"))
            .await
            .expect("another company may use the code");

        let salt = product(&shop, "SALT", "Salt", "1.2500");
        store.insert_product(&salt).await.unwrap();
        let mut renamed = salt.clone();
        renamed.code = "OIL".into();
        assert!(
            matches!(
                store.update_product(&renamed).await,
                Err(StoreError::Conflict(_))
            ),
            "{name}: renaming onto a taken code"
        );
        assert_eq!(
            store.get_product(&shop, &salt.id).await.unwrap().unwrap(),
            salt
        );
    }
}

#[tokio::test]
async fn product_lists_page_filter_and_stay_within_the_company() {
    for subject in subjects().await {
        let (store, name) = (&subject.store, subject.name);
        let shop = company(store, "Shop").await;
        let rival = company(store, "Rival").await;
        for (code, title) in [
            ("P3", "Šumadija plum"),
            ("P1", "Olive OIL"),
            ("P2", "Salt"),
            ("OIL-X", "Pepper"),
        ] {
            store
                .insert_product(&product(&shop, code, title, "1"))
                .await
                .unwrap();
        }
        store
            .insert_product(&product(&rival, "OIL-R", "Rival oil", "1"))
            .await
            .unwrap();

        let page = store
            .list_products(&shop, &query(None, 2, 1))
            .await
            .unwrap();
        let codes: Vec<_> = page.items.iter().map(|p| p.code.as_str()).collect();
        assert_eq!(
            (codes, page.total),
            (vec!["P1", "P2"], 4),
            "{name}: by code"
        );

        let oil = store
            .list_products(&shop, &query(Some("oil"), 10, 0))
            .await
            .unwrap();
        let codes: Vec<_> = oil.items.iter().map(|p| p.code.as_str()).collect();
        assert_eq!(
            (codes, oil.total),
            (vec!["OIL-X", "P1"], 2),
            "{name}: name or code, any case"
        );
        let plum = store
            .list_products(&shop, &query(Some("ŠUM"), 10, 0))
            .await
            .unwrap();
        assert_eq!(plum.total, 1, "{name}: case folding beyond ASCII");
        let special = store
            .list_products(&shop, &query(Some(".*"), 10, 0))
            .await
            .unwrap();
        assert_eq!(
            special.total, 0,
            "{name}: the filter is text, not a pattern"
        );
    }
}

#[tokio::test]
async fn updates_replace_the_record_and_deletes_are_scoped() {
    for subject in subjects().await {
        let (store, name) = (&subject.store, subject.name);
        let shop = company(store, "Shop").await;
        let rival = company(store, "Rival").await;
        let oil = product(&shop, "OIL", "Olive oil", "39.90");
        store.insert_product(&oil).await.unwrap();

        let mut stolen = oil.clone();
        stolen.company_id = rival.clone();
        stolen.name = "Stolen".into();
        assert!(!store.update_product(&stolen).await.unwrap(), "{name}");
        assert_eq!(store.get_product(&rival, &oil.id).await.unwrap(), None);
        assert!(
            !store.delete_product(&rival, &oil.id).await.unwrap(),
            "{name}"
        );

        let mut cheaper = oil.clone();
        cheaper.price = "35.0000".parse().unwrap();
        cheaper.description = None;
        assert!(store.update_product(&cheaper).await.unwrap());
        let read = store.get_product(&shop, &oil.id).await.unwrap().unwrap();
        assert_eq!(
            (read.price.to_string(), read.description),
            ("35.0000".into(), None)
        );

        assert!(
            store.delete_product(&shop, &oil.id).await.unwrap(),
            "{name}"
        );
        assert_eq!(store.get_product(&shop, &oil.id).await.unwrap(), None);
        assert!(
            !store.update_product(&cheaper).await.unwrap(),
            "{name}: gone"
        );
    }
}

#[tokio::test]
async fn contacts_round_trip_list_by_name_and_filter_by_email() {
    for subject in subjects().await {
        let (store, name) = (&subject.store, subject.name);
        let shop = company(store, "Shop").await;
        let rival = company(store, "Rival").await;
        let ana = contact(&shop, "Ana", Some("ana@novak.si"));
        let cene = contact(&shop, "Cene Novak", None);
        let bojan = contact(&shop, "Bojan", Some("bojan@shop.si"));
        for c in [&ana, &cene, &bojan] {
            store.insert_contact(c).await.unwrap();
        }
        store
            .insert_contact(&contact(&rival, "Novak rival", None))
            .await
            .unwrap();
        assert_eq!(
            store.get_contact(&shop, &ana.id).await.unwrap().unwrap(),
            ana,
            "{name}"
        );
        assert_eq!(store.get_contact(&rival, &ana.id).await.unwrap(), None);

        let page = store
            .list_contacts(&shop, &query(None, 2, 0))
            .await
            .unwrap();
        let names: Vec<_> = page.items.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            (names, page.total),
            (vec!["Ana", "Bojan"], 3),
            "{name}: by name"
        );
        let novak = store
            .list_contacts(&shop, &query(Some("NOVAK"), 10, 0))
            .await
            .unwrap();
        let names: Vec<_> = novak.items.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Ana", "Cene Novak"], "{name}: name or email");

        let mut moved = ana.clone();
        moved.city = Some("Maribor".into());
        moved.email = None;
        assert!(store.update_contact(&moved).await.unwrap());
        assert_eq!(
            store.get_contact(&shop, &ana.id).await.unwrap().unwrap(),
            moved
        );
        let mut stolen = moved.clone();
        stolen.company_id = rival.clone();
        assert!(!store.update_contact(&stolen).await.unwrap(), "{name}");
        assert!(
            !store.delete_contact(&rival, &ana.id).await.unwrap(),
            "{name}"
        );
        assert!(
            store.delete_contact(&shop, &ana.id).await.unwrap(),
            "{name}"
        );
        assert_eq!(store.get_contact(&shop, &ana.id).await.unwrap(), None);
    }
}

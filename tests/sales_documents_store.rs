//! The behaviour suite of `sales_documents`, on SQLite and (when
//! `CRM_MIND_TEST_MONGODB_URI` is set) MongoDB: a document with its lines round trips
//! exactly; a number is unique per company and type (and documents without one never
//! collide); lists are newest first with a total, and filter by text, type, contact,
//! status and product; updates replace the whole record; one company never reads or
//! changes another's documents.

#[path = "support/store_subjects.rs"]
mod store_subjects;

use chrono::NaiveDate;
use crm_mind::domain::{Company, CompanyId};
use crm_mind::records::sales_document::totals::document_totals;
use crm_mind::records::sales_document::{
    DocStatus, DocType, SalesDocument, SalesDocumentLine, SalesDocumentQuery,
};
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

fn d(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn line(product_id: &str, quantity: &str, net: &str) -> SalesDocumentLine {
    SalesDocumentLine {
        product_id: product_id.into(),
        code: "OIL-1".into(),
        name: "Olive oil, 1 l".into(),
        unit: Some("kos".into()),
        quantity: d(quantity),
        unit_price: d("19.9900"),
        discount_percent: d("10"),
        vat_rate: d("22"),
        net_amount: d(net),
    }
}

fn document(
    company: &CompanyId,
    doc_type: DocType,
    number: Option<&str>,
    contact_id: &str,
    date: (i32, u32, u32),
) -> SalesDocument {
    let lines = vec![
        line("p-oil", "3", "53.97"),
        line("p-salt", "0.0001", "0.00"),
    ];
    SalesDocument {
        id: new_id(),
        company_id: company.clone(),
        doc_type,
        number: number.map(str::to_owned),
        contact_id: contact_id.into(),
        doc_date: NaiveDate::from_ymd_opt(date.0, date.1, date.2).unwrap(),
        status: DocStatus::Draft,
        currency: "EUR".into(),
        totals: document_totals(&lines),
        lines,
        notes: Some("Deliver to the back door".into()),
        created_at: now(),
        updated_at: now(),
    }
}

fn all() -> SalesDocumentQuery {
    SalesDocumentQuery::all(RecordQuery::new(None, None, None))
}

/// The numbers of a list's page, in order (`-` for none).
async fn numbers(store: &DynStore, company: &CompanyId, query: &SalesDocumentQuery) -> Vec<String> {
    let page = store.list_sales_documents(company, query).await.unwrap();
    page.items
        .iter()
        .map(|doc| doc.number.clone().unwrap_or_else(|| "-".into()))
        .collect()
}

#[tokio::test]
async fn a_document_round_trips_with_its_lines_and_numbers_are_unique_per_type() {
    for subject in subjects().await {
        let (store, name) = (&subject.store, subject.name);
        let shop = company(store, "Shop").await;
        let rival = company(store, "Rival").await;
        let order = document(
            &shop,
            DocType::SalesOrder,
            Some("2024-00123"),
            "c1",
            (2024, 9, 12),
        );
        store.insert_sales_document(&order).await.unwrap();
        let read = store.get_sales_document(&shop, &order.id).await.unwrap();
        assert_eq!(read.as_ref(), Some(&order), "{name}");
        let read = read.unwrap();
        assert_eq!(
            read.lines[1].quantity.to_string(),
            "0.0001",
            "{name}: exact"
        );
        assert_eq!(read.totals.gross.to_string(), "65.84", "{name}");

        let again = document(
            &shop,
            DocType::SalesOrder,
            Some("2024-00123"),
            "c2",
            (2024, 9, 13),
        );
        assert!(
            matches!(
                store.insert_sales_document(&again).await,
                Err(StoreError::Conflict(_))
            ),
            "{name}: a second order of a number"
        );
        for other in [
            document(
                &shop,
                DocType::SalesOffer,
                Some("2024-00123"),
                "c1",
                (2024, 9, 12),
            ),
            document(
                &rival,
                DocType::SalesOrder,
                Some("2024-00123"),
                "c1",
                (2024, 9, 12),
            ),
            document(&shop, DocType::SalesOrder, None, "c1", (2024, 9, 12)),
            document(&shop, DocType::SalesOrder, None, "c1", (2024, 9, 12)),
        ] {
            store
                .insert_sales_document(&other)
                .await
                .unwrap_or_else(|e| panic!("{name}: another type, company or no number: {e}"));
        }

        let mut renumbered = again.clone();
        renumbered.number = Some("2024-00124".into());
        store.insert_sales_document(&renumbered).await.unwrap();
        renumbered.number = Some("2024-00123".into());
        assert!(
            matches!(
                store.update_sales_document(&renumbered).await,
                Err(StoreError::Conflict(_))
            ),
            "{name}: renumbering onto a taken number"
        );
        let kept = store
            .get_sales_document(&shop, &renumbered.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(kept.number.as_deref(), Some("2024-00124"), "{name}");
    }
}

#[tokio::test]
async fn lists_are_newest_first_and_filter_by_text_type_contact_status_and_product() {
    for subject in subjects().await {
        let (store, name) = (&subject.store, subject.name);
        let shop = company(store, "Shop").await;
        let mut paid = document(
            &shop,
            DocType::SalesBillDomestic,
            Some("B-1"),
            "ana",
            (2024, 3, 1),
        );
        paid.status = DocStatus::Paid;
        paid.notes = Some("Paid by card — HVALA".into());
        let mut salt_only = document(&shop, DocType::SalesOrder, Some("O-2"), "bor", (2024, 5, 1));
        salt_only.lines.remove(0);
        for doc in [
            document(&shop, DocType::SalesOrder, Some("O-1"), "ana", (2024, 1, 1)),
            paid,
            salt_only,
            document(&shop, DocType::SalesOffer, None, "bor", (2024, 4, 1)),
        ] {
            store.insert_sales_document(&doc).await.unwrap();
        }

        assert_eq!(
            numbers(store, &shop, &all()).await,
            ["O-2", "-", "B-1", "O-1"],
            "{name}"
        );
        let mut page = all();
        page.records = RecordQuery::new(None, Some(2), Some(1));
        let listed = store.list_sales_documents(&shop, &page).await.unwrap();
        assert_eq!(listed.total, 4, "{name}: the total of every match");
        assert_eq!(numbers(store, &shop, &page).await, ["-", "B-1"], "{name}");

        let with = |change: &dyn Fn(&mut SalesDocumentQuery)| {
            let mut query = all();
            change(&mut query);
            query
        };
        let cases: [(SalesDocumentQuery, &[&str]); 6] = [
            (
                with(&|q| q.records = RecordQuery::new(Some("hvala"), None, None)),
                &["B-1"],
            ),
            (
                with(&|q| q.records = RecordQuery::new(Some("o-"), None, None)),
                &["O-2", "O-1"],
            ),
            (
                with(&|q| q.doc_type = Some(DocType::SalesOrder)),
                &["O-2", "O-1"],
            ),
            (
                with(&|q| q.contact_id = Some("ana".into())),
                &["B-1", "O-1"],
            ),
            (with(&|q| q.status = Some(DocStatus::Paid)), &["B-1"]),
            (
                with(&|q| q.product_id = Some("p-oil".into())),
                &["-", "B-1", "O-1"],
            ),
        ];
        for (query, expected) in cases {
            assert_eq!(
                numbers(store, &shop, &query).await,
                expected,
                "{name}: {query:?}"
            );
        }
        let none = with(&|q| {
            q.doc_type = Some(DocType::SalesBillDomestic);
            q.contact_id = Some("bor".into());
        });
        assert_eq!(
            store
                .list_sales_documents(&shop, &none)
                .await
                .unwrap()
                .total,
            0,
            "{name}"
        );
    }
}

#[tokio::test]
async fn updates_replace_the_whole_record_and_companies_stay_apart() {
    for subject in subjects().await {
        let (store, name) = (&subject.store, subject.name);
        let shop = company(store, "Shop").await;
        let rival = company(store, "Rival").await;
        let order = document(&shop, DocType::SalesOrder, Some("O-1"), "c1", (2024, 1, 1));
        store.insert_sales_document(&order).await.unwrap();

        let mut changed = order.clone();
        changed.status = DocStatus::Shipped;
        changed.notes = None;
        changed.lines.truncate(1);
        changed.totals = document_totals(&changed.lines);
        changed.updated_at = now();
        assert!(
            store.update_sales_document(&changed).await.unwrap(),
            "{name}"
        );
        let read = store
            .get_sales_document(&shop, &order.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(read, changed, "{name}: the whole record replaced");

        // Another company's id reaches nothing.
        assert_eq!(
            store.get_sales_document(&rival, &order.id).await.unwrap(),
            None
        );
        let mut stolen = changed.clone();
        stolen.company_id = rival.clone();
        stolen.notes = Some("stolen".into());
        assert!(
            !store.update_sales_document(&stolen).await.unwrap(),
            "{name}"
        );
        assert!(
            !store
                .delete_sales_document(&rival, &order.id)
                .await
                .unwrap(),
            "{name}"
        );
        assert_eq!(
            store
                .list_sales_documents(&rival, &all())
                .await
                .unwrap()
                .total,
            0
        );
        assert_eq!(
            store
                .get_sales_document(&shop, &order.id)
                .await
                .unwrap()
                .unwrap(),
            changed,
            "{name}: untouched by the other company"
        );

        assert!(
            store.delete_sales_document(&shop, &order.id).await.unwrap(),
            "{name}"
        );
        assert_eq!(
            store.get_sales_document(&shop, &order.id).await.unwrap(),
            None
        );
        assert!(
            !store.delete_sales_document(&shop, &order.id).await.unwrap(),
            "{name}"
        );
        assert!(
            !store.update_sales_document(&changed).await.unwrap(),
            "{name}: gone"
        );
    }
}

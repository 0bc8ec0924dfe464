//! Each endpoint against the fake Metakocka: what is written comes back as written.

use crate::fake_metakocka::{COMPANY_ID, FakeMetakocka};
use crm_mind::metakocka::types::{
    Document, DocumentKey, DocumentLine, Partner, PartnerContact, PartnerQuery, Product,
    ProductListQuery, SearchQuery, StockQuery,
};
use rust_decimal::Decimal;
use std::str::FromStr;

fn dec(text: &str) -> Option<Decimal> {
    Some(Decimal::from_str(text).unwrap())
}

#[tokio::test]
async fn a_product_is_added_listed_and_updated() {
    let fake = FakeMetakocka::start().await;
    let (client, credentials) = (fake.client(), fake.credentials());
    let product = Product {
        code: Some("MUG-1".to_owned()),
        name: Some("Mug".to_owned()),
        unit: Some("kos".to_owned()),
        sales: Some(true),
        gross_weight: dec("0.8"),
        ..Product::default()
    };
    let saved = client.product_add(&credentials, &product).await.unwrap();

    let by_code = ProductListQuery {
        code: Some("MUG-1".to_owned()),
        ..ProductListQuery::default()
    };
    let listed = client
        .product_list_all(&credentials, &by_code)
        .await
        .unwrap();
    assert_eq!(listed.len(), 1, "the fake answers one product as an object");
    assert_eq!(listed[0].mk_id.as_deref(), Some(saved.mk_id.as_str()));
    assert_eq!(listed[0].gross_weight, dec("0.8"));

    let rename = Product {
        mk_id: Some(saved.mk_id.clone()),
        name: Some("Large mug".to_owned()),
        ..Product::default()
    };
    let updated = client.product_update(&credentials, &rename).await.unwrap();
    assert_eq!(updated.mk_id, saved.mk_id);
    let listed = client
        .product_list_all(&credentials, &by_code)
        .await
        .unwrap();
    assert_eq!(listed[0].name.as_deref(), Some("Large mug"));
    assert_eq!(listed[0].gross_weight, dec("0.8"), "untouched fields stay");
}

#[tokio::test]
async fn a_partner_is_added_found_and_updated() {
    let fake = FakeMetakocka::start().await;
    let (client, credentials) = (fake.client(), fake.credentials());
    let partner = Partner {
        customer: Some("Test Uporabnik".to_owned()),
        business_entity: Some(false),
        street: Some("Test, 4".to_owned()),
        post_number: Some("54375".to_owned()),
        place: Some("Test".to_owned()),
        country: Some("Slovenija".to_owned()),
        partner_contact: Some(PartnerContact {
            name: Some("Test Kontakt".to_owned()),
            email: Some("test@test.com".to_owned()),
            ..PartnerContact::default()
        }),
        ..Partner::default()
    };
    let added = client.add_partner(&credentials, &partner).await.unwrap();
    assert_eq!(added.mk_address_id_list.len(), 1);

    let query = PartnerQuery {
        partner_email: Some("test@test.com".to_owned()),
        ..PartnerQuery::default()
    };
    let found = client.get_partner(&credentials, &query).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].mk_id.as_deref(), Some(added.mk_id.as_str()));
    assert_eq!(found[0].customer.as_deref(), Some("Test Uporabnik"));

    let change = Partner {
        mk_id: Some(added.mk_id.clone()),
        street: Some("Test 1234".to_owned()),
        ..Partner::default()
    };
    let now = client.update_partner(&credentials, &change).await.unwrap();
    assert_eq!(now[0].street.as_deref(), Some("Test 1234"));
    let found = client.get_partner(&credentials, &query).await.unwrap();
    assert_eq!(found[0].street.as_deref(), Some("Test 1234"));
}

fn order(title: &str, lines: &[(&str, &str, &str)]) -> Document {
    Document {
        doc_type: Some("sales_order".to_owned()),
        title: Some(title.to_owned()),
        partner: Some(Partner {
            customer: Some("Buyer d.o.o.".to_owned()),
            ..Partner::default()
        }),
        product_list: lines
            .iter()
            .map(|(code, amount, price)| DocumentLine {
                code: Some((*code).to_owned()),
                amount: dec(amount),
                price: dec(price),
                tax: Some("EX4".to_owned()),
                ..DocumentLine::default()
            })
            .collect(),
        ..Document::default()
    }
}

#[tokio::test]
async fn a_sales_order_is_put_read_and_updated_with_its_own_number() {
    let fake = FakeMetakocka::start().await;
    let (client, credentials) = (fake.client(), fake.credentials());
    let first = client
        .put_document(
            &credentials,
            &order(
                "REST test 1",
                &[("art1", "2", "10.5"), ("art2", "1", "863.75")],
            ),
        )
        .await
        .unwrap();
    let second = client
        .put_document(&credentials, &order("REST test 2", &[("art1", "1", "1")]))
        .await
        .unwrap();
    assert_eq!(first.count_code.as_deref(), Some("PP-1"));
    assert_eq!(second.count_code.as_deref(), Some("PP-2"));

    let key = DocumentKey::by_mk_id("sales_order", &first.mk_id);
    let read = client.get_document(&credentials, &key).await.unwrap();
    assert_eq!(read.title.as_deref(), Some("REST test 1"));
    assert_eq!(read.product_list.len(), 2);
    assert_eq!(read.product_list[1].price, dec("863.75"));
    assert_eq!(read.sum_basic, dec("884.75"));

    let change = Document {
        mk_id: Some(first.mk_id.clone()),
        doc_type: Some("sales_order".to_owned()),
        status_code: Some("shipped".to_owned()),
        ..Document::default()
    };
    client.update_document(&credentials, &change).await.unwrap();
    let by_number = DocumentKey::by_count_code("sales_order", "PP-1");
    let read = client.get_document(&credentials, &by_number).await.unwrap();
    assert_eq!(read.status_code.as_deref(), Some("shipped"));
    assert_eq!(read.title.as_deref(), Some("REST test 1"));
}

#[tokio::test]
async fn search_finds_documents_of_one_type_by_text() {
    let fake = FakeMetakocka::start().await;
    let (client, credentials) = (fake.client(), fake.credentials());
    for title in ["Spring order", "Summer order", "Autumn"] {
        client
            .put_document(&credentials, &order(title, &[("art1", "1", "1")]))
            .await
            .unwrap();
    }
    let query = SearchQuery {
        doc_type: "sales_order".to_owned(),
        query: Some("order".to_owned()),
        ..SearchQuery::default()
    };
    let found = client.search_all(&credentials, &query).await.unwrap();
    let numbers: Vec<_> = found.iter().filter_map(|d| d.count_code.clone()).collect();
    assert_eq!(numbers, ["PP-1", "PP-2"]);
    let offers = SearchQuery {
        doc_type: "sales_offer".to_owned(),
        ..SearchQuery::default()
    };
    assert!(
        client
            .search_all(&credentials, &offers)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn stock_is_read_per_warehouse_with_reservations_and_decimal_commas() {
    let fake = FakeMetakocka::start().await;
    let (client, credentials) = (fake.client(), fake.credentials());
    fake.seed_products(COMPANY_ID, 2);
    let main = fake.seed_warehouse(COMPANY_ID, "glavno", "Glavno");
    let shop = fake.seed_warehouse(COMPANY_ID, "trgovina", "Trgovina");
    fake.seed_stock(COMPANY_ID, "P00001", &main, "10,5", Some("2"));
    fake.seed_stock(COMPANY_ID, "P00001", &shop, "2", None);
    fake.seed_stock(COMPANY_ID, "P00002", &shop, "7", None);

    let warehouses = client.warehouse_list(&credentials).await.unwrap();
    assert_eq!(warehouses.len(), 2);
    let in_main = StockQuery {
        wh_id_list: Some(main.clone()),
        ..StockQuery::default()
    };
    let lines = client
        .warehouse_stock_all(&credentials, &in_main)
        .await
        .unwrap();
    assert_eq!(lines.len(), 1, "the fake answers one line as an object");
    assert_eq!(
        (
            lines[0].amount,
            lines[0].reserved_amount,
            lines[0].free_amount
        ),
        (dec("10.5"), dec("2"), dec("8.5"))
    );
    let all = client
        .warehouse_stock_all(&credentials, &StockQuery::default())
        .await
        .unwrap();
    assert_eq!(all.len(), 3);

    let with_stock = ProductListQuery {
        code: Some("P00001".to_owned()),
        return_warehause_stock: Some(true),
        ..ProductListQuery::default()
    };
    let product = client
        .product_list_all(&credentials, &with_stock)
        .await
        .unwrap();
    assert_eq!(product[0].amount, dec("12.5"));
}

#[tokio::test]
async fn seeded_partners_and_documents_are_found() {
    let fake = FakeMetakocka::start().await;
    let (client, credentials) = (fake.client(), fake.credentials());
    fake.seed_partners(COMPANY_ID, 3);
    fake.seed_documents(COMPANY_ID, "sales_offer", 2);
    let query = PartnerQuery {
        partner_email: Some("partner2@example.com".to_owned()),
        ..PartnerQuery::default()
    };
    let found = client.get_partner(&credentials, &query).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].customer.as_deref(), Some("Partner 2"));
    let key = DocumentKey::by_count_code("sales_offer", "PON-2");
    let offer = client.get_document(&credentials, &key).await.unwrap();
    assert_eq!(offer.product_list[0].price, dec("863.75"));
}

use super::*;
use crate::metakocka::types::{PartnerContact, PriceDefinition, Pricelist};

fn entry(product: &str, warehouse: &str, amount: i64, reserved: i64) -> StockEntry {
    StockEntry {
        product_mk_id: product.into(),
        product_code: Some("TR-42".into()),
        count_code: None,
        product_name: Some("Trail runner".into()),
        warehouse_id: warehouse.into(),
        warehouse_mark: Some(warehouse.to_lowercase()),
        warehouse_name: Some(format!("{warehouse} warehouse")),
        amount: Decimal::from(amount),
        reserved: Decimal::from(reserved),
        free: Decimal::from(amount - reserved),
    }
}

fn trail_runner() -> Product {
    Product {
        mk_id: Some("1600000001".into()),
        code: Some("TR-42".into()),
        name: Some("Trail runner".into()),
        unit: Some("kos".into()),
        pricelist: vec![Pricelist {
            currency_code: Some("EUR".into()),
            price_def: vec![PriceDefinition {
                price: Some(Decimal::new(4100, 2)),
                price_with_tax: Some(Decimal::new(5002, 2)),
                ..Default::default()
            }],
            ..Default::default()
        }],
        ..Default::default()
    }
}

#[test]
fn a_product_is_one_record_with_price_and_stock_per_warehouse() {
    let stock = [
        entry("1600000001", "MAIN", 12, 2),
        entry("1600000001", "SHOP", 3, 0),
    ];
    let records = product_records(&[trail_runner()], &stock);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].prefix, "products[1600000001]");
    assert_eq!(
        records[0].lines,
        vec![
            "products[1600000001].name: Trail runner",
            "products[1600000001].code: TR-42",
            "products[1600000001].unit: kos",
            "products[1600000001].price: 50.02",
            "products[1600000001].currency: EUR",
            "products[1600000001].in_stock: yes",
            "products[1600000001].stock_total: 15",
            "products[1600000001].stock_available: 13",
            "products[1600000001].stock[0].warehouse: MAIN warehouse",
            "products[1600000001].stock[0].amount: 12",
            "products[1600000001].stock[0].reserved: 2",
            "products[1600000001].stock[0].available: 10",
            "products[1600000001].stock[1].warehouse: SHOP warehouse",
            "products[1600000001].stock[1].amount: 3",
            "products[1600000001].stock[1].reserved: 0",
            "products[1600000001].stock[1].available: 3",
        ]
    );
}

#[test]
fn a_product_without_stock_is_not_in_stock() {
    let records = product_records(&[trail_runner()], &[]);
    assert!(
        (records[0].lines.iter()).any(|l| l == "products[1600000001].in_stock: no"),
        "{:?}",
        records[0].lines
    );
}

#[test]
fn a_partner_carries_its_contacts_and_repeats_are_one_record() {
    let partner = Partner {
        mk_id: Some("228000009447".into()),
        customer: Some("BAJEC JANEZ".into()),
        partner_contact_list: vec![PartnerContact {
            email: Some("test@test.si".into()),
            gsm: Some("051123456".into()),
            ..Default::default()
        }],
        ..Default::default()
    };
    let records = partner_records(&[partner.clone(), partner]);
    assert_eq!(records.len(), 1);
    let text = records[0].text();
    assert!(
        text.contains("partners[228000009447].name: BAJEC JANEZ"),
        "{text}"
    );
    assert!(
        text.contains("partners[228000009447].contacts[0].email: test@test.si"),
        "{text}"
    );
}

#[test]
fn a_document_names_its_number_status_partner_and_tracking() {
    let document: Document = serde_json::from_value(json!({
        "mk_id": "1600203487", "doc_type": "sales_order", "count_code": "PP-18495",
        "doc_date": "2015-05-08+02:00", "status_code": "Novo naročilo",
        "partner": {"customer": "3D ART d.o.o."}, "receiver": {"customer": "3D ART d.o.o."},
        "product_list": [{"code": "mkp1", "name": "MK prenos 1", "amount": "2", "price": "10"}],
        "sum_all": "56.35", "currency_code": "EUR",
        "extra_column": [{"name": "tracking_number", "value": "65407745"}],
    }))
    .unwrap();
    let records = document_records(&[document]);
    let text = records[0].text();
    for line in [
        "sales_orders[1600203487].number: PP-18495",
        "sales_orders[1600203487].status: Novo naročilo",
        "sales_orders[1600203487].partner: 3D ART d.o.o.",
        "sales_orders[1600203487].lines[0].code: mkp1",
        "sales_orders[1600203487].total: 56.35",
        "sales_orders[1600203487].tracking_number: 65407745",
    ] {
        assert!(text.contains(line), "{line} missing from\n{text}");
    }
    assert!(!text.contains(".receiver:"), "the same buyer is named once");
}

#[test]
fn recent_means_on_or_after_the_window_start_and_undated_counts() {
    let since = NaiveDate::from_ymd_opt(2026, 9, 1).unwrap();
    let dated = |date: &str| Document {
        doc_date: Some(date.into()),
        ..Default::default()
    };
    assert!(is_recent(&dated("2026-09-01+02:00"), since));
    assert!(!is_recent(&dated("2026-08-31+02:00"), since));
    assert!(is_recent(&Document::default(), since));
}

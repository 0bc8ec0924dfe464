//! Metakocka's documented examples (`fixtures/external/metakocka/`, `fixtures/metakocka/`)
//! read into the typed answers: one-record lists as objects, string numbers with decimal
//! commas, partner answers without `opr_code`, refusals in `opr_desc`.

use axum::Router;
use axum::http::{StatusCode, header};
use crm_mind::metakocka::client::{
    ErrorCategory, MetakockaClient, MetakockaCredentials, MetakockaError, MetakockaSettings,
};
use crm_mind::metakocka::types::{
    Document, PartnerAdded, PartnerList, Product, ProductListPage, ProductListQuery, SearchPage,
    StockPage, WarehouseListPage,
};
use rust_decimal::Decimal;
use secrecy::SecretString;
use std::str::FromStr;

fn fixture(name: &str) -> String {
    let root = env!("CARGO_MANIFEST_DIR");
    let external = format!("{root}/fixtures/external/metakocka/{name}");
    std::fs::read_to_string(&external)
        .or_else(|_| std::fs::read_to_string(format!("{root}/fixtures/metakocka/{name}")))
        .unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

fn read<T: serde::de::DeserializeOwned>(name: &str) -> T {
    serde_json::from_str(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn credentials() -> MetakockaCredentials {
    MetakockaCredentials {
        company_id: "16".to_owned(),
        secret_key: SecretString::from("8899"),
    }
}

fn dec(text: &str) -> Option<Decimal> {
    Some(Decimal::from_str(text).unwrap())
}

#[test]
fn a_product_list_of_one_comes_as_an_object_with_its_price_lists() {
    let page: ProductListPage = read("product_list.response_single_object_with_pricelist.json");
    assert_eq!(page.product_list.len(), 1);
    let product = &page.product_list[0];
    assert_eq!(product.count_code.as_deref(), Some("PA_115_PA"));
    assert_eq!(product.sales, Some(true));
    assert_eq!(product.pricelist.len(), 5);
    // `price_def` is itself a single object in this example.
    assert_eq!(product.pricelist[0].price_def[0].price, dec("2"));
    assert_eq!(product.pricelist[0].price_def[0].amount_to, dec("10"));
    assert_eq!(product.pricelist[3].price_def[0].tax_factor, dec("0.22"));
    assert_eq!(product.pricelist[4].price_def[0].price_with_tax, dec("20"));
}

#[test]
fn stock_per_warehouse_comes_with_the_product_list() {
    let page: ProductListPage = read("product_list.response_with_stock.json");
    assert_eq!(page.product_list_count, Some(2));
    let amounts: Vec<_> = page.product_list[0]
        .amount_detail
        .iter()
        .map(|detail| detail.amount)
        .collect();
    assert_eq!(page.product_list[0].amount, dec("10"));
    assert_eq!(amounts, vec![dec("4"), dec("6")]);
    assert_eq!(page.product_list[1].amount, None);
    assert_eq!(page.product_list[1].purchasing, Some(false));
}

#[test]
fn numbers_with_a_decimal_comma_are_read_exactly() {
    let page: ProductListPage = read("product_list.response_unit_factor.json");
    assert_eq!(page.product_list[0].unit_factor, dec("10.52"));
    let request: Product = read("product_add.request.json");
    assert_eq!(request.gross_weight, dec("0.8"));
    assert_eq!(request.height, dec("12.23"));
    assert_eq!(request.pricelist[0].price_def.len(), 2);
    assert_eq!(request.pricelist[0].price_def[1].amount_to, None);
}

#[test]
fn a_product_is_written_back_with_string_numbers_and_flags() {
    let request: Product = read("product_add.request.json");
    let written = serde_json::to_value(&request).unwrap();
    assert_eq!(written["gross_weight"], "0.8");
    assert_eq!(written["service"], "false");
    assert_eq!(
        written["localization"][1]["language"], "de",
        "unnamed fields are kept"
    );
}

#[test]
fn stock_with_reservations_has_reserved_and_free_amounts() {
    let page: StockPage = read("warehouse_stock.response_with_reservations.json");
    let reserved = &page.stock_list[2];
    assert_eq!(
        reserved.title.as_deref(),
        Some("Inverter Schweißgerät NTF ARC200M")
    );
    assert_eq!(
        (
            reserved.amount,
            reserved.reserved_amount,
            reserved.free_amount
        ),
        (dec("0"), dec("1"), dec("-1"))
    );
    let plain: StockPage = read("warehouse_stock.response.json");
    assert_eq!(plain.stock_list.len(), 10);
    assert_eq!(plain.stock_list[2].amount, dec("-3"));
}

#[test]
fn warehouses_partners_documents_and_search_results_are_read() {
    let warehouses: WarehouseListPage = read("warehouse_list.response.json");
    assert_eq!(warehouses.warehouse_list.len(), 7);
    assert_eq!(
        warehouses.warehouse_list[0].mark.as_deref(),
        Some("oznaka1")
    );

    let partners: PartnerList = read("get_partner.response.json");
    assert_eq!(partners.partner_list_count, Some(2));
    let janez = &partners.partner_list[0];
    assert_eq!(janez.customer.as_deref(), Some("BAJEC JANEZ"));
    assert_eq!(
        janez.partner_contact_list[0].email.as_deref(),
        Some("test@test.si")
    );
    let added: PartnerAdded = read("add_partner.response.json");
    assert_eq!(added.mk_id, "228000046627");
    assert_eq!(added.mk_address_id_list.len(), 2);

    let order: Document = read("get_document.sales_order.response.json");
    assert_eq!(order.count_code.as_deref(), Some("PP-18495"));
    assert_eq!(order.sum_all, dec("56.35"));
    assert_eq!(order.product_list[1].price_with_tax, dec("15"));
    assert_eq!(
        order.partner.as_ref().unwrap().customer.as_deref(),
        Some("3D ART d.o.o.")
    );

    let found: SearchPage = read("search.response.json");
    assert_eq!(found.result_all_records, Some(1));
    assert_eq!(found.result[0].count_code.as_deref(), Some("PRD1_494"));
}

/// A server that answers every POST with `body` under `status` and `content_type`.
async fn answering(
    status: StatusCode,
    content_type: &'static str,
    body: String,
) -> MetakockaClient {
    let app = Router::new().fallback(move || {
        let body = body.clone();
        async move { (status, [(header::CONTENT_TYPE, content_type)], body) }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    MetakockaClient::new(MetakockaSettings {
        base_url: format!("http://{address}/rest/eshop/v1/"),
        retry_base_ms: 1,
        ..MetakockaSettings::default()
    })
    .unwrap()
}

#[tokio::test]
async fn documented_refusals_become_errors_with_metakocka_s_text() {
    let credentials = credentials();
    for (name, text) in [
        (
            "error.opr_code_2_invalid_param.json",
            "Paramether 'status_code' has invalid value : XXXactive. Valid values : active,finished,deleted",
        ),
        (
            "error.opr_code_2_unknown_doc_type.json",
            "Unknown document type : warehouse_packing_list1",
        ),
    ] {
        let client = answering(StatusCode::OK, "application/json", fixture(name)).await;
        let error = client
            .product_list_all(&credentials, &ProductListQuery::default())
            .await
            .unwrap_err();
        assert!(
            matches!(&error, MetakockaError::Refused { opr_code, .. } if opr_code == "2"),
            "{error:?}"
        );
        assert_eq!(error.metakocka_message(), Some(text));
        assert_eq!(error.category(), ErrorCategory::Validation);
    }
}

#[tokio::test]
async fn a_partner_answer_without_opr_code_is_a_success() {
    let credentials = credentials();
    let client = answering(
        StatusCode::OK,
        "application/json",
        fixture("get_partner.response.json"),
    )
    .await;
    let partners = client
        .get_partner(&credentials, &Default::default())
        .await
        .unwrap();
    assert_eq!(partners.len(), 2);
    assert_eq!(partners[1].customer.as_deref(), Some("TESTNI JANEZ"));
}

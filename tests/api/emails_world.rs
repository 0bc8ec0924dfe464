//! The world the email tests run in: a shop (crm-mind company) whose fake Metakocka knows
//! the partners, documents, products and stock that `fixtures/emails/` mention, and whose
//! CRM has a contact and two products of its own. Plus the calls the email tests share.

use crate::fake_metakocka::{COMPANY_ID, FakeMetakocka, SECRET_KEY};
use crate::helpers::{Engine, TestApp, spawn_app_with};
use crate::metakocka_connection::save_credentials;
use crm_mind::config::Settings;
use reqwest::Method;
use serde_json::{Map, Value, json};

/// The shop, its admin token and the fake behind it.
pub struct World {
    pub app: TestApp,
    pub token: String,
    pub fake: FakeMetakocka,
}

fn map(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => unreachable!("records are objects"),
    }
}

/// Seeds the fake Metakocka company 16 (the fake's own ids are its business).
pub fn seed_metakocka(fake: &FakeMetakocka) {
    fake.with_books(COMPANY_ID, |books| {
        for (code, name) in [
            ("KT-200", "Glass kettle 1.7 l"),
            ("ALP-42", "Pohodni čevlji Alpina"),
            ("TB-10", "Travel bag"),
            ("MUG-01", "Ceramic mug"),
        ] {
            let mk_id = books.next_id();
            books.products.push(map(json!({
                "mk_id": mk_id, "count_code": format!("A-{code}"), "code": code, "name": name,
                "unit": "kos", "service": "false", "sales": "true",
            })));
        }
        for (customer, email, count_code) in [
            ("Novak d.o.o.", "ana.novak@novak.si", "101"),
            ("Kovač Trade d.o.o.", "marko@kovac-trade.si", "102"),
            ("Gorski svet d.o.o.", "info@gorski-svet.si", "103"),
        ] {
            let (mk_id, contact) = (books.next_id(), books.next_id());
            books.partners.push(map(json!({
                "mk_id": mk_id, "count_code": count_code, "customer": customer,
                "business_entity": "true",
                "partner_contact_list": [{"mk_id": contact, "name": customer, "email": email}],
            })));
        }
        let documents = [
            json!({"doc_type": "sales_order", "count_code": "2024-00123", "doc_date": "2024-09-09+02:00",
                   "status_code": "shipped", "currency_code": "EUR", "title": "Kettles for Novak",
                   "partner": {"customer": "Novak d.o.o."},
                   "product_list": [{"code": "KT-200", "name": "Glass kettle 1.7 l", "amount": "2", "price": "39,90"}]}),
            json!({"doc_type": "sales_order", "count_code": "2024-00999", "doc_date": "2024-09-12+02:00",
                   "status_code": "in_progress", "currency_code": "EUR", "partner": {"customer": "Novak d.o.o."},
                   "product_list": [{"code": "MUG-01", "name": "Ceramic mug", "amount": "20", "price": "8,50"}]}),
            json!({"doc_type": "sales_order", "count_code": "2024-00456", "buyer_order": "PO-7781",
                   "doc_date": "2024-09-10+02:00", "status_code": "confirmed", "currency_code": "EUR",
                   "partner": {"customer": "Kovač Trade d.o.o."},
                   "product_list": [{"code": "ALP-42", "name": "Pohodni čevlji Alpina", "amount": "10", "price": "129,90"}]}),
            json!({"doc_type": "sales_bill_domestic", "count_code": "RA-12", "doc_date": "2024-09-10+02:00",
                   "status_code": "unpaid", "currency_code": "EUR", "partner": {"customer": "Kovač Trade d.o.o."},
                   "product_list": [{"code": "ALP-42", "name": "Pohodni čevlji Alpina", "amount": "10", "price": "129,90"}]}),
            json!({"doc_type": "sales_order", "count_code": "2024-00789", "doc_date": "2024-09-11+02:00",
                   "status_code": "shipped", "currency_code": "EUR", "partner": {"customer": "Gorski svet d.o.o."},
                   "product_list": [{"code": "TB-10", "name": "Travel bag", "amount": "3", "price": "45"}]}),
        ];
        for document in documents {
            books.put_document(&map(document)).expect("a known type");
        }
    });
    let main = fake.seed_warehouse(COMPANY_ID, "MAIN", "Main warehouse");
    fake.seed_stock(COMPANY_ID, "KT-200", &main, "12", None);
    fake.seed_stock(COMPANY_ID, "MUG-01", &main, "140", None);
    fake.seed_stock(COMPANY_ID, "ALP-42", &main, "0", None);
}

/// The app on `engine` with the fake seeded, organisation credentials saved, the inventory
/// refreshed, and the CRM's own contact and products.
pub async fn world(engine: Engine) -> World {
    world_with(engine, |_| {}).await
}

/// [`world`] with settings changed by `configure` (a chat model, say).
pub async fn world_with(engine: Engine, configure: impl FnOnce(&mut Settings)) -> World {
    let fake = FakeMetakocka::start().await;
    seed_metakocka(&fake);
    let base_url = fake.base_url.clone();
    let app = spawn_app_with(engine, move |settings| {
        settings.metakocka_base_url = base_url;
        configure(settings);
    })
    .await;
    let (_, token) = app.company_with_admin("Kettle Shop").await;
    save_credentials(&app, &token, "organization", COMPANY_ID, SECRET_KEY).await;
    let refreshed = app
        .request(
            Method::POST,
            "/api/integrations/metakocka/inventory/refresh",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(refreshed.status(), 200);
    let posts = [
        (
            "/api/contacts",
            json!({"name": "Janez Horvat", "email": "janez.horvat@gmail.com"}),
        ),
        (
            "/api/products",
            json!({"code": "KT-200", "name": "Glass kettle 1.7 l", "price": "39.90"}),
        ),
        (
            "/api/products",
            json!({"code": "MUG-01", "name": "Ceramic mug", "price": "8.50"}),
        ),
    ];
    for (path, body) in posts {
        let response = app
            .request(Method::POST, path, Some(&token), Some(body))
            .await;
        assert_eq!(response.status(), 201, "{path}");
    }
    World { app, token, fake }
}

/// A fixture of `fixtures/emails/` as text.
pub fn fixture(name: &str) -> String {
    let path = format!("{}/fixtures/emails/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub async fn post_email(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    app.request(Method::POST, "/api/emails", Some(token), Some(body))
        .await
}

/// Posts a JSON fixture; asserts it was stored (201) and returns the email.
pub async fn ingest_fixture(app: &TestApp, token: &str, name: &str) -> Value {
    let body: Value = serde_json::from_str(&fixture(name)).unwrap();
    let response = post_email(app, token, body).await;
    assert_eq!(response.status(), 201, "{name}");
    response.json().await.unwrap()
}

pub async fn post_raw(app: &TestApp, token: &str, raw: Vec<u8>) -> reqwest::Response {
    app.client
        .post(format!("{}/api/emails/raw", app.address))
        .bearer_auth(token)
        .header("Content-Type", "message/rfc822")
        .body(raw)
        .send()
        .await
        .unwrap()
}

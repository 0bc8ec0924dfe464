//! A fake Metakocka on a loopback port: the tests' Metakocka, never the product's.
//!
//! It keeps each company's products, warehouses and stock, partners and documents, and
//! answers `POST /rest/eshop/v1/<endpoint>` for the endpoints crm-mind uses in the shapes
//! Metakocka documents (see `fake_metakocka/records.rs`). Around that it behaves as the real
//! service does where a client can go wrong:
//! * a wrong `secret_key`/`company_id` is refused with `opr_code` `"1"` (Metakocka does not
//!   document its wording; this text is the fake's);
//! * any other path answers an HTML 404 page, as a web server in front of the API does;
//! * searches of one company run one at a time (a second waits), and the fake records the
//!   most searches and other calls it saw in flight per company, so tests can assert the
//!   client's limits.
//!
//! Knobs: [`FakeMetakocka::fail_next`] (answer 503 to the next N calls),
//! [`FakeMetakocka::set_delay`] (answer each call after a delay), and call counts per endpoint.
//! Include it with `#[path = "support/fake_metakocka.rs"] mod fake_metakocka;` (or
//! `"../support/fake_metakocka.rs"` from `tests/api/`).

#![allow(dead_code)]

#[path = "fake_metakocka/records.rs"]
mod records;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use crm_mind::metakocka::client::{MetakockaClient, MetakockaCredentials, MetakockaSettings};
use parking_lot::Mutex;
use records::Books;
use secrecy::SecretString;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;
use tokio::net::TcpListener;

/// The company the fake knows from the start (Metakocka's examples use company 16).
pub const COMPANY_ID: &str = "16";
pub const SECRET_KEY: &str = "8899-fake-secret-4f1c9a";

const ENDPOINTS: &[&str] = &[
    "json/product_list",
    "json/product_add",
    "json/product_update",
    "json/warehouse_list",
    "json/warehouse_stock",
    "get_partner",
    "add_partner",
    "update_partner",
    "put_document",
    "get_document",
    "update_document",
    "search",
];

/// The endpoints that create or change records.
pub const WRITE_ENDPOINTS: &[&str] = &[
    "json/product_add",
    "json/product_update",
    "add_partner",
    "update_partner",
    "put_document",
    "update_document",
];

/// Calls in flight now and the most seen at once.
#[derive(Default)]
struct InFlight {
    now: AtomicUsize,
    max: AtomicUsize,
}

struct InFlightGuard<'a>(&'a InFlight);

impl InFlight {
    fn enter(&self) -> InFlightGuard<'_> {
        let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.max.fetch_max(now, Ordering::SeqCst);
        InFlightGuard(self)
    }
}

impl Drop for InFlightGuard<'_> {
    fn drop(&mut self) {
        self.0.now.fetch_sub(1, Ordering::SeqCst);
    }
}

#[derive(Default)]
struct Gate {
    searches: InFlight,
    others: InFlight,
    one_search: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct Fake {
    accounts: Mutex<HashMap<String, String>>,
    books: Mutex<HashMap<String, Books>>,
    gates: Mutex<HashMap<String, Arc<Gate>>>,
    calls: Mutex<HashMap<String, usize>>,
    fail_next: AtomicUsize,
    delay_ms: AtomicU64,
    refuse_mentioning: Mutex<Option<String>>,
}

pub struct FakeMetakocka {
    /// `http://127.0.0.1:PORT/rest/eshop/v1/`, what `CRM_MIND_METAKOCKA_BASE_URL` would be.
    pub base_url: String,
    fake: Arc<Fake>,
}

impl FakeMetakocka {
    pub async fn start() -> Self {
        let fake = Arc::new(Fake::default());
        fake.accounts
            .lock()
            .insert(COMPANY_ID.to_owned(), SECRET_KEY.to_owned());
        let app = Router::new()
            .route("/rest/eshop/v1/{*endpoint}", post(answer))
            .fallback(not_found_page)
            .with_state(Arc::clone(&fake));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
        Self {
            base_url: format!("http://{address}/rest/eshop/v1/"),
            fake,
        }
    }

    /// Another Metakocka company with its own records and limits.
    pub fn add_company(&self, company_id: &str, secret_key: &str) -> MetakockaCredentials {
        (self.fake.accounts.lock()).insert(company_id.to_owned(), secret_key.to_owned());
        credentials_of(company_id, secret_key)
    }

    pub fn credentials(&self) -> MetakockaCredentials {
        credentials_of(COMPANY_ID, SECRET_KEY)
    }

    /// A client of this fake that retries quickly (10 ms base backoff).
    pub fn client(&self) -> MetakockaClient {
        MetakockaClient::new(MetakockaSettings {
            base_url: self.base_url.clone(),
            timeout_secs: 10,
            retry_base_ms: 10,
            ..MetakockaSettings::default()
        })
        .expect("client")
    }

    /// The next `n` calls answer `503 Service Unavailable` (a plain-text body).
    pub fn fail_next(&self, n: usize) {
        self.fake.fail_next.store(n, Ordering::SeqCst);
    }

    /// Every call is answered after `delay`.
    pub fn set_delay(&self, delay: Duration) {
        (self.fake.delay_ms).store(delay.as_millis() as u64, Ordering::SeqCst);
    }

    /// Writes whose body mentions `text` (e.g. one product's code) are refused as Metakocka
    /// refuses a record: `opr_code` `"2"` with a description. `None` stops refusing.
    pub fn refuse_writes_mentioning(&self, text: Option<&str>) {
        *self.fake.refuse_mentioning.lock() = text.map(str::to_owned);
    }

    /// Calls received for every endpoint that creates or changes records.
    pub fn write_calls(&self) -> usize {
        WRITE_ENDPOINTS.iter().map(|e| self.calls(e)).sum()
    }

    /// Calls received for `endpoint` (e.g. `"json/product_list"`), failed ones included.
    pub fn calls(&self, endpoint: &str) -> usize {
        self.fake.calls.lock().get(endpoint).copied().unwrap_or(0)
    }

    pub fn total_calls(&self) -> usize {
        self.fake.calls.lock().values().sum()
    }

    /// The most searches of `company_id` that were in flight at once.
    pub fn max_concurrent_searches(&self, company_id: &str) -> usize {
        self.gate(company_id).searches.max.load(Ordering::SeqCst)
    }

    /// The most non-search calls of `company_id` that were in flight at once.
    pub fn max_concurrent_other_calls(&self, company_id: &str) -> usize {
        self.gate(company_id).others.max.load(Ordering::SeqCst)
    }

    fn gate(&self, company_id: &str) -> Arc<Gate> {
        gate(&self.fake, company_id)
    }

    /// Reads or changes one company's records.
    pub fn with_books<T>(&self, company_id: &str, f: impl FnOnce(&mut Books) -> T) -> T {
        f(self
            .fake
            .books
            .lock()
            .entry(company_id.to_owned())
            .or_default())
    }

    /// Seeds `n` products `P00001`, `P00002`, ... with weights written with a decimal comma.
    pub fn seed_products(&self, company_id: &str, n: usize) {
        self.with_books(company_id, |books| {
            for i in 1..=n {
                let mk_id = books.next_id();
                let product = json!({
                    "count_code": format!("PA_{i}_PA"), "mk_id": mk_id,
                    "code": format!("P{i:05}"), "name": format!("Product {i}"), "unit": "kos",
                    "service": "false", "sales": "true", "purchasing": "true",
                    "weight": format!("{},{}", i % 7, 25 + i % 50),
                });
                books.products.push(as_map(product));
            }
        })
    }

    /// Adds a warehouse; returns its `mk_id`.
    pub fn seed_warehouse(&self, company_id: &str, mark: &str, name: &str) -> String {
        self.with_books(company_id, |books| {
            let mk_id = books.next_id();
            books.warehouses.push(as_map(json!({
                "mk_id": mk_id, "mark": mark, "name": name, "same_address_as_company": "false",
                "main_warehouse": "false", "street": "Tehnološki park 24", "post": "1000",
                "place": "Ljubljana", "country": "Slovenija", "include_in_stock_info": "true",
                "active": "true", "warehouse_type": "normal",
            })));
            mk_id
        })
    }

    /// Seeds `n` partners `Partner 1`, ... with a contact `partner1@example.com`, ...
    pub fn seed_partners(&self, company_id: &str, n: usize) {
        self.with_books(company_id, |books| {
            for i in 1..=n {
                let (mk_id, contact, address) = (books.next_id(), books.next_id(), books.next_id());
                books.partners.push(as_map(json!({
                    "mk_id": mk_id, "business_entity": "false", "foreign_county": "false",
                    "customer": format!("Partner {i}"), "count_code": i.to_string(),
                    "partner_contact_list": [{
                        "mk_id": contact, "mk_address_id": address,
                        "contact_address": "Tehnološki park 24", "email": format!("partner{i}@example.com"),
                    }],
                    "partner_delivery_address_list": [{
                        "mk_id": address, "address_type": "Račun", "street": "Tehnološki park 24",
                        "post_number": "1000", "city": "Ljubljana",
                    }],
                })));
            }
        })
    }

    /// Seeds `n` documents of `doc_type` through `put_document`'s own numbering, each with one
    /// line of product `P00001` at `863,75`.
    pub fn seed_documents(&self, company_id: &str, doc_type: &str, n: usize) {
        self.with_books(company_id, |books| {
            for i in 1..=n {
                let body = as_map(json!({
                    "doc_type": doc_type, "title": format!("Seeded {doc_type} {i}"),
                    "partner": {"customer": format!("Partner {i}")},
                    "product_list": [{"code": "P00001", "amount": "1", "price": "863,75"}],
                }));
                books.put_document(&body).expect("a known document type");
            }
        })
    }

    /// Puts `amount` (Metakocka's text, e.g. `"12,5"`) of the product with `code` in a
    /// warehouse; `reserved` adds `reserved_amount` and `free_amount`, as companies with
    /// reservations get them.
    pub fn seed_stock(
        &self,
        company_id: &str,
        code: &str,
        warehouse_id: &str,
        amount: &str,
        reserved: Option<&str>,
    ) {
        self.with_books(company_id, |books| {
            let product = (books.products.iter())
                .find(|p| p.get("code").and_then(Value::as_str) == Some(code))
                .expect("seed the product first")
                .clone();
            let mut line = as_map(json!({
                "warehouse_id": warehouse_id, "mk_id": product["mk_id"],
                "count_code": product["count_code"], "title": product["name"],
                "amount": amount, "unit": product["unit"], "code": code,
            }));
            if let Some(reserved) = reserved {
                let number = |t: &str| {
                    t.replace(',', ".")
                        .parse::<rust_decimal::Decimal>()
                        .unwrap()
                };
                let free = (number(amount) - number(reserved))
                    .normalize()
                    .to_string()
                    .replace('.', ",");
                line.insert("reserved_amount".into(), json!(reserved));
                line.insert("free_amount".into(), json!(free));
            }
            books.stock.push(line);
        })
    }
}

fn credentials_of(company_id: &str, secret_key: &str) -> MetakockaCredentials {
    MetakockaCredentials {
        company_id: company_id.to_owned(),
        secret_key: SecretString::from(secret_key.to_owned()),
    }
}

fn as_map(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => unreachable!("records are objects"),
    }
}

fn gate(fake: &Fake, company_id: &str) -> Arc<Gate> {
    Arc::clone(fake.gates.lock().entry(company_id.to_owned()).or_default())
}

async fn not_found_page() -> Response {
    let page = "<!DOCTYPE html><html><head><title>404 Not Found</title></head>\
                <body><h1>Not Found</h1><p>The requested URL was not found on this server.</p></body></html>";
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        page,
    )
        .into_response()
}

fn refused(code: &str, description: String) -> Response {
    Json(json!({"opr_code": code, "opr_desc": description, "opr_time_ms": "3"})).into_response()
}

async fn answer(
    State(fake): State<Arc<Fake>>,
    Path(endpoint): Path<String>,
    body: Bytes,
) -> Response {
    let Some(endpoint) = ENDPOINTS.iter().copied().find(|known| *known == endpoint) else {
        return not_found_page().await;
    };
    *fake.calls.lock().entry(endpoint.to_owned()).or_default() += 1;
    let failing = fake
        .fail_next
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
    if failing.is_ok() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "Service Temporarily Unavailable",
        )
            .into_response();
    }
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&body) else {
        return refused("2", "Invalid JSON request".to_owned());
    };
    let text = |key| {
        body.get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let (company_id, secret_key) = (text("company_id"), text("secret_key"));
    if company_id.is_empty() || secret_key.is_empty() {
        return refused(
            "2",
            "Paramether 'secret_key' and 'company_id' are required".to_owned(),
        );
    }
    if fake.accounts.lock().get(&company_id) != Some(&secret_key) {
        return refused("1", "Wrong secret_key or company_id".to_owned());
    }
    let refused_text = fake.refuse_mentioning.lock().clone();
    if let Some(text) = refused_text
        && WRITE_ENDPOINTS.contains(&endpoint)
        && Value::Object(body.clone()).to_string().contains(&text)
    {
        return refused("2", format!("Record refused : {text}"));
    }
    let gate = gate(&fake, &company_id);
    let (_in_flight, _one_search) = if endpoint == "search" {
        let counted = gate.searches.enter();
        (counted, Some(gate.one_search.lock().await))
    } else {
        (gate.others.enter(), None)
    };
    let delay = fake.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    let outcome = {
        let mut all = fake.books.lock();
        let books = all.entry(company_id).or_default();
        match endpoint {
            "json/product_list" => books.product_list(&body),
            "json/product_add" => books.product_add(&body),
            "json/product_update" => books.product_update(&body),
            "json/warehouse_list" => books.warehouse_list(&body),
            "json/warehouse_stock" => books.warehouse_stock(&body),
            "get_partner" => books.get_partner(&body),
            "add_partner" => books.add_partner(&body),
            "update_partner" => books.update_partner(&body),
            "put_document" => books.put_document(&body),
            "get_document" => books.get_document(&body),
            "update_document" => books.update_document(&body),
            _ => books.search(&body),
        }
    };
    match outcome {
        Ok(answer) => Json(answer).into_response(),
        Err((code, description)) => refused(code, description),
    }
}

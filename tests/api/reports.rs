//! `/api/reports/...`: each report computed from a hand-made set of documents, stock and
//! sync records, with the figures worked out by hand below; the CSV of each read back and
//! compared with its JSON.
//!
//! The shop's documents (unit prices given, VAT from the products: oil 22 %, salt 9.5 %):
//! * D1 order 2026-01-10, Ana: 3 oil × 10.00 + 10 salt × 2.50 → net 55.00, VAT 6.60 + 2.38,
//!   gross 63.98
//! * D2 bill 2026-01-25, Bor: 1 oil × 10.00 → net 10.00, VAT 2.20, gross 12.20
//! * D3 order 2026-02-03, Ana: 4 salt × 2.50 at 50 % off → net 5.00, VAT 0.48, gross 5.48
//! * D4 order 2026-02-14, Bor, cancelled: 100 oil × 10.00 → never counted
//! * D5 offer 2026-03-01, Ana: 2 oil × 10.00 → net 20.00, VAT 4.40, gross 24.40

use crate::helpers::{TestApp, engines, spawn_app};
use crate::records_sales_documents::{Shop, create, created_id, shop};
use chrono::Utc;
use crm_mind::metakocka::inventory::StockEntry;
use crm_mind::metakocka::sync::model::{
    Direction, EntityKind, Mapping, MappingStatus, MetakockaSyncRun, RunCounts, RunState,
    RunTrigger, SyncConflict,
};
use reqwest::header::ACCEPT;
use rust_decimal::Decimal;
use serde_json::{Value, json};

/// The shop, its second customer and the five documents.
pub struct World {
    pub shop: Shop,
    pub bor: String,
}

fn document(doc_type: &str, date: &str, contact: &str, lines: Value) -> Value {
    json!({"doc_type": doc_type, "doc_date": date, "contact_id": contact, "lines": lines})
}

pub async fn world(app: &TestApp, name: &str) -> World {
    let shop = shop(app, name).await;
    let bor = created_id(
        app,
        "/api/contacts",
        &shop.admin,
        json!({"name": "Bor Kos"}),
    )
    .await;
    let (oil, salt) = (shop.oil.as_str(), shop.salt.as_str());
    let line = |product: &str, quantity: u32, price: &str| json!({"product_id": product, "quantity": quantity, "unit_price": price});
    let mut cancelled = document(
        "sales_order",
        "2026-02-14",
        &bor,
        json!([line(oil, 100, "10.00")]),
    );
    cancelled["status"] = json!("cancelled");
    let mut half_off = line(salt, 4, "2.50");
    half_off["discount_percent"] = json!("50");
    let documents = [
        document(
            "sales_order",
            "2026-01-10",
            &shop.ana,
            json!([line(oil, 3, "10.00"), line(salt, 10, "2.50")]),
        ),
        document(
            "sales_bill_domestic",
            "2026-01-25",
            &bor,
            json!([line(oil, 1, "10.00")]),
        ),
        document("sales_order", "2026-02-03", &shop.ana, json!([half_off])),
        cancelled,
        document(
            "sales_offer",
            "2026-03-01",
            &shop.ana,
            json!([line(oil, 2, "10.00")]),
        ),
    ];
    for body in documents {
        create(app, &shop.admin, body).await;
    }
    World { shop, bor }
}

fn stock(product: &str, code: &str, warehouse: &str, free: &str) -> StockEntry {
    let free: Decimal = free.parse().unwrap();
    StockEntry {
        product_mk_id: product.into(),
        product_code: Some(code.into()),
        count_code: None,
        product_name: Some(format!("Product {code}")),
        warehouse_id: warehouse.into(),
        warehouse_mark: Some(format!("W{warehouse}")),
        warehouse_name: Some(format!("Warehouse {warehouse}")),
        amount: free + Decimal::TWO,
        reserved: Decimal::TWO,
        free,
    }
}

/// The shop's stock: oil low in warehouse 1 only, salt low, pepper just below 5.
pub async fn stock_world(app: &TestApp, world: &World) {
    let entries = [
        stock("1", "OIL", "1", "2"),
        stock("1", "OIL", "2", "40"),
        stock("2", "SALT", "1", "0.5"),
        stock("3", "PEPPER", "2", "4.9999"),
    ];
    app.state
        .store
        .replace_inventory(&world.shop.company, Utc::now(), &entries)
        .await
        .unwrap();
}

/// Oil synced, salt not mapped, an open conflict on oil, Ana's contact in error, a run.
pub async fn sync_world(app: &TestApp, world: &World) {
    let store = &app.state.store;
    let company = &world.shop.company;
    let mapping = |kind, crm_id: &str, mk_id: &str, status| Mapping {
        company_id: company.clone(),
        kind,
        crm_id: crm_id.into(),
        mk_id: mk_id.into(),
        count_code: None,
        status,
        last_synced_at: None,
        crm_hash: None,
        mk_hash: None,
        last_error: None,
    };
    let oil = mapping(
        EntityKind::Product,
        &world.shop.oil,
        "mk-1",
        MappingStatus::Synced,
    );
    store.put_mapping(&oil).await.unwrap();
    let ana = mapping(
        EntityKind::Contact,
        &world.shop.ana,
        "mk-9",
        MappingStatus::Error,
    );
    store.put_mapping(&ana).await.unwrap();
    let detected_at = crm_mind::records::now();
    store
        .put_sync_conflict(&SyncConflict {
            id: "conflict-1".into(),
            company_id: company.clone(),
            kind: EntityKind::Product,
            crm_id: world.shop.oil.clone(),
            mk_id: "mk-1".into(),
            crm_snapshot: json!({}),
            mk_snapshot: json!({}),
            detected_at,
            resolved_with: None,
            resolved_at: None,
        })
        .await
        .unwrap();
    store
        .insert_metakocka_run(&MetakockaSyncRun {
            id: uuid::Uuid::now_v7().to_string(),
            company_id: company.clone(),
            kind: EntityKind::Product,
            direction: Direction::Both,
            trigger: RunTrigger::Manual,
            started_at: detected_at,
            finished_at: Some(detected_at),
            counts: RunCounts {
                total: 2,
                processed: 2,
                failed: 1,
                ..RunCounts::default()
            },
            state: RunState::Done,
            stopped_at: None,
            errors: vec![],
        })
        .await
        .unwrap();
}

pub async fn report(app: &TestApp, token: &str, path: &str) -> Value {
    let response = app.get(path, token).await;
    assert_eq!(response.status(), 200, "GET {path}");
    response.json().await.unwrap()
}

/// The named columns of each row, decimals parsed, so "60.00" and "60" compare equal.
fn figures(rows: &Value, columns: &[&str]) -> Vec<Vec<String>> {
    (rows.as_array().unwrap().iter())
        .map(|row| {
            columns
                .iter()
                .map(|c| match &row[*c] {
                    Value::String(s) => s
                        .parse::<Decimal>()
                        .map(|d| d.normalize().to_string())
                        .unwrap_or_else(|_| s.clone()),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

fn expect(rows: &[&[&str]]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|row| row.iter().map(|c| c.to_string()).collect())
        .collect()
}

/// The CSV's records as objects keyed by the header, compared with the JSON's rows: the same
/// columns, the same values (`null` is an empty cell).
pub async fn assert_csv_matches_json(app: &TestApp, token: &str, path: &str, accept: bool) {
    let json = report(app, token, path).await;
    let request = app
        .client
        .get(format!("{}{path}", app.address))
        .bearer_auth(token);
    let response = if accept {
        request.header(ACCEPT, "text/csv").send().await.unwrap()
    } else {
        let sep = if path.contains('?') { '&' } else { '?' };
        (app.client
            .get(format!("{}{path}{sep}format=csv", app.address)))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
    };
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    let text = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let rows = json["rows"].as_array().unwrap();
    assert_eq!(
        records.len(),
        rows.len(),
        "{path}: one CSV record per JSON row"
    );
    for (record, row) in records.iter().zip(rows) {
        let object = row.as_object().unwrap();
        let keys: Vec<&String> = object.keys().collect();
        assert_eq!(
            keys,
            header.iter().collect::<Vec<_>>(),
            "{path}: the same columns"
        );
        for (cell, value) in record.iter().zip(object.values()) {
            let expected = match value {
                Value::Null => String::new(),
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            assert_eq!(cell, expected, "{path}: {row}");
        }
    }
}

#[tokio::test]
async fn sales_per_month_count_and_sum_the_documents_of_each_month() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let world = world(&app, "Shop").await;
        let token = &world.shop.admin;
        let columns = ["month", "currency", "documents", "net", "vat", "gross"];

        let all = report(&app, token, "/api/reports/sales-by-month").await;
        assert_eq!(all["report"], "sales-by-month");
        assert_eq!(
            figures(&all["rows"], &columns),
            expect(&[
                &["2026-01", "EUR", "2", "65", "11.18", "76.18"],
                &["2026-02", "EUR", "1", "5", "0.48", "5.48"],
                &["2026-03", "EUR", "1", "20", "4.4", "24.4"],
            ]),
            "{engine:?}: the cancelled order never counts"
        );
        assert_eq!(
            all["rows"][0]["gross"], "76.18",
            "decimals as exact strings"
        );

        let orders = report(
            &app,
            token,
            "/api/reports/sales-by-month?doc_type=sales_order",
        )
        .await;
        assert_eq!(
            figures(&orders["rows"], &columns),
            expect(&[
                &["2026-01", "EUR", "1", "55", "8.98", "63.98"],
                &["2026-02", "EUR", "1", "5", "0.48", "5.48"],
            ])
        );

        let range = "/api/reports/sales-by-month?from=2026-01-20&to=2026-02-28";
        let ranged = report(&app, token, range).await;
        assert_eq!(
            figures(&ranged["rows"], &columns),
            expect(&[
                &["2026-01", "EUR", "1", "10", "2.2", "12.2"],
                &["2026-02", "EUR", "1", "5", "0.48", "5.48"],
            ]),
            "both days of the range are included"
        );
        assert_eq!(ranged["parameters"]["from"], "2026-01-20");
        assert_csv_matches_json(&app, token, range, false).await;
    }
}

#[tokio::test]
async fn top_products_rank_by_revenue_or_quantity() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let world = world(&app, "Shop").await;
        let token = &world.shop.admin;
        let columns = [
            "code",
            "name",
            "currency",
            "quantity",
            "revenue",
            "documents",
        ];

        let by_revenue = report(&app, token, "/api/reports/top-products").await;
        assert_eq!(
            figures(&by_revenue["rows"], &columns),
            expect(&[
                &["OIL", "Olive oil", "EUR", "6", "60", "3"],
                &["SALT", "Sea salt", "EUR", "14", "30", "2"],
            ]),
            "{engine:?}"
        );
        assert_eq!(by_revenue["rows"][0]["product_id"], world.shop.oil.as_str());

        let path = "/api/reports/top-products?by=quantity&limit=1";
        let by_quantity = report(&app, token, path).await;
        assert_eq!(
            figures(&by_quantity["rows"], &columns),
            expect(&[&["SALT", "Sea salt", "EUR", "14", "30", "2"]])
        );
        assert_csv_matches_json(&app, token, path, true).await;
    }
}

#[tokio::test]
async fn top_customers_rank_by_revenue_or_orders_with_their_names() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let world = world(&app, "Shop").await;
        let token = &world.shop.admin;
        let columns = ["name", "currency", "orders", "net", "gross"];

        let path = "/api/reports/top-customers";
        let by_revenue = report(&app, token, path).await;
        assert_eq!(
            figures(&by_revenue["rows"], &columns),
            expect(&[
                &["Ana Novak", "EUR", "3", "80", "93.86"],
                &["Bor Kos", "EUR", "1", "10", "12.2"],
            ]),
            "{engine:?}"
        );
        assert_eq!(by_revenue["rows"][1]["contact_id"], world.bor.as_str());
        let sales_only = report(&app, token, &format!("{path}?doc_type=sales_bill_domestic")).await;
        assert_eq!(
            figures(&sales_only["rows"], &columns),
            expect(&[&["Bor Kos", "EUR", "1", "10", "12.2"]])
        );
        assert_csv_matches_json(&app, token, &format!("{path}?by=orders"), false).await;
    }
}

#[tokio::test]
async fn low_stock_lists_free_stock_below_the_threshold_emptiest_first() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let world = world(&app, "Shop").await;
        let token = &world.shop.admin;
        let columns = ["product_code", "warehouse_mark", "free"];

        let none = report(&app, token, "/api/reports/low-stock").await;
        assert_eq!(none["rows"], json!([]), "{engine:?}: no snapshot yet");
        assert!(none.get("snapshot_refreshed_at").is_none());

        stock_world(&app, &world).await;
        let low = report(&app, token, "/api/reports/low-stock").await;
        assert_eq!(
            figures(&low["rows"], &columns),
            expect(&[
                &["SALT", "W1", "0.5"],
                &["OIL", "W1", "2"],
                &["PEPPER", "W2", "4.9999"],
            ]),
            "{engine:?}: below the default threshold of 5"
        );
        assert!(low["snapshot_refreshed_at"].is_string());
        assert_eq!(low["rows"][2]["free"], "4.9999", "stock counted exactly");

        let one = report(&app, token, "/api/reports/low-stock?threshold=1").await;
        assert_eq!(
            figures(&one["rows"], &columns),
            expect(&[&["SALT", "W1", "0.5"]])
        );
        let second = report(&app, token, "/api/reports/low-stock?warehouse=W2").await;
        assert_eq!(
            figures(&second["rows"], &columns),
            expect(&[&["PEPPER", "W2", "4.9999"]])
        );
        assert_csv_matches_json(&app, token, "/api/reports/low-stock", true).await;
    }
}

#[tokio::test]
async fn sync_health_counts_mappings_unsynced_records_conflicts_and_the_last_run() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let world = world(&app, "Shop").await;
        sync_world(&app, &world).await;
        let token = &world.shop.admin;
        let columns = [
            "entity",
            "crm_records",
            "mapped",
            "synced",
            "error",
            "unsynced",
            "open_conflicts",
            "last_run_state",
            "last_run_failed",
        ];
        let health = report(&app, token, "/api/reports/sync-health").await;
        assert_eq!(
            figures(&health["rows"], &columns),
            expect(&[
                &["product", "2", "1", "1", "0", "1", "1", "done", "1"],
                &["contact", "2", "1", "0", "1", "1", "0", "null", "null"],
                &[
                    "sales_document",
                    "5",
                    "0",
                    "0",
                    "0",
                    "5",
                    "0",
                    "null",
                    "null"
                ],
            ]),
            "{engine:?}"
        );
        assert_csv_matches_json(&app, token, "/api/reports/sync-health", false).await;
    }
}

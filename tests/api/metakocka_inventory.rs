//! `/api/integrations/metakocka/inventory` against the fake Metakocka: a refresh takes the
//! stock per product and warehouse (reserved and free included), lookups by code or id read
//! the snapshot, a failed refresh keeps the old snapshot and logs why, each company sees only
//! its own, and agents read but do not refresh.

use crate::fake_metakocka::{COMPANY_ID, FakeMetakocka, SECRET_KEY};
use crate::helpers::{TestApp, engines, error_of};
use crate::metakocka_connection::{app_with_fake, save_credentials};
use crm_mind::domain::Role;
use crm_mind::metakocka::error_log::{EntityType, ErrorCategory, ErrorLogFilter, Paging};
use crm_mind::metakocka::inventory_schedule;
use reqwest::Method;
use serde_json::Value;

const INVENTORY: &str = "/api/integrations/metakocka/inventory";
const REFRESH: &str = "/api/integrations/metakocka/inventory/refresh";

/// Metakocka company `mk_company` with products P00001 and P00002 in warehouses MAIN and
/// SHOP: P00001 has 12,5 in MAIN with 2 reserved and 3 in SHOP; P00002 has 7 in MAIN.
/// Returns the warehouses' ids (MAIN, SHOP).
fn seed_books(fake: &FakeMetakocka, mk_company: &str) -> (String, String) {
    fake.seed_products(mk_company, 2);
    let main = fake.seed_warehouse(mk_company, "MAIN", "Main warehouse");
    let shop = fake.seed_warehouse(mk_company, "SHOP", "Shop floor");
    fake.seed_stock(mk_company, "P00001", &main, "12,5", Some("2"));
    fake.seed_stock(mk_company, "P00001", &shop, "3", None);
    fake.seed_stock(mk_company, "P00002", &main, "7", None);
    (main, shop)
}

fn mk_id_of(fake: &FakeMetakocka, mk_company: &str, code: &str) -> String {
    fake.with_books(mk_company, |books| {
        let product = (books.products.iter())
            .find(|p| p["code"] == code)
            .expect("seeded");
        product["mk_id"].as_str().unwrap().to_owned()
    })
}

async fn refresh(app: &TestApp, token: &str) -> reqwest::Response {
    app.request(Method::POST, REFRESH, Some(token), None).await
}

async fn lookup(app: &TestApp, token: &str, query: &str) -> Value {
    let response = app.get(&format!("{INVENTORY}?{query}"), token).await;
    assert_eq!(response.status(), 200, "{query}");
    response.json().await.unwrap()
}

fn warehouse<'a>(answer: &'a Value, id: &str) -> &'a Value {
    (answer["warehouses"].as_array().unwrap().iter())
        .find(|w| w["warehouse_id"] == id)
        .unwrap_or_else(|| panic!("no warehouse {id} in {answer}"))
}

#[tokio::test]
async fn a_refresh_then_lookups_by_code_and_id_per_warehouse() {
    let fake = FakeMetakocka::start().await;
    let (main, shop) = seed_books(&fake, COMPANY_ID);
    for engine in engines() {
        let app = app_with_fake(engine, &fake).await;
        let (_, admin) = app.company_with_admin("Shop").await;
        save_credentials(&app, &admin, "organization", COMPANY_ID, SECRET_KEY).await;

        let response = refresh(&app, &admin).await;
        assert_eq!(response.status(), 200, "{engine:?}");
        let summary: Value = response.json().await.unwrap();
        assert_eq!(
            (
                &summary["products"],
                &summary["warehouses"],
                &summary["entries"]
            ),
            (&Value::from(2), &Value::from(2), &Value::from(3)),
            "{engine:?}: {summary}"
        );

        let answer = lookup(&app, &admin, "code=P00001").await;
        assert_eq!(answer["product"]["code"], "P00001", "{engine:?}");
        assert_eq!(answer["product"]["name"], "Product 1");
        assert_eq!(answer["refreshed_at"], summary["refreshed_at"]);
        let in_main = warehouse(&answer, &main);
        assert_eq!(in_main["mark"], "MAIN");
        assert_eq!(
            (&in_main["amount"], &in_main["reserved"], &in_main["free"]),
            (&"12.5".into(), &"2".into(), &"10.5".into()),
            "{engine:?}: {answer}"
        );
        let in_shop = warehouse(&answer, &shop);
        assert_eq!(
            (&in_shop["amount"], &in_shop["reserved"], &in_shop["free"]),
            (&"3".into(), &"0".into(), &"3".into())
        );
        assert_eq!(answer["total"]["free"], "13.5");

        let only_shop = lookup(&app, &admin, "code=P00001&warehouse=SHOP").await;
        assert_eq!(only_shop["warehouses"].as_array().unwrap().len(), 1);
        assert_eq!(only_shop["warehouses"][0]["warehouse_id"], shop);

        let p2 = mk_id_of(&fake, COMPANY_ID, "P00002");
        let by_id = lookup(&app, &admin, &format!("product_id={p2}")).await;
        assert_eq!(by_id["product"]["code"], "P00002", "{engine:?}");
        assert_eq!(warehouse(&by_id, &main)["amount"], "7");

        let (status, _, _) = error_of(app.get(INVENTORY, &admin).await).await;
        assert_eq!(status, 400, "{engine:?}: neither product_id nor code");
        let unknown = app.get(&format!("{INVENTORY}?code=NOPE"), &admin).await;
        assert_eq!(error_of(unknown).await.0, 404, "{engine:?}");
    }
}

#[tokio::test]
async fn a_failed_refresh_keeps_the_old_snapshot_and_logs_why() {
    let fake = FakeMetakocka::start().await;
    let (main, _) = seed_books(&fake, COMPANY_ID);
    for engine in engines() {
        let app = app_with_fake(engine, &fake).await;
        let (company, admin) = app.company_with_admin("Shop").await;
        save_credentials(&app, &admin, "organization", COMPANY_ID, SECRET_KEY).await;
        assert_eq!(refresh(&app, &admin).await.status(), 200);
        let before = lookup(&app, &admin, "code=P00001").await;

        // The key was rotated in Metakocka: the saved one is refused now.
        fake.add_company(COMPANY_ID, "rotated-key-9999");
        let (status, code, message) = error_of(refresh(&app, &admin).await).await;
        assert_eq!(
            (status, code.as_str()),
            (502, "metakocka_failed"),
            "{engine:?}"
        );
        assert!(!message.contains(SECRET_KEY), "{message}");
        assert_eq!(
            lookup(&app, &admin, "code=P00001").await,
            before,
            "{engine:?}"
        );

        let paging = Paging {
            limit: 10,
            offset: 0,
        };
        let logged = (app.state.metakocka_errors)
            .list(&company, &ErrorLogFilter::default(), paging)
            .await
            .unwrap();
        // The refresh's own entry (the Metakocka reindex it starts in the background may
        // meet the rotated key too, and log its own).
        let refreshes: Vec<_> = (logged.items.iter())
            .filter(|e| e.operation == "refresh_inventory")
            .collect();
        assert_eq!(refreshes.len(), 1, "{engine:?}");
        let entry = refreshes[0];
        assert_eq!(
            (entry.category, entry.entity_type, entry.operation.as_str()),
            (
                ErrorCategory::Auth,
                EntityType::Inventory,
                "refresh_inventory"
            )
        );

        // With the key back and more stock, the scheduled round takes the new snapshot.
        fake.add_company(COMPANY_ID, SECRET_KEY);
        fake.seed_stock(COMPANY_ID, "P00001", &main, "1", None);
        inventory_schedule::refresh_all(&app.state.metakocka_inventory).await;
        let after = lookup(&app, &admin, "code=P00001").await;
        assert_eq!(warehouse(&after, &main)["amount"], "13.5", "{engine:?}");
        assert_ne!(after["refreshed_at"], before["refreshed_at"]);
        // Undo the extra line for the next engine's run.
        fake.with_books(COMPANY_ID, |books| books.stock.pop());
    }
}

#[tokio::test]
async fn companies_see_only_their_own_snapshot_and_agents_only_read() {
    let fake = FakeMetakocka::start().await;
    seed_books(&fake, COMPANY_ID);
    fake.add_company("77", "seventy-seven-key-0077");
    for engine in engines() {
        let app = app_with_fake(engine, &fake).await;
        let (company_a, admin_a) = app.company_with_admin("A").await;
        let (_, admin_b) = app.company_with_admin("B").await;
        save_credentials(&app, &admin_a, "organization", COMPANY_ID, SECRET_KEY).await;
        assert_eq!(refresh(&app, &admin_a).await.status(), 200);

        let seen_by_b = app.get(&format!("{INVENTORY}?code=P00001"), &admin_b).await;
        assert_eq!(error_of(seen_by_b).await.0, 404, "{engine:?}");
        let (status, code, _) = error_of(refresh(&app, &admin_b).await).await;
        assert_eq!((status, code.as_str()), (409, "no_credentials"));
        // B's own (empty) Metakocka company: B's snapshot has nothing, A's is untouched.
        save_credentials(
            &app,
            &admin_b,
            "organization",
            "77",
            "seventy-seven-key-0077",
        )
        .await;
        assert_eq!(refresh(&app, &admin_b).await.status(), 200);
        let seen_by_b = app.get(&format!("{INVENTORY}?code=P00001"), &admin_b).await;
        assert_eq!(error_of(seen_by_b).await.0, 404, "{engine:?}");

        let agent = app
            .user_token(&company_a, "agent@example.com", Role::Agent)
            .await;
        let read = lookup(&app, &agent, "code=P00001").await;
        assert_eq!(read["product"]["code"], "P00001", "{engine:?}");
        let (status, _, _) = error_of(refresh(&app, &agent).await).await;
        assert_eq!(status, 403, "{engine:?}");
        let anonymous = app
            .request(Method::GET, &format!("{INVENTORY}?code=P00001"), None, None)
            .await;
        assert_eq!(error_of(anonymous).await.0, 401, "{engine:?}");
    }
}

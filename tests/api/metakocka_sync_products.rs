//! The product sync against the fake Metakocka: a push and a pull map records both ways
//! (an existing product of the same code is mapped, not duplicated), a re-run writes
//! nothing on either side, each conflict rule does what it says, a refused record does not
//! stop the rest and lands in the error log, and a company without credentials is told so.

use crate::fake_metakocka::FakeMetakocka;
use crate::helpers::{Engine, TestApp, engines, error_of};
use crate::metakocka_connection::{app_with_fake, save_credentials};
use crm_mind::domain::CompanyId;
use crm_mind::metakocka::error_log::{EntityType, ErrorLogFilter, Paging};
use reqwest::Method;
use serde_json::{Value, json};

pub(crate) const BULK: &str = "/api/products/sync/bulk";
pub(crate) const PULL_ALL: &str = "/api/products/sync-all-from-metakocka";

/// An app on the fake with a company whose admin saved the credentials of a Metakocka
/// company of its own (`mk_company`); the admin's token.
pub(crate) async fn synced_app(
    engine: Engine,
    fake: &FakeMetakocka,
    mk_company: &str,
) -> (TestApp, CompanyId, String) {
    let key = format!("key-{mk_company}");
    fake.add_company(mk_company, &key);
    let app = app_with_fake(engine, fake).await;
    let (company, admin) = app.company_with_admin("Shop").await;
    save_credentials(&app, &admin, "organization", mk_company, &key).await;
    (app, company, admin)
}

pub(crate) async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let response = app
        .request(Method::POST, path, Some(token), Some(body))
        .await;
    let status = response.status();
    let answer: Value = response.json().await.unwrap();
    assert!(status.is_success(), "{path}: {status} {answer}");
    answer
}

pub(crate) async fn create_product(app: &TestApp, token: &str, body: Value) -> String {
    let response = app
        .request(Method::POST, "/api/products", Some(token), Some(body))
        .await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    created["id"].as_str().unwrap().to_owned()
}

pub(crate) fn counts(answer: &Value) -> (u64, u64, u64, u64, u64) {
    let c = &answer["run"]["counts"];
    let n = |k: &str| c[k].as_u64().unwrap();
    (
        n("created"),
        n("updated"),
        n("skipped"),
        n("failed"),
        n("conflicts"),
    )
}

fn mk_name(fake: &FakeMetakocka, mk_company: &str, code: &str) -> String {
    fake.with_books(mk_company, |books| {
        let p = books.products.iter().find(|p| p["code"] == code).unwrap();
        p["name"].as_str().unwrap().to_owned()
    })
}

fn mk_products(fake: &FakeMetakocka, mk_company: &str) -> usize {
    fake.with_books(mk_company, |books| books.products.len())
}

async fn crm_product(app: &TestApp, token: &str, code: &str) -> Value {
    let list: Value = app
        .get(&format!("/api/products?q={code}"), token)
        .await
        .json()
        .await
        .unwrap();
    let items = list["items"].as_array().expect("items");
    (items.iter())
        .find(|p| p["code"] == code)
        .cloned()
        .unwrap_or(Value::Null)
}

#[tokio::test]
async fn push_then_pull_maps_both_ways_and_a_rerun_writes_nothing() {
    let fake = FakeMetakocka::start().await;
    for engine in engines() {
        let mk = format!("round-trip-{engine:?}");
        fake.seed_products(&mk, 2);
        let (app, _, admin) = synced_app(engine, &fake, &mk).await;
        let oil = create_product(
            &app,
            &admin,
            json!({"code": "OIL-1", "name": "Olive oil", "price": "9.90", "unit": "l"}),
        )
        .await;
        // The same product Metakocka has as P00001: mapped, not created again.
        let same = create_product(
            &app,
            &admin,
            json!({"code": "P00001", "name": "Product 1", "price": 1, "unit": "kos"}),
        )
        .await;

        let writes_before = fake.write_calls();
        let pushed = post(&app, &admin, BULK, json!({})).await;
        assert_eq!(counts(&pushed), (1, 0, 1, 0, 0), "{engine:?}: {pushed}");
        assert_eq!(pushed["run"]["state"], "done");
        assert_eq!(mk_products(&fake, &mk), 3, "{engine:?}");
        assert_eq!(fake.write_calls() - writes_before, 1, "{engine:?}");
        let status: Value = app
            .get(&format!("/api/products/sync?product_id={same}"), &admin)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(status["synced"], true, "{status}");

        let unsynced: Value = app
            .get("/api/products/sync-from-metakocka", &admin)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(unsynced["count"], 1, "{engine:?}: {unsynced}");
        assert_eq!(unsynced["records"][0]["code"], "P00002");

        let pulled = post(&app, &admin, PULL_ALL, json!({})).await;
        assert_eq!(counts(&pulled).0, 1, "{engine:?}: {pulled}");
        assert_eq!(
            crm_product(&app, &admin, "P00002").await["name"],
            "Product 2"
        );

        // Nothing changed: no write on either side.
        let writes = fake.write_calls();
        for path in [BULK, PULL_ALL] {
            let again = post(&app, &admin, path, json!({"direction": "both"})).await;
            assert_eq!(
                counts(&again),
                (0, 0, 3, 0, 0),
                "{engine:?} {path}: {again}"
            );
        }
        assert_eq!(fake.write_calls(), writes, "{engine:?}");
        assert_eq!(mk_products(&fake, &mk), 3);
        let all: Value = app.get("/api/products", &admin).await.json().await.unwrap();
        assert_eq!(all["total"], 3, "{engine:?}");

        // A change in crm-mind goes out with the single-record route.
        let response = app
            .request(
                Method::PUT,
                &format!("/api/products/{oil}"),
                Some(&admin),
                Some(json!({"code": "OIL-1", "name": "Extra virgin olive oil", "price": "9.90", "unit": "l"})),
            )
            .await;
        assert_eq!(response.status(), 200);
        let one = post(
            &app,
            &admin,
            "/api/products/sync",
            json!({"product_id": oil}),
        )
        .await;
        assert_eq!(counts(&one).1, 1, "{one}");
        assert_eq!(one["id"], oil.as_str());
        assert_eq!(mk_name(&fake, &mk, "OIL-1"), "Extra virgin olive oil");
    }
}

#[tokio::test]
async fn both_sides_changed_is_settled_by_the_company_rule() {
    let fake = FakeMetakocka::start().await;
    for engine in engines() {
        for rule in ["crm_wins", "metakocka_wins", "newest_wins", "manual"] {
            let mk = format!("conflict-{engine:?}-{rule}");
            let (app, _, admin) = synced_app(engine, &fake, &mk).await;
            let id = create_product(
                &app,
                &admin,
                json!({"code": "C-1", "name": "Original", "price": 1}),
            )
            .await;
            post(&app, &admin, BULK, json!({})).await;
            let response = app
                .request(
                    Method::PUT,
                    "/api/integrations/metakocka/settings",
                    Some(&admin),
                    Some(json!({"product": {"conflict_rule": rule}})),
                )
                .await;
            assert_eq!(response.status(), 200);
            app.request(
                Method::PUT,
                &format!("/api/products/{id}"),
                Some(&admin),
                Some(json!({"code": "C-1", "name": "Changed in CRM", "price": 1})),
            )
            .await;
            fake.with_books(&mk, |books| {
                books.products[0].insert("name".into(), json!("Changed in Metakocka"));
            });

            let run = post(&app, &admin, BULK, json!({"direction": "both"})).await;
            let crm_name = crm_product(&app, &admin, "C-1").await["name"].clone();
            let mk_now = mk_name(&fake, &mk, "C-1");
            match rule {
                "crm_wins" | "newest_wins" => {
                    assert_eq!(counts(&run).1, 1, "{rule}: {run}");
                    assert_eq!(mk_now, "Changed in CRM", "{engine:?} {rule}");
                }
                "metakocka_wins" => {
                    assert_eq!(counts(&run).1, 1, "{rule}: {run}");
                    assert_eq!(crm_name, "Changed in Metakocka", "{engine:?} {rule}");
                }
                _ => {
                    assert_eq!(counts(&run).4, 1, "{rule}: {run}");
                    assert_eq!(crm_name, "Changed in CRM");
                    assert_eq!(mk_now, "Changed in Metakocka");
                    let listed: Value = app
                        .get("/api/integrations/metakocka/conflicts", &admin)
                        .await
                        .json()
                        .await
                        .unwrap();
                    assert_eq!(listed["count"], 1, "{listed}");
                    let conflict = &listed["conflicts"][0];
                    assert_eq!(conflict["crm_snapshot"]["name"], "Changed in CRM");
                    assert_eq!(conflict["mk_snapshot"]["name"], "Changed in Metakocka");
                    // A re-run records no second conflict.
                    let again = post(&app, &admin, BULK, json!({"direction": "both"})).await;
                    assert_eq!(counts(&again).4, 0, "{again}");
                    let path = format!(
                        "/api/integrations/metakocka/conflicts/{}/resolve",
                        conflict["id"].as_str().unwrap()
                    );
                    post(&app, &admin, &path, json!({"use": "metakocka"})).await;
                    assert_eq!(
                        crm_product(&app, &admin, "C-1").await["name"],
                        "Changed in Metakocka"
                    );
                    let open: Value = app
                        .get("/api/integrations/metakocka/conflicts", &admin)
                        .await
                        .json()
                        .await
                        .unwrap();
                    assert_eq!(open["count"], 0);
                    let settled = post(&app, &admin, BULK, json!({"direction": "both"})).await;
                    assert_eq!(counts(&settled), (0, 0, 1, 0, 0), "{settled}");
                }
            }
        }
    }
}

#[tokio::test]
async fn a_refused_record_is_logged_and_the_rest_are_pushed() {
    let fake = FakeMetakocka::start().await;
    for engine in engines() {
        let mk = format!("refuse-{engine:?}");
        let (app, company, admin) = synced_app(engine, &fake, &mk).await;
        let mut ids = Vec::new();
        for code in ["GOOD-1", "BAD-2", "GOOD-3"] {
            ids.push(
                create_product(
                    &app,
                    &admin,
                    json!({"code": code, "name": code, "price": 1}),
                )
                .await,
            );
        }
        fake.refuse_writes_mentioning(Some("BAD-2"));
        let run = post(&app, &admin, BULK, json!({"product_ids": ids})).await;
        fake.refuse_writes_mentioning(None);
        assert_eq!(counts(&run), (2, 0, 0, 1, 0), "{engine:?}: {run}");
        assert_eq!(mk_products(&fake, &mk), 2);
        let logged = (app.state.metakocka_errors)
            .list(
                &company,
                &ErrorLogFilter::default(),
                Paging {
                    limit: 10,
                    offset: 0,
                },
            )
            .await
            .unwrap();
        assert_eq!(logged.total, 1, "{engine:?}");
        let entry = &logged.items[0];
        assert_eq!(entry.entity_type, EntityType::Product);
        assert_eq!(entry.entity_id.as_deref(), Some(ids[1].as_str()));
        assert!(
            entry.message.contains("Record refused"),
            "{}",
            entry.message
        );
    }
}

#[tokio::test]
async fn without_credentials_a_sync_is_refused_with_a_code() {
    let fake = FakeMetakocka::start().await;
    for engine in engines() {
        let app = app_with_fake(engine, &fake).await;
        let (_, admin) = app.company_with_admin("Shop").await;
        let response = app
            .request(Method::POST, BULK, Some(&admin), Some(json!({})))
            .await;
        let (status, code, _) = error_of(response).await;
        assert_eq!(
            (status, code.as_str()),
            (409, "no_credentials"),
            "{engine:?}"
        );
        let response = app
            .request(
                Method::POST,
                "/api/products/sync",
                Some(&admin),
                Some(json!({})),
            )
            .await;
        assert_eq!(error_of(response).await.0, 400, "no product_id");
    }
}

//! Sync runs, settings, the audit and tenancy through the API: a background run shows its
//! progress and can be cancelled, a second start is refused with the running run's id,
//! settings round trip (admins change, agents read), the audit finds a mapping whose CRM
//! record was deleted, and another company sees none of it.

use crate::fake_metakocka::FakeMetakocka;
use crate::helpers::{engines, error_of, spawn_app_with};
use crate::metakocka_connection::save_credentials;
use crate::metakocka_sync_products::{BULK, counts, create_product, post, synced_app};
use crm_mind::domain::Role;
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

const RUNS: &str = "/api/integrations/metakocka/sync/runs";
const SETTINGS: &str = "/api/integrations/metakocka/settings";
const AUDIT: &str = "/api/integrations/metakocka/mappings/audit";

#[tokio::test]
async fn a_background_run_shows_progress_refuses_a_second_start_and_cancels() {
    let fake = FakeMetakocka::start().await;
    for engine in engines() {
        let mk = format!("progress-{engine:?}");
        let key = format!("key-{mk}");
        fake.add_company(&mk, &key);
        let base_url = fake.base_url.clone();
        let app = spawn_app_with(engine, move |settings| {
            settings.metakocka_base_url = base_url;
            settings.metakocka_sync_batch_size = 1;
        })
        .await;
        let (_, admin) = app.company_with_admin("Shop").await;
        save_credentials(&app, &admin, "organization", &mk, &key).await;
        for i in 0..40 {
            create_product(
                &app,
                &admin,
                json!({"code": format!("P-{i:02}"), "name": "p", "price": 1}),
            )
            .await;
        }
        // Slow enough (40 records × 150 ms, two calls at a time: 3 s) that the cancel below
        // lands mid-run even on a loaded machine.
        fake.set_delay(Duration::from_millis(150));
        let response = app
            .request(
                Method::POST,
                BULK,
                Some(&admin),
                Some(json!({"background": true})),
            )
            .await;
        assert_eq!(response.status(), 202, "{engine:?}");
        let started: Value = response.json().await.unwrap();
        let id = started["run"]["id"].as_str().unwrap().to_owned();
        assert_eq!(started["run"]["state"], "running");

        // Progress: the stored run shows some records processed while it runs.
        let mut seen_progress = None;
        for _ in 0..500 {
            let run: Value = app
                .get(&format!("{RUNS}/{id}"), &admin)
                .await
                .json()
                .await
                .unwrap();
            let processed = run["run"]["counts"]["processed"].as_u64().unwrap();
            if run["run"]["state"] == "running" && processed >= 2 {
                seen_progress = Some(run);
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let progress = seen_progress.expect("progress while running");
        assert_eq!(progress["run"]["counts"]["total"], 40, "{progress}");

        let second = app
            .request(Method::POST, BULK, Some(&admin), Some(json!({})))
            .await;
        let (status, code, message) = error_of(second).await;
        assert_eq!((status, code.as_str()), (409, "sync_running"));
        assert!(message.contains(&id), "{message}");

        post(&app, &admin, &format!("{RUNS}/{id}/cancel"), json!({})).await;
        let mut finished = Value::Null;
        for _ in 0..500 {
            let run: Value = app
                .get(&format!("{RUNS}/{id}"), &admin)
                .await
                .json()
                .await
                .unwrap();
            if run["run"]["state"] != "running" {
                finished = run;
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        fake.set_delay(Duration::ZERO);
        assert_eq!(
            finished["run"]["state"], "cancelled",
            "{engine:?}: {finished}"
        );
        let processed = finished["run"]["counts"]["processed"].as_u64().unwrap();
        assert!(processed < 40, "{finished}");
        assert!(finished["run"]["stopped_at"].is_string(), "{finished}");
        let history: Value = app.get(RUNS, &admin).await.json().await.unwrap();
        assert_eq!(history["runs"][0]["id"], id.as_str());
        // The rest is done by the next run, without duplicates.
        let rest = post(&app, &admin, BULK, json!({})).await;
        assert_eq!(counts(&rest).0, 40 - processed, "{rest}");
        assert_eq!(fake.with_books(&mk, |b| b.products.len()), 40);
    }
}

#[tokio::test]
async fn settings_round_trip_and_only_admins_change_them() {
    let fake = FakeMetakocka::start().await;
    for engine in engines() {
        let (app, company, admin) =
            synced_app(engine, &fake, &format!("settings-{engine:?}")).await;
        let defaults: Value = app.get(SETTINGS, &admin).await.json().await.unwrap();
        assert_eq!(defaults["settings"]["product"]["auto"], false, "{defaults}");
        assert_eq!(defaults["settings"]["contact"]["conflict_rule"], "manual");
        let change = json!({"contact": {"auto": true, "interval_minutes": 30, "direction": "from",
                                        "conflict_rule": "metakocka_wins"}});
        let response = app
            .request(Method::PUT, SETTINGS, Some(&admin), Some(change.clone()))
            .await;
        assert_eq!(response.status(), 200, "{engine:?}");
        let agent = app
            .user_token(&company, "agent@example.com", Role::Agent)
            .await;
        let read: Value = app.get(SETTINGS, &agent).await.json().await.unwrap();
        let contact = &read["settings"]["contact"];
        assert_eq!(
            (
                &contact["auto"],
                &contact["interval_minutes"],
                &contact["direction"],
                &contact["conflict_rule"]
            ),
            (
                &json!(true),
                &json!(30),
                &json!("from"),
                &json!("metakocka_wins")
            ),
            "{read}"
        );
        assert_eq!(read["settings"]["product"]["auto"], false);
        let response = app
            .request(Method::PUT, SETTINGS, Some(&agent), Some(change))
            .await;
        assert_eq!(error_of(response).await.0, 403);
        let response = app
            .request(
                Method::PUT,
                SETTINGS,
                Some(&admin),
                Some(json!({"product": {"conflict_rule": "loudest_wins"}})),
            )
            .await;
        assert_eq!(error_of(response).await.0, 400);
    }
}

#[tokio::test]
async fn the_audit_finds_a_deleted_record_and_another_company_sees_nothing() {
    let fake = FakeMetakocka::start().await;
    for engine in engines() {
        let (app, _, admin) = synced_app(engine, &fake, &format!("audit-{engine:?}")).await;
        let id = create_product(
            &app,
            &admin,
            json!({"code": "A-1", "name": "A", "price": 1}),
        )
        .await;
        let kept = create_product(
            &app,
            &admin,
            json!({"code": "A-2", "name": "B", "price": 1}),
        )
        .await;
        let run = post(&app, &admin, BULK, json!({})).await;
        let run_id = run["run"]["id"].as_str().unwrap().to_owned();
        let clean: Value = app.get(AUDIT, &admin).await.json().await.unwrap();
        assert_eq!(clean["count"], 0, "{engine:?}: {clean}");

        let response = app
            .request(
                Method::DELETE,
                &format!("/api/products/{id}"),
                Some(&admin),
                None,
            )
            .await;
        assert!(response.status().is_success());
        let found: Value = app.get(AUDIT, &admin).await.json().await.unwrap();
        assert_eq!(found["count"], 1, "{engine:?}: {found}");
        assert_eq!(found["findings"][0]["crm_id"], id.as_str());
        assert_eq!(found["findings"][0]["finding"], "crm_deleted");

        // Company B, with its own Metakocka account, sees and touches none of A's.
        let other_mk = format!("audit-other-{engine:?}");
        let other_key = format!("key-{other_mk}");
        fake.add_company(&other_mk, &other_key);
        let (_, other) = app.company_with_admin("Other").await;
        save_credentials(&app, &other, "organization", &other_mk, &other_key).await;
        let response = app.get(&format!("{RUNS}/{run_id}"), &other).await;
        assert_eq!(error_of(response).await.0, 404);
        let runs: Value = app.get(RUNS, &other).await.json().await.unwrap();
        assert_eq!(runs["runs"], json!([]));
        let mappings: Value = app
            .get("/api/products/sync", &other)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(mappings["count"], 0);
        let audit: Value = app.get(AUDIT, &other).await.json().await.unwrap();
        assert_eq!(audit["count"], 0);
        let response = app
            .request(
                Method::POST,
                "/api/products/sync",
                Some(&other),
                Some(json!({"product_id": kept})),
            )
            .await;
        assert_eq!(error_of(response).await.0, 404, "{engine:?}");
        let response = app
            .request(
                Method::POST,
                &format!("{AUDIT}/product/{id}/remove"),
                Some(&other),
                None,
            )
            .await;
        assert_eq!(error_of(response).await.0, 404);

        post(
            &app,
            &admin,
            &format!("{AUDIT}/product/{id}/remove"),
            json!({}),
        )
        .await;
        let after: Value = app.get(AUDIT, &admin).await.json().await.unwrap();
        assert_eq!(after["count"], 0, "{after}");
    }
}

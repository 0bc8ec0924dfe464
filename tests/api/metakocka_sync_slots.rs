//! One sync run at a time across processes, and the periodic schedule: a second
//! `MetakockaSync` over the same store (another process's) holds the company's product
//! slot, so the API answers 409 naming that run until it ends, and the API's cancel reaches
//! it through the slot; the schedule starts a run of each kind with automatic sync on, and
//! none of the kinds left off.

use crate::fake_metakocka::FakeMetakocka;
use crate::helpers::{TestApp, engines, error_of};
use crate::metakocka_sync_products::{BULK, counts, create_product, post, synced_app};
use crm_mind::domain::CompanyId;
use crm_mind::metakocka::sync::model::{Direction, EntityKind, RunTrigger};
use crm_mind::metakocka::sync::run::Pacing;
use crm_mind::metakocka::sync::{MetakockaSync, StartRun, SyncError, schedule};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

const RUNS: &str = "/api/integrations/metakocka/sync/runs";
const SETTINGS: &str = "/api/integrations/metakocka/settings";

/// The sync as another process over the app's store would run it.
fn other_process(app: &TestApp, fake: &FakeMetakocka) -> MetakockaSync {
    let state = &app.state;
    MetakockaSync::new(
        state.store.clone(),
        Ok(fake.client()),
        state.metakocka_credentials.clone(),
        state.metakocka_errors.clone(),
        Pacing::default(),
    )
}

fn push_all(company: &CompanyId) -> StartRun {
    StartRun {
        company: company.clone(),
        user: None,
        kind: EntityKind::Product,
        direction: Direction::To,
        trigger: RunTrigger::Bulk,
        filter: Default::default(),
    }
}

#[tokio::test]
async fn a_run_in_another_process_holds_the_slot_until_it_ends() {
    let fake = FakeMetakocka::start().await;
    for engine in engines() {
        let mk = format!("slots-{engine:?}");
        let (app, company, admin) = synced_app(engine, &fake, &mk).await;
        for i in 0..30 {
            let product = json!({"code": format!("S-{i:02}"), "name": "p", "price": 1});
            create_product(&app, &admin, product).await;
        }
        // 30 pushes × 150 ms, two calls at a time: the run lasts seconds.
        fake.set_delay(Duration::from_millis(150));
        let other = other_process(&app, &fake);
        let (running, work) = other.start(push_all(&company)).await.unwrap();

        let refused = app
            .request(Method::POST, BULK, Some(&admin), Some(json!({})))
            .await;
        let (status, code, message) = error_of(refused).await;
        assert_eq!((status, code.as_str()), (409, "sync_running"), "{engine:?}");
        assert!(message.contains(&running.id), "{message}");
        // The other process is refused by the app's runs alike (its own slot map is empty).
        let third = other_process(&app, &fake).run(push_all(&company)).await;
        assert!(
            matches!(&third, Err(SyncError::AlreadyRunning { run_id, .. }) if *run_id == running.id),
            "{third:?}"
        );

        let finished = work.await.unwrap();
        fake.set_delay(Duration::ZERO);
        assert_eq!(finished.counts.created, 30, "{finished:?}");
        // Ended, the run freed the slot: the app's next run goes ahead (nothing to push).
        let next = post(&app, &admin, BULK, json!({})).await;
        assert_eq!(counts(&next), (0, 0, 30, 0, 0), "{next}");
    }
}

#[tokio::test]
async fn a_cancel_through_the_api_stops_a_run_of_another_process() {
    let fake = FakeMetakocka::start().await;
    for engine in engines() {
        let mk = format!("slot-cancel-{engine:?}");
        let (app, company, admin) = synced_app(engine, &fake, &mk).await;
        for i in 0..40 {
            let product = json!({"code": format!("C-{i:02}"), "name": "p", "price": 1});
            create_product(&app, &admin, product).await;
        }
        // 40 pushes × 400 ms, two calls at a time: 8 s, longer than the few seconds the
        // other process takes to look at its slot.
        fake.set_delay(Duration::from_millis(400));
        let (running, work) = other_process(&app, &fake)
            .start(push_all(&company))
            .await
            .unwrap();
        let path = format!("{RUNS}/{}/cancel", running.id);
        post(&app, &admin, &path, json!({})).await;
        let finished = work.await.unwrap();
        fake.set_delay(Duration::ZERO);
        assert_eq!(
            finished.state.as_str(),
            "cancelled",
            "{engine:?}: {finished:?}"
        );
        assert!(finished.counts.processed < 40, "{finished:?}");
        // The rest is pushed by the next run.
        let rest = post(&app, &admin, BULK, json!({})).await;
        assert_eq!(counts(&rest).0, 40 - finished.counts.processed, "{rest}");
    }
}

/// The runs in the company's history (newest first).
async fn runs(app: &TestApp, token: &str) -> Vec<Value> {
    let history: Value = app.get(RUNS, token).await.json().await.unwrap();
    history["runs"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn the_schedule_runs_the_kinds_with_automatic_sync_on() {
    let fake = FakeMetakocka::start().await;
    for engine in engines() {
        let mk = format!("schedule-{engine:?}");
        let (app, _company, admin) = synced_app(engine, &fake, &mk).await;
        for i in 0..3 {
            let product = json!({"code": format!("A-{i}"), "name": "p", "price": 1});
            create_product(&app, &admin, product).await;
        }
        fake.seed_partners(&mk, 2);
        let settings = json!({
            "product": {"auto": true, "interval_minutes": 5, "direction": "to"},
            "contact": {"auto": false, "interval_minutes": 5, "direction": "both"}
        });
        let response = app
            .request(Method::PUT, SETTINGS, Some(&admin), Some(settings))
            .await;
        assert_eq!(response.status(), 200);
        assert!(runs(&app, &admin).await.is_empty());

        // Looking every second instead of every minute; the same job otherwise.
        let mut scheduler = schedule::spawn_on(app.state.metakocka_sync.clone(), "* * * * * *")
            .await
            .unwrap();
        let mut done = None;
        for _ in 0..600 {
            let history = runs(&app, &admin).await;
            if let Some(run) = history.iter().find(|r| r["state"] != "running") {
                done = Some((run.clone(), history));
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        scheduler.shutdown().await.unwrap();
        let (run, history) = done.expect("a scheduled run within 30 s");
        assert_eq!(
            (
                &run["kind"],
                &run["trigger"],
                &run["direction"],
                &run["state"]
            ),
            (
                &json!("product"),
                &json!("schedule"),
                &json!("to"),
                &json!("done")
            ),
            "{run}"
        );
        assert_eq!(run["counts"]["created"], 3, "{run}");
        assert_eq!(fake.with_books(&mk, |b| b.products.len()), 3);
        // Contacts are off: the schedule started none; and a kind is started once per
        // interval, not on every look.
        assert!(
            history.iter().all(|r| r["kind"] == "product"),
            "{history:?}"
        );
        assert_eq!(history.len(), 1, "{history:?}");
    }
}

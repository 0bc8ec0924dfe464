//! Cancelling a bulk sync from the console while it runs: the progress fragment offers the
//! button only while the run goes, and the run stops before its next record.

use crate::admin_sync::{consoles, decoded_location, until_run_ends};
use crate::fake_metakocka::FakeMetakocka;
use crate::helpers::engines;
use crate::metakocka_sync_products::{create_product, synced_app};
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

const PRODUCTS: &str = "/admin/integrations/metakocka/sync/products";

#[tokio::test]
async fn a_running_bulk_sync_is_cancelled_from_its_progress_box() {
    let fake = FakeMetakocka::start().await;
    let (app, company, token) = synced_app(engines()[0], &fake, "console-cancel-running").await;
    for i in 0..8 {
        let body = json!({"code": format!("SLOW-{i}"), "name": format!("Slow {i}"), "price": 1});
        create_product(&app, &token, body).await;
    }
    let (admin, agent) = consoles(&app, &company).await;
    // Every Metakocka answer takes a while, so the run is still going when we look.
    fake.set_delay(Duration::from_millis(500));

    let started = admin.post(PRODUCTS, &[("action", "all")]).await;
    assert!(decoded_location(&started).contains("Syncing all products"));
    let (status, running) = admin.get_text(&format!("{PRODUCTS}/progress")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(running.contains("data-running=\"true\""), "{running}");
    let (_, seen_by_agent) = agent.get_text(&format!("{PRODUCTS}/progress")).await;
    assert!(
        !seen_by_agent.contains("Cancel run"),
        "agents cannot cancel"
    );
    let at = running
        .find("/admin/integrations/metakocka/runs/")
        .expect("a cancel form");
    let cancel = &running[at..at + running[at..].find('"').unwrap()];

    // A second bulk run of the same kind is refused in words while this one goes.
    let again = admin.post(PRODUCTS, &[("action", "all")]).await;
    assert!(decoded_location(&again).contains("already running"));

    let cancelled = admin.post(cancel, &[]).await;
    assert_eq!(cancelled.status(), StatusCode::SEE_OTHER);
    assert!(
        decoded_location(&cancelled).contains("Cancelling: the run stops before its next record.")
    );
    fake.set_delay(Duration::ZERO);
    until_run_ends(&admin, PRODUCTS).await;
    let (_, ended) = admin.get_text(&format!("{PRODUCTS}/progress")).await;
    assert!(ended.contains("state-cancelled"), "{ended}");
    assert!(!ended.contains("Cancel run"));
    assert!(
        fake.with_books("console-cancel-running", |b| b.products.len()) < 8,
        "the run stopped before syncing everything"
    );
}

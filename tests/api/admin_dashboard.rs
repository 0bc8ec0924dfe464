//! The console's dashboard at a glance: Metakocka sync status per entity type (the same
//! figures as the sync-health report) and the error trend per day, for the signed-in
//! company only.

use crate::admin_console::Console;
use crate::helpers::{PASSWORD, engines, spawn_app};
use crate::metakocka_sync_products::create_product;
use crm_mind::domain::Role;
use serde_json::{Value, json};

/// The cells after the first of the dashboard's sync-status row whose first cell links to
/// `slug`.
fn entity_row(html: &str, slug: &str) -> Vec<String> {
    let anchor = format!("/admin/integrations/metakocka/sync/{slug}\"");
    let start = html
        .find(&anchor)
        .unwrap_or_else(|| panic!("no row for {slug}"));
    let row = &html[start..start + html[start..].find("</tr>").unwrap()];
    row.split("<td>")
        .skip(1)
        .map(|cell| cell.split("</td>").next().unwrap().trim().to_owned())
        .collect()
}

#[tokio::test]
async fn the_dashboard_shows_sync_status_per_entity_type_and_the_error_trend() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (company, token) = app.company_with_admin("Shop").await;
        let email = format!("dash-{}@example.com", uuid::Uuid::new_v4().simple());
        app.user_token(&company, &email, Role::Admin).await;
        for code in ["K-1", "K-2", "K-3"] {
            create_product(
                &app,
                &token,
                json!({"code": code, "name": "Kettle", "price": 10}),
            )
            .await;
        }
        // Another company's records never count here.
        let (_, other) = app.company_with_admin("Other").await;
        create_product(
            &app,
            &other,
            json!({"code": "X-1", "name": "Other", "price": 1}),
        )
        .await;

        let console = Console::sign_in(&app, &email, PASSWORD).await;
        let (status, html) = console.get_text("/admin").await;
        assert_eq!(status, 200, "{engine:?}");
        assert!(html.contains("Metakocka sync status"), "{engine:?}");
        // Records, in crm-mind, synced, not synced, conflicts, errors.
        let products = entity_row(&html, "products");
        assert_eq!(
            &products[..5],
            ["3", "0", "3", "0", "0"],
            "{engine:?}: {products:?}"
        );
        assert!(products[5].contains("never"), "{engine:?}: {products:?}");
        let contacts = entity_row(&html, "contacts");
        assert_eq!(&contacts[..2], ["0", "0"], "{engine:?}: {contacts:?}");

        // The report reads the same figures.
        let report: Value = app
            .get("/api/reports/sync-health", &token)
            .await
            .json()
            .await
            .unwrap();
        let product_row = report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["entity"] == "product")
            .unwrap();
        assert_eq!(product_row["crm_records"], 3, "{engine:?}: {report}");
        assert_eq!(product_row["unsynced"], 3, "{engine:?}: {report}");

        assert!(html.contains("Metakocka errors over time"), "{engine:?}");
        assert!(
            html.contains("New errors per day"),
            "{engine:?}: the chart's title"
        );
    }
}

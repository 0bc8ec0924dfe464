//! The console's report pages: each renders its form, an SVG chart drawn by the server and
//! the table with the same figures as the API; a bad parameter is shown next to its field;
//! the CSV link downloads the API's CSV; agents may read; the nav links to the reports.

use crate::admin_console::Console;
use crate::helpers::{PASSWORD, engines, spawn_app};
use crate::reports::{stock_world, world};
use crm_mind::domain::Role;
use reqwest::StatusCode;

#[tokio::test]
async fn each_report_page_shows_its_chart_table_and_csv_link() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let world = world(&app, "Shop").await;
        stock_world(&app, &world).await;
        app.user_token(&world.shop.company, "agent@example.com", Role::Agent)
            .await;
        // Agents may read every report page.
        let console = Console::sign_in(&app, "agent@example.com", PASSWORD).await;

        let (status, index) = console.get_text("/admin/reports").await;
        assert_eq!(status, StatusCode::OK, "{engine:?}");
        assert!(
            index.contains(r#"aria-current="page">Reports</a>"#),
            "the nav"
        );
        for slug in [
            "sales-by-month",
            "top-products",
            "top-customers",
            "low-stock",
            "sync-health",
        ] {
            assert!(index.contains(&format!("/admin/reports/{slug}")), "{slug}");
            let (status, html) = console.get_text(&format!("/admin/reports/{slug}")).await;
            assert_eq!(status, StatusCode::OK, "{slug}");
            assert!(html.contains(r#"<svg class="chart""#), "{slug}: a chart");
            assert!(html.contains("Download CSV"), "{slug}");
        }

        let (_, html) = console
            .get_text("/admin/reports/top-products?by=quantity&limit=5&from=2026-01-01")
            .await;
        assert!(html.contains("Units sold per product"), "the chart's title");
        assert!(
            html.contains("<title>SALT: 14</title>"),
            "a bar per product: {html}"
        );
        assert!(html.contains("<td>Sea salt</td>"), "the table");
        assert!(
            html.contains(
                r#"href="/admin/reports/top-products/export.csv?from=2026-01-01&amp;limit=5&amp;by=quantity""#
            ),
            "the CSV link repeats the parameters: {html}"
        );

        let (_, html) = console.get_text("/admin/reports/low-stock").await;
        assert!(html.contains("<title>SALT @ W1: 0.5</title>"), "{html}");
        assert!(html.contains("<td>4.9999</td>"), "exact stock in the table");

        let (_, html) = console.get_text("/admin/reports/sales-by-month").await;
        assert!(html.contains("<td>76.18</td>"), "January's gross");

        let csv = console
            .get("/admin/reports/top-products/export.csv?by=quantity")
            .await;
        assert_eq!(csv.status(), StatusCode::OK);
        let text = csv.text().await.unwrap();
        let api = app
            .client
            .get(format!(
                "{}/api/reports/top-products?by=quantity&format=csv",
                app.address
            ))
            .bearer_auth(&world.shop.admin)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(text, api, "the console's CSV is the API's");
    }
}

#[tokio::test]
async fn a_bad_parameter_is_shown_next_to_its_field() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (company, _) = app.company_with_admin("Shop").await;
        app.user_token(&company, "boss@example.com", Role::Admin)
            .await;
        let console = Console::sign_in(&app, "boss@example.com", PASSWORD).await;
        let (status, html) = console
            .get_text("/admin/reports/sales-by-month?from=yesterday")
            .await;
        assert_eq!(status, StatusCode::OK, "{engine:?}");
        assert!(html.contains(r#"id="r-from-error""#), "{html}");
        assert!(html.contains("must be a day such as 2026-11-30"));
        let (status, _) = console.get_text("/admin/reports/weather").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}

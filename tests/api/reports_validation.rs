//! Report parameters are validated (400 with the stable error shape, naming the parameter),
//! reports need a token, agents may read them, and company B never sees company A's figures.

use crate::helpers::{engines, error_of, spawn_app};
use crate::reports::{report, stock_world, sync_world, world};
use crm_mind::domain::Role;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn bad_parameters_answer_400_naming_the_parameter() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (_, token) = app.company_with_admin("Shop").await;
        for (path, field) in [
            ("/api/reports/sales-by-month?from=30.11.2026", "from"),
            (
                "/api/reports/sales-by-month?from=2026-02-01&to=2026-01-01",
                "to",
            ),
            ("/api/reports/sales-by-month?doc_type=invoice", "doc_type"),
            ("/api/reports/top-products?limit=0", "limit"),
            ("/api/reports/top-products?limit=ten", "limit"),
            ("/api/reports/top-products?by=orders", "by"),
            ("/api/reports/top-customers?limit=101", "limit"),
            ("/api/reports/low-stock?threshold=-2", "threshold"),
            ("/api/reports/sync-health?format=xml", "format"),
        ] {
            let (status, code, message) = error_of(app.get(path, &token).await).await;
            assert_eq!(
                (status, code.as_str()),
                (400, "validation_failed"),
                "{engine:?} {path}"
            );
            assert!(
                message.starts_with(&format!("{field}:")),
                "{path}: {message}"
            );
        }
        let (status, code, message) =
            error_of(app.get("/api/reports/top-products?limt=5", &token).await).await;
        assert_eq!(
            (status, code.as_str()),
            (400, "invalid_request"),
            "{message}"
        );
        assert!(
            message.contains("limt"),
            "an unknown parameter is named: {message}"
        );
    }
}

#[tokio::test]
async fn reports_need_a_token_and_agents_may_read_them() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (company, _) = app.company_with_admin("Shop").await;
        let response = app
            .request(Method::GET, "/api/reports/sync-health", None, None)
            .await;
        assert_eq!(error_of(response).await.0, 401, "{engine:?}");
        let agent = app
            .user_token(&company, "agent@example.com", Role::Agent)
            .await;
        for kind in [
            "sales-by-month",
            "top-products",
            "top-customers",
            "low-stock",
            "sync-health",
        ] {
            report(&app, &agent, &format!("/api/reports/{kind}")).await;
        }
    }
}

#[tokio::test]
async fn another_company_sees_none_of_the_shops_figures() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let shop = world(&app, "Shop").await;
        stock_world(&app, &shop).await;
        sync_world(&app, &shop).await;
        let (_, other) = app.company_with_admin("Other").await;
        for kind in [
            "sales-by-month",
            "top-products",
            "top-customers",
            "low-stock",
        ] {
            let seen = report(&app, &other, &format!("/api/reports/{kind}")).await;
            assert_eq!(seen["rows"], json!([]), "{engine:?} {kind}");
        }
        let health = report(&app, &other, "/api/reports/sync-health").await;
        for row in health["rows"].as_array().unwrap() {
            for column in ["crm_records", "mapped", "unsynced", "open_conflicts"] {
                assert_eq!(row[column], 0, "{engine:?} {row}");
            }
            assert_eq!(row["last_run_state"], json!(null));
        }
        // The shop still sees its own.
        let own = report(&app, &shop.shop.admin, "/api/reports/top-products").await;
        assert_eq!(own["rows"].as_array().unwrap().len(), 2);
    }
}

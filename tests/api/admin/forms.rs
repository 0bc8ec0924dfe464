//! The console's forms: a wrong link form's field errors, and the error log's resolving and
//! CSV export.

use super::company;
use crate::admin_console::csrf_in;
use crate::helpers::{engines, spawn_app};
use crate::metakocka_logs::{new_error, seed};
use chrono::Utc;
use crm_mind::metakocka::error_log::{EntityType, ErrorCategory};
use reqwest::StatusCode;

#[tokio::test]
async fn a_wrong_link_form_names_each_problem_next_to_its_field() {
    let app = spawn_app(engines()[0]).await;
    let (_, console, _) = company(&app, "Acme", "666666666").await;
    let response = console
        .post(
            "/admin/pages/666666666/links",
            &[
                ("name", ""),
                ("url", "ftp://nowhere"),
                ("type", "api"),
                ("refresh_minutes", "soon"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    for id in [
        "link-name-error",
        "link-url-error",
        "link-channels-error",
        "link-refresh_minutes-error",
    ] {
        assert!(
            html.contains(&format!("id=\"{id}\"")),
            "no message for {id}"
        );
    }
    assert!(html.contains("choose at least one channel"));
    assert!(
        csrf_in(&html).is_some(),
        "the form is shown again, ready to correct"
    );
}

#[tokio::test]
async fn errors_are_resolved_with_notes_and_exported_as_csv() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (company, console, _) = company(&app, "Acme", "777777777").await;
        let one = seed(
            &app,
            new_error(
                &company,
                ErrorCategory::Auth,
                EntityType::Credentials,
                "org",
                "Invalid secret key",
            ),
            Utc::now(),
        )
        .await;
        let two = seed(
            &app,
            new_error(
                &company,
                ErrorCategory::Validation,
                EntityType::Product,
                "p2",
                "Missing code",
            ),
            Utc::now(),
        )
        .await;
        let three = seed(
            &app,
            new_error(
                &company,
                ErrorCategory::Validation,
                EntityType::Product,
                "p3",
                "Missing name",
            ),
            Utc::now(),
        )
        .await;

        let (_, html) = console.get_text("/admin/errors?status=open").await;
        assert!(
            html.contains("Invalid secret key") && html.contains("3</strong> open"),
            "{engine:?}"
        );

        let resolved = console
            .post(
                &format!("/admin/errors/{}/resolve", one.id),
                &[("notes", "rotated the key")],
            )
            .await;
        assert_eq!(resolved.status(), StatusCode::SEE_OTHER);
        let stored = app
            .state
            .store
            .get_error_log(&company, &one.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.resolution_notes.as_deref(), Some("rotated the key"));

        let bulk = console
            .post(
                "/admin/errors/bulk-resolve",
                &[
                    ("ids", two.id.as_str()),
                    ("ids", three.id.as_str()),
                    ("notes", "fixed"),
                ],
            )
            .await;
        assert_eq!(bulk.status(), StatusCode::SEE_OTHER);
        let (_, html) = console.get_text("/admin/errors?status=open").await;
        assert!(
            html.contains("No errors match."),
            "{engine:?}: all three resolved"
        );

        let csv = console
            .get("/admin/errors/export.csv?category=validation")
            .await;
        assert_eq!(csv.status(), StatusCode::OK);
        assert!(
            csv.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let text = csv.text().await.unwrap();
        assert!(text.contains("Missing code") && text.contains("Missing name"));
        assert!(
            !text.contains("Invalid secret key"),
            "the filter applies to the export"
        );
        assert!(!text.contains("sk-live-123"), "no secret in the export");
    }
}

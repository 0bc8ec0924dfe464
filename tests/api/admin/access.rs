//! Who may change what: CSRF refusals, agents' read-only access, and other companies'
//! records answering 404.

use super::company;
use crate::admin_console::Console;
use crate::helpers::{PASSWORD, engines, spawn_app};
use crate::metakocka_logs::{new_error, seed};
use chrono::Utc;
use crm_mind::dashboard::parse_page_id;
use crm_mind::metakocka::error_log::{EntityType, ErrorCategory, ErrorStatus};
use reqwest::StatusCode;

#[tokio::test]
async fn a_post_without_or_with_a_wrong_csrf_token_is_403_and_changes_nothing() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (company, console, _) = company(&app, "Acme", "222222222").await;
        let toggle = [
            ("url", "https://crm.example.com/customers"),
            ("channel", "messenger"),
            ("is_active", "true"),
        ];

        let missing = console
            .post_raw("/admin/pages/222222222/links/toggle", &toggle)
            .await;
        assert_eq!(missing.status(), StatusCode::FORBIDDEN, "{engine:?}");
        assert!(
            missing
                .text()
                .await
                .unwrap()
                .contains("did not come from this console")
        );

        let mut forged = vec![("csrf_token", "0".repeat(64))];
        forged.extend(toggle.iter().map(|(k, v)| (*k, v.to_string())));
        let forged: Vec<(&str, &str)> = forged.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let wrong = console
            .post_raw("/admin/pages/222222222/links/toggle", &forged)
            .await;
        assert_eq!(wrong.status(), StatusCode::FORBIDDEN);

        let page = app
            .state
            .dashboard
            .page(&company, &parse_page_id("222222222").unwrap())
            .await
            .unwrap();
        assert!(
            !page.messenger_crm_links[0].is_active,
            "{engine:?}: the refused toggle changed nothing"
        );

        let done = console
            .post("/admin/pages/222222222/links/toggle", &toggle)
            .await;
        assert_eq!(
            done.status(),
            StatusCode::SEE_OTHER,
            "with the token it works"
        );
        let page = app
            .state
            .dashboard
            .page(&company, &parse_page_id("222222222").unwrap())
            .await
            .unwrap();
        assert!(page.messenger_crm_links[0].is_active);
    }
}

#[tokio::test]
async fn an_agent_sees_no_change_buttons_and_their_posts_are_refused() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (company, _, agent_email) = company(&app, "Acme", "333333333").await;
        let agent = Console::sign_in(&app, &agent_email, PASSWORD).await;

        let (status, html) = agent.get_text("/admin/pages/333333333").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Customers"), "agents may look");
        assert!(html.contains("read-only"));
        for button in ["Add link", "Activate", "Sync now", "Sync all"] {
            assert!(
                !html.contains(button),
                "{engine:?}: an agent sees {button:?}"
            );
        }

        let toggle = [
            ("url", "https://crm.example.com/customers"),
            ("channel", "messenger"),
            ("is_active", "true"),
        ];
        let refused = agent
            .post("/admin/pages/333333333/links/toggle", &toggle)
            .await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        assert!(
            refused
                .text()
                .await
                .unwrap()
                .contains("may look but not change")
        );
        let page = app
            .state
            .dashboard
            .page(&company, &parse_page_id("333333333").unwrap())
            .await
            .unwrap();
        assert!(!page.messenger_crm_links[0].is_active);

        let entry = seed(
            &app,
            new_error(
                &company,
                ErrorCategory::Auth,
                EntityType::Credentials,
                "org",
                "Bad key",
            ),
            Utc::now(),
        )
        .await;
        let resolve = agent
            .post(
                &format!("/admin/errors/{}/resolve", entry.id),
                &[("notes", "x")],
            )
            .await;
        assert_eq!(resolve.status(), StatusCode::FORBIDDEN);
        let stored = app
            .state
            .store
            .get_error_log(&company, &entry.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.status, ErrorStatus::Open);
    }
}

#[tokio::test]
async fn another_companys_records_are_not_found() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (company_a, _, _) = company(&app, "A", "444444444").await;
        let (_, console_b, _) = company(&app, "B", "555555555").await;
        let page_a = app
            .state
            .dashboard
            .page(&company_a, &parse_page_id("444444444").unwrap())
            .await
            .unwrap();
        let link_a = page_a.messenger_crm_links[0].id.to_string();

        let (status, html) = console_b.get_text("/admin/pages/444444444").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{engine:?}");
        assert!(!html.contains("Customers"));
        let status_a = console_b
            .get(&format!("/admin/pages/444444444/links/{link_a}/status"))
            .await;
        assert_eq!(status_a.status(), StatusCode::NOT_FOUND);
        let sync_a = console_b
            .post(&format!("/admin/pages/444444444/links/{link_a}/sync"), &[])
            .await;
        assert_eq!(sync_a.status(), StatusCode::NOT_FOUND);
        let toggle = [
            ("url", "https://crm.example.com/customers"),
            ("channel", "messenger"),
            ("is_active", "true"),
        ];
        assert_eq!(
            console_b
                .post("/admin/pages/444444444/links/toggle", &toggle)
                .await
                .status(),
            StatusCode::NOT_FOUND
        );

        let entry = seed(
            &app,
            new_error(
                &company_a,
                ErrorCategory::Api,
                EntityType::Product,
                "p1",
                "A's error",
            ),
            Utc::now(),
        )
        .await;
        let resolve = console_b
            .post(&format!("/admin/errors/{}/resolve", entry.id), &[])
            .await;
        assert_eq!(resolve.status(), StatusCode::NOT_FOUND);
        let (_, errors_page) = console_b.get_text("/admin/errors").await;
        assert!(!errors_page.contains("A&#x27;s error") && !errors_page.contains("A's error"));
        let bulk = console_b
            .post("/admin/errors/bulk-resolve", &[("ids", entry.id.as_str())])
            .await;
        assert_eq!(bulk.status(), StatusCode::SEE_OTHER);
        let stored = app
            .state
            .store
            .get_error_log(&company_a, &entry.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            stored.status,
            ErrorStatus::Open,
            "{engine:?}: B's bulk resolve left A's entry open"
        );
    }
}

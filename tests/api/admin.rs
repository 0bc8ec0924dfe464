//! The admin console over HTTP, without a browser: the session cookie's attributes, CSRF
//! refusals, agents' read-only access, and other companies' records answering 404.

use crate::admin_console::{Console, csrf_in, no_redirects, post_login, set_cookie};
use crate::helpers::{PASSWORD, TestApp, engines, spawn_app};
use crate::metakocka_logs::{new_error, seed};
use chrono::Utc;
use crm_mind::dashboard::parse_page_id;
use crm_mind::domain::{CompanyId, Role};
use crm_mind::metakocka::error_log::{EntityType, ErrorCategory, ErrorStatus};
use reqwest::StatusCode;
use reqwest::header::LOCATION;
use serde_json::json;

/// A company with an admin (signed in to the console), an agent's email, and one page.
async fn company(app: &TestApp, name: &str, page_id: &str) -> (CompanyId, Console, String) {
    let (company, token) = app.company_with_admin(name).await;
    let admin_email = format!("console-{}@example.com", uuid::Uuid::new_v4().simple());
    app.user_token(&company, &admin_email, Role::Admin).await;
    assert_eq!(app.register_page(&token, page_id).await.status(), 201);
    let link = json!({"page_id": page_id, "channels": ["messenger"], "name": "Customers",
        "url": "https://crm.example.com/customers", "type": "api", "is_active": false});
    assert_eq!(app.add_link(&token, link).await.status(), 201);
    let agent_email = format!("agent-{}@example.com", uuid::Uuid::new_v4().simple());
    app.user_token(&company, &agent_email, Role::Agent).await;
    (
        company,
        Console::sign_in(app, &admin_email, PASSWORD).await,
        agent_email,
    )
}

#[tokio::test]
async fn signing_in_sets_a_strict_http_only_cookie_scoped_to_the_console() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (company, _) = app.company_with_admin("Acme").await;
        app.user_token(&company, "op@example.com", Role::Admin)
            .await;

        let response = post_login(&app, "op@example.com", PASSWORD, &[]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(response.headers()[LOCATION], "/admin");
        let (token, header) = set_cookie(&response, "crm_mind_admin").expect("a session cookie");
        assert!(
            token.len() > 40,
            "{engine:?}: the cookie holds a long random token"
        );
        for attribute in ["HttpOnly", "SameSite=Strict", "Path=/admin"] {
            assert!(
                header.contains(attribute),
                "{engine:?}: {header} lacks {attribute}"
            );
        }
        assert!(
            !header.contains("Secure"),
            "plain http: no Secure flag, or the browser drops it"
        );

        let behind_tls = post_login(
            &app,
            "op@example.com",
            PASSWORD,
            &[("X-Forwarded-Proto", "https")],
        )
        .await;
        let (_, header) = set_cookie(&behind_tls, "crm_mind_admin").unwrap();
        assert!(header.contains("; Secure"), "{header}");

        let wrong = post_login(&app, "op@example.com", "not the password", &[]).await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
        assert!(set_cookie(&wrong, "crm_mind_admin").is_none());
        assert!(
            wrong
                .text()
                .await
                .unwrap()
                .contains("The email or password is wrong.")
        );
    }
}

#[tokio::test]
async fn pages_need_a_session_and_signing_out_clears_it() {
    let app = spawn_app(engines()[0]).await;
    let anonymous = no_redirects()
        .get(format!("{}/admin/pages", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
    assert_eq!(anonymous.headers()[LOCATION], "/admin/login");

    let (_, console, _) = company(&app, "Acme", "111111111").await;
    let (status, html) = console.get_text("/admin/pages").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Page 111111111"));

    let out = console.post("/admin/logout", &[]).await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    let (_, header) = set_cookie(&out, "crm_mind_admin").expect("the cookie is removed");
    assert!(header.contains("Max-Age=0"), "{header}");
}

#[tokio::test]
async fn a_sign_in_without_the_forms_token_is_refused() {
    let app = spawn_app(engines()[0]).await;
    let (company, _) = app.company_with_admin("Acme").await;
    app.user_token(&company, "op@example.com", Role::Admin)
        .await;
    let response = no_redirects()
        .post(format!("{}/admin/login", app.address))
        .form(&[("email", "op@example.com"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(set_cookie(&response, "crm_mind_admin").is_none());
}

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

//! Signing in and out: the session cookie's attributes, the pages that need a session, and
//! the sign-in form's token.

use super::company;
use crate::admin_console::{no_redirects, post_login, set_cookie};
use crate::helpers::{PASSWORD, engines, spawn_app};
use crm_mind::domain::Role;
use reqwest::StatusCode;
use reqwest::header::LOCATION;

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

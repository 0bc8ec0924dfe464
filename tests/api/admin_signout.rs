//! Signing out of the console ends the session on the server: the cookie's token stops
//! working everywhere (a copy kept by someone else included), not only in this browser.

use crate::admin_console::{Console, no_redirects};
use crate::helpers::{PASSWORD, engines, spawn_app};
use crm_mind::domain::Role;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION};

#[tokio::test]
async fn a_copied_cookie_stops_working_after_sign_out() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (company, _) = app.company_with_admin("Acme").await;
        app.user_token(&company, "op@example.com", Role::Admin)
            .await;
        let console = Console::sign_in(&app, "op@example.com", PASSWORD).await;
        let copied_cookie = console.cookie.clone();
        let (status, _) = console.get_text("/admin/pages").await;
        assert_eq!(status, StatusCode::OK, "{engine:?}: signed in");
        let api = app.get("/api/dashboard/pages", &copied_cookie).await;
        assert_eq!(
            api.status(),
            StatusCode::OK,
            "{engine:?}: one session, two doors"
        );

        let out = console.post("/admin/logout", &[]).await;
        assert_eq!(out.status(), StatusCode::SEE_OTHER, "{engine:?}");
        assert_eq!(out.headers()[LOCATION], "/admin/login");

        // Another client replaying the old cookie is sent to the sign-in form.
        let replayed = no_redirects()
            .get(format!("{}/admin/pages", app.address))
            .header(COOKIE, format!("crm_mind_admin={copied_cookie}"))
            .send()
            .await
            .unwrap();
        assert_eq!(replayed.status(), StatusCode::SEE_OTHER, "{engine:?}");
        assert_eq!(replayed.headers()[LOCATION], "/admin/login");
        // The same token as an API bearer token is refused too: it was one session.
        let api = app.get("/api/dashboard/pages", &copied_cookie).await;
        assert_eq!(api.status(), StatusCode::UNAUTHORIZED, "{engine:?}");

        // Other sessions of the same user are not touched.
        let other = Console::sign_in(&app, "op@example.com", PASSWORD).await;
        let again = Console::sign_in(&app, "op@example.com", PASSWORD).await;
        assert_eq!(other.post("/admin/logout", &[]).await.status(), 303);
        let (status, _) = again.get_text("/admin/pages").await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{engine:?}: the other session lives"
        );
    }
}

#[tokio::test]
async fn sign_out_without_the_forms_token_keeps_the_session() {
    let app = spawn_app(engines()[0]).await;
    let (company, _) = app.company_with_admin("Acme").await;
    app.user_token(&company, "op@example.com", Role::Admin)
        .await;
    let console = Console::sign_in(&app, "op@example.com", PASSWORD).await;
    // A forged sign-out (another site's form) must not end the session.
    let forged = console.post_raw("/admin/logout", &[]).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let (status, _) = console.get_text("/admin/pages").await;
    assert_eq!(status, StatusCode::OK);
}

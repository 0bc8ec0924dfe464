//! A browser-less client of the admin console: signs in through the form like a browser,
//! keeps the session cookie, and reads each page's CSRF token from its HTML.

use crate::helpers::TestApp;
use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::{Response, StatusCode};

pub struct Console {
    pub address: String,
    pub client: reqwest::Client,
    pub cookie: String,
    pub csrf: String,
}

/// The value of `name` in one `Set-Cookie` header of `response`, with the header itself.
pub fn set_cookie(response: &Response, name: &str) -> Option<(String, String)> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|header| {
            let value = header[name.len() + 1..]
                .split(';')
                .next()
                .unwrap_or_default()
                .to_owned();
            (value, header.to_owned())
        })
}

/// The first `csrf_token` value in a page's HTML (a form field or the meta tag).
pub fn csrf_in(html: &str) -> Option<String> {
    let at = html
        .find("csrf_token\" value=\"")
        .map(|i| i + 19)
        .or_else(|| html.find("name=\"csrf-token\" content=\"").map(|i| i + 27))?;
    html[at..].split('"').next().map(str::to_owned)
}

pub fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The sign-in form's response and the login cookie and token it hands out.
pub async fn login_form(app: &TestApp) -> (String, String) {
    let response = no_redirects()
        .get(format!("{}/admin/login", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let (cookie, _) = set_cookie(&response, "crm_mind_admin_login").expect("a login cookie");
    let token = csrf_in(&response.text().await.unwrap()).expect("a token in the form");
    (cookie, token)
}

/// Posts the sign-in form as a browser would, with `extra` headers.
pub async fn post_login(
    app: &TestApp,
    email: &str,
    password: &str,
    extra: &[(&str, &str)],
) -> Response {
    let (cookie, token) = login_form(app).await;
    let mut request = no_redirects()
        .post(format!("{}/admin/login", app.address))
        .header(COOKIE, format!("crm_mind_admin_login={cookie}"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", email),
            ("password", password),
        ]);
    for (name, value) in extra {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

impl Console {
    pub async fn sign_in(app: &TestApp, email: &str, password: &str) -> Console {
        let response = post_login(app, email, password, &[]).await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "sign-in of {email}"
        );
        let (cookie, _) = set_cookie(&response, "crm_mind_admin").expect("a session cookie");
        let mut console = Console {
            address: app.address.clone(),
            client: no_redirects(),
            cookie,
            csrf: String::new(),
        };
        let home = console.get("/admin").await;
        assert_eq!(home.status(), StatusCode::OK);
        console.csrf = csrf_in(&home.text().await.unwrap()).expect("a CSRF token on the dashboard");
        console
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{path}", self.address))
            .header(COOKIE, format!("crm_mind_admin={}", self.cookie))
            .send()
            .await
            .unwrap()
    }

    pub async fn get_text(&self, path: &str) -> (StatusCode, String) {
        let response = self.get(path).await;
        (response.status(), response.text().await.unwrap())
    }

    /// Posts `fields` with this session's CSRF token.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let mut form: Vec<(&str, &str)> = vec![("csrf_token", self.csrf.as_str())];
        form.extend_from_slice(fields);
        self.post_raw(path, &form).await
    }

    /// Posts exactly `fields` (no token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.client
            .post(format!("{}{path}", self.address))
            .header(COOKIE, format!("crm_mind_admin={}", self.cookie))
            .form(fields)
            .send()
            .await
            .unwrap()
    }
}

//! `/api/contacts`: create, read, list (paging, text filter), replace and delete;
//! validation errors naming the field; one company never reaching another's contacts;
//! agents read but do not change.

use crate::helpers::{TestApp, engines, error_of, spawn_app};
use crm_mind::domain::Role;
use reqwest::Method;
use serde_json::{Value, json};

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Value,
) -> reqwest::Response {
    app.request(method, path, Some(token), Some(body)).await
}

async fn delete(app: &TestApp, path: &str, token: &str) -> reqwest::Response {
    app.request(Method::DELETE, path, Some(token), None).await
}

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let response = send(app, Method::POST, "/api/contacts", token, body).await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_contact_round_trips_and_is_replaced_whole() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (_, admin) = app.company_with_admin("Shop").await;
        let created = create(
            &app,
            &admin,
            json!({
                "name": "Novak d.o.o.", "email": "Info@Novak.SI", "phone": "+386 1 234 5678",
                "street": "Slovenska 1", "post_number": "1000", "city": "Ljubljana",
                "country": "si", "vat_id": "SI12345678", "kind": "company"
            }),
        )
        .await;
        assert_eq!(created["email"], "info@novak.si");
        assert_eq!(created["country"], "SI");
        assert_eq!(created["kind"], "company");
        let path = format!("/api/contacts/{}", created["id"].as_str().expect("an id"));
        let read: Value = app.get(&path, &admin).await.json().await.unwrap();
        assert_eq!(read, created, "{engine:?}: what was created reads back");

        let replaced = send(
            &app,
            Method::PUT,
            &path,
            &admin,
            json!({"name": "Ana Novak"}),
        )
        .await;
        assert_eq!(replaced.status(), 200);
        let replaced: Value = replaced.json().await.unwrap();
        assert_eq!(replaced["kind"], "person");
        assert_eq!(
            replaced["email"],
            Value::Null,
            "PUT replaces the whole record"
        );
        assert_eq!(
            app.get(&path, &admin).await.json::<Value>().await.unwrap(),
            replaced
        );

        assert_eq!(delete(&app, &path, &admin).await.status(), 204);
        assert_eq!(error_of(app.get(&path, &admin).await).await.0, 404);
    }
}

#[tokio::test]
async fn lists_page_and_filter_by_name_or_email() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (_, admin) = app.company_with_admin("Shop").await;
        for (name, email) in [
            ("Ana", "ana@shop.si"),
            ("Bojan", "bojan@novak.si"),
            ("Cene Novak", "c@x.si"),
        ] {
            create(&app, &admin, json!({"name": name, "email": email})).await;
        }
        let page: Value = app
            .get("/api/contacts?limit=1&offset=1", &admin)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(page["total"], 3);
        assert_eq!(
            page["items"][0]["name"], "Bojan",
            "{engine:?}: ordered by name"
        );
        assert_eq!(page["items"].as_array().unwrap().len(), 1);

        let found: Value = app
            .get("/api/contacts?q=NOVAK", &admin)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(found["total"], 2, "{engine:?}: name or email, any case");
    }
}

#[tokio::test]
async fn bad_input_is_a_400_naming_the_field() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (_, admin) = app.company_with_admin("Shop").await;
        for (body, field) in [
            (json!({"name": " "}), "name"),
            (json!({"name": "a", "email": "not-an-email"}), "email"),
            (json!({"name": "a", "country": "SVN"}), "country"),
            (json!({"name": "a", "kind": "robot"}), "kind"),
            (json!({"name": "a", "nickname": "x"}), "nickname"),
        ] {
            let (status, _, message) =
                error_of(send(&app, Method::POST, "/api/contacts", &admin, body.clone()).await)
                    .await;
            assert_eq!(status, 400, "{engine:?}: {body}");
            // A rule names its field first; serde names an unknown field.
            let names_it = message.starts_with(&format!("{field}: "))
                || message.contains(&format!("unknown field `{field}`"));
            assert!(names_it, "{engine:?}: {message:?} names {field}");
        }
        let list: Value = app.get("/api/contacts", &admin).await.json().await.unwrap();
        assert_eq!(list["total"], 0, "nothing was stored");
    }
}

#[tokio::test]
async fn another_companys_contact_is_not_found_and_agents_only_read() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (shop, admin) = app.company_with_admin("Shop").await;
        let (_, rival) = app.company_with_admin("Rival").await;
        let contact = create(&app, &admin, json!({"name": "Ana"})).await;
        let path = format!("/api/contacts/{}", contact["id"].as_str().unwrap());

        assert_eq!(error_of(app.get(&path, &rival).await).await.0, 404);
        let body = json!({"name": "Stolen"});
        assert_eq!(
            error_of(send(&app, Method::PUT, &path, &rival, body).await)
                .await
                .0,
            404
        );
        assert_eq!(error_of(delete(&app, &path, &rival).await).await.0, 404);
        let rival_list: Value = app.get("/api/contacts", &rival).await.json().await.unwrap();
        assert_eq!(rival_list["total"], 0);

        let agent = app
            .user_token(&shop, "agent@shop.example", Role::Agent)
            .await;
        assert_eq!(app.get(&path, &agent).await.status(), 200);
        let body = json!({"name": "Changed"});
        assert_eq!(
            error_of(send(&app, Method::POST, "/api/contacts", &agent, body.clone()).await)
                .await
                .0,
            403
        );
        assert_eq!(
            error_of(send(&app, Method::PUT, &path, &agent, body).await)
                .await
                .0,
            403
        );
        assert_eq!(error_of(delete(&app, &path, &agent).await).await.0, 403);
        let read: Value = app.get(&path, &admin).await.json().await.unwrap();
        assert_eq!(read["name"], "Ana", "{engine:?}: nothing changed");
    }
}

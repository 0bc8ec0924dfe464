//! `/api/products`: create, read, list (paging, text filter), replace and delete; exact
//! decimals; validation errors naming the field; 409 on a duplicate code; one company
//! never reaching another's products; agents read but do not change.

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
    let response = send(app, Method::POST, "/api/products", token, body).await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_product_round_trips_with_exact_decimals() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (_, admin) = app.company_with_admin("Shop").await;
        let created = create(
            &app,
            &admin,
            json!({"code": "OIL-1", "name": "Olive oil", "price": "39.90", "vat_rate": 22, "unit": "kos"}),
        )
        .await;
        let id = created["id"].as_str().expect("an id").to_owned();
        assert_eq!(created["price"], "39.90");
        assert_eq!(created["vat_rate"], "22");
        assert_eq!(created["currency"], "EUR");
        assert_eq!(created["active"], true);

        let path = format!("/api/products/{id}");
        let read: Value = app.get(&path, &admin).await.json().await.unwrap();
        assert_eq!(read, created, "{engine:?}: what was created reads back");

        // 0.1 and 0.2, sent as a number and a string, stay exact (no f64 on the way).
        let a = create(
            &app,
            &admin,
            json!({"code": "A", "name": "a", "price": 0.1}),
        )
        .await;
        let b = create(
            &app,
            &admin,
            json!({"code": "B", "name": "b", "price": "0.2"}),
        )
        .await;
        let sum: rust_decimal::Decimal = a["price"]
            .as_str()
            .unwrap()
            .parse::<rust_decimal::Decimal>()
            .unwrap()
            + b["price"]
                .as_str()
                .unwrap()
                .parse::<rust_decimal::Decimal>()
                .unwrap();
        assert_eq!(sum.to_string(), "0.3");

        let replaced = send(
            &app,
            Method::PUT,
            &path,
            &admin,
            json!({"code": "OIL-1", "name": "Olive oil 1 l", "price": "41.5000", "active": false}),
        )
        .await;
        assert_eq!(replaced.status(), 200);
        let replaced: Value = replaced.json().await.unwrap();
        assert_eq!(replaced["name"], "Olive oil 1 l");
        assert_eq!(replaced["price"], "41.5000");
        assert_eq!(replaced["active"], false);
        assert_eq!(
            replaced["unit"],
            Value::Null,
            "PUT replaces the whole record"
        );
        assert_eq!(replaced["created_at"], created["created_at"]);
        let read: Value = app.get(&path, &admin).await.json().await.unwrap();
        assert_eq!(read, replaced);

        let deleted = delete(&app, &path, &admin).await;
        assert_eq!(deleted.status(), 204);
        assert_eq!(error_of(app.get(&path, &admin).await).await.0, 404);
    }
}

#[tokio::test]
async fn lists_page_and_filter_by_name_or_code() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (_, admin) = app.company_with_admin("Shop").await;
        for (code, name) in [
            ("P1", "Olive oil"),
            ("P2", "Sunflower OIL"),
            ("P3", "Salt"),
            ("OILX", "Pepper"),
        ] {
            create(
                &app,
                &admin,
                json!({"code": code, "name": name, "price": 1}),
            )
            .await;
        }
        let page: Value = app
            .get("/api/products?limit=2&offset=1", &admin)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(page["total"], 4);
        let codes: Vec<_> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["code"].clone())
            .collect();
        assert_eq!(
            codes,
            [json!("P1"), json!("P2")],
            "{engine:?}: ordered by code"
        );

        let found: Value = app
            .get("/api/products?q=oil", &admin)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(found["total"], 3, "{engine:?}: name or code, any case");
    }
}

#[tokio::test]
async fn bad_input_is_a_400_naming_the_field_and_a_taken_code_is_a_409() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (_, admin) = app.company_with_admin("Shop").await;
        for (body, field) in [
            (json!({"code": "", "name": "n", "price": 1}), "code"),
            (json!({"code": "c", "name": "", "price": 1}), "name"),
            (json!({"code": "c", "name": "n", "price": "-1"}), "price"),
            (
                json!({"code": "c", "name": "n", "price": "1.23456"}),
                "price",
            ),
            (json!({"code": "c", "name": "n", "price": "ten"}), "price"),
            (
                json!({"code": "c", "name": "n", "price": 1, "currency": "EURO"}),
                "currency",
            ),
            (
                json!({"code": "c", "name": "n", "price": 1, "vat_rate": "100.5"}),
                "vat_rate",
            ),
            (
                json!({"code": "c", "name": "n", "price": 1, "colour": "red"}),
                "colour",
            ),
        ] {
            let (status, _, message) =
                error_of(send(&app, Method::POST, "/api/products", &admin, body.clone()).await)
                    .await;
            assert_eq!(status, 400, "{engine:?}: {body}");
            // A rule names its field first; serde names an unknown field.
            let names_it = message.starts_with(&format!("{field}: "))
                || message.contains(&format!("unknown field `{field}`"));
            assert!(names_it, "{engine:?}: {message:?} names {field}");
        }
        create(
            &app,
            &admin,
            json!({"code": "DUP", "name": "first", "price": 1}),
        )
        .await;
        let (status, code, _) = error_of(
            send(
                &app,
                Method::POST,
                "/api/products",
                &admin,
                json!({"code": "DUP", "name": "second", "price": 2}),
            )
            .await,
        )
        .await;
        assert_eq!((status, code.as_str()), (409, "duplicate_code"));

        let other = create(
            &app,
            &admin,
            json!({"code": "OTHER", "name": "o", "price": 1}),
        )
        .await;
        let path = format!("/api/products/{}", other["id"].as_str().unwrap());
        let taken = send(
            &app,
            Method::PUT,
            &path,
            &admin,
            json!({"code": "DUP", "name": "o", "price": 1}),
        )
        .await;
        assert_eq!(
            error_of(taken).await.0,
            409,
            "{engine:?}: renaming onto a taken code"
        );
    }
}

#[tokio::test]
async fn another_companys_product_is_not_found_and_agents_only_read() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (shop, admin) = app.company_with_admin("Shop").await;
        let (_, rival) = app.company_with_admin("Rival").await;
        let product = create(
            &app,
            &admin,
            json!({"code": "P1", "name": "Oil", "price": 1}),
        )
        .await;
        let path = format!("/api/products/{}", product["id"].as_str().unwrap());

        assert_eq!(error_of(app.get(&path, &rival).await).await.0, 404);
        let body = json!({"code": "P1", "name": "Stolen", "price": 0});
        assert_eq!(
            error_of(send(&app, Method::PUT, &path, &rival, body).await)
                .await
                .0,
            404
        );
        assert_eq!(error_of(delete(&app, &path, &rival).await).await.0, 404);
        let rival_list: Value = app.get("/api/products", &rival).await.json().await.unwrap();
        assert_eq!(rival_list["total"], 0);
        // The same code is free in another company.
        create(
            &app,
            &rival,
            json!({"code": "P1", "name": "Their oil", "price": 2}),
        )
        .await;

        let agent = app
            .user_token(&shop, "agent@shop.example", Role::Agent)
            .await;
        assert_eq!(app.get(&path, &agent).await.status(), 200);
        let body = json!({"code": "P2", "name": "n", "price": 1});
        assert_eq!(
            error_of(send(&app, Method::POST, "/api/products", &agent, body.clone()).await)
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
        assert_eq!(read["name"], "Oil", "{engine:?}: nothing changed");
    }
}

//! `/api/sales-documents`: create, read, list (paging, text, filters), replace and delete;
//! totals computed by the server to the cent; lines copying their product; validation
//! errors naming the field and the line; references only to the company's own contacts and
//! products; 409 on a taken number and on deleting a product or contact a document names;
//! one company never reaching another's documents; agents read but do not change.

mod lists;
mod validation;

use crate::helpers::{TestApp, engines, error_of, spawn_app};
use crm_mind::domain::{CompanyId, Role};
use reqwest::Method;
use serde_json::{Value, json};

/// A company with an admin, a contact and two products.
pub struct Shop {
    pub company: CompanyId,
    pub admin: String,
    pub ana: String,
    pub oil: String,
    pub salt: String,
}

pub async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Value,
) -> reqwest::Response {
    app.request(method, path, Some(token), Some(body)).await
}

pub async fn delete(app: &TestApp, path: &str, token: &str) -> reqwest::Response {
    app.request(Method::DELETE, path, Some(token), None).await
}

pub async fn created_id(app: &TestApp, path: &str, token: &str, body: Value) -> String {
    let response = send(app, Method::POST, path, token, body).await;
    assert_eq!(response.status(), 201, "POST {path}");
    let created: Value = response.json().await.unwrap();
    created["id"].as_str().expect("an id").to_owned()
}

pub async fn shop(app: &TestApp, name: &str) -> Shop {
    let (company, admin) = app.company_with_admin(name).await;
    let ana = created_id(app, "/api/contacts", &admin, json!({"name": "Ana Novak"})).await;
    let oil =
        json!({"code": "OIL", "name": "Olive oil", "price": "19.99", "vat_rate": 22, "unit": "l"});
    let salt = json!({"code": "SALT", "name": "Sea salt", "price": "2.50", "vat_rate": "9.5"});
    Shop {
        oil: created_id(app, "/api/products", &admin, oil).await,
        salt: created_id(app, "/api/products", &admin, salt).await,
        company,
        admin,
        ana,
    }
}

pub async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let response = send(app, Method::POST, "/api/sales-documents", token, body).await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

/// An order of 3 × oil at 10 % off, to `shop`'s contact.
pub fn order(shop: &Shop, number: &str) -> Value {
    json!({
        "doc_type": "sales_order", "number": number, "contact_id": shop.ana, "doc_date": "2024-09-12",
        "lines": [{"product_id": shop.oil, "quantity": 3, "discount_percent": "10"}],
    })
}

#[tokio::test]
async fn a_document_round_trips_with_totals_computed_to_the_cent() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let shop = shop(&app, "Shop").await;
        let created = create(&app, &shop.admin, order(&shop, "2024-00123")).await;
        let line = &created["lines"][0];
        // The line takes the product's code, name, unit, price and VAT rate.
        assert_eq!(
            (&line["code"], &line["name"], &line["unit"]),
            (&json!("OIL"), &json!("Olive oil"), &json!("l"))
        );
        assert_eq!(
            (&line["unit_price"], &line["vat_rate"]),
            (&json!("19.99"), &json!("22"))
        );
        // 3 × 19.99 = 59.97, less 10 % = 53.973 → 53.97; VAT 22 % = 11.8734 → 11.87.
        assert_eq!(line["net_amount"], "53.97", "{engine:?}");
        assert_eq!(
            created["totals"],
            json!({"net": "53.97", "vat": "11.87", "gross": "65.84"})
        );
        assert_eq!(
            (&created["status"], &created["currency"]),
            (&json!("draft"), &json!("EUR"))
        );

        let path = format!("/api/sales-documents/{}", created["id"].as_str().unwrap());
        let read: Value = app.get(&path, &shop.admin).await.json().await.unwrap();
        assert_eq!(read, created, "{engine:?}: what was created reads back");

        // Renaming the product later does not rewrite the issued document.
        let rename = json!({"code": "OIL", "name": "Olive oil (new label)", "price": 25});
        let renamed = send(
            &app,
            Method::PUT,
            &format!("/api/products/{}", shop.oil),
            &shop.admin,
            rename,
        )
        .await;
        assert_eq!(renamed.status(), 200);

        let replacement = json!({
            "doc_type": "sales_order", "number": "2024-00123", "contact_id": shop.ana,
            "doc_date": "2024-09-13", "status": "confirmed", "currency": "usd",
            "lines": [
                {"product_id": shop.salt, "quantity": "2", "unit_price": 3.3333},
                {"product_id": shop.oil, "quantity": "1.5", "vat_rate": 0},
            ],
        });
        let replaced = send(&app, Method::PUT, &path, &shop.admin, replacement).await;
        assert_eq!(replaced.status(), 200);
        let replaced: Value = replaced.json().await.unwrap();
        // Salt 2 × 3.3333 = 6.6666 → 6.67 at 9.5 % (0.633365 → 0.63); oil 1.5 × 25 = 37.50 at 0 %.
        assert_eq!(
            replaced["totals"],
            json!({"net": "44.17", "vat": "0.63", "gross": "44.80"})
        );
        assert_eq!(
            replaced["lines"][1]["name"], "Olive oil (new label)",
            "a replace copies the product again"
        );
        assert_eq!(
            (&replaced["status"], &replaced["currency"]),
            (&json!("confirmed"), &json!("USD"))
        );
        assert_eq!(
            replaced["notes"],
            Value::Null,
            "PUT replaces the whole record"
        );
        assert_eq!(replaced["created_at"], created["created_at"]);
        assert_eq!(
            app.get(&path, &shop.admin)
                .await
                .json::<Value>()
                .await
                .unwrap(),
            replaced
        );

        assert_eq!(delete(&app, &path, &shop.admin).await.status(), 204);
        assert_eq!(error_of(app.get(&path, &shop.admin).await).await.0, 404);
    }
}

#[tokio::test]
async fn another_companys_document_is_not_found_and_agents_only_read() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (shop, rival) = (shop(&app, "Shop").await, shop(&app, "Rival").await);
        let created = create(&app, &shop.admin, order(&shop, "O-1")).await;
        let path = format!("/api/sales-documents/{}", created["id"].as_str().unwrap());

        assert_eq!(error_of(app.get(&path, &rival.admin).await).await.0, 404);
        let theirs = order(&rival, "O-1");
        assert_eq!(
            error_of(send(&app, Method::PUT, &path, &rival.admin, theirs.clone()).await)
                .await
                .0,
            404
        );
        assert_eq!(
            error_of(delete(&app, &path, &rival.admin).await).await.0,
            404
        );
        let rival_list: Value = app
            .get("/api/sales-documents", &rival.admin)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(rival_list["total"], 0, "{engine:?}");
        // The same number is free in another company.
        create(&app, &rival.admin, theirs).await;

        let agent = app
            .user_token(&shop.company, "agent@shop.example", Role::Agent)
            .await;
        assert_eq!(app.get(&path, &agent).await.status(), 200);
        let listed: Value = app
            .get("/api/sales-documents", &agent)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(listed["total"], 1, "{engine:?}: agents read");
        let mut change = order(&shop, "O-9");
        change["status"] = json!("cancelled");
        let post = send(
            &app,
            Method::POST,
            "/api/sales-documents",
            &agent,
            change.clone(),
        )
        .await;
        assert_eq!(error_of(post).await.0, 403);
        assert_eq!(
            error_of(send(&app, Method::PUT, &path, &agent, change).await)
                .await
                .0,
            403
        );
        assert_eq!(error_of(delete(&app, &path, &agent).await).await.0, 403);
        let read: Value = app.get(&path, &shop.admin).await.json().await.unwrap();
        assert_eq!(read, created, "{engine:?}: nothing changed");
    }
}

//! The purchase history the recommendation and insight tests share, on top of the email
//! world (`emails_world`): Janez Horvat (the sender of `03_stock_en.json`) bought a glass
//! kettle; other customers bought it together with a mug and hiking boots (out of stock in
//! the snapshot); another bought only tea; a bigger glass kettle is in the catalogue but
//! was never bought.

use crate::emails_world::World;
use crate::helpers::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

/// The ids of the history's records.
pub struct Customers {
    pub janez: String,
    pub dana: String,
    pub kettle: String,
    pub mug: String,
    pub boots: String,
    pub big_kettle: String,
    pub tea: String,
}

async fn created(app: &TestApp, token: &str, path: &str, body: Value) -> String {
    let response = app
        .request(Method::POST, path, Some(token), Some(body))
        .await;
    assert_eq!(response.status(), 201, "POST {path}");
    let record: Value = response.json().await.unwrap();
    record["id"].as_str().unwrap().to_owned()
}

/// The id of the record of `kind` (`contacts`, `products`) the text filter finds first.
pub async fn id_of(app: &TestApp, token: &str, kind: &str, text: &str) -> String {
    let page: Value = (app.get(&format!("/api/{kind}?q={text}"), token).await)
        .json()
        .await
        .unwrap();
    page["items"][0]["id"].as_str().unwrap().to_owned()
}

/// A shipped order of `contact` on `date` with one unit of each product.
pub async fn order(w: &World, contact: &str, date: &str, products: &[&str]) -> Value {
    let lines: Vec<Value> = (products.iter())
        .map(|p| json!({"product_id": p, "quantity": 1}))
        .collect();
    document(w, "sales_order", "shipped", contact, date, &lines).await
}

pub async fn document(
    w: &World,
    doc_type: &str,
    status: &str,
    contact: &str,
    date: &str,
    lines: &[Value],
) -> Value {
    let body = json!({"doc_type": doc_type, "status": status, "contact_id": contact,
                      "doc_date": date, "lines": lines});
    let response = w
        .app
        .request(
            Method::POST,
            "/api/sales-documents",
            Some(&w.token),
            Some(body),
        )
        .await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

/// Seeds the history into `w`'s company.
pub async fn customers(w: &World) -> Customers {
    let (app, token) = (&w.app, w.token.as_str());
    let janez = id_of(app, token, "contacts", "janez").await;
    let kettle = id_of(app, token, "products", "KT-200").await;
    let mug = id_of(app, token, "products", "MUG-01").await;
    let product =
        |code: &str, name: &str, price: &str| json!({"code": code, "name": name, "price": price});
    let boots = created(
        app,
        token,
        "/api/products",
        product("ALP-42", "Pohodni čevlji Alpina", "129.90"),
    )
    .await;
    let big_kettle = created(
        app,
        token,
        "/api/products",
        product("KT-300", "Glass kettle 2 l", "49.90"),
    )
    .await;
    let tea = created(
        app,
        token,
        "/api/products",
        product("TEA-1", "Green tea", "4.20"),
    )
    .await;
    let contact = |name: &str| json!({"name": name});
    let bor = created(app, token, "/api/contacts", contact("Bor Kralj")).await;
    let cene = created(app, token, "/api/contacts", contact("Cene Zupan")).await;
    let dana = created(app, token, "/api/contacts", contact("Dana Vidmar")).await;

    order(w, &janez, "2024-08-01", &[&kettle]).await;
    order(w, &bor, "2024-08-02", &[&kettle, &mug]).await;
    order(w, &cene, "2024-08-03", &[&kettle, &mug, &boots]).await;
    order(w, &dana, "2024-08-04", &[&tea]).await;
    Customers {
        janez,
        dana,
        kettle,
        mug,
        boots,
        big_kettle,
        tea,
    }
}

//! Metakocka's records in retrieval, end to end against the fake Metakocka: a reindex makes
//! products (with stock), partners and recent orders searchable with `source = metakocka`;
//! a re-run embeds only what changed and drops what vanished; a failing Metakocka keeps the
//! old knowledge and logs why; a partner never reaches a public comment reply's prompt but
//! does reach a Messenger one; and no company sees another's Metakocka data.

use crate::fake_metakocka::{COMPANY_ID, FakeMetakocka, SECRET_KEY};
use crate::helpers::{TestApp, engines, error_of};
use crate::metakocka_connection::{app_with_fake, save_credentials};
use chrono::Utc;
use crm_mind::domain::{CompanyId, Role};
use reqwest::Method;
use serde_json::{Map, Value, json};

const REINDEX: &str = "/api/integrations/metakocka/knowledge/reindex";
const PAGE: &str = "555000222";
const PARTNER_EMAIL: &str = "nika.zupan@example.si";

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => unreachable!("records are objects"),
    }
}

/// Metakocka company `mk_company`: the Trail Runner GTX (TR-42, 12 in the main warehouse,
/// 129,90 EUR) and a Rain Jacket (RJ-7, none in stock), partner Nika Zupan, her order of
/// today, and an order of 2019 (outside the 90-day window).
fn seed_books(fake: &FakeMetakocka, mk_company: &str) {
    let main = fake.seed_warehouse(mk_company, "MAIN", "Main warehouse");
    fake.with_books(mk_company, |books| {
        for (code, name, price) in [
            ("TR-42", "Trail Runner GTX", "129,90"),
            ("RJ-7", "Rain Jacket", "59,00"),
        ] {
            let mk_id = books.next_id();
            books.products.push(object(json!({
                "count_code": format!("PA_{code}_PA"), "mk_id": mk_id, "code": code,
                "name": name, "unit": "kos", "sales": "true",
                "pricelist": [{"count_code": "PC_1_PC", "title": "Maloprodaja",
                               "price_def": {"price_with_tax": price},
                               "sales_purchase": "sales", "currency_code": "EUR"}],
            })));
        }
        let (partner, contact) = (books.next_id(), books.next_id());
        books.partners.push(object(json!({
            "mk_id": partner, "business_entity": "false", "customer": "Nika Zupan",
            "count_code": "501", "partner_contact_list": [{
                "mk_id": contact, "name": "Nika Zupan", "email": PARTNER_EMAIL, "gsm": "041222333",
            }],
        })));
        let today = format!("{}+01:00", Utc::now().date_naive());
        for (date, buyer_order) in [
            (today.as_str(), "WEB-7781"),
            ("2019-03-01+01:00", "WEB-0001"),
        ] {
            books
                .put_document(&object(json!({
                    "doc_type": "sales_order", "doc_date": date, "buyer_order": buyer_order,
                    "status_code": "V pripravi",
                    "partner": {"mk_id": partner, "customer": "Nika Zupan"},
                    "product_list": [{"code": "TR-42", "name": "Trail Runner GTX", "amount": "1",
                                      "price": "106,48"}],
                })))
                .expect("a known document type");
        }
    });
    fake.seed_stock(mk_company, "TR-42", &main, "12", None);
}

async fn reindex(app: &TestApp, token: &str) -> reqwest::Response {
    app.request(Method::POST, REINDEX, Some(token), None).await
}

async fn reindexed(app: &TestApp, token: &str) -> Value {
    let response = reindex(app, token).await;
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 200, "{body}");
    body
}

async fn search(app: &TestApp, token: &str, page: &str, query: &str) -> Vec<Value> {
    let q: String = url::form_urlencoded::byte_serialize(query.as_bytes()).collect();
    let response = app
        .get(
            &format!("/api/dashboard/rag/search?page_id={page}&q={q}&k=10"),
            token,
        )
        .await;
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 200, "{body}");
    body["hits"].as_array().cloned().unwrap_or_default()
}

fn counts(summary: &Value) -> (u64, u64, u64) {
    let n = |key: &str| {
        summary[key]
            .as_u64()
            .unwrap_or_else(|| panic!("{key} in {summary}"))
    };
    (
        n("chunks_embedded"),
        n("chunks_removed"),
        n("chunks_unchanged"),
    )
}

/// An app on the fake with a company, its admin, a page and the organisation's credentials.
async fn shop(
    fake: &FakeMetakocka,
    engine: crate::helpers::Engine,
) -> (TestApp, CompanyId, String) {
    let app = app_with_fake(engine, fake).await;
    assert!(
        app.state.metakocka_knowledge.is_some(),
        "retrieval runs (models present)"
    );
    let (company, admin) = app.company_with_admin("Shop").await;
    assert_eq!(app.register_page(&admin, PAGE).await.status(), 201);
    save_credentials(&app, &admin, "organization", COMPANY_ID, SECRET_KEY).await;
    (app, company, admin)
}

#[tokio::test]
async fn metakocka_records_are_searchable_and_reindexing_embeds_only_changes() {
    let fake = FakeMetakocka::start().await;
    seed_books(&fake, COMPANY_ID);
    for engine in engines() {
        let (app, company, admin) = shop(&fake, engine).await;
        let second_page = "555000223";
        assert_eq!(app.register_page(&admin, second_page).await.status(), 201);
        let summary = reindexed(&app, &admin).await;
        assert_eq!(summary["pages"], 2, "{engine:?}");
        assert_eq!(
            (
                &summary["products"],
                &summary["partners"],
                &summary["documents"]
            ),
            (&json!(2), &json!(1), &json!(1)),
            "{engine:?}: the 2019 order is outside the window: {summary}"
        );
        assert_eq!(
            counts(&summary),
            (4, 0, 0),
            "{engine:?}: one chunk per record, embedded once for both pages"
        );

        let hits = search(&app, &admin, PAGE, "Is the Trail Runner GTX in stock?").await;
        // The product's record is among the best three (the order that sold one may rank too).
        let best = (hits.iter().take(3))
            .find(|h| h["path"].as_str().unwrap().starts_with("products["))
            .unwrap_or_else(|| panic!("{engine:?}: the product in the top 3: {hits:?}"));
        assert_eq!(best["source"], "metakocka", "{engine:?}: {hits:?}");
        assert_eq!(best["private"], false, "{engine:?}");
        let text = best["text"].as_str().unwrap();
        for fact in [
            "TR-42",
            "in_stock: yes",
            "amount: 12",
            "Main warehouse",
            "129.9",
        ] {
            assert!(
                text.contains(fact),
                "{engine:?}: {fact} missing from {text}"
            );
        }
        let on_second = search(&app, &admin, second_page, "Trail Runner GTX TR-42").await;
        assert!(
            (on_second.iter()).any(|h| h["text"].as_str().unwrap().contains("TR-42")),
            "{engine:?}: every page of the company: {on_second:?}"
        );
        let hits = search(&app, &admin, PAGE, PARTNER_EMAIL).await;
        let partner = hits
            .iter()
            .find(|h| h["text"].as_str().unwrap().contains(PARTNER_EMAIL))
            .unwrap_or_else(|| panic!("{engine:?}: the partner is searchable: {hits:?}"));
        assert_eq!(
            (&partner["source"], &partner["private"]),
            (&json!("metakocka"), &json!(true)),
            "{engine:?}"
        );
        let order = search(&app, &admin, PAGE, "order WEB-7781").await;
        assert!(
            order[0]["text"].as_str().unwrap().contains("WEB-7781"),
            "{engine:?}: {order:?}"
        );
        assert_eq!(order[0]["private"], true, "{engine:?}");

        // Nothing changed: nothing embedded.
        assert_eq!(
            counts(&reindexed(&app, &admin).await),
            (0, 0, 8),
            "{engine:?}"
        );

        // A price change re-embeds that product alone.
        fake.with_books(COMPANY_ID, |books| {
            let product = books
                .products
                .iter_mut()
                .find(|p| p["code"] == "RJ-7")
                .unwrap();
            product["pricelist"][0]["price_def"]["price_with_tax"] = json!("49,00");
        });
        assert_eq!(
            counts(&reindexed(&app, &admin).await),
            (1, 0, 6),
            "{engine:?}: that product alone, embedded once for both pages"
        );
        let hits = search(&app, &admin, PAGE, "Rain Jacket price").await;
        assert!(
            hits[0]["text"].as_str().unwrap().contains("price: 49"),
            "{engine:?}: {hits:?}"
        );

        // A product removed in Metakocka leaves retrieval.
        let removed = fake.with_books(COMPANY_ID, |books| {
            let at = books
                .products
                .iter()
                .position(|p| p["code"] == "RJ-7")
                .unwrap();
            books.products.remove(at)
        });
        assert_eq!(
            counts(&reindexed(&app, &admin).await),
            (0, 2, 6),
            "{engine:?}: gone from both pages"
        );
        let hits = search(&app, &admin, PAGE, "Rain Jacket RJ-7").await;
        assert!(
            hits.iter()
                .all(|h| !h["text"].as_str().unwrap().contains("RJ-7")),
            "{engine:?}: {hits:?}"
        );
        fake.with_books(COMPANY_ID, |books| books.products.push(removed));
        fake.with_books(COMPANY_ID, |books| {
            let product = books
                .products
                .iter_mut()
                .find(|p| p["code"] == "RJ-7")
                .unwrap();
            product["pricelist"][0]["price_def"]["price_with_tax"] = json!("59,00");
        });

        // Reindexing is the admins'.
        let agent = format!("agent-{}@example.com", uuid::Uuid::new_v4().simple());
        let agent = app.user_token(&company, &agent, Role::Agent).await;
        assert_eq!(
            error_of(reindex(&app, &agent).await).await.0,
            403,
            "{engine:?}"
        );
    }
}

#[tokio::test]
async fn a_failing_metakocka_keeps_the_indexed_data_and_logs_the_error() {
    let fake = FakeMetakocka::start().await;
    seed_books(&fake, COMPANY_ID);
    for engine in engines() {
        let (app, _, admin) = shop(&fake, engine).await;
        reindexed(&app, &admin).await;
        let before = search(&app, &admin, PAGE, "Trail Runner GTX stock").await;

        // The organisation's key was rotated in Metakocka: every call is refused.
        fake.add_company(COMPANY_ID, "rotated-key-4242");
        let (status, code, message) = error_of(reindex(&app, &admin).await).await;
        assert_eq!(
            (status, code.as_str()),
            (502, "metakocka_failed"),
            "{engine:?}"
        );
        assert!(!message.contains(SECRET_KEY), "{message}");
        let after = search(&app, &admin, PAGE, "Trail Runner GTX stock").await;
        assert_eq!(
            texts(&after),
            texts(&before),
            "{engine:?}: the old knowledge stays"
        );

        let logs: Value = app
            .get("/api/integrations/metakocka/logs?category=auth", &admin)
            .await
            .json()
            .await
            .unwrap();
        let entry = &logs["items"][0];
        assert!(
            entry["operation"]
                .as_str()
                .unwrap()
                .starts_with("reindex_knowledge"),
            "{engine:?}: {logs}"
        );
        assert_eq!(entry["status"], "open", "{engine:?}");
        fake.add_company(COMPANY_ID, SECRET_KEY);
    }
}

fn texts(hits: &[Value]) -> Vec<&str> {
    hits.iter().map(|h| h["text"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn company_b_never_sees_company_a_metakocka_data() {
    let fake = FakeMetakocka::start().await;
    seed_books(&fake, COMPANY_ID);
    let b_key = "company-b-key-0077";
    fake.add_company("77", b_key);
    fake.seed_products("77", 1);
    for engine in engines() {
        let (app, _, admin_a) = shop(&fake, engine).await;
        let (_, admin_b) = app.company_with_admin("B").await;
        let page_b = "555000333";
        assert_eq!(app.register_page(&admin_b, page_b).await.status(), 201);
        save_credentials(&app, &admin_b, "organization", "77", b_key).await;
        reindexed(&app, &admin_a).await;
        let summary_b = reindexed(&app, &admin_b).await;
        assert_eq!(
            summary_b["records"], 1,
            "{engine:?}: B's own Metakocka only"
        );

        let hits = search(&app, &admin_b, page_b, "Trail Runner GTX TR-42").await;
        assert!(
            hits.iter()
                .all(|h| !h["text"].as_str().unwrap().contains("TR-42")),
            "{engine:?}: {hits:?}"
        );
        let hits = search(&app, &admin_b, page_b, PARTNER_EMAIL).await;
        assert!(
            hits.iter()
                .all(|h| !h["text"].as_str().unwrap().contains(PARTNER_EMAIL)),
            "{engine:?}: {hits:?}"
        );
        let other_page = app
            .get(
                &format!("/api/dashboard/rag/search?page_id={PAGE}&q=TR-42"),
                &admin_b,
            )
            .await;
        assert_eq!(other_page.status(), 404, "{engine:?}");
        // A's data is untouched by B's reindex.
        let hits = search(&app, &admin_a, PAGE, "Trail Runner GTX TR-42").await;
        assert!(
            hits[0]["text"].as_str().unwrap().contains("TR-42"),
            "{engine:?}"
        );
    }
}

#[tokio::test]
async fn an_inventory_refresh_reindexes_in_the_background() {
    let fake = FakeMetakocka::start().await;
    seed_books(&fake, COMPANY_ID);
    for engine in engines() {
        let (app, _, admin) = shop(&fake, engine).await;
        let refreshed = app
            .request(
                Method::POST,
                "/api/integrations/metakocka/inventory/refresh",
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(refreshed.status(), 200, "{engine:?}");
        let mut found = Vec::new();
        for _ in 0..200 {
            found = search(&app, &admin, PAGE, "Trail Runner GTX TR-42").await;
            if found.iter().any(|h| h["source"] == "metakocka") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        assert!(
            found.iter().any(|h| h["source"] == "metakocka"),
            "{engine:?}: {found:?}"
        );
    }
}

/// A public comment's prompt never holds a partner's name or email, whatever is asked; a
/// Messenger conversation (private to the customer) may use them.
#[tokio::test]
async fn a_partner_reaches_a_messenger_prompt_but_never_a_comment_prompt() {
    use crate::fake_chat::{FakeChat, Reply};
    use crate::fake_graph::COMMENT_ID;
    let fake = FakeMetakocka::start().await;
    seed_books(&fake, COMPANY_ID);
    for engine in engines() {
        let chat = FakeChat::start(vec![Reply::completion("Thank you for asking!")]).await;
        let chat_settings = chat.settings();
        let base_url = fake.base_url.clone();
        let h = crate::replies::harness_with(engine, &[], |settings| {
            settings.llm_base_url = Some(chat_settings.base_url);
            settings.llm_api_key = chat_settings.api_key;
            settings.metakocka_base_url = base_url;
        })
        .await;
        save_credentials(&h.app, &h.token, "organization", COMPANY_ID, SECRET_KEY).await;
        reindexed(&h.app, &h.token).await;
        let question = "Zupan order WEB-7781 Trail Runner GTX";

        h.deliver(&crate::replies::comment(COMMENT_ID, question))
            .await;
        assert_eq!(h.reply_to(question).await["status"], "sent", "{engine:?}");
        let comment_prompt = chat.seen().last().unwrap().body.to_string();
        assert!(
            comment_prompt.contains("TR-42"),
            "{engine:?}: products are public: {comment_prompt}"
        );
        for private in [PARTNER_EMAIL, "Nika", "041222333"] {
            assert!(
                !comment_prompt.contains(private),
                "{engine:?}: {private} in a public comment's prompt: {comment_prompt}"
            );
        }

        let question = "Zupan order WEB-7781: when does it ship?";
        h.deliver(&crate::replies::message("mid.mk1", question))
            .await;
        h.reply_to(question).await;
        let messenger_prompt = chat.seen().last().unwrap().body.to_string();
        assert!(
            messenger_prompt.contains(PARTNER_EMAIL) && messenger_prompt.contains("WEB-7781"),
            "{engine:?}: Messenger may use the partner and the order: {messenger_prompt}"
        );
    }
}

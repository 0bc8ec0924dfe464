//! The admin console in a real headless Chromium: what an operator does on a normal day,
//! from signing in to exporting the error log, against fake Facebook, CRM and Metakocka
//! services. Screenshots of the main pages land in `docs/screenshots/`.

mod admin {
    pub mod browser;
    pub mod steps;
    #[allow(dead_code)] // `admin_browser_sync.rs` uses the rest of it
    pub mod webdriver;
}
#[allow(dead_code)]
#[path = "api/fake_crm.rs"]
mod fake_crm;
#[allow(dead_code)]
#[path = "graph_api/fake_graph.rs"]
mod fake_graph;
#[path = "support/fake_metakocka.rs"]
mod fake_metakocka;
#[allow(dead_code)]
#[path = "api/helpers.rs"]
mod helpers;

use admin::browser::{self, screenshot};
use admin::steps::{
    PATIENCE, click_button, css, flash_says, sign_in, sign_out, text_of, wait_until_shown,
};
use admin::webdriver::By;
use chrono::Utc;
use crm_mind::domain::Role;
use crm_mind::metakocka::error_log::{EntityType, ErrorCategory, NewError};
use fake_crm::FakeCrm;
use fake_graph::{FakeGraph, PAGE_ID, PAGE_TOKEN, PSID};
use fake_metakocka::{COMPANY_ID, FakeMetakocka, SECRET_KEY};
use helpers::{Engine, PASSWORD, spawn_app_with};
use serde_json::json;
use std::time::Duration;

fn shop_data() -> serde_json::Value {
    json!({
        "orders": [
            {"number": "2024-00123", "status": "shipped", "carrier": "Pošta Slovenije", "tracking": "PS123456789SI"}
        ],
        "products": [
            {"sku": "KET-RED-1", "name": "Red kettle", "price": "39.90 EUR", "stock": 4}
        ]
    })
}

#[tokio::test]
async fn an_operators_day_in_the_console() {
    let Some(browser) = browser::launch().await else {
        return;
    };
    let graph = FakeGraph::start().await;
    let metakocka = FakeMetakocka::start().await;
    let crm = FakeCrm::start(shop_data()).await;
    let (graph_url, metakocka_url) = (graph.base_url.clone(), metakocka.base_url.clone());
    let app = spawn_app_with(Engine::Sqlite, move |settings| {
        settings.graph_api_base_url = graph_url;
        settings.graph_retry_base_ms = 1;
        settings.metakocka_base_url = metakocka_url;
    })
    .await;
    assert!(
        app.state.retrieval.is_some(),
        "retrieval is on: the models are in CRM_MIND_MODELS_DIR (scripts/test sets it)"
    );
    let (company, token) = app.company_with_admin("Kettle Shop d.o.o.").await;
    app.state
        .accounts
        .create_user(
            &company,
            "operator@example.com",
            &PASSWORD.to_owned().into(),
            Role::Admin,
        )
        .await
        .unwrap();
    app.state
        .accounts
        .create_user(
            &company,
            "agent@example.com",
            &PASSWORD.to_owned().into(),
            Role::Agent,
        )
        .await
        .unwrap();
    let registered = app
        .request(
            reqwest::Method::POST,
            "/api/dashboard/pages",
            Some(&token),
            Some(
                json!({"page_id": PAGE_ID, "page_name": "Kettle Shop", "access_token": PAGE_TOKEN}),
            ),
        )
        .await;
    assert_eq!(registered.status(), 201);
    let worker = app.state.replies.as_ref().expect("replies are on").spawn();
    let client = &browser.client;

    // Sign in.
    client
        .goto(&format!("{}/admin/login", app.address))
        .await
        .unwrap();
    sign_in(client, &app, "operator@example.com").await;

    // Add a CRM link served by the fake CRM, sync it, and watch the run finish.
    client
        .goto(&format!("{}/admin/pages/{PAGE_ID}", app.address))
        .await
        .unwrap();
    css(client, "#link-name")
        .await
        .send_keys("Shop CRM")
        .await
        .unwrap();
    css(client, "#link-url")
        .await
        .send_keys(&crm.url)
        .await
        .unwrap();
    css(client, "input[name=channels][value=messenger]")
        .await
        .click()
        .await
        .unwrap();
    click_button(client, "//form[contains(@action, '/links')]", "Add link").await;
    flash_says(client, "CRM link \u{201c}Shop CRM\u{201d} added.").await;
    let row = "//tr[@data-link-name='Shop CRM']";
    let indexed = format!(
        "{row}//div[contains(@class,'link-status') and not(@data-running)][.//span[contains(@class,'state-indexed')]]"
    );
    // Adding an active link fetches it at once: reload until that first run has finished.
    let mut first_run = None;
    for _ in 0..(PATIENCE.as_millis() / 200) {
        if let Ok(cell) = client.find(By::XPath(&indexed)).await {
            first_run = Some(cell.text().await.unwrap());
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        client.refresh().await.unwrap();
    }
    let Some(first_run) = first_run else {
        let page = client.source().await.unwrap_or_default();
        panic!("the new link's first run never finished; the page:\n{page}");
    };
    assert!(first_run.contains("chunk"), "{first_run}");
    assert!(!first_run.contains(" 0 chunks"), "{first_run}");
    // "Sync now" updates the cell in place: a value set on this page survives (no reload).
    client
        .execute("window.stillThisPage = true;")
        .await
        .unwrap();
    // The CRM has a new order now; the run after "Sync now" indexes more chunks.
    let mut more = shop_data();
    more["orders"].as_array_mut().unwrap().push(json!(
        {"number": "2024-00124", "status": "packed", "carrier": "GLS", "tracking": "GLS998877"}
    ));
    crm.serve_json(more);
    click_button(client, row, "Sync now").await;
    let mut after = None;
    for _ in 0..(PATIENCE.as_millis() / 100) {
        if let Ok(cell) = client.find(By::XPath(&indexed)).await {
            if let Ok(text) = cell.text().await {
                if text != first_run {
                    after = Some(text);
                    break;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let status = after.expect("the status cell shows the new run");
    assert!(
        status.contains("chunk") && status.contains("last run succeeded"),
        "{status}"
    );
    let same_page = client
        .execute("return window.stillThisPage === true;")
        .await
        .unwrap();
    assert_eq!(
        same_page,
        json!(true),
        "the status updated without a reload"
    );
    screenshot(client, "links").await;

    // Search the knowledge.
    client
        .goto(&format!("{}/admin/search", app.address))
        .await
        .unwrap();
    css(client, "#s-channel")
        .await
        .select_by_value("messenger")
        .await
        .unwrap();
    css(client, "#s-q")
        .await
        .send_keys("Where is order 2024-00123?")
        .await
        .unwrap();
    click_button(client, "//form[@role='search']", "Search").await;
    let hit = text_of(client, "ol.hits li").await;
    assert!(hit.contains("PS123456789SI"), "{hit}");
    assert!(hit.contains("Shop CRM"), "the hit names its source: {hit}");
    screenshot(client, "search").await;

    // A customer writes on Messenger; the answer and its facts appear on the replies page.
    let now = Utc::now().timestamp_millis();
    let message = json!({"object": "page", "entry": [{"id": PAGE_ID, "time": now, "messaging": [{
        "sender": {"id": PSID}, "recipient": {"id": PAGE_ID}, "timestamp": now,
        "message": {"mid": "m_browser_1", "text": "Where is my order 2024-00123?"}}]}]});
    let delivered = app
        .post_webhook(&serde_json::to_vec(&message).unwrap())
        .await;
    assert_eq!(delivered.status(), 200);
    let mut answered = None;
    for _ in 0..(PATIENCE.as_millis() / 100) {
        client
            .goto(&format!("{}/admin/replies", app.address))
            .await
            .unwrap();
        let source = client.source().await.unwrap();
        if source.contains("state-sent") {
            answered = Some(source);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let replies_html = answered.expect("the Messenger message is answered");
    assert!(replies_html.contains("Where is my order 2024-00123?"));
    css(client, "article.reply details summary")
        .await
        .click()
        .await
        .unwrap();
    let facts = text_of(client, "article.reply .facts").await;
    assert!(
        facts.contains("PS123456789SI"),
        "the facts the answer used: {facts}"
    );
    screenshot(client, "replies").await;

    // Toggle the link off.
    client
        .goto(&format!("{}/admin/pages/{PAGE_ID}", app.address))
        .await
        .unwrap();
    click_button(client, row, "Deactivate").await;
    flash_says(client, "Link deactivated").await;
    let badge = client
        .find(By::XPath(&format!(
            "{row}//span[contains(@class,'badge')][1]"
        )))
        .await
        .unwrap();
    assert_eq!(badge.text().await.unwrap(), "inactive");
    click_button(client, row, "Activate").await;
    flash_says(client, "Link activated").await;

    // Metakocka credentials: a wrong key shows Metakocka's own words, the right one works.
    client
        .goto(&format!("{}/admin/integrations/metakocka", app.address))
        .await
        .unwrap();
    css(client, "#mk-company")
        .await
        .send_keys(COMPANY_ID)
        .await
        .unwrap();
    css(client, "#mk-secret")
        .await
        .send_keys("8899-not-the-right-key")
        .await
        .unwrap();
    click_button(
        client,
        "//form[contains(@action,'/credentials')]",
        "Save credentials",
    )
    .await;
    flash_says(client, "Metakocka credentials saved.").await;
    click_button(
        client,
        "//form[contains(@action,'/test')]",
        "Test connection",
    )
    .await;
    let test_result = "//*[@id='mk-test-result']";
    wait_until_shown(client, test_result, "Wrong secret_key or company_id").await;
    css(client, "#mk-company")
        .await
        .send_keys(COMPANY_ID)
        .await
        .unwrap();
    css(client, "#mk-secret")
        .await
        .send_keys(SECRET_KEY)
        .await
        .unwrap();
    click_button(
        client,
        "//form[contains(@action,'/credentials')]",
        "Save credentials",
    )
    .await;
    flash_says(client, "Metakocka credentials saved.").await;
    click_button(
        client,
        "//form[contains(@action,'/test')]",
        "Test connection",
    )
    .await;
    wait_until_shown(client, test_result, "Connection works").await;
    screenshot(client, "metakocka").await;

    // The failed test is in the error log: resolve it with a note, then export the CSV.
    app.state
        .metakocka_errors
        .record(NewError {
            company_id: company.clone(),
            user_id: None,
            category: ErrorCategory::Validation,
            entity_type: EntityType::Product,
            entity_id: Some("KET-RED-1".into()),
            operation: "product_add".into(),
            message: "Product code is missing".into(),
            details: json!({}),
        })
        .await;
    client
        .goto(&format!("{}/admin/errors?status=open", app.address))
        .await
        .unwrap();
    screenshot(client, "errors").await;
    let wrong_key = "//tr[td[contains(., 'Wrong secret_key')]]";
    css(client, "tr[data-error-id] input[name=notes]").await;
    client
        .find(By::XPath(&format!("{wrong_key}//input[@name='notes']")))
        .await
        .unwrap()
        .send_keys("typo in the key, fixed")
        .await
        .unwrap();
    click_button(client, wrong_key, "Resolve").await;
    flash_says(client, "Error resolved.").await;
    let export = css(client, "a[href^='/admin/errors/export.csv']").await;
    let href = export.attr("href").await.unwrap().expect("an export link");
    let cookie = client.cookie("crm_mind_admin").await.unwrap();
    let csv = reqwest::Client::new()
        .get(format!("{}{href}", app.address))
        .header("cookie", format!("crm_mind_admin={cookie}"))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    let csv = csv.text().await.unwrap();
    assert!(csv.contains("typo in the key, fixed"), "{csv}");
    assert!(csv.contains("Product code is missing"));

    // The dashboard shows it all.
    client
        .goto(&format!("{}/admin", app.address))
        .await
        .unwrap();
    assert!(client.source().await.unwrap().contains("Shop CRM"));
    screenshot(client, "dashboard").await;

    // An agent sees the link but cannot change it.
    sign_out(client).await;
    sign_in(client, &app, "agent@example.com").await;
    client
        .goto(&format!("{}/admin/pages/{PAGE_ID}", app.address))
        .await
        .unwrap();
    css(client, ".notice").await;
    let row_text = client
        .find(By::XPath(row))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(row_text.contains("Shop CRM"));
    for label in ["Deactivate", "Activate", "Sync now"] {
        assert!(
            !row_text.contains(label),
            "an agent sees {label:?}: {row_text}"
        );
    }
    assert!(
        client.find(By::Css("#link-name")).await.is_err(),
        "no add form for agents"
    );

    worker.shutdown().await;
    browser.client.close().await.unwrap();
}

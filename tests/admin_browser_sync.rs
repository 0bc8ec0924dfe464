//! The Metakocka sync page in a real headless Chromium: an operator selects every product
//! with "select all", syncs them to the fake Metakocka with one button, and sees each
//! mapping status turn "synced" with its Metakocka id, without reloading by hand; the page
//! fits a phone-width screen. A screenshot of the page lands in `docs/screenshots/`.

// Shared with `admin_browser.rs`, which uses the rest of them.
mod admin {
    pub mod browser;
    #[allow(dead_code)]
    pub mod steps;
    #[allow(dead_code)]
    pub mod webdriver;
}
#[path = "support/fake_metakocka.rs"]
mod fake_metakocka;
#[allow(dead_code)]
#[path = "api/helpers.rs"]
mod helpers;

use admin::browser::{self, screenshot};
use admin::steps::{PATIENCE, click_button, css, flash_says, sign_in, wait_until_shown};
use admin::webdriver::By;
use crm_mind::domain::Role;
use fake_metakocka::FakeMetakocka;
use helpers::{Engine, PASSWORD, spawn_app_with};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn bulk_selected_products_sync_and_their_statuses_turn_synced() {
    let Some(browser) = browser::launch().await else {
        return;
    };
    let metakocka = FakeMetakocka::start().await;
    let (mk_company, mk_key) = ("4242", "browser-sync-key");
    metakocka.add_company(mk_company, mk_key);
    metakocka.seed_products(mk_company, 1);
    let metakocka_url = metakocka.base_url.clone();
    let app = spawn_app_with(Engine::Sqlite, move |settings| {
        settings.metakocka_base_url = metakocka_url;
    })
    .await;
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
    let saved = app
        .request(
            Method::POST,
            "/api/metakocka/credentials",
            Some(&token),
            Some(json!({"company_id": mk_company, "secret_key": mk_key, "scope": "organization"})),
        )
        .await;
    assert_eq!(saved.status(), 200);
    for (code, name, price) in [
        ("KET-RED-1", "Red kettle", "39.90"),
        ("KET-BLU-1", "Blue kettle", "41.90"),
        ("MUG-01", "Ceramic mug", "8.50"),
    ] {
        let created = app
            .request(
                Method::POST,
                "/api/products",
                Some(&token),
                Some(json!({"code": code, "name": name, "price": price, "unit": "kos"})),
            )
            .await;
        assert_eq!(created.status(), 201);
    }
    let client = &browser.client;
    sign_in(client, &app, "operator@example.com").await;

    client
        .goto(&format!(
            "{}/admin/integrations/metakocka/sync/products",
            app.address
        ))
        .await
        .unwrap();
    wait_until_shown(client, "//h1", "Metakocka sync: products").await;
    wait_until_shown(
        client,
        "//*[@id='mk-unsynced']",
        "1 product in Metakocka not mapped to crm-mind yet",
    )
    .await;
    let statuses =
        "//table[contains(@class,'mk-records')]//span[contains(@class,'mapping-status')]";
    assert_eq!(client_texts(client, statuses).await, ["not synced"; 3]);

    // "Select all" is the page script's: it ticks every row, then one button syncs them.
    css(client, "#mk-select-all").await.click().await.unwrap();
    let ticked = client
        .execute(
            "return Array.from(document.querySelectorAll('input[name=ids]')).filter(b => b.checked).length;",
        )
        .await
        .unwrap();
    assert_eq!(ticked, json!(3), "every row is selected");
    click_button(
        client,
        "//div[contains(@class,'bulk-actions')]",
        "Sync selected",
    )
    .await;
    flash_says(client, "Syncing 3 selected products to Metakocka.").await;

    // The run goes on in the background; the page follows it and shows the new statuses.
    let all_synced = "//table[contains(@class,'mk-records')][not(.//span[contains(@class,'mapping-status')][normalize-space(.)!='synced'])]";
    if let Err(e) = client.wait_for(By::XPath(all_synced), PATIENCE).await {
        let page = client.source().await.unwrap_or_default();
        panic!("the statuses never all turned synced ({e:?}); the page:\n{page}");
    }
    assert_eq!(client_texts(client, statuses).await, ["synced"; 3]);
    let ids = client_texts(client, "//tr[@data-crm-id]/td[4]").await;
    assert!(
        ids.iter().all(|id| !id.is_empty() && id != "—"),
        "each row shows its Metakocka id: {ids:?}"
    );
    wait_until_shown(client, "//*[contains(@class,'mk-processed')]", "3 of 3").await;
    assert_eq!(
        metakocka.with_books(mk_company, |books| books.products.len()),
        4,
        "the three products were created in Metakocka"
    );
    screenshot(client, "metakocka_sync").await;

    // At phone width the page still fits: no sideways scrolling on the sync and settings pages.
    client.set_window_size(390, 844).await.unwrap();
    for path in ["sync/products", "settings"] {
        client
            .goto(&format!(
                "{}/admin/integrations/metakocka/{path}",
                app.address
            ))
            .await
            .unwrap();
        css(client, "main form").await;
        let measured = client
            .execute(
                "const d = document.documentElement; return [d.scrollWidth - d.clientWidth, window.innerWidth];",
            )
            .await
            .unwrap();
        let (overflow, width) = (measured[0].as_i64(), measured[1].as_i64());
        assert!(
            width.is_some_and(|w| w < 500),
            "a phone-width window: {measured}"
        );
        assert!(
            overflow.is_some_and(|px| px <= 0),
            "{path} scrolls sideways at phone width: {measured}"
        );
    }

    browser.client.close().await.unwrap();
}

/// The visible text of every element `xpath` matches, in page order.
async fn client_texts(client: &admin::webdriver::Session, xpath: &str) -> Vec<String> {
    let found = client
        .execute(&format!(
            "const r = document.evaluate(\"{xpath}\", document, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null); \
             const out = []; for (let i = 0; i < r.snapshotLength; i++) out.push(r.snapshotItem(i).innerText.trim()); return out;"
        ))
        .await
        .unwrap();
    serde_json::from_value(found).unwrap()
}

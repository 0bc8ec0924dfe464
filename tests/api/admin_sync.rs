//! The console's Metakocka sync pages over HTTP, against the fake Metakocka: bulk-selected
//! products sync in the background and show as synced with their Metakocka ids, a row's
//! own button syncs one record, the count of Metakocka records not mapped yet, the history,
//! the settings form's validation, conflicts resolved by choosing a side, and agents
//! reading without changing.

use crate::admin_console::Console;
use crate::fake_metakocka::FakeMetakocka;
use crate::helpers::{PASSWORD, TestApp, engines};
use crate::metakocka_sync_products::{create_product, synced_app};
use crm_mind::domain::Role;
use reqwest::header::LOCATION;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PRODUCTS: &str = "/admin/integrations/metakocka/sync/products";

/// An admin and an agent of `company` signed in to the console.
pub(crate) async fn consoles(
    app: &TestApp,
    company: &crm_mind::domain::CompanyId,
) -> (Console, Console) {
    let admin = format!("op-{}@example.com", uuid::Uuid::new_v4().simple());
    let agent = format!("agent-{}@example.com", uuid::Uuid::new_v4().simple());
    app.user_token(company, &admin, Role::Admin).await;
    app.user_token(company, &agent, Role::Agent).await;
    (
        Console::sign_in(app, &admin, PASSWORD).await,
        Console::sign_in(app, &agent, PASSWORD).await,
    )
}

/// The table row of the record `crm_id` in a sync page's HTML.
fn row<'a>(html: &'a str, crm_id: &str) -> &'a str {
    let at = html
        .find(&format!("data-crm-id=\"{crm_id}\""))
        .unwrap_or_else(|| panic!("no row for {crm_id}"));
    let end = html[at..].find("</tr>").map_or(html.len(), |e| at + e);
    &html[at..end]
}

fn status_in(row: &str) -> &str {
    let at = row.find("mapping-status").expect("a status badge");
    let text = &row[at..];
    let start = text.find('>').unwrap() + 1;
    let end = text.find("</span>").unwrap();
    &text[start..end]
}

/// Waits (by asking, not by the clock) until the kind's latest run is no longer running.
pub(crate) async fn until_run_ends(console: &Console, page: &str) {
    for _ in 0..200 {
        let (status, html) = console.get_text(&format!("{page}/progress")).await;
        assert_eq!(status, StatusCode::OK);
        if !html.contains("data-running=\"true\"") {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the run did not end");
}

pub(crate) fn decoded_location(response: &reqwest::Response) -> String {
    let location = response.headers()[LOCATION].to_str().unwrap();
    url::form_urlencoded::parse(
        location
            .split_once('?')
            .map_or(&b""[..], |(_, q)| q.as_bytes()),
    )
    .map(|(_, v)| v.into_owned())
    .collect::<Vec<_>>()
    .join(" ")
}

#[tokio::test]
async fn bulk_selected_products_sync_and_turn_synced_with_their_metakocka_ids() {
    let fake = FakeMetakocka::start().await;
    for engine in engines() {
        let mk = format!("console-bulk-{engine:?}");
        fake.seed_products(&mk, 2);
        let (app, company, token) = synced_app(engine, &fake, &mk).await;
        let mut ids = Vec::new();
        for (code, name) in [
            ("OIL-1", "Olive oil"),
            ("SALT-1", "Sea salt"),
            ("TEA-1", "Tea"),
        ] {
            let body = json!({"code": code, "name": name, "price": "3.50"});
            ids.push(create_product(&app, &token, body).await);
        }
        let (admin, _) = consoles(&app, &company).await;

        let (status, before) = admin.get_text(PRODUCTS).await;
        assert_eq!(status, StatusCode::OK, "{engine:?}");
        for id in &ids {
            assert_eq!(status_in(row(&before, id)), "not synced", "{engine:?}");
        }
        assert!(
            before.contains("<strong>2</strong> products in Metakocka not mapped"),
            "{engine:?}: the fake's two products are counted"
        );

        let nothing = admin.post(PRODUCTS, &[("action", "selected")]).await;
        assert_eq!(nothing.status(), StatusCode::SEE_OTHER);
        assert!(decoded_location(&nothing).contains("Select at least one product"));

        let bulk = admin
            .post(
                PRODUCTS,
                &[("action", "selected"), ("ids", &ids[0]), ("ids", &ids[1])],
            )
            .await;
        assert_eq!(bulk.status(), StatusCode::SEE_OTHER, "{engine:?}");
        assert!(decoded_location(&bulk).contains("Syncing 2 selected products"));
        until_run_ends(&admin, PRODUCTS).await;

        let (_, after) = admin.get_text(PRODUCTS).await;
        for id in &ids[..2] {
            let synced = row(&after, id);
            assert_eq!(status_in(synced), "synced", "{engine:?}: {synced}");
            assert!(
                !synced.contains("<td>—</td>"),
                "a Metakocka id and count code"
            );
        }
        assert_eq!(status_in(row(&after, &ids[2])), "not synced", "{engine:?}");
        assert_eq!(
            fake.with_books(&mk, |b| b.products.len()),
            4,
            "{engine:?}: two products created in Metakocka"
        );
        assert!(after.contains("2 of 2</strong> processed"), "{engine:?}");

        // The last row's own button syncs it alone, and says so.
        let one = admin.post(PRODUCTS, &[("one", &ids[2])]).await;
        assert!(
            decoded_location(&one).contains("is synced (1 created"),
            "{engine:?}"
        );
        let (_, last) = admin.get_text(PRODUCTS).await;
        assert_eq!(status_in(row(&last, &ids[2])), "synced", "{engine:?}");

        let (status, history) = admin
            .get_text("/admin/integrations/metakocka/history?kind=product")
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(history.matches("data-run-id=").count(), 2, "{engine:?}");
        let (status, wrong) = admin
            .get_text("/admin/integrations/metakocka/history?kind=planets")
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(wrong.contains("Record type must be one of the listed record types"));
    }
}

#[tokio::test]
async fn agents_see_statuses_but_no_sync_buttons_and_their_posts_are_refused() {
    let fake = FakeMetakocka::start().await;
    let mk = "console-agent";
    let (app, company, token) = synced_app(engines()[0], &fake, mk).await;
    let id = create_product(
        &app,
        &token,
        json!({"code": "A-1", "name": "A", "price": 1}),
    )
    .await;
    let (_, agent) = consoles(&app, &company).await;

    let (status, html) = agent.get_text(PRODUCTS).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(status_in(row(&html, &id)), "not synced");
    assert!(!html.contains("Sync selected") && !html.contains("name=\"one\""));
    let refused = agent.post(PRODUCTS, &[("action", "all")]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(fake.write_calls(), 0, "nothing reached Metakocka");
}

#[tokio::test]
async fn settings_errors_are_shown_next_to_the_field_and_nothing_is_saved() {
    let fake = FakeMetakocka::start().await;
    for engine in engines() {
        let (app, company, token) =
            synced_app(engine, &fake, &format!("settings-{engine:?}")).await;
        let (admin, agent) = consoles(&app, &company).await;
        let path = "/admin/integrations/metakocka/settings";
        let mut form = vec![
            ("product_auto", "on"),
            ("product_interval_minutes", "2"),
            ("product_direction", "to"),
            ("product_conflict_rule", "crm_wins"),
        ];
        for kind in ["contact", "sales_document"] {
            form.extend([
                (leak(format!("{kind}_interval_minutes")), "60"),
                (leak(format!("{kind}_direction")), "both"),
                (leak(format!("{kind}_conflict_rule")), "manual"),
            ]);
        }
        let wrong = admin.post(path, &form).await;
        assert_eq!(
            wrong.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{engine:?}"
        );
        let html = wrong.text().await.unwrap();
        assert!(
            html.contains("id=\"product-interval-error\">Interval must be a whole number of minutes from 5 to 10080"),
            "{engine:?}"
        );
        assert!(
            html.contains("value=\"2\""),
            "the entered value is shown back"
        );
        let saved: Value = app
            .get("/api/integrations/metakocka/settings", &token)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(saved["settings"]["product"]["auto"], false, "{engine:?}");

        form[1] = ("product_interval_minutes", "30");
        let ok = admin.post(path, &form).await;
        assert_eq!(ok.status(), StatusCode::SEE_OTHER, "{engine:?}");
        let saved: Value = app
            .get("/api/integrations/metakocka/settings", &token)
            .await
            .json()
            .await
            .unwrap();
        let product = &saved["settings"]["product"];
        assert_eq!(product["auto"], true, "{engine:?}");
        assert_eq!(product["interval_minutes"], 30);
        assert_eq!(product["direction"], "to");
        assert_eq!(product["conflict_rule"], "crm_wins");
        assert_eq!(saved["settings"]["contact"]["auto"], false);
        assert_eq!(
            agent.post(path, &form).await.status(),
            StatusCode::FORBIDDEN
        );
    }
}

fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

#[tokio::test]
async fn a_conflict_shows_both_sides_and_is_resolved_by_choosing_one() {
    let fake = FakeMetakocka::start().await;
    for engine in engines() {
        let mk = format!("console-conflict-{engine:?}");
        let (app, company, token) = synced_app(engine, &fake, &mk).await;
        let id = create_product(
            &app,
            &token,
            json!({"code": "C-1", "name": "Original", "price": 1}),
        )
        .await;
        let (admin, agent) = consoles(&app, &company).await;
        admin.post(PRODUCTS, &[("one", &id)]).await;
        app.request(
            Method::PUT,
            &format!("/api/products/{id}"),
            Some(&token),
            Some(json!({"code": "C-1", "name": "Changed in CRM", "price": 1})),
        )
        .await;
        fake.with_books(&mk, |books| {
            books.products[0].insert("name".into(), json!("Changed in Metakocka"));
        });
        let run = app
            .request(
                Method::POST,
                "/api/products/sync/bulk",
                Some(&token),
                Some(json!({"direction": "both"})),
            )
            .await;
        assert_eq!(run.status(), 200);

        let page = "/admin/integrations/metakocka/conflicts";
        let (_, html) = admin.get_text(page).await;
        assert!(html.contains("Changed in CRM") && html.contains("Changed in Metakocka"));
        assert!(html.contains("differs"), "{engine:?}: the name is marked");
        let (_, read_only) = agent.get_text(page).await;
        assert!(read_only.contains("Changed in CRM") && !read_only.contains("Keep Metakocka"));

        let at = html.find("data-conflict-id=\"").unwrap() + 18;
        let conflict = &html[at..at + html[at..].find('"').unwrap()];
        let resolve = format!("{page}/{conflict}/resolve");
        assert_eq!(
            agent.post(&resolve, &[("use", "metakocka")]).await.status(),
            StatusCode::FORBIDDEN
        );
        let done = admin.post(&resolve, &[("use", "metakocka")]).await;
        assert_eq!(done.status(), StatusCode::SEE_OTHER, "{engine:?}");
        assert!(decoded_location(&done).contains("Metakocka's values on both sides"));
        let product: Value = app
            .get(&format!("/api/products/{id}"), &token)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(product["name"], "Changed in Metakocka", "{engine:?}");
        let (_, after) = admin.get_text(page).await;
        assert!(after.contains("No open conflicts."), "{engine:?}");
    }
}

#[tokio::test]
async fn another_companys_run_cannot_be_cancelled() {
    let fake = FakeMetakocka::start().await;
    let (app, company, token) = synced_app(engines()[0], &fake, "console-cancel").await;
    create_product(
        &app,
        &token,
        json!({"code": "X-1", "name": "X", "price": 1}),
    )
    .await;
    let run: Value = app
        .request(
            Method::POST,
            "/api/products/sync/bulk",
            Some(&token),
            Some(json!({})),
        )
        .await
        .json()
        .await
        .unwrap();
    let run_id = run["run"]["id"].as_str().unwrap().to_owned();
    let (admin, _) = consoles(&app, &company).await;
    let (other, _) = app.company_with_admin("Other").await;
    let (stranger, _) = consoles(&app, &other).await;
    let path = format!("/admin/integrations/metakocka/runs/{run_id}/cancel");
    assert_eq!(
        stranger.post(&path, &[]).await.status(),
        StatusCode::NOT_FOUND
    );
    let own = admin.post(&path, &[]).await;
    assert_eq!(own.status(), StatusCode::SEE_OTHER);
    assert!(decoded_location(&own).contains("had already ended (done)"));
}

#[tokio::test]
async fn contacts_come_from_metakocka_and_a_sales_document_syncs_by_its_own_button() {
    let fake = FakeMetakocka::start().await;
    for engine in engines() {
        let mk = format!("console-from-{engine:?}");
        fake.seed_partners(&mk, 2);
        fake.seed_products(&mk, 1);
        let (app, company, token) = synced_app(engine, &fake, &mk).await;
        let (admin, _) = consoles(&app, &company).await;
        let contacts = "/admin/integrations/metakocka/sync/contacts";

        let (_, before) = admin.get_text(contacts).await;
        assert!(
            before.contains("<strong>2</strong> contacts in Metakocka not mapped"),
            "{engine:?}"
        );
        assert!(before.contains("No contacts in crm-mind"), "{engine:?}");
        let pulled = admin.post(contacts, &[("action", "from")]).await;
        assert!(decoded_location(&pulled).contains("Bringing Metakocka's contacts into crm-mind"));
        until_run_ends(&admin, contacts).await;
        let (_, after) = admin.get_text(contacts).await;
        assert_eq!(
            after.matches("mapping-status state-synced").count(),
            2,
            "{engine:?}"
        );
        assert!(after.contains("<strong>0</strong> contacts in Metakocka not mapped"));

        let product = create_product(
            &app,
            &token,
            json!({"code": "D-1", "name": "D", "price": 1}),
        )
        .await;
        let contact: Value = app
            .request(
                Method::POST,
                "/api/contacts",
                Some(&token),
                Some(json!({"name": "Ana Novak", "email": "ana@shop.si"})),
            )
            .await
            .json()
            .await
            .unwrap();
        let document: Value = app
            .request(
                Method::POST,
                "/api/sales-documents",
                Some(&token),
                Some(json!({"doc_type": "sales_offer", "number": "OFF-1",
                            "contact_id": contact["id"], "doc_date": "2026-11-02",
                            "lines": [{"product_id": product, "quantity": 2, "unit_price": "10.50"}]})),
            )
            .await
            .json()
            .await
            .unwrap();
        let document = document["id"].as_str().unwrap();
        let documents = "/admin/integrations/metakocka/sync/sales-documents";
        let (_, html) = admin.get_text(documents).await;
        assert!(
            row(&html, document).contains("sales offer OFF-1"),
            "{engine:?}"
        );
        assert_eq!(status_in(row(&html, document)), "not synced");
        let one = admin.post(documents, &[("one", document)]).await;
        assert!(
            decoded_location(&one).contains("The sales document is synced"),
            "{engine:?}: {}",
            decoded_location(&one)
        );
        let (_, html) = admin.get_text(documents).await;
        assert_eq!(status_in(row(&html, document)), "synced", "{engine:?}");
        assert!(row(&html, document).contains("OFF-1"), "the count code");
    }
}

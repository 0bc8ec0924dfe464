//! The contact sync (Metakocka partners) through the integration guide's and the
//! architecture document's paths: a push and an import map records both ways (an existing
//! contact of the same email is mapped, not duplicated), and a re-run writes nothing.

use crate::fake_metakocka::FakeMetakocka;
use crate::helpers::engines;
use crate::metakocka_sync_products::{counts, post, synced_app};
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn contacts_push_and_import_without_duplicates() {
    let fake = FakeMetakocka::start().await;
    for engine in engines() {
        let mk = format!("contacts-{engine:?}");
        fake.seed_partners(&mk, 2);
        let (app, _, admin) = synced_app(engine, &fake, &mk).await;
        let create = |body: Value| {
            let app = &app;
            let admin = admin.clone();
            async move {
                let response = app
                    .request(Method::POST, "/api/contacts", Some(&admin), Some(body))
                    .await;
                assert_eq!(response.status(), 201);
                let created: Value = response.json().await.unwrap();
                created["id"].as_str().unwrap().to_owned()
            }
        };
        let ana = create(
            json!({"name": "Ana Novak", "email": "ana@shop.si", "phone": "031111222",
                                "city": "Ljubljana", "country": "SI", "kind": "person"}),
        )
        .await;
        // Partner 1 in Metakocka has this email: mapped, not duplicated.
        let known = create(json!({"name": "Partner 1", "email": "partner1@example.com",
                                  "street": "Tehnološki park 24", "post_number": "1000",
                                  "city": "Ljubljana"}))
        .await;

        let pushed = post(
            &app,
            &admin,
            "/api/integrations/metakocka/contacts/sync-to-metakocka?bulk=true",
            json!({}),
        )
        .await;
        assert_eq!(counts(&pushed), (1, 0, 1, 0, 0), "{engine:?}: {pushed}");
        assert_eq!(fake.with_books(&mk, |b| b.partners.len()), 3);
        let mappings: Value = app
            .get("/api/metakocka/contacts/mappings", &admin)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(mappings["count"], 2, "{mappings}");
        let ids: Vec<&str> = (mappings["mappings"].as_array().unwrap().iter())
            .map(|m| m["crm_id"].as_str().unwrap())
            .collect();
        assert!(ids.contains(&ana.as_str()) && ids.contains(&known.as_str()));

        let unsynced: Value = app
            .get(
                "/api/integrations/metakocka/contacts/sync-from-metakocka",
                &admin,
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(unsynced["count"], 1, "{unsynced}");
        assert_eq!(unsynced["records"][0]["name"], "Partner 2");

        let imported = post(&app, &admin, "/api/metakocka/contacts/import", json!({})).await;
        assert_eq!(counts(&imported).0, 1, "{engine:?}: {imported}");
        let list: Value = app
            .get("/api/contacts?q=partner2", &admin)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list["items"][0]["name"], "Partner 2", "{list}");

        let writes = fake.write_calls();
        let again = post(
            &app,
            &admin,
            "/api/metakocka/contacts/sync",
            json!({"direction": "both", "contact_ids": [ana, known]}),
        )
        .await;
        // Both ways: the named contacts and every partner Metakocka lists (three).
        assert_eq!(counts(&again), (0, 0, 3, 0, 0), "{engine:?}: {again}");
        let again = post(&app, &admin, "/api/metakocka/contacts/import", json!({})).await;
        assert_eq!(counts(&again).0 + counts(&again).1, 0, "{again}");
        assert_eq!(fake.write_calls(), writes, "{engine:?}");
        assert_eq!(fake.with_books(&mk, |b| b.partners.len()), 3);
        let all: Value = app.get("/api/contacts", &admin).await.json().await.unwrap();
        assert_eq!(all["total"], 3);
    }
}

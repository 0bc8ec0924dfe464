//! No request of one company reads or changes another company's data.

use crate::helpers::{engines, error_of, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn a_company_cannot_see_or_change_another_companys_pages_and_links() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (_, alice) = app.company_with_admin("Alice's shop").await;
        let (_, bob) = app.company_with_admin("Bob's shop").await;
        assert_eq!(app.register_page(&bob, "2002").await.status(), 201);
        let link = json!({"page_id": "2002", "channels": ["messenger"], "name": "Bob CRM",
            "url": "https://bob.example/crm", "api_key": "bob-key", "is_active": true});
        assert_eq!(app.add_link(&bob, link.clone()).await.status(), 201);

        let attempts = [
            app.get("/api/dashboard/crm-links?page_id=2002", &alice).await,
            app.add_link(&alice, json!({"page_id": "2002", "channels": ["messenger"], "name": "x", "url": "https://alice.example/crm", "is_active": true})).await,
            app.request(Method::PUT, "/api/dashboard/crm-links/status", Some(&alice),
                Some(json!({"page_id": "2002", "url": "https://bob.example/crm", "channels": ["messenger"], "is_active": false}))).await,
            app.request(Method::DELETE, "/api/dashboard/crm-links", Some(&alice),
                Some(json!({"page_id": "2002", "url": "https://bob.example/crm", "channels": ["messenger"]}))).await,
            app.request(Method::DELETE, "/api/dashboard/pages/2002", Some(&alice), None).await,
        ];
        for response in attempts {
            let (status, _, message) = error_of(response).await;
            assert_eq!(status, 404, "{engine:?}: {message}");
            assert!(!message.contains("Bob"), "{message}");
        }
        // Registering Bob's page for Alice is a conflict, not a takeover.
        let (status, _, _) = error_of(app.register_page(&alice, "2002").await).await;
        assert_eq!(status, 409);

        let pages: Value = app
            .get("/api/dashboard/pages", &alice)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(pages["total"], 0);
        let all = app
            .get("/api/dashboard/crm-links/all", &alice)
            .await
            .text()
            .await
            .unwrap();
        assert!(
            !all.contains("2002") && !all.contains("bob.example"),
            "{all}"
        );

        // Bob's data is untouched.
        let body: Value = app
            .get("/api/dashboard/crm-links?page_id=2002", &bob)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(body["total"], 1);
        assert_eq!(body["active_count"], 1);
        let pages: Value = app
            .get("/api/dashboard/pages", &bob)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(pages["pages"][0]["page_name"], "Page 2002");
    }
}

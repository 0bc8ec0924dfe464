//! The CRM-link endpoints, checked against the shapes of the product's CRM integration guide.

use crate::helpers::{TestApp, engines, error_of, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

const PAGE: &str = "123456789";

/// A change that makes a valid request invalid.
type Change = Box<dyn Fn(&mut Value)>;

fn guide_link() -> Value {
    // The request body of the guide's "Add New CRM Link" section.
    json!({
        "page_id": PAGE,
        "channels": ["facebook", "messenger"],
        "name": "Customer Database",
        "url": "https://api.crm.com/customers",
        "type": "api",
        "api_key": "your-api-key",
        "headers": {"X-Custom-Header": "value"},
        "description": "Main customer database",
        "is_active": true
    })
}

async fn app_with_page() -> Vec<(TestApp, String)> {
    let mut apps = Vec::new();
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (_, token) = app.company_with_admin("My Company").await;
        assert_eq!(app.register_page(&token, PAGE).await.status(), 201);
        apps.push((app, token));
    }
    apps
}

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.expect("a JSON body")
}

#[tokio::test]
async fn adding_a_link_answers_as_the_guide_documents() {
    for (app, token) in app_with_page().await {
        let response = app.add_link(&token, guide_link()).await;
        assert_eq!(response.status(), 201, "{:?}", app.engine);
        let body = json_of(response).await;
        assert_eq!(body["message"], "CRM link added successfully");
        assert_eq!(body["page_id"], PAGE);
        assert_eq!(body["channels"], json!(["facebook", "messenger"]));
        let link = &body["crm_link"];
        assert_eq!(link["name"], "Customer Database");
        assert_eq!(link["url"], "https://api.crm.com/customers");
        assert_eq!(link["type"], "api");
        assert_eq!(link["channels"], json!(["facebook", "messenger"]));
        assert_eq!(link["api_key"], "***", "the key is never shown");
        assert_eq!(link["headers"], json!({"X-Custom-Header": "value"}));
        assert_eq!(link["description"], "Main customer database");
        assert_eq!(link["is_active"], true);
        assert!(link["created_at"].is_string() && link["updated_at"].is_string());
    }
}

#[tokio::test]
async fn listing_per_channel_and_for_both() {
    for (app, token) in app_with_page().await {
        app.add_link(&token, guide_link()).await;
        let mut social = guide_link();
        social["channels"] = json!(["facebook"]);
        social["url"] = json!("https://api.crm.com/social-customers");
        social["is_active"] = json!(false);
        assert_eq!(app.add_link(&token, social).await.status(), 201);

        let body = json_of(
            app.get(
                &format!("/api/dashboard/crm-links?page_id={PAGE}&channel=facebook"),
                &token,
            )
            .await,
        )
        .await;
        assert_eq!(body["page_id"], PAGE);
        assert_eq!(body["channel"], "facebook");
        assert_eq!(
            (
                body["total"].as_u64(),
                body["active_count"].as_u64(),
                body["inactive_count"].as_u64()
            ),
            (Some(2), Some(1), Some(1))
        );
        assert_eq!(body["crm_links"].as_array().unwrap().len(), 2);

        let body = json_of(
            app.get(
                &format!("/api/dashboard/crm-links?page_id={PAGE}&channel=messenger"),
                &token,
            )
            .await,
        )
        .await;
        assert_eq!(body["total"], 1);
        assert_eq!(body["crm_links"][0]["url"], "https://api.crm.com/customers");

        // Without a channel: the links of both channels (the two-channel link once per channel).
        let body = json_of(
            app.get(&format!("/api/dashboard/crm-links?page_id={PAGE}"), &token)
                .await,
        )
        .await;
        assert_eq!(body["total"], 3, "{:?}", app.engine);
        assert_eq!(body["channel"], Value::Null);
    }
}

#[tokio::test]
async fn status_and_delete_answer_with_counts() {
    for (app, token) in app_with_page().await {
        app.add_link(&token, guide_link()).await;
        let response = app
            .request(Method::PUT, "/api/dashboard/crm-links/status", Some(&token),
                Some(json!({"page_id": PAGE, "url": "https://api.crm.com/customers", "channels": ["facebook"], "is_active": false})))
            .await;
        assert_eq!(response.status(), 200);
        assert_eq!(
            json_of(response).await,
            json!({"message": "CRM link status updated successfully", "updated_count": 1,
                   "url": "https://api.crm.com/customers", "channels": ["facebook"], "is_active": false})
        );
        let body = json_of(
            app.get(
                &format!("/api/dashboard/crm-links?page_id={PAGE}&channel=facebook"),
                &token,
            )
            .await,
        )
        .await;
        assert_eq!(body["crm_links"][0]["is_active"], false);
        let body = json_of(
            app.get(
                &format!("/api/dashboard/crm-links?page_id={PAGE}&channel=messenger"),
                &token,
            )
            .await,
        )
        .await;
        assert_eq!(
            body["crm_links"][0]["is_active"], true,
            "the other channel is untouched"
        );

        let response = app
            .request(Method::DELETE, "/api/dashboard/crm-links", Some(&token),
                Some(json!({"page_id": PAGE, "url": "https://api.crm.com/customers", "channels": ["facebook", "messenger"]})))
            .await;
        assert_eq!(response.status(), 200);
        assert_eq!(
            json_of(response).await,
            json!({"message": "CRM link deleted successfully", "deleted_count": 2,
                   "url": "https://api.crm.com/customers", "channels": ["facebook", "messenger"]})
        );
        let body = json_of(
            app.get(&format!("/api/dashboard/crm-links?page_id={PAGE}"), &token)
                .await,
        )
        .await;
        assert_eq!(body["total"], 0, "{:?}", app.engine);
    }
}

#[tokio::test]
async fn all_links_of_all_pages() {
    for (app, token) in app_with_page().await {
        assert_eq!(app.register_page(&token, "987654321").await.status(), 201);
        app.add_link(&token, guide_link()).await;
        let mut other = guide_link();
        other["page_id"] = json!("987654321");
        other["channels"] = json!(["messenger"]);
        other["is_active"] = json!(false);
        app.add_link(&token, other).await;

        let body = json_of(app.get("/api/dashboard/crm-links/all", &token).await).await;
        assert_eq!(body["company_name"], "My Company");
        assert!(body["company_id"].is_string());
        assert_eq!(body["total_pages"], 2);
        assert_eq!(
            (
                body["total_crm_links"].as_u64(),
                body["total_active"].as_u64(),
                body["total_inactive"].as_u64()
            ),
            (Some(3), Some(2), Some(1))
        );
        let pages = body["pages_data"].as_array().unwrap();
        let first = pages.iter().find(|p| p["page_id"] == PAGE).unwrap();
        assert_eq!(first["page_name"], format!("Page {PAGE}"));
        assert_eq!(first["facebook_crm_links"].as_array().unwrap().len(), 1);
        assert_eq!(first["messenger_crm_links"].as_array().unwrap().len(), 1);
        assert_eq!(first["legacy_crm_links"], json!([]));
        assert_eq!(
            (
                first["total_active"].as_u64(),
                first["total_inactive"].as_u64()
            ),
            (Some(2), Some(0))
        );
    }
}

#[tokio::test]
async fn validation_errors_name_the_field() {
    for (app, token) in app_with_page().await {
        let cases: Vec<(&str, Change)> = vec![
            (
                "page_id",
                Box::new(|b| {
                    b.as_object_mut().unwrap().remove("page_id");
                }),
            ),
            (
                "channels",
                Box::new(|b| {
                    b.as_object_mut().unwrap().remove("channels");
                }),
            ),
            (
                "name",
                Box::new(|b| {
                    b.as_object_mut().unwrap().remove("name");
                }),
            ),
            (
                "url",
                Box::new(|b| {
                    b.as_object_mut().unwrap().remove("url");
                }),
            ),
            (
                "is_active",
                Box::new(|b| {
                    b.as_object_mut().unwrap().remove("is_active");
                }),
            ),
            (
                "channels",
                Box::new(|b| b["channels"] = json!(["instagram"])),
            ),
            ("channels", Box::new(|b| b["channels"] = json!([]))),
            ("channels", Box::new(|b| b["channels"] = json!("facebook"))),
            (
                "url",
                Box::new(|b| b["url"] = json!("api.crm.com/customers")),
            ),
            (
                "url",
                Box::new(|b| b["url"] = json!("ftp://api.crm.com/customers")),
            ),
            ("type", Box::new(|b| b["type"] = json!("graphql"))),
            ("name", Box::new(|b| b["name"] = json!("   "))),
            (
                "headers",
                Box::new(|b| b["headers"] = json!({"Bad Header": "x"})),
            ),
        ];
        for (field, change) in cases {
            let mut body = guide_link();
            change(&mut body);
            let (status, _, message) = error_of(app.add_link(&token, body.clone()).await).await;
            assert_eq!(status, 400, "{body}");
            assert!(
                message.contains(field),
                "{field} not named in {message:?} for {body}"
            );
        }
        let body = json_of(
            app.get(&format!("/api/dashboard/crm-links?page_id={PAGE}"), &token)
                .await,
        )
        .await;
        assert_eq!(body["total"], 0, "nothing was stored by refused requests");

        // A missing `type` defaults to api.
        let mut body = guide_link();
        body.as_object_mut().unwrap().remove("type");
        let response = json_of(app.add_link(&token, body).await).await;
        assert_eq!(response["crm_link"]["type"], "api");

        let (status, _, message) =
            error_of(app.get("/api/dashboard/crm-links", &token).await).await;
        assert_eq!(status, 400);
        assert!(message.contains("page_id"), "{message}");
        let (status, _, message) = error_of(
            app.get(
                &format!("/api/dashboard/crm-links?page_id={PAGE}&channel=sms"),
                &token,
            )
            .await,
        )
        .await;
        assert_eq!(status, 400);
        assert!(message.contains("channel"), "{message}");
        let response = app
            .client
            .post(format!("{}/api/dashboard/crm-links", app.address))
            .bearer_auth(&token)
            .header("Content-Type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        assert_eq!(error_of(response).await.0, 400);
    }
}

#[tokio::test]
async fn duplicates_conflict_and_unknown_links_are_not_found() {
    for (app, token) in app_with_page().await {
        assert_eq!(app.add_link(&token, guide_link()).await.status(), 201);
        let mut again = guide_link();
        again["channels"] = json!(["messenger"]);
        again["name"] = json!("Same URL, other name");
        let (status, code, message) = error_of(app.add_link(&token, again).await).await;
        assert_eq!(
            (status, code.as_str()),
            (409, "conflict"),
            "{:?}",
            app.engine
        );
        assert!(message.contains("messenger"), "{message}");

        for (method, path, body) in [
            (
                Method::PUT,
                "/api/dashboard/crm-links/status",
                json!({"page_id": PAGE, "url": "https://nowhere.example/x", "channels": ["facebook"], "is_active": true}),
            ),
            (
                Method::DELETE,
                "/api/dashboard/crm-links",
                json!({"page_id": PAGE, "url": "https://nowhere.example/x", "channels": ["facebook"]}),
            ),
            (
                Method::DELETE,
                "/api/dashboard/crm-links",
                json!({"page_id": "555", "url": "https://api.crm.com/customers", "channels": ["facebook"]}),
            ),
        ] {
            let (status, code, _) =
                error_of(app.request(method, path, Some(&token), Some(body)).await).await;
            assert_eq!((status, code.as_str()), (404, "not_found"));
        }
        let mut unknown_page = guide_link();
        unknown_page["page_id"] = json!("555");
        assert_eq!(
            error_of(app.add_link(&token, unknown_page).await).await.0,
            404
        );
    }
}

#[tokio::test]
async fn credentials_are_masked_in_every_response() {
    for (app, token) in app_with_page().await {
        let mut link = guide_link();
        link["api_key"] = json!("shppa_1234567890");
        link["headers"] = json!({
            "X-Shopify-Access-Token": "shppa_1234567890",
            "Authorization": "Basic dXNlcjpwYXNz",
            "X-API-Key": "internal-key-123",
            "X-Client-ID": "facebook-bot"
        });
        let added = app.add_link(&token, link).await.text().await.unwrap();
        let listed = app
            .get(&format!("/api/dashboard/crm-links?page_id={PAGE}"), &token)
            .await
            .text()
            .await
            .unwrap();
        let all = app
            .get("/api/dashboard/crm-links/all", &token)
            .await
            .text()
            .await
            .unwrap();
        for body in [&added, &listed, &all] {
            for secret in ["shppa_1234567890", "dXNlcjpwYXNz", "internal-key-123"] {
                assert!(!body.contains(secret), "{secret} leaked in {body}");
            }
            assert!(
                body.contains("facebook-bot"),
                "non-secret headers are shown"
            );
        }
        let added: Value = serde_json::from_str(&added).unwrap();
        let headers = &added["crm_link"]["headers"];
        assert_eq!(headers["X-Shopify-Access-Token"], "***");
        assert_eq!(headers["Authorization"], "***");
        assert_eq!(headers["X-API-Key"], "***");
        assert_eq!(added["crm_link"]["api_key"], "***");
    }
}

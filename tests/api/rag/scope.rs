//! Who finds the chunks: only the link's channels, nobody once it is deactivated, never
//! another company.

use super::{PAGE, json_of, setup};
use crate::helpers::{engines, error_of};
use reqwest::Method;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn a_messenger_only_link_never_reaches_comment_answers() {
    for engine in engines() {
        let s = setup(engine, &["messenger"]).await;
        assert!(s.found("messenger", "SKU-12-B", "cust-1").await);
        assert!(
            s.search("facebook", "SKU-12-B").await.is_empty(),
            "facebook sees nothing"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn deactivating_removes_from_retrieval_at_once_and_reactivating_fetches_again() {
    for engine in engines() {
        let s = setup(engine, &["facebook", "messenger"]).await;
        s.set_active(false).await;
        assert!(s.search("messenger", "SKU-12-B").await.is_empty());
        s.set_active(true).await;
        let runs = s.wait_for_runs(2).await;
        assert_eq!(runs[0]["trigger"], "link_activated");
        assert!(s.found("messenger", "SKU-12-B", "cust-1").await);
        // Deleting the link deletes its chunks.
        let deleted = s
            .app
            .request(
                Method::DELETE,
                "/api/dashboard/crm-links",
                Some(&s.token),
                Some(json!({"page_id": PAGE, "url": s.crm.url, "channels": ["facebook", "messenger"]})),
            )
            .await;
        assert_eq!(deleted.status(), 200);
        assert!(s.search("messenger", "SKU-12-B").await.is_empty());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn another_company_never_sees_the_chunks() {
    for engine in engines() {
        let s = setup(engine, &["messenger"]).await;
        let (_, other) = s.app.company_with_admin("Other").await;
        let path = format!("/api/dashboard/rag/search?page_id={PAGE}&q=SKU-12-B");
        let (status, code, _) = error_of(s.app.get(&path, &other).await).await;
        assert_eq!((status, code.as_str()), (404, "not_found"));
        assert_eq!(s.app.register_page(&other, "777").await.status(), 201);
        let body = json_of(
            s.app
                .get("/api/dashboard/rag/search?page_id=777&q=SKU-12-B", &other)
                .await,
        )
        .await;
        assert_eq!(body["hits"], json!([]));
        let (status, _, _) = error_of(
            s.app
                .get(
                    &format!("/api/dashboard/crm-links/runs?page_id={PAGE}"),
                    &other,
                )
                .await,
        )
        .await;
        assert_eq!(status, 404);
    }
}

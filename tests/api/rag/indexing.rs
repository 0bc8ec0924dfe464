//! Keeping the index: a link is fetched when added, a resync embeds only what changed, a
//! failing source keeps what was indexed, and a restart keeps the index.

use super::{PAGE, Setup, customers, json_of, setup};
use crate::helpers::engines;

#[tokio::test(flavor = "multi_thread")]
async fn an_added_link_is_fetched_at_once_and_found_by_words_codes_and_meaning() {
    for engine in engines() {
        let s = setup(engine, &["facebook", "messenger"]).await;
        let run = &s.runs().await[0];
        assert_eq!(run["outcome"], "succeeded", "{run}");
        assert_eq!(run["trigger"], "link_activated");
        assert_eq!(run["chunks"]["new"], run["chunks"]["total"]);
        let request = &s.crm.requests()[0];
        assert_eq!(request["authorization"], "Bearer crm-key-123");
        assert_eq!(request["x-tenant"], "shop");

        assert!(
            s.found("messenger", "SKU-12-B", "cust-1").await,
            "a product code"
        );
        assert!(
            s.found("messenger", "2024-00123", "cust-2").await,
            "an order number"
        );
        assert!(
            s.found("facebook", "ana.novak@example.si", "cust-1").await,
            "an email"
        );
        assert!(
            s.found("messenger", "pohodne cevlje", "cust-1").await,
            "without diacritics"
        );
        let hit = &s.search("messenger", "john@example.com").await[0];
        assert_eq!(hit["link_name"], "Customers");
        assert_eq!(hit["source"], "crm");
        assert_eq!(hit["source_url"], s.crm.url.as_str());
        assert!(hit["score"].as_f64().unwrap() > 0.0);
        assert!(
            hit["path"].as_str().unwrap().starts_with("customers["),
            "{hit}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_resync_embeds_only_what_changed_and_removes_what_vanished() {
    for engine in engines() {
        let s = setup(engine, &["messenger"]).await;
        let unchanged = s.sync().await;
        assert_eq!(unchanged["outcome"], "succeeded");
        assert_eq!(
            unchanged["chunks"]["embedded"], 0,
            "unchanged data: {unchanged}"
        );
        assert_eq!(
            unchanged["chunks"]["unchanged"],
            unchanged["chunks"]["total"]
        );

        // Many records so that they fill several chunks; then one changes, one is added,
        // and the last one vanishes.
        let many: Vec<(String, String, String)> = (10..70)
            .map(|i| {
                (
                    format!("cust-{i}"),
                    format!("Customer number {i}"),
                    format!("Loyal customer since 20{i:02}, prefers parcel lockers"),
                )
            })
            .collect();
        let refs: Vec<(&str, &str, &str)> = many
            .iter()
            .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
            .collect();
        s.crm.serve_json(customers(&refs));
        let grown = s.sync().await;
        assert!(grown["chunks"]["total"].as_u64().unwrap() >= 3, "{grown}");
        let mut changed = refs.clone();
        changed[0].2 = "Moved to Koper, new address Ulica 5";
        changed.pop();
        s.crm.serve_json(customers(&changed));
        let after = s.sync().await;
        let chunks = &after["chunks"];
        assert!(chunks["embedded"].as_u64().unwrap() >= 1, "{after}");
        assert!(
            chunks["unchanged"].as_u64().unwrap() >= 1,
            "chunks before the change are left alone: {after}"
        );
        assert_eq!(
            chunks["embedded"],
            chunks["new"].as_u64().unwrap() + chunks["changed"].as_u64().unwrap()
        );
        assert!(s.found("messenger", "Koper Ulica 5", "Koper").await);
        assert!(
            !s.found("messenger", "Customer number 69", "cust-69").await,
            "a vanished record is gone"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_source_keeps_what_was_indexed_and_records_why() {
    for engine in engines() {
        let s = setup(engine, &["messenger"]).await;
        let cases: [(u16, &str, &str, &str); 5] = [
            (401, "{}", "application/json", "unauthorized"),
            (404, "{}", "application/json", "not_found"),
            (503, "down", "text/plain", "server_error"),
            (200, "{\"customers\": [", "application/json", "invalid_json"),
            (403, "{}", "application/json", "unauthorized"),
        ];
        for (status, body, content_type, kind) in cases {
            s.crm.fail_with(status, body, content_type);
            let run = s.sync().await;
            assert_eq!(run["outcome"], "failed", "{status}: {run}");
            assert_eq!(run["error_kind"], kind, "{run}");
            if status != 200 {
                assert_eq!(run["status_code"], status);
            }
            assert!(
                !run["error"].as_str().unwrap().contains("crm-key-123"),
                "no secret in {run}"
            );
            assert!(
                s.found("messenger", "SKU-12-B", "cust-1").await,
                "old chunks stay after {status}"
            );
        }
        let runs = s.runs().await;
        assert_eq!(runs.len(), 6, "every attempt has its record");
        let details = json_of(
            s.app
                .get(
                    &format!("/api/dashboard/rag/documents/details?page_id={PAGE}&source=crm"),
                    &s.token,
                )
                .await,
        )
        .await;
        let link = &details["links"][0];
        assert_eq!(link["status"], "failing", "{details}");
        assert_eq!(link["last_run"]["status_code"], 403);
        assert!(link["chunk_count"].as_u64().unwrap() >= 1);
        assert!(!link["samples"].as_array().unwrap().is_empty());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_restart_keeps_the_index_without_embedding_again() {
    for engine in engines() {
        let s = setup(engine, &["messenger"]).await;
        let Setup { app, token, crm } = s;
        let app = app.restart().await;
        let s = Setup { app, token, crm };
        assert!(s.found("messenger", "SKU-12-B", "cust-1").await);
        let run = s.sync().await;
        assert_eq!(run["chunks"]["embedded"], 0, "{run}");
    }
}

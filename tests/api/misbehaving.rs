//! The outside world misbehaving while customers write (issue 8, item 5): a Graph API that
//! never answers, a chat model that rate-limits, fails or answers garbage. The webhook keeps
//! acknowledging at once, the service keeps answering its own routes, retries stay within
//! their bounds, and each failure is reported where the operator looks: the replies list
//! with its reason, and the metrics.
//!
//! A CRM endpoint's slowness, 429s and garbage are in `tests/crm_fetch/failures.rs`; a slow or
//! failing Metakocka in `metakocka_sync_runs.rs` and `metakocka_connection.rs`.

use crate::fake_chat::{FakeChat, Reply};
use crate::fake_graph::Failure;
use crate::helpers::engines;
use crate::replies::{Harness, harness_with, message};
use serde_json::json;

/// The replies settle as `failed` and `/metrics` counts them so.
async fn failed_count(h: &Harness) -> f64 {
    let metrics = h.app.get("/metrics", &h.token).await.text().await.unwrap();
    metrics
        .lines()
        .find(|line| line.starts_with("replies_total{") && line.contains("outcome=\"failed\""))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test]
async fn acknowledgements_do_not_wait_for_a_graph_api_that_never_answers() {
    for engine in engines() {
        let h = harness_with(engine, &[], |settings| {
            settings.graph_timeout_secs = 1;
            settings.graph_max_retries = 1;
        })
        .await;
        h.graph.fail_always(Failure::Hang);

        let questions = [
            "Are you open today?",
            "Do you ship abroad?",
            "Any discounts?",
        ];
        for (i, question) in questions.iter().enumerate() {
            h.deliver(&message(&format!("mid.hang{i}"), question)).await;
        }
        // Every event was acknowledged and stored while the Graph API had answered nothing:
        // none of the replies has settled, yet all three are in the inbox.
        let settled = h
            .replies("limit=100")
            .await
            .into_iter()
            .filter(|r| !matches!(r["status"].as_str(), Some("queued" | "sending")))
            .count();
        assert_eq!(
            settled, 0,
            "{engine:?}: an acknowledgement waited for a reply"
        );
        assert_eq!(h.app.inbox(&h.company).await.len(), 3, "{engine:?}");
        assert_eq!(h.app.get("/healthz", &h.token).await.status(), 200);

        // Each send timed out, was retried once, and is a dead letter with its reason.
        for question in questions {
            let reply = h.reply_to(question).await;
            assert_eq!(reply["status"], "failed", "{engine:?}: {reply}");
            let reason = reply["reason"].as_str().unwrap_or_default();
            assert!(reason.contains("did not answer within 1 s"), "{reply}");
        }
        assert_eq!(
            h.sent().len(),
            6,
            "{engine:?}: one try and one retry per reply"
        );
        assert!(failed_count(&h).await >= 3.0, "{engine:?}");
    }
}

#[tokio::test]
async fn a_rate_limited_chat_model_is_asked_again_after_the_wait_it_names() {
    for engine in engines() {
        let limited = Reply::error(429, "Rate limit reached", "requests", "rate_limit_exceeded")
            .with_header("retry-after", "1");
        let chat = FakeChat::start(vec![
            limited.clone(),
            limited,
            Reply::completion("We are open until 18:00."),
        ])
        .await;
        let chat_settings = chat.settings();
        let h = harness_with(engine, &[], |settings| {
            settings.llm_base_url = Some(chat_settings.base_url);
            settings.llm_api_key = chat_settings.api_key;
        })
        .await;
        h.deliver(&message("mid.rl1", "Are you open today?")).await;
        let reply = h.reply_to("Are you open today?").await;
        assert_eq!(reply["status"], "sent", "{engine:?}: {reply}");
        assert_eq!(reply["answer"], "We are open until 18:00.");
        assert_eq!(chat.seen().len(), 3, "{engine:?}: two refusals, one answer");
        assert_eq!(h.sent().len(), 1, "{engine:?}: one message to the customer");
    }
}

#[tokio::test]
async fn a_failing_or_garbled_chat_model_leaves_a_failed_reply_that_says_why() {
    for engine in engines() {
        for (label, reply) in [
            (
                "5xx",
                Reply::error(
                    503,
                    "The server is overloaded",
                    "server_error",
                    "overloaded",
                ),
            ),
            ("garbage", Reply::json(200, json!({"what": "is this"}))),
        ] {
            let chat = FakeChat::start(vec![reply]).await;
            let chat_settings = chat.settings();
            let h = harness_with(engine, &[], |settings| {
                settings.llm_base_url = Some(chat_settings.base_url);
                settings.llm_api_key = chat_settings.api_key;
            })
            .await;
            h.deliver(&message("mid.cf1", "Where is my parcel?")).await;
            let answered = h.reply_to("Where is my parcel?").await;
            assert_eq!(
                answered["status"], "failed",
                "{engine:?} {label}: {answered}"
            );
            let reason = answered["reason"].as_str().unwrap_or_default();
            assert!(
                reason.starts_with("no answer was written"),
                "{engine:?} {label}: {reason}"
            );
            assert!(
                h.sent().is_empty(),
                "{engine:?} {label}: nothing reached the customer"
            );
            // The webhook still acknowledges while the model is down.
            assert_eq!(
                h.app
                    .post_webhook(&message("mid.cf2", "Hello?"))
                    .await
                    .status(),
                200
            );
            assert!(failed_count(&h).await >= 1.0, "{engine:?} {label}");
        }
    }
}

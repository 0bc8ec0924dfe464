//! What happens when sending goes wrong: each Graph API error class, a worker that died
//! mid-send or mid-lease, and the dashboard's retry.

use super::{Harness, harness, message};
use crate::fake_graph::{Failure, PAGE_ID, PSID};
use crate::helpers::engines;
use chrono::{Duration, Utc};
use crm_mind::domain::reply::OutboxReply;
use crm_mind::store::BeginReply;
use reqwest::Method;

#[tokio::test]
async fn throttling_is_retried_and_the_message_goes_out_once() {
    for engine in engines() {
        let h = harness(engine, &[]).await;
        h.graph.fail_next([Failure::api(
            400,
            613,
            "Calls to this api have exceeded the rate limit.",
        )]);
        h.deliver(&message("mid.t1", "Hello")).await;
        let reply = h.reply_to("Hello").await;
        assert_eq!(reply["status"], "sent", "{engine:?}: {reply}");
        assert_eq!(
            h.sent().len(),
            2,
            "{engine:?}: the throttled call and its retry"
        );
    }
}

#[tokio::test]
async fn an_invalid_token_stops_sending_for_the_page_until_it_is_reconnected() {
    for engine in engines() {
        let h = harness(engine, &[]).await;
        h.graph.fail_next([Failure::api(
            400,
            190,
            "Error validating access token: Session has expired.",
        )]);
        h.deliver(&message("mid.a1", "First question")).await;
        let first = h.reply_to("First question").await;
        assert_eq!(first["status"], "failed", "{engine:?}: {first}");
        assert_eq!(first["error_code"], 190);
        assert!(first["reason"].as_str().unwrap().contains("reconnect"));

        h.deliver(&message("mid.a2", "Second question")).await;
        let second = h.reply_to("Second question").await;
        assert_eq!(second["status"], "failed", "{engine:?}: {second}");
        assert_eq!(
            h.sent().len(),
            1,
            "{engine:?}: nothing more is sent for the page"
        );
        let logged: serde_json::Value = h
            .app
            .get(
                "/api/integrations/metakocka/logs?entity_type=page",
                &h.token,
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            logged["total"], 1,
            "{engine:?}: the admin is told once: {logged}"
        );
        let entry = &logged["items"][0];
        assert_eq!(entry["category"], "auth");
        assert_eq!(entry["entity_id"], PAGE_ID);
        assert!(entry["message"].as_str().unwrap().contains("reconnect"));
        assert!(!logged.to_string().contains(crate::fake_graph::PAGE_TOKEN));

        // Reconnecting (a new token) and retrying sends it.
        let reconnected = h
            .app
            .request(
                Method::POST,
                "/api/dashboard/pages",
                Some(&h.token),
                Some(serde_json::json!({"page_id": PAGE_ID, "page_name": "Kettle Shop", "access_token": crate::fake_graph::PAGE_TOKEN})),
            )
            .await;
        assert_eq!(reconnected.status(), 200);
        let retried = retry(&h, &second).await;
        assert_eq!(retried.status(), 202, "{engine:?}");
        let again = h.reply_to("Second question").await;
        assert_eq!(again["status"], "sent", "{engine:?}: {again}");
        assert_eq!(again["attempts"], 2);
    }
}

async fn retry(h: &Harness, reply: &serde_json::Value) -> reqwest::Response {
    h.app
        .request(
            Method::POST,
            &format!(
                "/api/dashboard/replies/{}/retry",
                reply["id"].as_str().unwrap()
            ),
            Some(&h.token),
            None,
        )
        .await
}

#[tokio::test]
async fn an_unavailable_person_is_a_dead_letter_that_can_be_retried() {
    for engine in engines() {
        let h = harness(engine, &[]).await;
        h.graph.fail_next([Failure::api(
            400,
            551,
            "This person isn't available right now.",
        )]);
        h.deliver(&message("mid.d1", "Are you open today?")).await;
        let reply = h.reply_to("Are you open today?").await;
        assert_eq!(reply["status"], "failed", "{engine:?}: {reply}");
        assert_eq!(reply["error_code"], 551);
        assert!(
            reply["reason"]
                .as_str()
                .unwrap()
                .contains("isn't available")
        );
        assert_eq!(
            h.sent().len(),
            1,
            "{engine:?}: a permanent error is not retried"
        );
        let failed = h.replies("status=failed").await;
        assert_eq!(failed.len(), 1);

        assert_eq!(retry(&h, &reply).await.status(), 202);
        for _ in 0..300 {
            if h.replies("status=sent").await.len() == 1 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert_eq!(h.replies("status=sent").await.len(), 1, "{engine:?}");
        assert_eq!(h.sent().len(), 2);
        let sent_twice = retry(&h, &reply).await;
        assert_eq!(
            sent_twice.status(),
            409,
            "{engine:?}: a sent reply is never sent again"
        );
    }
}

#[tokio::test]
async fn server_errors_are_retried_within_bounds_then_dead_lettered() {
    for engine in engines() {
        let h = harness(engine, &[]).await;
        h.graph.fail_always(Failure::Status(503));
        h.deliver(&message("mid.s1", "Anyone there?")).await;
        let reply = h.reply_to("Anyone there?").await;
        assert_eq!(reply["status"], "failed", "{engine:?}: {reply}");
        assert_eq!(
            h.sent().len(),
            3,
            "{engine:?}: the first try and two retries"
        );
    }
}

/// A reply record left in `sending` and an event whose lease ran out: a worker died after
/// recording the send and before recording its outcome.
async fn die_while_sending(h: &Harness, mid: &str, text: &str) {
    let store = &h.app.state.store;
    let now = Utc::now();
    let claimed = store
        .claim_inbox_events("dead-worker", now, now + Duration::milliseconds(1), 10)
        .await
        .unwrap();
    let event = claimed
        .into_iter()
        .find(|e| e.natural_key == mid)
        .expect("the event");
    let reply = OutboxReply {
        answer: Some("Yes.".into()),
        model: Some("extractive".into()),
        ..OutboxReply::for_event(&event, text, now)
    };
    assert!(matches!(
        store.begin_reply(&reply).await.unwrap(),
        BeginReply::Started { .. }
    ));
}

#[tokio::test]
async fn a_worker_killed_between_sending_and_sent_does_not_send_again() {
    for engine in engines() {
        let mut h = harness(engine, &[]).await;
        h.stop_worker().await;
        h.deliver(&message("mid.k1", "Is it waterproof?")).await;
        die_while_sending(&h, "mid.k1", "Is it waterproof?").await;
        h.start_worker();
        let reply = h.reply_to("Is it waterproof?").await;
        assert_eq!(reply["status"], "needs_review", "{engine:?}: {reply}");
        assert!(reply["reason"].as_str().unwrap().contains("not sent again"));
        assert!(
            h.sent().is_empty(),
            "{engine:?}: never sent blindly after a crash"
        );
    }
}

#[tokio::test]
async fn an_expired_lease_hands_the_event_to_another_worker() {
    for engine in engines() {
        let mut h = harness(engine, &[]).await;
        h.stop_worker().await;
        h.deliver(&message("mid.l1", "What are your hours?")).await;
        let now = Utc::now();
        let taken = h
            .app
            .state
            .store
            .claim_inbox_events("stuck-worker", now, now + Duration::milliseconds(200), 10)
            .await
            .unwrap();
        assert_eq!(taken.len(), 1);
        h.start_worker();
        let reply = h.reply_to("What are your hours?").await;
        assert_eq!(reply["status"], "sent", "{engine:?}: {reply}");
        let sent = h.sent();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].body["recipient"]["id"], PSID);
    }
}

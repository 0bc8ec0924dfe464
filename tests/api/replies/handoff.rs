//! Human hand-off: a paused conversation gets no bot replies, a person answering by hand
//! pauses the bot, and standby events (another app owns the thread) get no reply.

use super::{harness, message};
use crate::fake_graph::{PAGE_ID, PSID};
use crate::helpers::engines;
use chrono::Utc;
use reqwest::Method;
use serde_json::{Value, json};

/// The echo of a message the page sent to `PSID`; `metadata` as the sender attached it.
fn echo(mid: &str, text: &str, metadata: Option<&str>) -> Vec<u8> {
    let now = Utc::now().timestamp_millis();
    let mut message =
        json!({"is_echo": true, "app_id": 263902037430900u64, "mid": mid, "text": text});
    if let Some(metadata) = metadata {
        message["metadata"] = json!(metadata);
    }
    serde_json::to_vec(&json!({
        "object": "page",
        "entry": [{"id": PAGE_ID, "time": now, "messaging": [{
            "sender": {"id": PAGE_ID}, "recipient": {"id": PSID}, "timestamp": now,
            "message": message
        }]}]
    }))
    .unwrap()
}

#[tokio::test]
async fn a_paused_conversation_gets_no_reply_until_resumed() {
    for engine in engines() {
        let h = harness(engine, &[]).await;
        let path = format!("/api/dashboard/conversations/{PAGE_ID}/{PSID}");
        let paused = h
            .app
            .request(Method::POST, &format!("{path}/pause"), Some(&h.token), None)
            .await;
        assert_eq!(paused.status(), 200, "{engine:?}");
        let paused: Value = paused.json().await.unwrap();
        assert_eq!(paused["paused"], true);

        h.deliver(&message("mid.p1", "Hello, anyone?")).await;
        let skipped = h.reply_to("Hello, anyone?").await;
        assert_eq!(skipped["status"], "skipped", "{engine:?}: {skipped}");
        assert!(skipped["reason"].as_str().unwrap().contains("paused"));
        assert!(h.sent().is_empty(), "{engine:?}");

        let resumed = h
            .app
            .request(
                Method::POST,
                &format!("{path}/resume"),
                Some(&h.token),
                None,
            )
            .await;
        assert_eq!(resumed.status(), 200);
        h.deliver(&message("mid.p2", "Hello again")).await;
        assert_eq!(
            h.reply_to("Hello again").await["status"],
            "sent",
            "{engine:?}"
        );
        assert_eq!(h.sent().len(), 1);

        let listed: Value = h
            .app
            .get(
                &format!("/api/dashboard/conversations?page_id={PAGE_ID}"),
                &h.token,
            )
            .await
            .json()
            .await
            .unwrap();
        let conversation = &listed["conversations"][0];
        assert_eq!(conversation["conversation"], PSID, "{engine:?}: {listed}");
        assert_eq!(conversation["paused"], false);
        assert!(conversation["turns"].as_u64().unwrap() >= 3, "{listed}");

        let (_, other) = h.app.company_with_admin("Other").await;
        let foreign = h
            .app
            .request(Method::POST, &format!("{path}/pause"), Some(&other), None)
            .await;
        assert_eq!(
            foreign.status(),
            404,
            "{engine:?}: another company cannot pause it"
        );
    }
}

#[tokio::test]
async fn a_person_answering_by_hand_pauses_the_bot_but_its_own_echo_does_not() {
    for engine in engines() {
        let h = harness(engine, &[]).await;
        h.deliver(&message("mid.e1", "First")).await;
        assert_eq!(h.reply_to("First").await["status"], "sent", "{engine:?}");
        // The echo of the bot's own reply carries crm-mind's metadata: no pause.
        let metadata = h.sent()[0].body["message"]["metadata"]
            .as_str()
            .unwrap()
            .to_owned();
        h.deliver(&echo("m_bot_echo", "Bot said", Some(&metadata)))
            .await;
        h.deliver(&message("mid.e2", "Second")).await;
        assert_eq!(h.reply_to("Second").await["status"], "sent", "{engine:?}");

        // A person writes from the page inbox: the echo has no such metadata.
        h.deliver(&echo("m_human", "Hi, this is Maja from the shop.", None))
            .await;
        h.deliver(&message("mid.e3", "Thanks Maja!")).await;
        let third = h.reply_to("Thanks Maja!").await;
        assert_eq!(third["status"], "skipped", "{engine:?}: {third}");
        assert!(third["reason"].as_str().unwrap().contains("agent_reply"));
        assert_eq!(h.sent().len(), 2, "{engine:?}");
    }
}

#[tokio::test]
async fn standby_events_get_no_reply() {
    for engine in engines() {
        let h = harness(engine, &[]).await;
        let now = Utc::now().timestamp_millis();
        let standby = serde_json::to_vec(&json!({
            "object": "page",
            "entry": [{"id": PAGE_ID, "time": now, "standby": [{
                "sender": {"id": PSID}, "recipient": {"id": PAGE_ID}, "timestamp": now,
                "message": {"mid": "mid.sb1", "text": "Talking to the other app"}
            }]}]
        }))
        .unwrap();
        h.deliver(&standby).await;
        // A later normal message is answered; the standby one never was.
        h.deliver(&message("mid.sb2", "Back to you")).await;
        assert_eq!(
            h.reply_to("Back to you").await["status"],
            "sent",
            "{engine:?}"
        );
        assert_eq!(h.replies("limit=10").await.len(), 1, "{engine:?}");
        assert_eq!(h.sent().len(), 1);
    }
}

//! A page's comment policy: public replies, private replies, both; replies below a comment;
//! a comment the page already answered; Facebook's "already replied" (10900).

use super::{comment, harness};
use crate::fake_graph::{COMMENT_ID, Failure, PAGE_ID};
use crate::helpers::engines;
use chrono::Utc;
use reqwest::Method;
use serde_json::{Value, json};

async fn set_policy(h: &super::Harness, body: Value) {
    let response = h
        .app
        .request(
            Method::PUT,
            &format!("/api/dashboard/pages/{PAGE_ID}/reply-settings"),
            Some(&h.token),
            Some(body),
        )
        .await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn the_both_policy_replies_publicly_and_privately() {
    for engine in engines() {
        let h = harness(engine, &[]).await;
        set_policy(&h, json!({"comment_policy": "both"})).await;
        h.deliver(&comment(COMMENT_ID, "Do you ship abroad?")).await;
        let reply = h.reply_to("Do you ship abroad?").await;
        assert_eq!(reply["status"], "sent", "{engine:?}: {reply}");
        let sent = h.sent();
        assert_eq!(sent.len(), 2, "{engine:?}");
        assert_eq!(sent[0].path, format!("/v21.0/{COMMENT_ID}/comments"));
        assert_eq!(sent[1].path, format!("/v21.0/{PAGE_ID}/messages"));
        assert_eq!(sent[1].body["recipient"]["comment_id"], COMMENT_ID);
    }
}

#[tokio::test]
async fn a_private_reply_facebook_calls_already_sent_counts_as_done() {
    for engine in engines() {
        let h = harness(engine, &[]).await;
        set_policy(&h, json!({"comment_policy": "private"})).await;
        h.graph
            .fail_next([Failure::api(400, 10900, "Activity already replied to")]);
        h.deliver(&comment(COMMENT_ID, "Price please")).await;
        let reply = h.reply_to("Price please").await;
        assert_eq!(reply["status"], "sent", "{engine:?}: {reply}");
        assert!(
            reply["reason"]
                .as_str()
                .unwrap()
                .contains("answered already")
        );
        assert_eq!(h.sent().len(), 1, "{engine:?}: not retried");
    }
}

#[tokio::test]
async fn replies_below_a_comment_and_answered_comments_are_left_alone() {
    for engine in engines() {
        let mut h = harness(engine, &[]).await;
        let post_id = format!("{PAGE_ID}_1001");
        let now = Utc::now().timestamp();
        let feed = |comment_id: &str, parent: &str, from: &str, text: &str| {
            serde_json::to_vec(&json!({
                "object": "page",
                "entry": [{"id": PAGE_ID, "time": now, "changes": [{"field": "feed", "value": {
                    "item": "comment", "verb": "add", "comment_id": comment_id, "post_id": post_id,
                    "parent_id": parent, "from": {"id": from, "name": "Someone"},
                    "message": text, "created_time": now
                }}]}]
            }))
            .unwrap()
        };
        // A reply below a customer's comment: not answered by default.
        h.deliver(&feed("1001_2", "1001_1", "555", "Me too!")).await;
        let below = h.reply_to("Me too!").await;
        assert_eq!(below["status"], "skipped", "{engine:?}: {below}");

        // The page answered a comment by hand before the bot got to it.
        h.stop_worker().await;
        h.deliver(&feed("1001_3", &post_id, "556", "Is the shop open?"))
            .await;
        h.deliver(&feed("1001_4", "1001_3", PAGE_ID, "Yes, until 6 pm."))
            .await;
        h.start_worker();
        let answered = h.reply_to("Is the shop open?").await;
        assert_eq!(answered["status"], "skipped", "{engine:?}: {answered}");
        assert!(
            answered["reason"]
                .as_str()
                .unwrap()
                .contains("already answered")
        );
        assert!(h.sent().is_empty(), "{engine:?}");
    }
}

#[tokio::test]
async fn a_chat_model_sees_the_parent_comment_and_the_conversation_so_far() {
    use crate::fake_chat::{FakeChat, Reply};
    for engine in engines() {
        let chat = FakeChat::start(vec![Reply::completion("We deliver all over Slovenia.")]).await;
        let chat_settings = chat.settings();
        let h = super::harness_with(engine, &[], |settings| {
            settings.llm_base_url = Some(chat_settings.base_url);
            settings.llm_api_key = chat_settings.api_key;
        })
        .await;
        set_policy(&h, json!({"answer_comment_replies": true})).await;
        let post_id = format!("{PAGE_ID}_1001");
        let now = Utc::now().timestamp();
        let feed = |comment_id: &str, parent: &str, text: &str| {
            serde_json::to_vec(&json!({
                "object": "page",
                "entry": [{"id": PAGE_ID, "time": now, "changes": [{"field": "feed", "value": {
                    "item": "comment", "verb": "add", "comment_id": comment_id, "post_id": post_id,
                    "parent_id": parent, "from": {"id": "557", "name": "Someone"},
                    "message": text, "created_time": now
                }}]}]
            }))
            .unwrap()
        };
        h.deliver(&feed("1001_7", &post_id, "Do you deliver to Maribor?"))
            .await;
        assert_eq!(
            h.reply_to("Do you deliver to Maribor?").await["status"],
            "sent",
            "{engine:?}"
        );
        h.deliver(&feed("1001_8", "1001_7", "And to Koper?")).await;
        let below = h.reply_to("And to Koper?").await;
        // The page's own answer in the thread came after the first comment, not this one.
        assert_eq!(below["status"], "sent", "{engine:?}: {below}");
        let requests = chat.seen();
        let system = requests.last().unwrap().body["messages"][0]["content"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            system.contains("Do you deliver to Maribor?"),
            "{engine:?}: {system}"
        );

        h.deliver(&super::message(
            "mid.c1",
            "Hi, I ordered a kettle yesterday.",
        ))
        .await;
        h.reply_to("Hi, I ordered a kettle yesterday.").await;
        h.deliver(&super::message("mid.c2", "When will it arrive?"))
            .await;
        h.reply_to("When will it arrive?").await;
        let last = chat.seen().last().unwrap().body["messages"].to_string();
        assert!(
            last.contains("I ordered a kettle yesterday"),
            "{engine:?}: the history: {last}"
        );
        assert!(
            last.contains("We deliver all over Slovenia."),
            "{engine:?}: the page's turn: {last}"
        );
    }
}

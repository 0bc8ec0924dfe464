//! `GET /webhook` and `POST /webhook` as Facebook uses them.

use crate::helpers::{
    APP_SECRET, VERIFY_TOKEN, engines, error_of, fixture, spawn_app, text_message,
};
use crm_mind::domain::InboxMessage;
use crm_mind::facebook::signature::sign;

#[tokio::test]
async fn the_verification_handshake() {
    let app = spawn_app(engines()[0]).await;
    let url = |mode: &str, token: &str| {
        format!(
            "{}/webhook?hub.mode={mode}&hub.verify_token={token}&hub.challenge=1158201444",
            app.address
        )
    };
    let response = app
        .client
        .get(url("subscribe", VERIFY_TOKEN))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert_eq!(response.text().await.unwrap(), "1158201444");

    for (mode, token) in [
        ("subscribe", "wrong-token"),
        ("unsubscribe", VERIFY_TOKEN),
        ("subscribe", ""),
    ] {
        let response = app.client.get(url(mode, token)).send().await.unwrap();
        assert_eq!(response.status(), 403, "{mode} {token}");
    }
    let response = app
        .client
        .get(format!("{}/webhook", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
}

#[tokio::test]
async fn signatures_are_checked_on_the_raw_body_and_bad_ones_store_nothing() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (company, token) = app.company_with_admin("Shop").await;
        app.register_page(&token, "1001").await;
        let body = text_message("1001", "mid.sig", "Hello");
        let good = sign(APP_SECRET.as_bytes(), &body);
        let wrong_secret = sign(b"not-the-app-secret", &body);
        let mut flipped = body.clone();
        let last = flipped.len() - 2;
        flipped[last] ^= 0x01;
        let sha1_only = "sha1=0d814d436b45c33ef664a317ff4b8dc2d3d8fe2a";

        let refused = [
            app.post_webhook_with(&body, &[("X-Hub-Signature-256", &wrong_secret)])
                .await,
            app.post_webhook_with(&flipped, &[("X-Hub-Signature-256", &good)])
                .await,
            app.post_webhook_with(&body, &[]).await,
            app.post_webhook_with(&body, &[("X-Hub-Signature", sha1_only)])
                .await,
            app.post_webhook_with(&body, &[("X-Hub-Signature-256", "sha256=")])
                .await,
        ];
        for response in refused {
            let (status, code, _) = error_of(response).await;
            assert_eq!(
                (status, code.as_str()),
                (403, "invalid_signature"),
                "{engine:?}"
            );
        }
        assert!(
            app.inbox(&company).await.is_empty(),
            "nothing stored from refused deliveries"
        );

        let response = app
            .post_webhook_with(&body, &[("X-Hub-Signature-256", &good)])
            .await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.text().await.unwrap(), "EVENT_RECEIVED");
        assert_eq!(app.inbox(&company).await.len(), 1);
    }
}

#[tokio::test]
async fn a_redelivered_event_is_stored_once() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (company, token) = app.company_with_admin("Shop").await;
        app.register_page(&token, "1001").await;
        let body = text_message("1001", "mid.dup", "Is the blue one in stock?");
        for _ in 0..3 {
            assert_eq!(app.post_webhook(&body).await.status(), 200);
        }
        // The same mid inside one delivery, twice, and a new one beside it.
        let both = serde_json::json!({"object": "page", "entry": [{"id": "1001", "time": 1, "messaging": [
            {"sender": {"id": "psid-1"}, "recipient": {"id": "1001"}, "timestamp": 5, "message": {"mid": "mid.dup", "text": "Is the blue one in stock?"}},
            {"sender": {"id": "psid-2"}, "recipient": {"id": "1001"}, "timestamp": 6, "message": {"mid": "mid.new", "text": "And the red?"}},
            {"sender": {"id": "psid-2"}, "recipient": {"id": "1001"}, "timestamp": 6, "message": {"mid": "mid.new", "text": "And the red?"}}
        ]}]});
        assert_eq!(
            app.post_webhook(&serde_json::to_vec(&both).unwrap())
                .await
                .status(),
            200
        );

        let inbox = app.inbox(&company).await;
        let mut keys: Vec<&str> = inbox.iter().map(|e| e.natural_key.as_str()).collect();
        keys.sort();
        assert_eq!(keys, ["mid.dup", "mid.new"], "{engine:?}");
        let first = inbox.iter().find(|e| e.natural_key == "mid.dup").unwrap();
        assert_eq!(first.sender_id, "psid-1");
        assert_eq!(
            first.message,
            InboxMessage::Text {
                mid: "mid.dup".into(),
                text: "Is the blue one in stock?".into()
            }
        );
    }
}

#[tokio::test]
async fn events_that_want_no_reply_and_unknown_pages_are_acknowledged_but_not_queued() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (company, token) = app.company_with_admin("Shop").await;
        app.register_page(&token, "1423587017700273").await;
        for file in [
            "messenger/bottender_echo_message.messaging_item.json",
            "messenger/bottender_delivery.messaging_item.json",
            "messenger/bottender_read.messaging_item.json",
        ] {
            let item: serde_json::Value = serde_json::from_slice(&fixture(file)).unwrap();
            let body = serde_json::json!({"object": "page", "entry": [{"id": "1423587017700273", "time": 1, "messaging": [item]}]});
            assert_eq!(
                app.post_webhook(&serde_json::to_vec(&body).unwrap())
                    .await
                    .status(),
                200,
                "{file}"
            );
        }
        assert!(app.inbox(&company).await.is_empty(), "{engine:?}");

        // A page nobody registered: 200, dropped.
        assert_eq!(
            app.post_webhook(&text_message("999", "mid.unknown", "hi"))
                .await
                .status(),
            200
        );
        assert!(app.inbox(&company).await.is_empty());

        // An object other than "page" is acknowledged and ignored.
        let other = br#"{"object":"instagram","entry":[]}"#;
        assert_eq!(app.post_webhook(other).await.status(), 200);
    }
}

#[tokio::test]
async fn comments_and_the_bom_fixture_reach_the_inbox() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (company, token) = app.company_with_admin("Shop").await;
        app.register_page(&token, "<PAGE_ID>").await;
        app.register_page(&token, "page1").await;

        let comments = fixture("feed/bottender-facebook_comment_add.webhook.json");
        assert_eq!(app.post_webhook(&comments).await.status(), 200);
        let standby = fixture("messenger/botbuilder-dotnet_PayloadWithStandby.webhook.json");
        assert_eq!(
            app.post_webhook(&standby).await.status(),
            200,
            "a leading BOM is tolerated"
        );

        let inbox = app.inbox(&company).await;
        assert_eq!(
            inbox.len(),
            2,
            "{engine:?}: one comment (the other page is not ours) and one message"
        );
        let comment = inbox
            .iter()
            .find(|e| e.page_id.as_str() == "<PAGE_ID>")
            .unwrap();
        assert_eq!(comment.channel, crm_mind::domain::Channel::Facebook);
        assert_eq!(comment.sender_id, "139560936744123");
        let message = inbox
            .iter()
            .find(|e| e.page_id.as_str() == "page1")
            .unwrap();
        assert_eq!(message.channel, crm_mind::domain::Channel::Messenger);
    }
}

#[tokio::test]
async fn oversized_and_malformed_bodies_are_refused() {
    let app = spawn_app(engines()[0]).await;
    let big = vec![b' '; 1024 * 1024 + 1];
    let (status, code, _) = error_of(app.post_webhook(&big).await).await;
    assert_eq!((status, code.as_str()), (413, "payload_too_large"));

    let (status, code, _) = error_of(app.post_webhook(b"{\"object\": \"page\", ").await).await;
    assert_eq!((status, code.as_str()), (400, "invalid_request"));
    let (status, _, _) = error_of(app.post_webhook(b"[1,2,3]").await).await;
    assert_eq!(status, 400, "JSON that is not a delivery");
}

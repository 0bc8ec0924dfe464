//! Every published payload in `fixtures/external` parses into the events it holds, and the
//! published signature vectors verify.

use crate::helpers::fixture;
use crm_mind::domain::events::{FeedItem, FeedVerb, InboxMessage, MessagingKind, WebhookEvent};
use crm_mind::facebook::{SignatureError, parse_webhook, verify_signature};
use serde_json::{Value, json};

fn messaging(event: &WebhookEvent) -> &crm_mind::domain::events::MessagingEvent {
    match event {
        WebhookEvent::Messaging(m) => m,
        other => panic!("expected a messaging event, got {other:?}"),
    }
}

/// Wraps a single `entry[].messaging[]` item into a whole delivery for page `page`.
fn wrap_messaging(item_file: &str, page: &str) -> Vec<u8> {
    let item: Value = serde_json::from_slice(&fixture(item_file)).unwrap();
    serde_json::to_vec(
        &json!({"object": "page", "entry": [{"id": page, "time": 1, "messaging": [item]}]}),
    )
    .unwrap()
}

fn wrap_change(change_file: &str, page: &str) -> Vec<u8> {
    let change: Value = serde_json::from_slice(&fixture(change_file)).unwrap();
    serde_json::to_vec(
        &json!({"object": "page", "entry": [{"id": page, "time": 1, "changes": [change]}]}),
    )
    .unwrap()
}

#[test]
fn whole_messenger_deliveries() {
    let payload = parse_webhook(&fixture(
        "messenger/bottender-facebook_text_message.webhook.json",
    ))
    .unwrap();
    assert_eq!(payload.events.len(), 1);
    let inbox = payload.events[0]
        .to_inbox()
        .expect("a text message wants a reply");
    assert_eq!(inbox.sender_id, "1412611362105802");
    assert!(matches!(inbox.message, InboxMessage::Text { ref text, .. } if text == "text"));

    let payload = parse_webhook(&fixture(
        "messenger/bottender-facebook_batch_two_pages.webhook.json",
    ))
    .unwrap();
    let pages: Vec<&str> = payload
        .events
        .iter()
        .map(|e| e.page_id().as_str())
        .collect();
    assert_eq!(pages, ["1895382890692545", "189538289069256"]);
    let mids: Vec<String> = payload
        .events
        .iter()
        .filter_map(|e| e.to_inbox())
        .map(|c| c.natural_key)
        .collect();
    assert_eq!(
        mids,
        [
            "mid.1486464322190:cb04e5a654",
            "mid.1486464322190:cb04e5a656"
        ]
    );

    let payload =
        parse_webhook(&fixture("messenger/botbuilder-dotnet_Payload.webhook.json")).unwrap();
    assert_eq!(payload.events.len(), 1);
    assert_eq!(
        messaging(&payload.events[0]).kind,
        MessagingKind::Text {
            mid: "AAAA-BBBB-CCCC".into(),
            text: "text".into()
        }
    );

    let payload = parse_webhook(&fixture(
        "messenger/botbuilder-dotnet_PayloadWithPostBack.webhook.json",
    ))
    .unwrap();
    let event = messaging(&payload.events[0]);
    assert_eq!(
        event.kind,
        MessagingKind::Postback {
            mid: Some("m_1457764197618:41d102a3e1ae206a38".into()),
            title: Some("title".into()),
            payload: "USER_DEFINED_PAYLOAD".into()
        }
    );
    assert_eq!(
        payload.events[0].to_inbox().unwrap().natural_key,
        "m_1457764197618:41d102a3e1ae206a38"
    );
}

#[test]
fn the_standby_delivery_with_a_bom_parses() {
    let bytes = fixture("messenger/botbuilder-dotnet_PayloadWithStandby.webhook.json");
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "the fixture keeps its BOM"
    );
    let payload = parse_webhook(&bytes).unwrap();
    assert_eq!(payload.events.len(), 3);
    let standby: Vec<_> = payload
        .events
        .iter()
        .map(messaging)
        .filter(|m| m.standby)
        .collect();
    assert_eq!(standby.len(), 2);
    assert!(
        standby
            .iter()
            .all(|m| m.kind == MessagingKind::Other && m.page_id.as_str() == "page1")
    );
    let queued: Vec<_> = payload.events.iter().filter_map(|e| e.to_inbox()).collect();
    assert_eq!(
        queued.len(),
        1,
        "only the messaging text wants a reply, not standby"
    );
    assert_eq!(queued[0].natural_key, "AAAA-BBBB-CCCC");
}

#[test]
fn each_messaging_item_kind() {
    let page = "1423587017700273";
    let cases: [(&str, &str, bool); 8] = [
        (
            "messenger/bottender_text_message.messaging_item.json",
            "message",
            true,
        ),
        (
            "messenger/bottender_quick_reply_message.messaging_item.json",
            "quick_reply",
            true,
        ),
        (
            "messenger/bottender_postback.messaging_item.json",
            "postback",
            true,
        ),
        (
            "messenger/bottender_image_message.messaging_item.json",
            "attachments",
            false,
        ),
        (
            "messenger/bottender_sticker_message.messaging_item.json",
            "attachments",
            false,
        ),
        (
            "messenger/bottender_echo_message.messaging_item.json",
            "echo",
            false,
        ),
        (
            "messenger/bottender_delivery.messaging_item.json",
            "delivery",
            false,
        ),
        (
            "messenger/bottender_read.messaging_item.json",
            "read",
            false,
        ),
    ];
    for (file, label, wants_reply) in cases {
        let payload = parse_webhook(&wrap_messaging(file, page)).unwrap();
        assert_eq!(payload.events.len(), 1, "{file}");
        assert_eq!(payload.events[0].label(), label, "{file}");
        assert_eq!(
            payload.events[0].to_inbox().is_some(),
            wants_reply,
            "{file}"
        );
    }

    let quick = parse_webhook(&wrap_messaging(
        "messenger/bottender_quick_reply_message.messaging_item.json",
        page,
    ))
    .unwrap();
    assert_eq!(
        messaging(&quick.events[0]).kind,
        MessagingKind::QuickReply {
            mid: "mid.$cAAE1UUyiiwthh2BKL1bVhsBhVxvm".into(),
            text: "Red".into(),
            payload: "DEVELOPER_DEFINED_PAYLOAD_FOR_PICKING_RED".into()
        }
    );
    // The bottender postback has no mid: sender and timestamp make its key.
    let postback = parse_webhook(&wrap_messaging(
        "messenger/bottender_postback.messaging_item.json",
        page,
    ))
    .unwrap();
    assert_eq!(
        postback.events[0].to_inbox().unwrap().natural_key,
        "postback:1423587017700273:1491798782090"
    );
    let delivery = parse_webhook(&wrap_messaging(
        "messenger/bottender_delivery.messaging_item.json",
        page,
    ))
    .unwrap();
    assert_eq!(
        messaging(&delivery.events[0]).kind,
        MessagingKind::Delivery {
            mids: vec!["mid.1458668856218:ed81099e15d3f4f233".into()],
            watermark: 1458668856253
        }
    );
    let sticker = parse_webhook(&wrap_messaging(
        "messenger/bottender_sticker_message.messaging_item.json",
        page,
    ))
    .unwrap();
    assert!(
        matches!(&messaging(&sticker.events[0]).kind, MessagingKind::Attachments { kinds, .. } if kinds == &["image"])
    );
}

#[test]
fn each_feed_change_kind() {
    let page = "137542570280222";
    let cases = [
        (
            "feed/bottender-facebook_comment_add.change.json",
            FeedItem::Comment,
            FeedVerb::Add,
            true,
        ),
        (
            "feed/bottender-facebook_comment_edited.change.json",
            FeedItem::Comment,
            FeedVerb::Edited,
            false,
        ),
        (
            "feed/bottender-facebook_comment_remove.change.json",
            FeedItem::Comment,
            FeedVerb::Remove,
            false,
        ),
        (
            "feed/bottender-facebook_status_add.change.json",
            FeedItem::Status,
            FeedVerb::Add,
            false,
        ),
        (
            "feed/bottender-facebook_post_remove.change.json",
            FeedItem::Post,
            FeedVerb::Remove,
            false,
        ),
        (
            "feed/bottender-facebook_reaction_add.change.json",
            FeedItem::Reaction,
            FeedVerb::Add,
            false,
        ),
        (
            "feed/bottender-facebook_like_add.change.json",
            FeedItem::Like,
            FeedVerb::Add,
            false,
        ),
    ];
    for (file, item, verb, wants_reply) in cases {
        let payload = parse_webhook(&wrap_change(file, page)).unwrap();
        assert_eq!(payload.events.len(), 1, "{file}");
        let WebhookEvent::Feed(feed) = &payload.events[0] else {
            panic!("{file}: not a feed event")
        };
        assert_eq!((&feed.item, &feed.verb), (&item, &verb), "{file}");
        assert_eq!(
            payload.events[0].to_inbox().is_some(),
            wants_reply,
            "{file}"
        );
    }
    let payload = parse_webhook(&wrap_change(
        "feed/bottender-facebook_comment_add.change.json",
        page,
    ))
    .unwrap();
    let inbox = payload.events[0].to_inbox().unwrap();
    assert_eq!(inbox.natural_key, "139560936744456_139620233405726");
    assert_eq!(
        inbox.message,
        InboxMessage::Comment {
            comment_id: "139560936744456_139620233405726".into(),
            post_id: Some("137542570280222_139560936744456".into()),
            parent_id: Some("139560936744456_139562213411528".into()),
            from_name: Some("user".into()),
            text: "Good".into(),
        }
    );
    // The same comment by the page itself wants no reply.
    let payload = parse_webhook(&wrap_change(
        "feed/bottender-facebook_comment_add.change.json",
        "139560936744123",
    ))
    .unwrap();
    assert!(payload.events[0].to_inbox().is_none());
}

#[test]
fn the_two_page_comment_delivery() {
    let payload =
        parse_webhook(&fixture("feed/bottender-facebook_comment_add.webhook.json")).unwrap();
    let pages: Vec<&str> = payload
        .events
        .iter()
        .map(|e| e.page_id().as_str())
        .collect();
    assert_eq!(pages, ["<PAGE_ID>", "<OTHER_PAGE_ID>"]);
    assert!(payload.events.iter().all(|e| e.to_inbox().is_some()));
}

#[test]
fn published_signature_vectors_verify() {
    let vectors: Value =
        serde_json::from_slice(&fixture("signature/hub_signature_vectors.json")).unwrap();
    let vectors = vectors["vectors"].as_array().unwrap();
    assert_eq!(vectors.len(), 3);
    for vector in vectors {
        let secret = vector["app_secret"].as_str().unwrap().as_bytes();
        let body = match vector["raw_body"].as_str() {
            Some(body) => body.as_bytes().to_vec(),
            None => fixture("feed/bottender-facebook_comment_add.webhook.json"),
        };
        let header = vector["x_hub_signature_256_computed_by_us"]
            .as_str()
            .unwrap();
        assert_eq!(
            verify_signature(secret, &body, Some(header.as_bytes())),
            Ok(()),
            "{vector}"
        );
        assert_eq!(
            verify_signature(b"OTHER_SECRET", &body, Some(header.as_bytes())),
            Err(SignatureError::Mismatch)
        );
        // The published SHA-1 form is not accepted in place of SHA-256.
        if let Some(sha1) = vector["x_hub_signature_sha1_published"].as_str() {
            assert_eq!(
                verify_signature(secret, &body, Some(sha1.as_bytes())),
                Err(SignatureError::Malformed)
            );
        }
    }
}

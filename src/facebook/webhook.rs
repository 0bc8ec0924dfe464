//! The Page webhook body (`object: "page"`) parsed into typed events.
//!
//! Wire reference: <https://developers.facebook.com/docs/messenger-platform/webhooks> and
//! <https://developers.facebook.com/docs/graph-api/webhooks/reference/page/#feed>.
//!
//! The envelope must be JSON with an `object`; anything wrong inside one item (a field of an
//! unexpected type, a change we do not know) skips that item only and is counted, because a
//! 4xx for a whole delivery makes Facebook redeliver it again and again and finally disable
//! the subscription. Unknown fields are ignored, a leading UTF-8 BOM is tolerated, and ids
//! may come as strings or numbers.

use crate::domain::PageId;
use crate::domain::events::{
    FeedEvent, FeedItem, FeedVerb, MessagingEvent, MessagingKind, WebhookEvent,
};
use serde::Deserialize;
use serde::de::{self, Deserializer};
use serde_json::value::RawValue;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("the body is not valid JSON: {0}")]
    InvalidJson(String),
}

/// A parsed delivery: what it was about, its events, and how many items were skipped.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WebhookPayload {
    pub object: String,
    pub events: Vec<WebhookEvent>,
    pub skipped_items: usize,
}

pub fn parse_webhook(body: &[u8]) -> Result<WebhookPayload, ParseError> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let envelope: WireBody<'_> =
        serde_json::from_slice(body).map_err(|e| ParseError::InvalidJson(e.to_string()))?;
    let mut payload = WebhookPayload {
        object: envelope.object,
        ..WebhookPayload::default()
    };
    if payload.object != "page" {
        return Ok(payload);
    }
    for raw_entry in envelope.entry.unwrap_or_default() {
        let Ok(entry) = serde_json::from_str::<WireEntry<'_>>(raw_entry.get()) else {
            payload.skipped_items += 1;
            continue;
        };
        let page_id = PageId::from(entry.id.0);
        let messaging = entry
            .messaging
            .unwrap_or_default()
            .into_iter()
            .map(|m| (m, false));
        let standby = entry
            .standby
            .unwrap_or_default()
            .into_iter()
            .map(|m| (m, true));
        for (raw, standby) in messaging.chain(standby) {
            match serde_json::from_str::<WireMessaging>(raw.get()) {
                Ok(item) => payload
                    .events
                    .push(WebhookEvent::Messaging(item.into_event(&page_id, standby))),
                Err(_) => payload.skipped_items += 1,
            }
        }
        for raw in entry.changes.unwrap_or_default() {
            match serde_json::from_str::<WireChange>(raw.get()) {
                Ok(change) if change.field == "feed" => match change.value {
                    Some(value) => payload
                        .events
                        .push(WebhookEvent::Feed(value.into_event(&page_id))),
                    None => payload.skipped_items += 1,
                },
                // Other fields (mention, ratings, ...) are not subscribed to; nothing to do.
                Ok(_) => {}
                Err(_) => payload.skipped_items += 1,
            }
        }
    }
    Ok(payload)
}

#[derive(Deserialize)]
struct WireBody<'a> {
    object: String,
    #[serde(borrow)]
    entry: Option<Vec<&'a RawValue>>,
}

#[derive(Deserialize)]
struct WireEntry<'a> {
    id: FlexString,
    #[serde(borrow)]
    messaging: Option<Vec<&'a RawValue>>,
    #[serde(borrow)]
    standby: Option<Vec<&'a RawValue>>,
    #[serde(borrow)]
    changes: Option<Vec<&'a RawValue>>,
}

#[derive(Deserialize)]
struct WireParty {
    id: FlexString,
}

#[derive(Deserialize)]
struct WireMessaging {
    sender: Option<WireParty>,
    recipient: Option<WireParty>,
    timestamp: Option<i64>,
    message: Option<WireMessage>,
    postback: Option<WirePostback>,
    delivery: Option<WireDelivery>,
    read: Option<WireRead>,
}

#[derive(Deserialize)]
struct WireMessage {
    mid: Option<String>,
    text: Option<String>,
    is_echo: Option<bool>,
    /// On an echo: the `metadata` the sender attached in the Send API call.
    metadata: Option<String>,
    quick_reply: Option<WirePayload>,
    attachments: Option<Vec<WireAttachment>>,
}

#[derive(Deserialize)]
struct WirePayload {
    payload: Option<String>,
}

#[derive(Deserialize)]
struct WireAttachment {
    #[serde(rename = "type")]
    kind: Option<String>,
}

#[derive(Deserialize)]
struct WirePostback {
    mid: Option<String>,
    title: Option<String>,
    payload: Option<String>,
}

#[derive(Deserialize)]
struct WireDelivery {
    mids: Option<Vec<String>>,
    watermark: Option<i64>,
}

#[derive(Deserialize)]
struct WireRead {
    watermark: Option<i64>,
}

impl WireMessaging {
    fn into_event(self, page_id: &PageId, standby: bool) -> MessagingEvent {
        let sender_id = self.sender.map(|p| p.id.0).unwrap_or_default();
        let recipient_id = self.recipient.map(|p| p.id.0).unwrap_or_default();
        let kind = Self::kind(self.message, self.postback, self.delivery, self.read);
        MessagingEvent {
            page_id: page_id.clone(),
            sender_id,
            recipient_id,
            timestamp: self.timestamp,
            standby,
            kind,
        }
    }

    fn kind(
        message: Option<WireMessage>,
        postback: Option<WirePostback>,
        delivery: Option<WireDelivery>,
        read: Option<WireRead>,
    ) -> MessagingKind {
        if let Some(message) = message {
            let mid = message.mid.unwrap_or_default();
            let text = message.text.filter(|t| !t.trim().is_empty());
            let attachments = message.attachments.unwrap_or_default();
            return match (message.is_echo.unwrap_or(false), message.quick_reply, text) {
                (true, _, text) => MessagingKind::Echo {
                    mid,
                    text,
                    metadata: message.metadata,
                },
                (false, Some(quick_reply), text) => MessagingKind::QuickReply {
                    mid,
                    text: text.unwrap_or_default(),
                    payload: quick_reply.payload.unwrap_or_default(),
                },
                (false, None, Some(text)) => MessagingKind::Text { mid, text },
                (false, None, None) if !attachments.is_empty() => MessagingKind::Attachments {
                    mid,
                    text: None,
                    kinds: attachments
                        .into_iter()
                        .map(|a| a.kind.unwrap_or_else(|| "unknown".to_owned()))
                        .collect(),
                },
                (false, None, None) => MessagingKind::Other,
            };
        }
        if let Some(postback) = postback {
            return MessagingKind::Postback {
                mid: postback.mid,
                title: postback.title,
                payload: postback.payload.unwrap_or_default(),
            };
        }
        if let Some(delivery) = delivery {
            return MessagingKind::Delivery {
                mids: delivery.mids.unwrap_or_default(),
                watermark: delivery.watermark.unwrap_or_default(),
            };
        }
        if let Some(read) = read {
            return MessagingKind::Read {
                watermark: read.watermark.unwrap_or_default(),
            };
        }
        MessagingKind::Other
    }
}

#[derive(Deserialize)]
struct WireChange {
    field: String,
    value: Option<WireFeedValue>,
}

#[derive(Deserialize)]
struct WireFeedValue {
    item: Option<String>,
    verb: Option<String>,
    from: Option<WireFrom>,
    post_id: Option<FlexString>,
    comment_id: Option<FlexString>,
    parent_id: Option<FlexString>,
    message: Option<String>,
    created_time: Option<FlexTime>,
}

#[derive(Deserialize)]
struct WireFrom {
    id: Option<FlexString>,
    name: Option<String>,
}

impl WireFeedValue {
    fn into_event(self, page_id: &PageId) -> FeedEvent {
        let item = match self.item.as_deref().unwrap_or_default() {
            "comment" => FeedItem::Comment,
            "status" => FeedItem::Status,
            "post" => FeedItem::Post,
            "reaction" => FeedItem::Reaction,
            "like" => FeedItem::Like,
            other => FeedItem::Other(other.to_owned()),
        };
        let verb = match self.verb.as_deref().unwrap_or_default() {
            "add" => FeedVerb::Add,
            "edited" => FeedVerb::Edited,
            "remove" => FeedVerb::Remove,
            other => FeedVerb::Other(other.to_owned()),
        };
        let (from_id, from_name) = match self.from {
            Some(from) => (from.id.map(|id| id.0), from.name),
            None => (None, None),
        };
        FeedEvent {
            page_id: page_id.clone(),
            item,
            verb,
            from_id,
            from_name,
            post_id: self.post_id.map(|v| v.0),
            comment_id: self.comment_id.map(|v| v.0),
            parent_id: self.parent_id.map(|v| v.0),
            message: self.message,
            created_time: self.created_time.and_then(|t| t.0),
        }
    }
}

/// An id Facebook sends as a string, and some senders as a number.
struct FlexString(String);

impl<'de> Deserialize<'de> for FlexString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::String(s) => Ok(FlexString(s)),
            serde_json::Value::Number(n) => Ok(FlexString(n.to_string())),
            other => Err(de::Error::custom(format!("expected an id, found {other}"))),
        }
    }
}

/// `created_time`: unix seconds as a number, or an ISO 8601 string in some deliveries.
struct FlexTime(Option<i64>);

impl<'de> Deserialize<'de> for FlexTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(FlexTime(
            match serde_json::Value::deserialize(deserializer)? {
                serde_json::Value::Number(n) => n.as_i64(),
                serde_json::Value::String(s) => chrono::DateTime::parse_from_rfc3339(&s)
                    .or_else(|_| chrono::DateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M:%S%z"))
                    .ok()
                    .map(|t| t.timestamp()),
                _ => None,
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_objects_parse_to_no_events() {
        let payload = parse_webhook(br#"{"object":"instagram","entry":[{"id":"1"}]}"#).unwrap();
        assert_eq!(payload.object, "instagram");
        assert!(payload.events.is_empty());
    }

    #[test]
    fn a_broken_item_skips_only_itself() {
        let body = br#"{"object":"page","entry":[{"id":"1","messaging":[
            {"sender":{"id":"u"},"recipient":{"id":"1"},"timestamp":"not a number"},
            {"sender":{"id":"u"},"recipient":{"id":"1"},"timestamp":5,"message":{"mid":"m1","text":"hi"}}]}]}"#;
        let payload = parse_webhook(body).unwrap();
        assert_eq!(payload.skipped_items, 1);
        assert_eq!(payload.events.len(), 1);
    }

    #[test]
    fn deep_nesting_and_garbage_are_errors_not_panics() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse_webhook(deep.as_bytes()).is_err());
        assert!(parse_webhook(b"\xff\xfe").is_err());
        assert!(parse_webhook(b"").is_err());
    }
}

//! Webhook events as the rest of the service sees them, and the inbox record of the ones
//! that want an answer.
//!
//! [`WebhookEvent`] covers everything a Page webhook delivers; [`WebhookEvent::to_inbox`]
//! decides which of them the bot answers. That decision is the one place where "does this
//! need a reply?" is answered.

use super::{Channel, CompanyId, PageId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One event of a Page webhook delivery, typed.
#[derive(Debug, Clone, PartialEq)]
pub enum WebhookEvent {
    Messaging(MessagingEvent),
    Feed(FeedEvent),
}

/// An item of `entry[].messaging[]` (or of `entry[].standby[]`, when another app owns the thread).
#[derive(Debug, Clone, PartialEq)]
pub struct MessagingEvent {
    pub page_id: PageId,
    pub sender_id: String,
    pub recipient_id: String,
    pub timestamp: Option<i64>,
    /// Delivered on the standby channel: another app has thread control, so we only watch.
    pub standby: bool,
    pub kind: MessagingKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum MessagingKind {
    Text {
        mid: String,
        text: String,
    },
    QuickReply {
        mid: String,
        text: String,
        payload: String,
    },
    /// Images, stickers, files, locations; `text` when the message also had some.
    Attachments {
        mid: String,
        text: Option<String>,
        kinds: Vec<String>,
    },
    Postback {
        mid: Option<String>,
        title: Option<String>,
        payload: String,
    },
    /// A copy of a message the page itself sent (by the bot or a human agent).
    Echo {
        mid: String,
        text: Option<String>,
        /// What the sender attached to the message; crm-mind marks its own replies with
        /// [`crate::facebook::graph::REPLY_METADATA`], so any other echo is a person's.
        metadata: Option<String>,
    },
    Delivery {
        mids: Vec<String>,
        watermark: i64,
    },
    Read {
        watermark: i64,
    },
    /// Reactions, referrals, opt-ins and other kinds we do not act on.
    Other,
}

/// A change of `entry[].changes[]` with `field: "feed"`.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedEvent {
    pub page_id: PageId,
    pub item: FeedItem,
    pub verb: FeedVerb,
    pub from_id: Option<String>,
    pub from_name: Option<String>,
    pub post_id: Option<String>,
    pub comment_id: Option<String>,
    pub parent_id: Option<String>,
    pub message: Option<String>,
    pub created_time: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedItem {
    Comment,
    Status,
    Post,
    Reaction,
    Like,
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedVerb {
    Add,
    Edited,
    Remove,
    Other(String),
}

/// What the bot is asked to answer: the part of an event a reply needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum InboxMessage {
    Text {
        mid: String,
        text: String,
    },
    QuickReply {
        mid: String,
        text: String,
        payload: String,
    },
    Postback {
        mid: Option<String>,
        title: Option<String>,
        payload: String,
    },
    Comment {
        comment_id: String,
        post_id: Option<String>,
        parent_id: Option<String>,
        from_name: Option<String>,
        text: String,
    },
}

impl InboxMessage {
    pub fn channel(&self) -> Channel {
        match self {
            InboxMessage::Comment { .. } => Channel::Facebook,
            _ => Channel::Messenger,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            InboxMessage::Text { .. } => "text",
            InboxMessage::QuickReply { .. } => "quick_reply",
            InboxMessage::Postback { .. } => "postback",
            InboxMessage::Comment { .. } => "comment",
        }
    }
}

/// Where an inbox event stands. Only `Pending` exists until the reply worker takes events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InboxStatus {
    Pending,
    Processing,
    Done,
    Failed,
}

impl InboxStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InboxStatus::Pending => "pending",
            InboxStatus::Processing => "processing",
            InboxStatus::Done => "done",
            InboxStatus::Failed => "failed",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "pending" => Some(Self::Pending),
            "processing" => Some(Self::Processing),
            "done" => Some(Self::Done),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }
}

/// An event that wants a reply, as stored in `inbox_events`. `(page_id, natural_key)` is
/// unique: a redelivery of the same message or comment is stored once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxEvent {
    pub id: String,
    pub company_id: CompanyId,
    pub page_id: PageId,
    pub channel: Channel,
    /// `mid`, the `comment_id`, or for a postback without `mid` the sender and time.
    pub natural_key: String,
    /// The customer: a PSID on Messenger, the commenter's id under a post.
    pub sender_id: String,
    pub message: InboxMessage,
    pub occurred_at: Option<DateTime<Utc>>,
    pub received_at: DateTime<Utc>,
    pub status: InboxStatus,
}

/// What a webhook event tells about a conversation without asking for an answer: the page
/// spoke in it. The intake records it as a turn; a person answering by hand pauses the bot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageSpoke {
    pub page_id: PageId,
    /// The message's `mid`, or the comment's id.
    pub id: String,
    /// The customer's PSID, or the comment thread's key.
    pub conversation: String,
    pub channel: Channel,
    pub text: String,
    pub at: Option<DateTime<Utc>>,
    /// Sent by crm-mind itself (its echo carries [`crate::facebook::graph::REPLY_METADATA`]).
    /// Page comments cannot carry a mark, so they count as the page's own.
    pub by_bot: bool,
}

/// An inbox event before it is matched to the company that owns its page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxCandidate {
    pub page_id: PageId,
    pub natural_key: String,
    pub sender_id: String,
    pub message: InboxMessage,
    pub occurred_at: Option<DateTime<Utc>>,
}

impl InboxCandidate {
    pub fn into_event(self, company_id: CompanyId, received_at: DateTime<Utc>) -> InboxEvent {
        InboxEvent {
            // Time-ordered (UUIDv7): new rows land at the end of the primary-key index instead
            // of at random pages, which the webhook load test measured at 15-50% more events/s
            // and a lower p99 on SQLite (docs/benchmarks.md).
            id: uuid::Uuid::now_v7().to_string(),
            company_id,
            page_id: self.page_id,
            channel: self.message.channel(),
            natural_key: self.natural_key,
            sender_id: self.sender_id,
            message: self.message,
            occurred_at: self.occurred_at,
            received_at,
            status: InboxStatus::Pending,
        }
    }
}

impl WebhookEvent {
    pub fn page_id(&self) -> &PageId {
        match self {
            WebhookEvent::Messaging(m) => &m.page_id,
            WebhookEvent::Feed(f) => &f.page_id,
        }
    }

    /// A short stable label for metrics and logs.
    pub fn label(&self) -> &'static str {
        match self {
            WebhookEvent::Messaging(m) if m.standby => "standby",
            WebhookEvent::Messaging(m) => match m.kind {
                MessagingKind::Text { .. } => "message",
                MessagingKind::QuickReply { .. } => "quick_reply",
                MessagingKind::Attachments { .. } => "attachments",
                MessagingKind::Postback { .. } => "postback",
                MessagingKind::Echo { .. } => "echo",
                MessagingKind::Delivery { .. } => "delivery",
                MessagingKind::Read { .. } => "read",
                MessagingKind::Other => "other_messaging",
            },
            WebhookEvent::Feed(f) => match (&f.item, &f.verb) {
                (FeedItem::Comment, FeedVerb::Add) => "comment_add",
                (FeedItem::Comment, FeedVerb::Edited) => "comment_edited",
                (FeedItem::Comment, _) => "comment_remove",
                (FeedItem::Reaction, _) => "reaction",
                (FeedItem::Like, _) => "like",
                (FeedItem::Status | FeedItem::Post, _) => "post",
                (FeedItem::Other(_), _) => "other_feed",
            },
        }
    }

    /// The page's own message (an echo) or comment, for the conversation's history and the
    /// hand-off rule.
    pub fn page_spoke(&self) -> Option<PageSpoke> {
        match self {
            WebhookEvent::Messaging(MessagingEvent {
                page_id,
                recipient_id,
                timestamp,
                kind:
                    MessagingKind::Echo {
                        mid,
                        text,
                        metadata,
                    },
                ..
            }) => Some(PageSpoke {
                page_id: page_id.clone(),
                id: mid.clone(),
                // An echo is sent by the page, so the customer is its recipient.
                conversation: recipient_id.clone(),
                channel: Channel::Messenger,
                text: text.clone().unwrap_or_default(),
                at: timestamp.and_then(DateTime::from_timestamp_millis),
                by_bot: metadata.as_deref() == Some(crate::facebook::graph::REPLY_METADATA),
            }),
            WebhookEvent::Feed(f)
                if f.item == FeedItem::Comment
                    && f.verb == FeedVerb::Add
                    && f.from_id.as_deref() == Some(f.page_id.as_str()) =>
            {
                let comment_id = f.comment_id.clone()?;
                Some(PageSpoke {
                    page_id: f.page_id.clone(),
                    conversation: super::conversation::comment_thread_key(
                        &comment_id,
                        f.post_id.as_deref(),
                        f.parent_id.as_deref(),
                    ),
                    id: comment_id,
                    channel: Channel::Facebook,
                    text: f.message.clone().unwrap_or_default(),
                    at: f.created_time.and_then(|s| DateTime::from_timestamp(s, 0)),
                    by_bot: false,
                })
            }
            _ => None,
        }
    }

    /// The inbox record for an event that wants a reply: a user's text, quick reply or
    /// postback on Messenger (not standby: another app is answering), or a new comment by
    /// someone other than the page. Everything else is only counted.
    pub fn to_inbox(&self) -> Option<InboxCandidate> {
        match self {
            WebhookEvent::Messaging(m) if !m.standby => {
                let (natural_key, message) = match &m.kind {
                    MessagingKind::Text { mid, text } => (
                        mid.clone(),
                        InboxMessage::Text {
                            mid: mid.clone(),
                            text: text.clone(),
                        },
                    ),
                    MessagingKind::QuickReply { mid, text, payload } => (
                        mid.clone(),
                        InboxMessage::QuickReply {
                            mid: mid.clone(),
                            text: text.clone(),
                            payload: payload.clone(),
                        },
                    ),
                    MessagingKind::Postback {
                        mid,
                        title,
                        payload,
                    } => (
                        // Older postbacks carry no mid; sender and time identify a tap.
                        mid.clone().unwrap_or_else(|| {
                            format!(
                                "postback:{}:{}",
                                m.sender_id,
                                m.timestamp.unwrap_or_default()
                            )
                        }),
                        InboxMessage::Postback {
                            mid: mid.clone(),
                            title: title.clone(),
                            payload: payload.clone(),
                        },
                    ),
                    _ => return None,
                };
                Some(InboxCandidate {
                    page_id: m.page_id.clone(),
                    natural_key,
                    sender_id: m.sender_id.clone(),
                    message,
                    occurred_at: m.timestamp.and_then(DateTime::from_timestamp_millis),
                })
            }
            WebhookEvent::Feed(f) if f.item == FeedItem::Comment && f.verb == FeedVerb::Add => {
                let comment_id = f.comment_id.clone()?;
                let from_id = f.from_id.clone()?;
                if from_id == f.page_id.as_str() {
                    return None; // the page's own comment, possibly our own reply
                }
                Some(InboxCandidate {
                    page_id: f.page_id.clone(),
                    natural_key: comment_id.clone(),
                    sender_id: from_id,
                    message: InboxMessage::Comment {
                        comment_id,
                        post_id: f.post_id.clone(),
                        parent_id: f.parent_id.clone(),
                        from_name: f.from_name.clone(),
                        text: f.message.clone().unwrap_or_default(),
                    },
                    occurred_at: f.created_time.and_then(|s| DateTime::from_timestamp(s, 0)),
                })
            }
            _ => None,
        }
    }
}

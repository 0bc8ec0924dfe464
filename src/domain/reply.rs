//! What the bot answered (or could not): the `outbox_replies` record of one inbox event,
//! and a page's reply settings.
//!
//! A reply is keyed by its event, so one event has at most one reply record. The status
//! walks `sending → sent | failed | needs_review | skipped`; the dashboard's retry moves a
//! failed or reviewed reply to `queued`, and only `queued` (or no record at all) may become
//! `sending` again. That compare-and-set is what makes "never two replies for one event"
//! hold across crashes and several workers.

use super::conversation::conversation_key;
use super::events::InboxEvent;
use super::{Channel, CompanyId, FieldError, PageId};
use crate::llm::Fact;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReplyStatus {
    /// Asked for again from the dashboard; the worker will take it.
    Queued,
    /// Recorded before the Graph API call. Found like this after a crash, it is not sent
    /// again blindly: the message may have gone out.
    Sending,
    Sent,
    /// The Graph API refused for good, or retries were spent (a dead letter).
    Failed,
    /// A person has to look: a crash mid-send, the 24-hour window, a partial send.
    NeedsReview,
    /// Nothing was sent on purpose: paused conversation, policy, already answered.
    Skipped,
}

impl ReplyStatus {
    pub const ALL: [ReplyStatus; 6] = [
        ReplyStatus::Queued,
        ReplyStatus::Sending,
        ReplyStatus::Sent,
        ReplyStatus::Failed,
        ReplyStatus::NeedsReview,
        ReplyStatus::Skipped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReplyStatus::Queued => "queued",
            ReplyStatus::Sending => "sending",
            ReplyStatus::Sent => "sent",
            ReplyStatus::Failed => "failed",
            ReplyStatus::NeedsReview => "needs_review",
            ReplyStatus::Skipped => "skipped",
        }
    }

    pub fn parse(field: &'static str, value: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == value)
            .ok_or_else(|| {
                FieldError::new(
                    field,
                    format!(
                        "unknown reply status {value:?}; expected one of queued, sending, sent, failed, needs_review, skipped"
                    ),
                )
            })
    }

    /// Whether the dashboard may ask for this reply again.
    pub fn retryable(self) -> bool {
        matches!(self, ReplyStatus::Failed | ReplyStatus::NeedsReview)
    }
}

/// Where a part of the answer went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryKind {
    /// A Messenger message (Send API, `messaging_type: RESPONSE`).
    Message,
    /// A public reply under the comment.
    PublicComment,
    /// A private Messenger reply to the comment's author.
    PrivateReply,
}

/// One thing the Graph API accepted, with the id it returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Delivery {
    pub kind: DeliveryKind,
    pub id: String,
}

/// How long each step took, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReplyTimings {
    pub retrieval_ms: u64,
    pub model_ms: u64,
    pub send_ms: u64,
    /// From the webhook's receipt of the event to the end of the send.
    pub total_ms: u64,
}

/// The reply to one inbox event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OutboxReply {
    /// The inbox event's id: one reply record per event.
    pub id: String,
    pub company_id: CompanyId,
    pub page_id: PageId,
    pub channel: Channel,
    /// The conversation the event belongs to (see [`crate::domain::conversation`]).
    pub conversation: String,
    /// The customer: a PSID, or the commenter's id.
    pub recipient_id: String,
    pub question: String,
    pub answer: Option<String>,
    /// The facts the answer was written from, with their sources.
    pub facts: Vec<Fact>,
    /// `extractive` or the chat model's name.
    pub model: Option<String>,
    pub status: ReplyStatus,
    /// Why it is not `sent` (or what went partly wrong), for the dashboard.
    pub reason: Option<String>,
    /// The Graph API error code, when one caused the status.
    pub error_code: Option<i64>,
    pub deliveries: Vec<Delivery>,
    /// How many times a worker began sending it (1 unless retried from the dashboard).
    pub attempts: u32,
    pub timings: ReplyTimings,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl OutboxReply {
    /// A reply to `event` about to be written: nothing answered or sent yet.
    pub fn for_event(event: &InboxEvent, question: &str, now: DateTime<Utc>) -> Self {
        Self {
            id: event.id.clone(),
            company_id: event.company_id.clone(),
            page_id: event.page_id.clone(),
            channel: event.channel,
            conversation: conversation_key(event),
            recipient_id: event.sender_id.clone(),
            question: question.to_owned(),
            answer: None,
            facts: Vec::new(),
            model: None,
            status: ReplyStatus::Sending,
            reason: None,
            error_code: None,
            deliveries: Vec::new(),
            attempts: 0,
            timings: ReplyTimings::default(),
            created_at: now,
            updated_at: now,
        }
    }
}

/// Who a page answers on comments (`public` by default).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CommentPolicy {
    #[default]
    Public,
    Private,
    Both,
}

impl CommentPolicy {
    pub fn parse(field: &'static str, value: &str) -> Result<Self, FieldError> {
        match value {
            "public" => Ok(Self::Public),
            "private" => Ok(Self::Private),
            "both" => Ok(Self::Both),
            other => Err(FieldError::new(
                field,
                format!("unknown comment policy {other:?}; expected public, private or both"),
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Private => "private",
            Self::Both => "both",
        }
    }
}

/// How the bot behaves on one page. Stored with the page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplySettings {
    #[serde(default)]
    pub comment_policy: CommentPolicy,
    /// Whether replies below a comment (not only top-level comments) get an answer.
    #[serde(default)]
    pub answer_comment_replies: bool,
    /// Set when the Graph API said the page token is invalid (code 190): nothing is sent
    /// for the page until it is connected again with a new token.
    #[serde(default)]
    pub token_invalid_at: Option<DateTime<Utc>>,
}

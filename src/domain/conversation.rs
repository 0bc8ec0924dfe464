//! Conversations: the turns of a Messenger thread or a comment thread, and whether the bot
//! may speak in it.
//!
//! A conversation is named by a key: the customer's PSID on Messenger, and `thread:` plus
//! the top-level comment's id under a post (a reply below a comment belongs to its parent's
//! thread). Events of one conversation are answered in order.

use super::events::{InboxEvent, InboxMessage};
use super::{Channel, CompanyId, PageId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The conversation an inbox event belongs to.
pub fn conversation_key(event: &InboxEvent) -> String {
    match &event.message {
        InboxMessage::Comment {
            comment_id,
            post_id,
            parent_id,
            ..
        } => comment_thread_key(comment_id, post_id.as_deref(), parent_id.as_deref()),
        _ => event.sender_id.clone(),
    }
}

/// A top-level comment's `parent_id` is its post (or absent); any other parent is a comment,
/// whose thread this one joins.
pub fn comment_thread_key(
    comment_id: &str,
    post_id: Option<&str>,
    parent_id: Option<&str>,
) -> String {
    match parent_id {
        Some(parent) if Some(parent) != post_id => format!("thread:{parent}"),
        _ => format!("thread:{comment_id}"),
    }
}

/// Who wrote a turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TurnAuthor {
    Customer,
    /// crm-mind's own reply.
    Bot,
    /// Someone answering as the page by hand (an echo crm-mind did not send).
    Agent,
}

impl TurnAuthor {
    pub fn as_str(self) -> &'static str {
        match self {
            TurnAuthor::Customer => "customer",
            TurnAuthor::Bot => "bot",
            TurnAuthor::Agent => "agent",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "customer" => Some(Self::Customer),
            "bot" => Some(Self::Bot),
            "agent" => Some(Self::Agent),
            _ => None,
        }
    }
}

/// One message of a conversation. `(page_id, id)` is unique: a message seen twice (a
/// redelivered webhook, the echo of the bot's own reply) is stored once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationTurn {
    /// The message's `mid`, or the comment's id.
    pub id: String,
    pub company_id: CompanyId,
    pub page_id: PageId,
    pub conversation: String,
    pub channel: Channel,
    pub author: TurnAuthor,
    pub text: String,
    pub at: DateTime<Utc>,
}

/// The state of a conversation: when the customer last wrote (the 24-hour window), and
/// whether the bot is paused in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Conversation {
    pub company_id: CompanyId,
    pub page_id: PageId,
    pub conversation: String,
    pub channel: Channel,
    pub last_customer_at: Option<DateTime<Utc>>,
    pub last_message_at: Option<DateTime<Utc>>,
    /// The bot stays silent until then. A pause from the dashboard lasts until resumed.
    pub paused_until: Option<DateTime<Utc>>,
    /// `manual` (the dashboard) or `agent_reply` (a person answered by hand).
    pub pause_reason: Option<String>,
    pub turns: u64,
}

impl Conversation {
    pub fn is_paused(&self, now: DateTime<Utc>) -> bool {
        self.paused_until.is_some_and(|until| until > now)
    }
}

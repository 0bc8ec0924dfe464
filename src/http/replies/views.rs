//! The answers of the replies and conversations routes.

use crate::domain::PageId;
use crate::domain::conversation::Conversation;
use crate::domain::reply::OutboxReply;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// `GET /api/dashboard/replies`.
#[derive(Serialize, ToSchema)]
pub struct ReplyList {
    pub total: usize,
    pub replies: Vec<OutboxReply>,
}

/// A conversation and whether the bot is silent in it now.
#[derive(Serialize, ToSchema)]
pub struct ConversationView {
    #[serde(flatten)]
    pub conversation: Conversation,
    pub paused: bool,
}

impl ConversationView {
    pub fn new(conversation: Conversation, now: DateTime<Utc>) -> Self {
        Self {
            paused: conversation.is_paused(now),
            conversation,
        }
    }
}

/// `GET /api/dashboard/conversations`.
#[derive(Serialize, ToSchema)]
pub struct ConversationList {
    pub total: usize,
    pub conversations: Vec<ConversationView>,
}

/// `PUT /api/dashboard/pages/{page_id}/reply-settings`: the settings as saved.
#[derive(Serialize, ToSchema)]
pub struct ReplySettingsView {
    pub page_id: PageId,
    /// `public`, `private` or `both`.
    pub comment_policy: &'static str,
    pub answer_comment_replies: bool,
    /// `invalid` once Facebook refused the page's token, else `valid`.
    #[schema(pattern = "^(valid|invalid)$")]
    pub token_status: &'static str,
}

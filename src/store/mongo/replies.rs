//! The reply worker's collections in MongoDB: leases on `inbox_events`, `outbox_replies`,
//! `conversations` and `conversation_turns`. (Being written: every method answers
//! "unavailable" until then.)

use super::MongoStore;
use crate::domain::conversation::{Conversation, ConversationTurn};
use crate::domain::events::{InboxEvent, InboxStatus};
use crate::domain::reply::OutboxReply;
use crate::domain::{Channel, CompanyId, PageId};
use crate::store::{
    BeginReply, ConversationStore, InboxLeaseStore, ReplyQuery, ReplyStore, Requeue, StoreError,
    StoreResult,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

fn not_yet<T>() -> StoreResult<T> {
    Err(StoreError::Unavailable(
        "the MongoDB engine does not keep replies yet".into(),
    ))
}

#[async_trait]
impl InboxLeaseStore for MongoStore {
    async fn claim_inbox_events(
        &self,
        _owner: &str,
        _now: DateTime<Utc>,
        _lease_until: DateTime<Utc>,
        _limit: u32,
    ) -> StoreResult<Vec<InboxEvent>> {
        not_yet()
    }
    async fn finish_inbox_event(
        &self,
        _event_id: &str,
        _owner: &str,
        _status: InboxStatus,
    ) -> StoreResult<bool> {
        not_yet()
    }
    async fn defer_inbox_event(
        &self,
        _event_id: &str,
        _owner: &str,
        _available_at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        not_yet()
    }
}

#[async_trait]
impl ReplyStore for MongoStore {
    async fn begin_reply(&self, _reply: &OutboxReply) -> StoreResult<BeginReply> {
        not_yet()
    }
    async fn save_reply(&self, _reply: &OutboxReply) -> StoreResult<()> {
        not_yet()
    }
    async fn get_reply(&self, _company: &CompanyId, _id: &str) -> StoreResult<Option<OutboxReply>> {
        not_yet()
    }
    async fn list_replies(&self, _query: &ReplyQuery) -> StoreResult<Vec<OutboxReply>> {
        not_yet()
    }
    async fn requeue_reply(
        &self,
        _company: &CompanyId,
        _id: &str,
        _now: DateTime<Utc>,
    ) -> StoreResult<Requeue> {
        not_yet()
    }
}

#[async_trait]
impl ConversationStore for MongoStore {
    async fn record_turn(&self, _turn: &ConversationTurn) -> StoreResult<bool> {
        not_yet()
    }
    async fn recent_turns(
        &self,
        _company: &CompanyId,
        _page_id: &PageId,
        _conversation: &str,
        _limit: u32,
    ) -> StoreResult<Vec<ConversationTurn>> {
        not_yet()
    }
    async fn get_conversation(
        &self,
        _company: &CompanyId,
        _page_id: &PageId,
        _conversation: &str,
    ) -> StoreResult<Option<Conversation>> {
        not_yet()
    }
    async fn set_conversation_pause(
        &self,
        _company: &CompanyId,
        _page_id: &PageId,
        _conversation: &str,
        _channel: Channel,
        _until: Option<DateTime<Utc>>,
        _reason: Option<&str>,
    ) -> StoreResult<Conversation> {
        not_yet()
    }
    async fn list_conversations(
        &self,
        _company: &CompanyId,
        _page_id: Option<&PageId>,
        _limit: u32,
    ) -> StoreResult<Vec<Conversation>> {
        not_yet()
    }
}

//! [`FlakyStore`](super::FlakyStore)'s inbox traits: storing inbox events fails while the
//! store is down; the rest (leases, replies, conversations) is delegated to its SQLite store.

use super::FlakyStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use crm_mind::domain::conversation::{Conversation, ConversationTurn};
use crm_mind::domain::events::{InboxEvent, InboxStatus};
use crm_mind::domain::reply::OutboxReply;
use crm_mind::domain::{Channel, CompanyId, PageId};
use crm_mind::store::*;

#[async_trait]
impl InboxStore for FlakyStore {
    async fn insert_inbox_events(&self, events: &[InboxEvent]) -> StoreResult<Vec<InsertOutcome>> {
        self.check()?;
        self.inner.insert_inbox_events(events).await
    }
    async fn list_inbox_events(&self, c: &CompanyId, limit: u32) -> StoreResult<Vec<InboxEvent>> {
        self.inner.list_inbox_events(c, limit).await
    }
}

#[async_trait]
impl InboxLeaseStore for FlakyStore {
    async fn claim_inbox_events(
        &self,
        owner: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<InboxEvent>> {
        self.inner
            .claim_inbox_events(owner, now, lease_until, limit)
            .await
    }
    async fn finish_inbox_event(&self, id: &str, owner: &str, s: InboxStatus) -> StoreResult<bool> {
        self.inner.finish_inbox_event(id, owner, s).await
    }
    async fn defer_inbox_event(
        &self,
        id: &str,
        owner: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        self.inner.defer_inbox_event(id, owner, at).await
    }
}

#[async_trait]
impl ReplyStore for FlakyStore {
    async fn begin_reply(&self, r: &OutboxReply) -> StoreResult<BeginReply> {
        self.inner.begin_reply(r).await
    }
    async fn save_reply(&self, r: &OutboxReply) -> StoreResult<()> {
        self.inner.save_reply(r).await
    }
    async fn get_reply(&self, c: &CompanyId, id: &str) -> StoreResult<Option<OutboxReply>> {
        self.inner.get_reply(c, id).await
    }
    async fn list_replies(&self, q: &ReplyQuery) -> StoreResult<Vec<OutboxReply>> {
        self.inner.list_replies(q).await
    }
    async fn requeue_reply(
        &self,
        c: &CompanyId,
        id: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Requeue> {
        self.inner.requeue_reply(c, id, now).await
    }
}

#[async_trait]
impl ConversationStore for FlakyStore {
    async fn record_turn(&self, t: &ConversationTurn) -> StoreResult<bool> {
        self.inner.record_turn(t).await
    }
    async fn recent_turns(
        &self,
        c: &CompanyId,
        p: &PageId,
        conversation: &str,
        limit: u32,
    ) -> StoreResult<Vec<ConversationTurn>> {
        self.inner.recent_turns(c, p, conversation, limit).await
    }
    async fn get_conversation(
        &self,
        c: &CompanyId,
        p: &PageId,
        conversation: &str,
    ) -> StoreResult<Option<Conversation>> {
        self.inner.get_conversation(c, p, conversation).await
    }
    async fn set_conversation_pause(
        &self,
        c: &CompanyId,
        p: &PageId,
        conversation: &str,
        channel: Channel,
        until: Option<DateTime<Utc>>,
        reason: Option<&str>,
    ) -> StoreResult<Conversation> {
        self.inner
            .set_conversation_pause(c, p, conversation, channel, until, reason)
            .await
    }
    async fn list_conversations(
        &self,
        c: &CompanyId,
        p: Option<&PageId>,
        limit: u32,
    ) -> StoreResult<Vec<Conversation>> {
        self.inner.list_conversations(c, p, limit).await
    }
}

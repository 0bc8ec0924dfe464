//! The Messenger inbox's traits: received events, the reply worker's leases, the replies
//! sent (at most one per event), and the conversations they belong to.

use super::{InsertOutcome, StoreResult};
use crate::domain::conversation::{Conversation, ConversationTurn};
use crate::domain::events::{InboxEvent, InboxStatus};
use crate::domain::reply::{OutboxReply, ReplyStatus};
use crate::domain::{Channel, CompanyId, PageId};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

#[async_trait]
pub trait InboxStore: Send + Sync {
    /// Stores each event unless one with the same `(page_id, natural_key)` exists. Durable
    /// when it returns: the webhook answers 200 only after this.
    async fn insert_inbox_events(&self, events: &[InboxEvent]) -> StoreResult<Vec<InsertOutcome>>;
    /// The company's events, newest first.
    async fn list_inbox_events(
        &self,
        company: &CompanyId,
        limit: u32,
    ) -> StoreResult<Vec<InboxEvent>>;
}

/// The reply worker's side of the inbox: leases, so that an event whose worker died is
/// taken again once its lease has run out, and nothing else touches it meanwhile.
#[async_trait]
pub trait InboxLeaseStore: Send + Sync {
    /// Takes up to `limit` events that are `pending` and due (`available_at <= now`), or
    /// `processing` with a lease that ran out before `now`, oldest first, and leases them to
    /// `owner` until `lease_until`. Across every company: the worker serves them all.
    async fn claim_inbox_events(
        &self,
        owner: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<InboxEvent>>;
    /// Ends `owner`'s lease with `status` (`done` or `failed`); `false` when the lease was
    /// lost (it ran out and another worker took the event).
    async fn finish_inbox_event(
        &self,
        event_id: &str,
        owner: &str,
        status: InboxStatus,
    ) -> StoreResult<bool>;
    /// Gives the event back as `pending`, due again at `available_at` (a throttled page,
    /// a busy conversation). `false` when the lease was lost.
    async fn defer_inbox_event(
        &self,
        event_id: &str,
        owner: &str,
        available_at: DateTime<Utc>,
    ) -> StoreResult<bool>;
}

/// What [`ReplyStore::begin_reply`] found.
#[derive(Debug, Clone, PartialEq)]
pub enum BeginReply {
    /// The reply is now `sending` under this attempt number: go ahead and send.
    Started { attempt: u32 },
    /// A reply record exists and is not `queued`: do not send; here it is.
    Existing(Box<OutboxReply>),
}

/// What [`ReplyStore::requeue_reply`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum Requeue {
    Requeued(Box<OutboxReply>),
    /// Only `failed` and `needs_review` replies are asked for again.
    NotRetryable(ReplyStatus),
    NotFound,
}

/// Which replies [`ReplyStore::list_replies`] returns: always one company.
#[derive(Debug, Clone)]
pub struct ReplyQuery {
    pub company_id: CompanyId,
    pub page_id: Option<PageId>,
    pub status: Option<ReplyStatus>,
    pub limit: u32,
}

/// `outbox_replies`: one record per inbox event, keyed by the event's id.
#[async_trait]
pub trait ReplyStore: Send + Sync {
    /// Records `reply` (its status is ignored and stored as `sending`) if the event has no
    /// reply yet, or has a `queued` one; otherwise changes nothing and returns the record.
    /// This compare-and-set is the "never two replies for one event" guard.
    async fn begin_reply(&self, reply: &OutboxReply) -> StoreResult<BeginReply>;
    /// Stores the whole reply (its outcome), by company and id.
    async fn save_reply(&self, reply: &OutboxReply) -> StoreResult<()>;
    async fn get_reply(&self, company: &CompanyId, id: &str) -> StoreResult<Option<OutboxReply>>;
    /// Newest first.
    async fn list_replies(&self, query: &ReplyQuery) -> StoreResult<Vec<OutboxReply>>;
    /// Moves a `failed` or `needs_review` reply to `queued` and its inbox event back to
    /// `pending`, due at `now`, so a worker takes it again.
    async fn requeue_reply(
        &self,
        company: &CompanyId,
        id: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Requeue>;
}

/// `conversations` and their turns: the history a Messenger answer reads, the 24-hour
/// window, and the hand-off pause.
#[async_trait]
pub trait ConversationStore: Send + Sync {
    /// Stores the turn unless `(page_id, turn.id)` is stored already, and updates its
    /// conversation (created on first use: message times, turn count). Returns whether the
    /// turn was new.
    async fn record_turn(&self, turn: &ConversationTurn) -> StoreResult<bool>;
    /// The last `limit` turns, oldest first.
    async fn recent_turns(
        &self,
        company: &CompanyId,
        page_id: &PageId,
        conversation: &str,
        limit: u32,
    ) -> StoreResult<Vec<ConversationTurn>>;
    async fn get_conversation(
        &self,
        company: &CompanyId,
        page_id: &PageId,
        conversation: &str,
    ) -> StoreResult<Option<Conversation>>;
    /// Pauses the bot until `until` (`None` resumes it), creating the conversation if needed.
    async fn set_conversation_pause(
        &self,
        company: &CompanyId,
        page_id: &PageId,
        conversation: &str,
        channel: Channel,
        until: Option<DateTime<Utc>>,
        reason: Option<&str>,
    ) -> StoreResult<Conversation>;
    /// The page's conversations (or the company's, without a page), latest message first.
    async fn list_conversations(
        &self,
        company: &CompanyId,
        page_id: Option<&PageId>,
        limit: u32,
    ) -> StoreResult<Vec<Conversation>>;
}

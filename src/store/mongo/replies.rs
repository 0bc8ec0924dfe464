//! The outbox: `outbox_replies`, one document per inbox event, its `_id` the event's id.
//!
//! No write here uses a transaction (not every server the engine runs on has them), so each
//! step is one single-document write, ordered so that a crash between two never sends a
//! reply twice:
//!
//! 1. `begin_reply` makes the record `sending` in one write (an insert, or a compare-and-set
//!    from `queued`) *before* the worker calls the Graph API. A worker that dies after it
//!    leaves `sending` behind, which no later `begin_reply` or `requeue_reply` accepts.
//! 2. `save_reply` records the outcome after the send; the worker ends the event's lease
//!    only after that, so an event found again has a record that says what happened.
//! 3. `requeue_reply` moves the reply to `queued` first and the event to `pending` second
//!    (see there why).

use super::MongoStore;
use super::errors::{is_duplicate_key, store_error};
use super::records::{INBOX_EVENTS, from_bson_date, to_bson_date};
use crate::domain::events::InboxStatus;
use crate::domain::reply::{Delivery, OutboxReply, ReplyStatus, ReplyTimings};
use crate::domain::{Channel, CompanyId, PageId};
use crate::llm::Fact;
use crate::store::{BeginReply, ReplyQuery, ReplyStore, Requeue, StoreError, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use mongodb::bson::{self, Document, doc};
use mongodb::options::ReturnDocument;
use serde::{Deserialize, Serialize};

pub(super) const OUTBOX_REPLIES: &str = "outbox_replies";

/// How often `begin_reply` retries its compare-and-set when the record keeps turning
/// `queued` under it; each round needs a dashboard retry in between, so a few suffice.
const BEGIN_ROUNDS: usize = 3;

#[async_trait]
impl ReplyStore for MongoStore {
    #[tracing::instrument(name = "mongo.begin_reply", skip_all, fields(reply = %reply.id))]
    async fn begin_reply(&self, reply: &OutboxReply) -> StoreResult<BeginReply> {
        let mut first = OutboxReplyRecord::from(reply);
        first.status = ReplyStatus::Sending;
        first.attempts = 1;
        let Err(e) = self.replies().insert_one(&first).await else {
            return Ok(BeginReply::Started { attempt: 1 });
        };
        if !is_duplicate_key(&e) {
            return Err(store_error(e));
        }
        // A record exists. Only a `queued` one may start again; the status in the filter
        // makes the check and the change one atomic write, so of two workers one wins.
        // A retry is a new attempt of the same reply: `created_at` (the list's order) stays.
        let mut retry = bson::to_document(&first).map_err(encode_failure)?;
        for kept in ["_id", "created_at", "attempts"] {
            retry.remove(kept);
        }
        // A dashboard retry may turn the record `queued` between the update and the read
        // that explains its failure; the update is then tried again, a few times at most.
        for _ in 0..BEGIN_ROUNDS {
            let started = self
                .replies()
                .find_one_and_update(
                    doc! { "_id": &reply.id, "company_id": reply.company_id.as_str(),
                    "status": ReplyStatus::Queued.as_str() },
                    doc! { "$set": retry.clone(), "$inc": { "attempts": 1 } },
                )
                .return_document(ReturnDocument::After)
                .await
                .map_err(store_error)?;
            if let Some(started) = started {
                return Ok(BeginReply::Started {
                    attempt: started.attempts,
                });
            }
            match self.get_reply(&reply.company_id, &reply.id).await? {
                Some(existing) if existing.status == ReplyStatus::Queued => continue,
                Some(existing) => return Ok(BeginReply::Existing(Box::new(existing))),
                // The `_id` is another company's record: nothing may be sent under it.
                None => {
                    return Err(StoreError::Conflict(format!(
                        "reply {} is not this company's",
                        reply.id
                    )));
                }
            }
        }
        Err(StoreError::Unavailable(format!(
            "reply {} kept changing while a worker began it",
            reply.id
        )))
    }

    #[tracing::instrument(name = "mongo.save_reply", skip_all, fields(reply = %reply.id))]
    async fn save_reply(&self, reply: &OutboxReply) -> StoreResult<()> {
        self.replies()
            .replace_one(
                doc! { "_id": &reply.id, "company_id": reply.company_id.as_str() },
                OutboxReplyRecord::from(reply),
            )
            .upsert(true)
            .await
            .map(|_| ())
            .map_err(|e| {
                // The upsert's insert hit the `_id` of a record the filter did not match:
                // another company's, which is never overwritten.
                if is_duplicate_key(&e) {
                    StoreError::Conflict(format!("reply {} is not this company's", reply.id))
                } else {
                    store_error(e)
                }
            })
    }

    #[tracing::instrument(name = "mongo.get_reply", skip_all, fields(company = %company, id))]
    async fn get_reply(&self, company: &CompanyId, id: &str) -> StoreResult<Option<OutboxReply>> {
        self.replies()
            .find_one(doc! { "_id": id, "company_id": company.as_str() })
            .await
            .map_err(store_error)?
            .map(OutboxReply::try_from)
            .transpose()
    }

    #[tracing::instrument(name = "mongo.list_replies", skip_all, fields(company = %query.company_id))]
    async fn list_replies(&self, query: &ReplyQuery) -> StoreResult<Vec<OutboxReply>> {
        if query.limit == 0 {
            return Ok(Vec::new()); // to MongoDB a limit of 0 means "no limit"
        }
        let mut filter = doc! { "company_id": query.company_id.as_str() };
        if let Some(page_id) = &query.page_id {
            filter.insert("page_id", page_id.as_str());
        }
        if let Some(status) = query.status {
            filter.insert("status", status.as_str());
        }
        let records: Vec<OutboxReplyRecord> = self
            .replies()
            .find(filter)
            .sort(doc! { "created_at": -1, "_id": -1 })
            .limit(i64::from(query.limit))
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)?;
        records.into_iter().map(OutboxReply::try_from).collect()
    }

    #[tracing::instrument(name = "mongo.requeue_reply", skip_all, fields(company = %company, id))]
    async fn requeue_reply(
        &self,
        company: &CompanyId,
        id: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Requeue> {
        let retryable: Vec<&str> = ReplyStatus::ALL
            .into_iter()
            .filter(|s| s.retryable())
            .map(ReplyStatus::as_str)
            .collect();
        let queued = self
            .replies()
            .find_one_and_update(
                doc! { "_id": id, "company_id": company.as_str(),
                "status": { "$in": retryable } },
                doc! { "$set": { "status": ReplyStatus::Queued.as_str(),
                "updated_at": to_bson_date(now) } },
            )
            .return_document(ReturnDocument::After)
            .await
            .map_err(store_error)?;
        let Some(queued) = queued else {
            return Ok(match self.get_reply(company, id).await? {
                Some(reply) => Requeue::NotRetryable(reply.status),
                None => Requeue::NotFound,
            });
        };
        // The event goes back to `pending` only now: a worker that takes it must find the
        // reply `queued`, or `begin_reply` would hand it the old failed record and the
        // retry would be dropped. A crash between the two writes leaves a `queued` reply
        // whose event is not pending: nothing is sent, and nothing is sent twice.
        self.collection::<Document>(INBOX_EVENTS)
            .update_one(
                doc! { "id": id, "company_id": company.as_str() },
                doc! {
                    "$set": { "status": InboxStatus::Pending.as_str(),
                              "available_at": to_bson_date(now) },
                    "$unset": { "lease_owner": "", "lease_until": "" },
                },
            )
            .await
            .map_err(store_error)?;
        Ok(Requeue::Requeued(Box::new(OutboxReply::try_from(queued)?)))
    }
}

impl MongoStore {
    fn replies(&self) -> mongodb::Collection<OutboxReplyRecord> {
        self.collection(OUTBOX_REPLIES)
    }
}

fn encode_failure(e: bson::ser::Error) -> StoreError {
    StoreError::Corrupt(format!("a reply does not encode as BSON: {e}"))
}

/// A document of `outbox_replies`: the domain reply with BSON dates and the event's id as
/// `_id` (one reply per event, across all companies, as in the SQLite engine).
#[derive(Debug, Serialize, Deserialize)]
struct OutboxReplyRecord {
    #[serde(rename = "_id")]
    id: String,
    company_id: CompanyId,
    page_id: PageId,
    channel: Channel,
    conversation: String,
    recipient_id: String,
    question: String,
    answer: Option<String>,
    facts: Vec<Fact>,
    model: Option<String>,
    status: ReplyStatus,
    reason: Option<String>,
    error_code: Option<i64>,
    deliveries: Vec<Delivery>,
    attempts: u32,
    timings: TimingsRecord,
    created_at: bson::DateTime,
    updated_at: bson::DateTime,
}

/// [`ReplyTimings`] as BSON integers: BSON has no unsigned 64-bit integer.
#[derive(Debug, Serialize, Deserialize)]
struct TimingsRecord {
    retrieval_ms: i64,
    model_ms: i64,
    send_ms: i64,
    total_ms: i64,
}

fn signed(ms: u64) -> i64 {
    i64::try_from(ms).unwrap_or(i64::MAX)
}

fn unsigned(ms: i64) -> u64 {
    u64::try_from(ms).unwrap_or_default()
}

impl From<&OutboxReply> for OutboxReplyRecord {
    fn from(r: &OutboxReply) -> Self {
        Self {
            id: r.id.clone(),
            company_id: r.company_id.clone(),
            page_id: r.page_id.clone(),
            channel: r.channel,
            conversation: r.conversation.clone(),
            recipient_id: r.recipient_id.clone(),
            question: r.question.clone(),
            answer: r.answer.clone(),
            facts: r.facts.clone(),
            model: r.model.clone(),
            status: r.status,
            reason: r.reason.clone(),
            error_code: r.error_code,
            deliveries: r.deliveries.clone(),
            attempts: r.attempts,
            timings: TimingsRecord {
                retrieval_ms: signed(r.timings.retrieval_ms),
                model_ms: signed(r.timings.model_ms),
                send_ms: signed(r.timings.send_ms),
                total_ms: signed(r.timings.total_ms),
            },
            created_at: to_bson_date(r.created_at),
            updated_at: to_bson_date(r.updated_at),
        }
    }
}

impl TryFrom<OutboxReplyRecord> for OutboxReply {
    type Error = StoreError;
    fn try_from(r: OutboxReplyRecord) -> StoreResult<Self> {
        Ok(OutboxReply {
            id: r.id,
            company_id: r.company_id,
            page_id: r.page_id,
            channel: r.channel,
            conversation: r.conversation,
            recipient_id: r.recipient_id,
            question: r.question,
            answer: r.answer,
            facts: r.facts,
            model: r.model,
            status: r.status,
            reason: r.reason,
            error_code: r.error_code,
            deliveries: r.deliveries,
            attempts: r.attempts,
            timings: ReplyTimings {
                retrieval_ms: unsigned(r.timings.retrieval_ms),
                model_ms: unsigned(r.timings.model_ms),
                send_ms: unsigned(r.timings.send_ms),
                total_ms: unsigned(r.timings.total_ms),
            },
            created_at: from_bson_date(r.created_at)?,
            updated_at: from_bson_date(r.updated_at)?,
        })
    }
}

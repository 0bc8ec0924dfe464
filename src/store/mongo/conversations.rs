//! Conversations in MongoDB: `conversation_turns` (one document per message, unique by
//! `(page_id, id)`) and `conversations` (one state per `(page_id, conversation)`).
//!
//! Both `_id`s are ObjectIds (made by the driver, or by the server on an upsert): turns of
//! the same millisecond then sort in the order they were stored, like the SQLite rowid.
//!
//! A conversation is found by `(company_id, page_id, conversation)`, but its unique index is
//! `(page_id, conversation)`: an upsert whose filter misses because the conversation is
//! another company's tries to insert, and the duplicate key refuses it. The same error also
//! comes from two upserts of one new conversation racing, so a duplicate key is answered by
//! trying the update once more without the upsert: it matches if the racer was this company,
//! and if it still matches nothing the conversation is another company's (a `Conflict`).

use super::MongoStore;
use super::errors::{is_duplicate_key, store_error};
use super::records::{from_bson_date, to_bson_date};
use crate::domain::conversation::{Conversation, ConversationTurn, TurnAuthor};
use crate::domain::{Channel, CompanyId, PageId};
use crate::store::{ConversationStore, StoreError, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use mongodb::bson::{self, Document, doc};
use mongodb::options::ReturnDocument;
use serde::{Deserialize, Serialize};

pub(super) const CONVERSATIONS: &str = "conversations";
pub(super) const CONVERSATION_TURNS: &str = "conversation_turns";

#[async_trait]
impl ConversationStore for MongoStore {
    /// The turn is stored first and the conversation counted second: a crash in between
    /// leaves the turn uncounted (a redelivery finds it stored and counts nothing), never
    /// counted twice.
    #[tracing::instrument(name = "mongo.record_turn", skip_all, fields(page = %turn.page_id))]
    async fn record_turn(&self, turn: &ConversationTurn) -> StoreResult<bool> {
        let inserted = self
            .collection::<TurnRecord>(CONVERSATION_TURNS)
            .insert_one(TurnRecord::from(turn))
            .await;
        let turn_id = match inserted {
            Err(e) if is_duplicate_key(&e) => return Ok(false),
            Err(e) => return Err(store_error(e)),
            Ok(result) => result.inserted_id,
        };
        let at = to_bson_date(turn.at);
        // $max: turns may arrive out of order (a late redelivery); the times only move on.
        let mut latest = doc! { "last_message_at": at };
        if turn.author == TurnAuthor::Customer {
            latest.insert("last_customer_at", at);
        }
        let update = doc! {
            "$max": latest,
            "$inc": { "turns": 1_i64 },
            "$setOnInsert": { "channel": turn.channel.as_str() },
        };
        let key = key(&turn.company_id, &turn.page_id, &turn.conversation);
        if let Err(e) = self.upsert_conversation(key, update).await {
            if matches!(e, StoreError::Conflict(_)) {
                // The page's conversation is another company's: this company's turn must
                // not sit in it either. Best effort: the conflict is the error to report.
                let _ = self
                    .collection::<Document>(CONVERSATION_TURNS)
                    .delete_one(doc! { "_id": turn_id })
                    .await;
            }
            return Err(e);
        }
        Ok(true)
    }

    #[tracing::instrument(name = "mongo.recent_turns", skip_all, fields(company = %company, limit))]
    async fn recent_turns(
        &self,
        company: &CompanyId,
        page_id: &PageId,
        conversation: &str,
        limit: u32,
    ) -> StoreResult<Vec<ConversationTurn>> {
        if limit == 0 {
            return Ok(Vec::new()); // to MongoDB a limit of 0 means "no limit"
        }
        let records: Vec<TurnRecord> = self
            .collection::<TurnRecord>(CONVERSATION_TURNS)
            .find(key(company, page_id, conversation))
            .sort(doc! { "at": -1, "_id": -1 })
            .limit(i64::from(limit))
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)?;
        // Read newest first to get the last `limit`; the prompt wants them oldest first.
        records.into_iter().rev().map(TryFrom::try_from).collect()
    }

    #[tracing::instrument(name = "mongo.get_conversation", skip_all, fields(company = %company))]
    async fn get_conversation(
        &self,
        company: &CompanyId,
        page_id: &PageId,
        conversation: &str,
    ) -> StoreResult<Option<Conversation>> {
        self.collection::<ConversationRecord>(CONVERSATIONS)
            .find_one(key(company, page_id, conversation))
            .await
            .map_err(store_error)?
            .map(Conversation::try_from)
            .transpose()
    }

    #[tracing::instrument(name = "mongo.set_conversation_pause", skip_all, fields(company = %company))]
    async fn set_conversation_pause(
        &self,
        company: &CompanyId,
        page_id: &PageId,
        conversation: &str,
        channel: Channel,
        until: Option<DateTime<Utc>>,
        reason: Option<&str>,
    ) -> StoreResult<Conversation> {
        let update = doc! {
            "$set": {
                "paused_until": until.map(to_bson_date),
                "pause_reason": reason,
            },
            "$setOnInsert": { "channel": channel.as_str(), "turns": 0_i64 },
        };
        let record = self
            .upsert_conversation(key(company, page_id, conversation), update)
            .await?;
        Conversation::try_from(record)
    }

    #[tracing::instrument(name = "mongo.list_conversations", skip_all, fields(company = %company, limit))]
    async fn list_conversations(
        &self,
        company: &CompanyId,
        page_id: Option<&PageId>,
        limit: u32,
    ) -> StoreResult<Vec<Conversation>> {
        if limit == 0 {
            return Ok(Vec::new()); // to MongoDB a limit of 0 means "no limit"
        }
        let mut filter = doc! { "company_id": company.as_str() };
        if let Some(page_id) = page_id {
            filter.insert("page_id", page_id.as_str());
        }
        // Descending puts conversations without a message (only paused) last.
        let records: Vec<ConversationRecord> = self
            .collection::<ConversationRecord>(CONVERSATIONS)
            .find(filter)
            .sort(doc! { "last_message_at": -1, "conversation": 1 })
            .limit(i64::from(limit))
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)?;
        records.into_iter().map(Conversation::try_from).collect()
    }
}

impl MongoStore {
    /// Applies `update` to this company's conversation `filter`, creating it if absent, and
    /// returns it as stored afterwards (see the module's doc for the duplicate key).
    async fn upsert_conversation(
        &self,
        filter: Document,
        update: Document,
    ) -> StoreResult<ConversationRecord> {
        let conversations = self.collection::<ConversationRecord>(CONVERSATIONS);
        let upserted = conversations
            .find_one_and_update(filter.clone(), update.clone())
            .upsert(true)
            .return_document(ReturnDocument::After)
            .await;
        let retried = match upserted {
            Ok(Some(record)) => return Ok(record),
            Ok(None) => None, // an upsert always returns the document; see below
            Err(e) if is_duplicate_key(&e) => conversations
                .find_one_and_update(filter, update)
                .return_document(ReturnDocument::After)
                .await
                .map_err(store_error)?,
            Err(e) => return Err(store_error(e)),
        };
        retried.ok_or_else(|| {
            StoreError::Conflict("the conversation belongs to another company's page".into())
        })
    }
}

/// The filter naming one conversation of one company.
fn key(company: &CompanyId, page_id: &PageId, conversation: &str) -> Document {
    doc! {
        "company_id": company.as_str(),
        "page_id": page_id.as_str(),
        "conversation": conversation,
    }
}

/// A document of `conversation_turns`; `_id` is a driver-made ObjectId.
#[derive(Debug, Serialize, Deserialize)]
struct TurnRecord {
    id: String,
    company_id: CompanyId,
    page_id: PageId,
    conversation: String,
    channel: Channel,
    author: TurnAuthor,
    text: String,
    at: bson::DateTime,
}

impl From<&ConversationTurn> for TurnRecord {
    fn from(t: &ConversationTurn) -> Self {
        Self {
            id: t.id.clone(),
            company_id: t.company_id.clone(),
            page_id: t.page_id.clone(),
            conversation: t.conversation.clone(),
            channel: t.channel,
            author: t.author,
            text: t.text.clone(),
            at: to_bson_date(t.at),
        }
    }
}

impl TryFrom<TurnRecord> for ConversationTurn {
    type Error = StoreError;
    fn try_from(r: TurnRecord) -> StoreResult<Self> {
        Ok(ConversationTurn {
            id: r.id,
            company_id: r.company_id,
            page_id: r.page_id,
            conversation: r.conversation,
            channel: r.channel,
            author: r.author,
            text: r.text,
            at: from_bson_date(r.at)?,
        })
    }
}

/// A document of `conversations`, only ever written by updates: a field no update has set
/// yet (a conversation created by a pause has no message times) is absent.
#[derive(Debug, Deserialize)]
struct ConversationRecord {
    company_id: CompanyId,
    page_id: PageId,
    conversation: String,
    channel: Channel,
    #[serde(default)]
    last_customer_at: Option<bson::DateTime>,
    #[serde(default)]
    last_message_at: Option<bson::DateTime>,
    #[serde(default)]
    paused_until: Option<bson::DateTime>,
    #[serde(default)]
    pause_reason: Option<String>,
    turns: i64,
}

impl TryFrom<ConversationRecord> for Conversation {
    type Error = StoreError;
    fn try_from(r: ConversationRecord) -> StoreResult<Self> {
        let time = |t: Option<bson::DateTime>| t.map(from_bson_date).transpose();
        Ok(Conversation {
            company_id: r.company_id,
            page_id: r.page_id,
            conversation: r.conversation,
            channel: r.channel,
            last_customer_at: time(r.last_customer_at)?,
            last_message_at: time(r.last_message_at)?,
            paused_until: time(r.paused_until)?,
            pause_reason: r.pause_reason,
            turns: u64::try_from(r.turns)
                .map_err(|_| StoreError::Corrupt(format!("stored turn count {}", r.turns)))?,
        })
    }
}

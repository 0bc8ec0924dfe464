//! The reply worker's leases on `inbox_events`: claiming due events, and ending or deferring
//! a lease only while the worker still holds it.
//!
//! Several workers claim concurrently and MongoDB has no "update the first N and return
//! them", so a claim takes one event at a time with `find_one_and_update`: the server
//! changes a single document atomically, so of two workers racing for an event one gets it
//! and the other's filter no longer matches and moves on to the next event. Each pick is the
//! oldest due event left, so a claim's events come back oldest first.
//!
//! Leases are across companies (the worker serves every company): events are found by their
//! globally unique uuid `id`, and the company is never a filter here.

use super::MongoStore;
use super::errors::store_error;
use super::records::{INBOX_EVENTS, InboxEventRecord, to_bson_date};
use crate::domain::events::{InboxEvent, InboxStatus};
use crate::store::{InboxLeaseStore, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mongodb::bson::{Bson, Document, doc};
use mongodb::options::ReturnDocument;

#[async_trait]
impl InboxLeaseStore for MongoStore {
    #[tracing::instrument(name = "mongo.claim_inbox_events", skip_all, fields(owner, limit))]
    async fn claim_inbox_events(
        &self,
        owner: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<InboxEvent>> {
        let events = self.collection::<InboxEventRecord>(INBOX_EVENTS);
        let now = to_bson_date(now);
        let lease = doc! { "$set": {
            "status": InboxStatus::Processing.as_str(),
            "lease_owner": owner,
            "lease_until": to_bson_date(lease_until),
        } };
        let mut claimed = Vec::new();
        // The events taken so far are left out: with a lease that ends before `now`, an event
        // just claimed would otherwise still look expired and be picked again.
        let mut taken: Vec<Bson> = Vec::new();
        while claimed.len() < limit as usize {
            let mut filter = due_or_expired(now);
            if !taken.is_empty() {
                filter.insert("id", doc! { "$nin": taken.clone() });
            }
            let Some(record) = events
                .find_one_and_update(filter, lease.clone())
                .sort(doc! { "received_at": 1, "_id": 1 })
                .return_document(ReturnDocument::After)
                .await
                .map_err(store_error)?
            else {
                break;
            };
            taken.push(Bson::String(record.id.clone()));
            claimed.push(InboxEvent::try_from(record)?);
        }
        Ok(claimed)
    }

    #[tracing::instrument(name = "mongo.finish_inbox_event", skip_all, fields(event_id, owner))]
    async fn finish_inbox_event(
        &self,
        event_id: &str,
        owner: &str,
        status: InboxStatus,
    ) -> StoreResult<bool> {
        self.end_lease(
            event_id,
            owner,
            doc! {
                "$set": { "status": status.as_str() },
                "$unset": { "lease_owner": "", "lease_until": "" },
            },
        )
        .await
    }

    #[tracing::instrument(name = "mongo.defer_inbox_event", skip_all, fields(event_id, owner))]
    async fn defer_inbox_event(
        &self,
        event_id: &str,
        owner: &str,
        available_at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        self.end_lease(
            event_id,
            owner,
            doc! {
                "$set": {
                    "status": InboxStatus::Pending.as_str(),
                    "available_at": to_bson_date(available_at),
                },
                "$unset": { "lease_owner": "", "lease_until": "" },
            },
        )
        .await
    }
}

impl MongoStore {
    /// Applies `update` to the event if `owner` still holds its lease; whether it did.
    async fn end_lease(&self, event_id: &str, owner: &str, update: Document) -> StoreResult<bool> {
        let result = self
            .collection::<Document>(INBOX_EVENTS)
            .update_one(
                doc! {
                    "id": event_id,
                    "status": InboxStatus::Processing.as_str(),
                    "lease_owner": owner,
                },
                update,
            )
            .await
            .map_err(store_error)?;
        Ok(result.matched_count == 1)
    }
}

/// Events a worker may take at `now`: pending and due, or processing under a lease that ran
/// out (its worker died or stalled).
fn due_or_expired(now: mongodb::bson::DateTime) -> Document {
    doc! { "$or": [
        { "status": InboxStatus::Pending.as_str(), "available_at": { "$lte": now } },
        { "status": InboxStatus::Processing.as_str(), "lease_until": { "$lt": now } },
    ] }
}

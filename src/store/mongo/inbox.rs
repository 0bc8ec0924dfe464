//! The inbox: `inbox_events`, one document per event that wants a reply, deduplicated by
//! the unique index on `(page_id, natural_key)`.
//!
//! A webhook delivery's events go in one unordered `insert_many`: the server tries every
//! document, and each duplicate comes back as its own write error with the document's
//! index, which is how a batch learns which of its events were stored before (by an earlier
//! delivery or earlier in the same batch) in a single round trip.

use super::MongoStore;
use super::errors::{DUPLICATE_KEY, store_error};
use super::records::{INBOX_EVENTS, InboxEventRecord};
use crate::domain::CompanyId;
use crate::domain::events::InboxEvent;
use crate::store::{InboxStore, InsertOutcome, StoreError, StoreResult};
use async_trait::async_trait;
use futures::TryStreamExt;
use mongodb::bson::doc;
use mongodb::error::ErrorKind;

#[async_trait]
impl InboxStore for MongoStore {
    #[tracing::instrument(
        name = "mongo.insert_inbox_events",
        skip_all,
        fields(events = events.len())
    )]
    async fn insert_inbox_events(&self, events: &[InboxEvent]) -> StoreResult<Vec<InsertOutcome>> {
        if events.is_empty() {
            return Ok(Vec::new()); // the driver refuses an empty insert_many
        }
        // Each record is due for the reply worker at once: `available_at` is `received_at`.
        let records: Vec<InboxEventRecord> = events.iter().map(InboxEventRecord::from).collect();
        let mut outcomes = vec![InsertOutcome::Inserted; events.len()];
        let Err(e) = self
            .collection::<InboxEventRecord>(INBOX_EVENTS)
            .insert_many(&records)
            .ordered(false)
            .await
        else {
            return Ok(outcomes);
        };
        let ErrorKind::InsertMany(failure) = e.kind.as_ref() else {
            return Err(store_error(e));
        };
        // A write concern error means the stored events may not survive a failover: the
        // webhook must not acknowledge them, and Facebook's redelivery will find them.
        if failure.write_concern_error.is_some() {
            return Err(store_error(e));
        }
        for write_error in failure.write_errors.iter().flatten() {
            match outcomes.get_mut(write_error.index) {
                Some(outcome) if write_error.code == DUPLICATE_KEY => {
                    *outcome = InsertOutcome::Duplicate;
                }
                _ => {
                    return Err(StoreError::Unavailable(format!(
                        "MongoDB refused inbox event {} of {}: {} (code {})",
                        write_error.index,
                        events.len(),
                        write_error.message,
                        write_error.code
                    )));
                }
            }
        }
        Ok(outcomes)
    }

    #[tracing::instrument(
        name = "mongo.list_inbox_events",
        skip_all,
        fields(company = %company, limit)
    )]
    async fn list_inbox_events(
        &self,
        company: &CompanyId,
        limit: u32,
    ) -> StoreResult<Vec<InboxEvent>> {
        if limit == 0 {
            return Ok(Vec::new()); // to MongoDB a limit of 0 means "no limit"
        }
        self.collection::<InboxEventRecord>(INBOX_EVENTS)
            .find(doc! { "company_id": company.as_str() })
            .sort(doc! { "received_at": -1, "_id": -1 })
            .limit(i64::from(limit))
            .await
            .map_err(store_error)?
            .map_err(store_error)
            .and_then(|record| async move { InboxEvent::try_from(record) })
            .try_collect()
            .await
    }
}

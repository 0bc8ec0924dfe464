//! `metakocka_sync_slots` in MongoDB, one document per company and kind, unique on the two.
//!
//! A claim is one `find_one_and_update` with upsert whose filter matches only a slot whose
//! lease ran out: a free slot is inserted, a stale one taken over (the server changes one
//! document atomically), and a live one makes the upsert's insert collide with the unique
//! index, which is how the claim learns the slot is held.

use super::MongoStore;
use super::errors::{is_duplicate_key, store_error};
use super::records::to_bson_date;
use crate::domain::CompanyId;
use crate::metakocka::sync::model::{EntityKind, SlotClaim};
use crate::store::{MetakockaSyncSlotStore, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mongodb::bson::doc;
use mongodb::options::ReturnDocument;
use serde::{Deserialize, Serialize};

const SLOTS: &str = "metakocka_sync_slots";

/// What is read of a slot (its document also holds `company_id`, `kind` and
/// `lease_until`).
#[derive(Debug, Serialize, Deserialize)]
struct Slot {
    run_id: String,
    #[serde(default)]
    cancel_requested: bool,
}

#[async_trait]
impl MetakockaSyncSlotStore for MongoStore {
    async fn claim_sync_slot(
        &self,
        company: &CompanyId,
        kind: EntityKind,
        run_id: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> StoreResult<SlotClaim> {
        let slots = self.collection::<Slot>(SLOTS);
        let key = doc! { "company_id": company.as_str(), "kind": kind.as_str() };
        // A holder may free the slot between the refused insert and the read: try again.
        for _ in 0..3 {
            let mut stale = key.clone();
            stale.insert("lease_until", doc! { "$lt": to_bson_date(now) });
            let claimed = slots
                .find_one_and_update(
                    stale,
                    doc! { "$set": {
                        "run_id": run_id,
                        "lease_until": to_bson_date(lease_until),
                        "cancel_requested": false,
                    } },
                )
                .upsert(true)
                .return_document(ReturnDocument::Before)
                .await;
            match claimed {
                Ok(before) => {
                    return Ok(SlotClaim::Claimed {
                        abandoned: before.map(|slot| slot.run_id),
                    });
                }
                Err(e) if is_duplicate_key(&e) => {}
                Err(e) => return Err(store_error(e)),
            }
            if let Some(holder) = slots.find_one(key.clone()).await.map_err(store_error)? {
                return Ok(SlotClaim::Held {
                    run_id: holder.run_id,
                });
            }
        }
        Err(crate::store::StoreError::Unavailable(
            "the sync slot kept changing hands".to_owned(),
        ))
    }

    async fn renew_sync_slot(
        &self,
        company: &CompanyId,
        kind: EntityKind,
        run_id: &str,
        lease_until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let renewed = self
            .collection::<Slot>(SLOTS)
            .update_one(
                doc! { "company_id": company.as_str(), "kind": kind.as_str(), "run_id": run_id },
                doc! { "$set": { "lease_until": to_bson_date(lease_until) } },
            )
            .await
            .map_err(store_error)?;
        Ok(renewed.matched_count > 0)
    }

    async fn request_sync_slot_cancel(
        &self,
        company: &CompanyId,
        kind: EntityKind,
        run_id: &str,
    ) -> StoreResult<bool> {
        let asked = self
            .collection::<Slot>(SLOTS)
            .update_one(
                doc! { "company_id": company.as_str(), "kind": kind.as_str(), "run_id": run_id },
                doc! { "$set": { "cancel_requested": true } },
            )
            .await
            .map_err(store_error)?;
        Ok(asked.matched_count > 0)
    }

    async fn sync_slot_cancel_requested(
        &self,
        company: &CompanyId,
        kind: EntityKind,
        run_id: &str,
    ) -> StoreResult<bool> {
        let slot = self
            .collection::<Slot>(SLOTS)
            .find_one(
                doc! { "company_id": company.as_str(), "kind": kind.as_str(), "run_id": run_id },
            )
            .await
            .map_err(store_error)?;
        Ok(slot.is_none_or(|s| s.cancel_requested))
    }

    async fn release_sync_slot(
        &self,
        company: &CompanyId,
        kind: EntityKind,
        run_id: &str,
    ) -> StoreResult<()> {
        self.collection::<Slot>(SLOTS)
            .delete_one(
                doc! { "company_id": company.as_str(), "kind": kind.as_str(), "run_id": run_id },
            )
            .await
            .map(drop)
            .map_err(store_error)
    }
}

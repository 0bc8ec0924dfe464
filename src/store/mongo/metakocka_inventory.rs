//! `metakocka_inventory` in MongoDB, without multi-document transactions: a refresh writes
//! its entries under a new snapshot id, then switches the company's pointer document
//! (`metakocka_inventory_snapshots`, one per company) to that id in one single-document
//! update, then removes the entries of older snapshots. Readers follow the pointer, so they
//! see one whole snapshot; a refresh that fails before the switch leaves the old one in
//! place (and its half-written entries are removed). Amounts are decimal strings.

use super::MongoStore;
use super::errors::store_error;
use super::records::{from_bson_date, to_bson_date};
use crate::domain::CompanyId;
use crate::metakocka::credentials::CredentialOwner;
use crate::metakocka::inventory::{ProductInventory, ProductKey, StockEntry};
use crate::store::{MetakockaInventoryStore, StoreError, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use mongodb::bson::{self, Document, doc};
use serde::{Deserialize, Serialize};

const ENTRIES: &str = "metakocka_inventory";
const SNAPSHOTS: &str = "metakocka_inventory_snapshots";
/// Entries written per `insert_many`, well under MongoDB's 16 MB message limit.
const BATCH: usize = 1_000;

#[async_trait]
impl MetakockaInventoryStore for MongoStore {
    async fn replace_inventory(
        &self,
        company: &CompanyId,
        refreshed_at: DateTime<Utc>,
        entries: &[StockEntry],
    ) -> StoreResult<()> {
        let snapshot_id = uuid::Uuid::now_v7().to_string();
        let records: Vec<EntryRecord> = (entries.iter())
            .map(|e| EntryRecord::new(company, &snapshot_id, e))
            .collect();
        let collection = self.collection::<EntryRecord>(ENTRIES);
        for batch in records.chunks(BATCH) {
            if let Err(e) = collection.insert_many(batch).await {
                self.remove_entries(company, doc! { "snapshot_id": snapshot_id.as_str() })
                    .await;
                return Err(store_error(e));
            }
        }
        let switched = self
            .collection::<Document>(SNAPSHOTS)
            .update_one(
                doc! { "company_id": company.as_str() },
                doc! { "$set": {
                    "snapshot_id": snapshot_id.as_str(),
                    "refreshed_at": to_bson_date(refreshed_at),
                } },
            )
            .upsert(true)
            .await;
        if let Err(e) = switched {
            self.remove_entries(company, doc! { "snapshot_id": snapshot_id.as_str() })
                .await;
            return Err(store_error(e));
        }
        // The old snapshot is unreachable now; removing it is tidying, not correctness.
        self.remove_entries(
            company,
            doc! { "snapshot_id": { "$ne": snapshot_id.as_str() } },
        )
        .await;
        Ok(())
    }

    async fn product_inventory(
        &self,
        company: &CompanyId,
        product: &ProductKey,
    ) -> StoreResult<Option<ProductInventory>> {
        // A refresh may switch the pointer and remove the entries between our two reads:
        // then the second look finds the new snapshot.
        let mut found = None;
        for _ in 0..2 {
            let Some(pointer) = self.current_snapshot(company).await? else {
                return Ok(None);
            };
            let entries = self
                .entries_of(company, &pointer.snapshot_id, product)
                .await?;
            let unchanged = self.current_snapshot(company).await?.as_ref() == Some(&pointer);
            found = Some(ProductInventory {
                refreshed_at: from_bson_date(pointer.refreshed_at)?,
                entries,
            });
            if unchanged {
                break;
            }
        }
        Ok(found)
    }

    async fn companies_with_organization_credentials(&self) -> StoreResult<Vec<CompanyId>> {
        #[derive(Deserialize)]
        struct CompanyOnly {
            company_id: CompanyId,
        }
        let records: Vec<CompanyOnly> = self
            .collection::<CompanyOnly>(super::metakocka_credentials::METAKOCKA_CREDENTIALS)
            .find(doc! { "owner": CredentialOwner::Organization.key() })
            .projection(doc! { "company_id": 1, "_id": 0 })
            .sort(doc! { "company_id": 1 })
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)?;
        Ok(records.into_iter().map(|r| r.company_id).collect())
    }
}

impl MongoStore {
    /// The company's current snapshot, if it has one (also read by the reports store).
    pub(super) async fn current_snapshot(
        &self,
        company: &CompanyId,
    ) -> StoreResult<Option<Pointer>> {
        self.collection::<Pointer>(SNAPSHOTS)
            .find_one(doc! { "company_id": company.as_str() })
            .await
            .map_err(store_error)
    }

    async fn entries_of(
        &self,
        company: &CompanyId,
        snapshot_id: &str,
        product: &ProductKey,
    ) -> StoreResult<Vec<StockEntry>> {
        let mut filter = doc! { "company_id": company.as_str(), "snapshot_id": snapshot_id };
        match product {
            ProductKey::MkId(id) => {
                filter.insert("product_mk_id", id.as_str());
            }
            ProductKey::Code(code) => {
                filter.insert(
                    "$or",
                    vec![
                        doc! { "product_code": code.as_str() },
                        doc! { "count_code": code.as_str() },
                    ],
                );
            }
        }
        let records: Vec<EntryRecord> = self
            .collection::<EntryRecord>(ENTRIES)
            .find(filter)
            .sort(doc! { "warehouse_id": 1, "product_mk_id": 1 })
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)?;
        records.into_iter().map(EntryRecord::into_entry).collect()
    }

    /// Every entry of one snapshot, by product then warehouse.
    pub(super) async fn snapshot_entries(
        &self,
        company: &CompanyId,
        snapshot_id: &str,
    ) -> StoreResult<Vec<StockEntry>> {
        let records: Vec<EntryRecord> = self
            .collection::<EntryRecord>(ENTRIES)
            .find(doc! { "company_id": company.as_str(), "snapshot_id": snapshot_id })
            .sort(doc! { "product_mk_id": 1, "warehouse_id": 1 })
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)?;
        records.into_iter().map(EntryRecord::into_entry).collect()
    }

    /// Removes entries of `company` matching `filter`; a failure only leaves unreachable
    /// entries behind, so it is logged rather than returned.
    async fn remove_entries(&self, company: &CompanyId, mut filter: Document) {
        filter.insert("company_id", company.as_str());
        if let Err(e) = self
            .collection::<EntryRecord>(ENTRIES)
            .delete_many(filter)
            .await
        {
            tracing::warn!(error = %store_error(e), "could not remove old inventory entries");
        }
    }
}

/// A company's pointer to its current snapshot.
#[derive(Debug, PartialEq, Deserialize)]
pub(super) struct Pointer {
    pub(super) snapshot_id: String,
    pub(super) refreshed_at: bson::DateTime,
}

/// A document of `metakocka_inventory`.
#[derive(Debug, Serialize, Deserialize)]
struct EntryRecord {
    company_id: CompanyId,
    snapshot_id: String,
    product_mk_id: String,
    product_code: Option<String>,
    count_code: Option<String>,
    product_name: Option<String>,
    warehouse_id: String,
    warehouse_mark: Option<String>,
    warehouse_name: Option<String>,
    amount: String,
    reserved: String,
    free: String,
}

impl EntryRecord {
    fn new(company: &CompanyId, snapshot_id: &str, e: &StockEntry) -> Self {
        Self {
            company_id: company.clone(),
            snapshot_id: snapshot_id.to_owned(),
            product_mk_id: e.product_mk_id.clone(),
            product_code: e.product_code.clone(),
            count_code: e.count_code.clone(),
            product_name: e.product_name.clone(),
            warehouse_id: e.warehouse_id.clone(),
            warehouse_mark: e.warehouse_mark.clone(),
            warehouse_name: e.warehouse_name.clone(),
            amount: e.amount.to_string(),
            reserved: e.reserved.to_string(),
            free: e.free.to_string(),
        }
    }

    fn into_entry(self) -> StoreResult<StockEntry> {
        let decimal = |text: &str| {
            text.parse().map_err(|_| {
                StoreError::Corrupt(format!("an inventory amount {text:?} is not a decimal"))
            })
        };
        Ok(StockEntry {
            amount: decimal(&self.amount)?,
            reserved: decimal(&self.reserved)?,
            free: decimal(&self.free)?,
            product_mk_id: self.product_mk_id,
            product_code: self.product_code,
            count_code: self.count_code,
            product_name: self.product_name,
            warehouse_id: self.warehouse_id,
            warehouse_mark: self.warehouse_mark,
            warehouse_name: self.warehouse_name,
        })
    }
}

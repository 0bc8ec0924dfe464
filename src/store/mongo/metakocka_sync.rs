//! `metakocka_sync_settings`, `metakocka_sync_runs` and `metakocka_sync_conflicts` in
//! MongoDB: the domain records as documents; runs and conflicts keyed by their uuid v7 ids
//! (`_id`), so "newest first" is `_id` descending.

use super::MongoStore;
use super::errors::store_error;
use crate::domain::CompanyId;
use crate::metakocka::sync::model::{EntityKind, MetakockaSyncRun, SyncConflict, SyncSettings};
use crate::store::{MetakockaSyncStore, StoreResult};
use async_trait::async_trait;
use futures::TryStreamExt;
use mongodb::bson::{Document, doc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

const SETTINGS: &str = "metakocka_sync_settings";
const RUNS: &str = "metakocka_sync_runs";
const CONFLICTS: &str = "metakocka_sync_conflicts";

/// A record stored under its own id as `_id`.
#[derive(Serialize, Deserialize)]
struct Keyed<T> {
    #[serde(rename = "_id")]
    key: String,
    #[serde(flatten)]
    record: T,
}

#[async_trait]
impl MetakockaSyncStore for MongoStore {
    async fn put_sync_settings(&self, settings: &SyncSettings) -> StoreResult<()> {
        self.collection::<SyncSettings>(SETTINGS)
            .replace_one(
                doc! { "company_id": settings.company_id.as_str(), "kind": settings.kind.as_str() },
                settings,
            )
            .upsert(true)
            .await
            .map(drop)
            .map_err(store_error)
    }

    async fn list_sync_settings(&self, company: &CompanyId) -> StoreResult<Vec<SyncSettings>> {
        self.collection::<SyncSettings>(SETTINGS)
            .find(doc! { "company_id": company.as_str() })
            .sort(doc! { "kind": 1 })
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)
    }

    async fn auto_sync_settings(&self) -> StoreResult<Vec<SyncSettings>> {
        self.collection::<SyncSettings>(SETTINGS)
            .find(doc! { "auto": true })
            .sort(doc! { "company_id": 1, "kind": 1 })
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)
    }

    async fn insert_metakocka_run(&self, run: &MetakockaSyncRun) -> StoreResult<()> {
        self.collection::<Keyed<MetakockaSyncRun>>(RUNS)
            .insert_one(Keyed {
                key: run.id.clone(),
                record: run.clone(),
            })
            .await
            .map(drop)
            .map_err(store_error)
    }

    async fn save_metakocka_run(&self, run: &MetakockaSyncRun) -> StoreResult<bool> {
        self.collection::<Keyed<MetakockaSyncRun>>(RUNS)
            .replace_one(
                doc! { "_id": &run.id, "company_id": run.company_id.as_str() },
                Keyed {
                    key: run.id.clone(),
                    record: run.clone(),
                },
            )
            .await
            .map(|r| r.matched_count > 0)
            .map_err(store_error)
    }

    async fn get_metakocka_run(
        &self,
        company: &CompanyId,
        id: &str,
    ) -> StoreResult<Option<MetakockaSyncRun>> {
        let found = self
            .keyed::<MetakockaSyncRun>(RUNS, doc! { "_id": id, "company_id": company.as_str() }, 1)
            .await?;
        Ok(found.into_iter().next())
    }

    async fn list_metakocka_runs(
        &self,
        company: &CompanyId,
        kind: Option<EntityKind>,
        limit: u32,
    ) -> StoreResult<Vec<MetakockaSyncRun>> {
        let mut filter = doc! { "company_id": company.as_str() };
        if let Some(kind) = kind {
            filter.insert("kind", kind.as_str());
        }
        self.keyed(RUNS, filter, i64::from(limit)).await
    }

    async fn put_sync_conflict(&self, conflict: &SyncConflict) -> StoreResult<()> {
        self.collection::<Keyed<SyncConflict>>(CONFLICTS)
            .replace_one(
                doc! { "_id": &conflict.id, "company_id": conflict.company_id.as_str() },
                Keyed {
                    key: conflict.id.clone(),
                    record: conflict.clone(),
                },
            )
            .upsert(true)
            .await
            .map(drop)
            .map_err(store_error)
    }

    async fn get_sync_conflict(
        &self,
        company: &CompanyId,
        id: &str,
    ) -> StoreResult<Option<SyncConflict>> {
        let found = self
            .keyed::<SyncConflict>(
                CONFLICTS,
                doc! { "_id": id, "company_id": company.as_str() },
                1,
            )
            .await?;
        Ok(found.into_iter().next())
    }

    async fn list_sync_conflicts(
        &self,
        company: &CompanyId,
        open_only: bool,
    ) -> StoreResult<Vec<SyncConflict>> {
        let mut filter = doc! { "company_id": company.as_str() };
        if open_only {
            filter.insert("resolved_with", mongodb::bson::Bson::Null);
        }
        self.keyed(CONFLICTS, filter, 0).await
    }
}

impl MongoStore {
    /// The records matching `filter`, newest first; `limit` 0 is no limit.
    async fn keyed<T>(&self, name: &str, filter: Document, limit: i64) -> StoreResult<Vec<T>>
    where
        T: DeserializeOwned + Serialize + Send + Sync + Unpin,
    {
        let records: Vec<Keyed<T>> = self
            .collection::<Keyed<T>>(name)
            .find(filter)
            .sort(doc! { "_id": -1 })
            .limit(limit)
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)?;
        Ok(records.into_iter().map(|k| k.record).collect())
    }
}

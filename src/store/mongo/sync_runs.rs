//! Sync-run history: `crm_sync_runs`, one document per run, newest first by `started_at`.

use super::MongoStore;
use super::errors::store_error;
use super::records::{from_bson_date, to_bson_date};
use crate::domain::{ChunkCounts, CompanyId, LinkId, PageId, SyncOutcome, SyncRun, SyncTrigger};
use crate::store::{StoreError, StoreResult, SyncRunQuery, SyncRunStore};
use async_trait::async_trait;
use futures::TryStreamExt;
use mongodb::bson::{self, doc};
use serde::{Deserialize, Serialize};

pub(super) const CRM_SYNC_RUNS: &str = "crm_sync_runs";

#[async_trait]
impl SyncRunStore for MongoStore {
    async fn insert_sync_run(&self, run: &SyncRun) -> StoreResult<()> {
        self.collection::<SyncRunRecord>(CRM_SYNC_RUNS)
            .insert_one(SyncRunRecord::from(run))
            .await
            .map(|_| ())
            .map_err(store_error)
    }

    async fn list_sync_runs(&self, query: &SyncRunQuery) -> StoreResult<Vec<SyncRun>> {
        let mut filter = doc! { "company_id": query.company_id.as_str() };
        if let Some(page_id) = &query.page_id {
            filter.insert("page_id", page_id.as_str());
        }
        if let Some(link_id) = &query.link_id {
            filter.insert("link_id", link_id.as_str());
        }
        let records: Vec<SyncRunRecord> = self
            .collection::<SyncRunRecord>(CRM_SYNC_RUNS)
            .find(filter)
            .sort(doc! { "started_at": -1, "_id": -1 })
            .limit(i64::from(query.limit))
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)?;
        records.into_iter().map(SyncRun::try_from).collect()
    }
}

/// A document of `crm_sync_runs`: the domain run with BSON dates, so runs sort by time.
#[derive(Debug, Serialize, Deserialize)]
struct SyncRunRecord {
    #[serde(rename = "_id")]
    id: String,
    company_id: CompanyId,
    page_id: PageId,
    link_id: LinkId,
    link_name: String,
    url: String,
    trigger: SyncTrigger,
    outcome: SyncOutcome,
    error_kind: Option<String>,
    status_code: Option<u16>,
    error: Option<String>,
    bytes_fetched: i64,
    pages_fetched: u32,
    complete: bool,
    chunks: ChunkCounts,
    started_at: bson::DateTime,
    finished_at: bson::DateTime,
    duration_ms: i64,
}

impl From<&SyncRun> for SyncRunRecord {
    fn from(r: &SyncRun) -> Self {
        Self {
            id: r.id.clone(),
            company_id: r.company_id.clone(),
            page_id: r.page_id.clone(),
            link_id: r.link_id.clone(),
            link_name: r.link_name.clone(),
            url: r.url.clone(),
            trigger: r.trigger,
            outcome: r.outcome,
            error_kind: r.error_kind.clone(),
            status_code: r.status_code,
            error: r.error.clone(),
            // BSON has no unsigned 64-bit integer.
            bytes_fetched: i64::try_from(r.bytes_fetched).unwrap_or(i64::MAX),
            pages_fetched: r.pages_fetched,
            complete: r.complete,
            chunks: r.chunks,
            started_at: to_bson_date(r.started_at),
            finished_at: to_bson_date(r.finished_at),
            duration_ms: i64::try_from(r.duration_ms).unwrap_or(i64::MAX),
        }
    }
}

impl TryFrom<SyncRunRecord> for SyncRun {
    type Error = StoreError;
    fn try_from(r: SyncRunRecord) -> StoreResult<Self> {
        Ok(SyncRun {
            id: r.id,
            company_id: r.company_id,
            page_id: r.page_id,
            link_id: r.link_id,
            link_name: r.link_name,
            url: r.url,
            trigger: r.trigger,
            outcome: r.outcome,
            error_kind: r.error_kind,
            status_code: r.status_code,
            error: r.error,
            bytes_fetched: u64::try_from(r.bytes_fetched).unwrap_or_default(),
            pages_fetched: r.pages_fetched,
            complete: r.complete,
            chunks: r.chunks,
            started_at: from_bson_date(r.started_at)?,
            finished_at: from_bson_date(r.finished_at)?,
            duration_ms: u64::try_from(r.duration_ms).unwrap_or_default(),
        })
    }
}

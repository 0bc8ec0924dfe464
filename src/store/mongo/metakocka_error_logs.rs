//! `metakocka_error_logs`: one document per entry, `_id` the entry's UUIDv7, times as BSON
//! dates so the date range and the newest-first sort compare times, not text.
//!
//! Statistics read the matching entries' four grouping fields and count them here rather than
//! in an aggregation pipeline: one pass over a projection, and no reliance on date operators
//! that MongoDB-compatible servers implement unevenly.

use super::MongoStore;
use super::errors::store_error;
use super::records::{from_bson_date, to_bson_date};
use crate::domain::{CompanyId, UserId};
use crate::metakocka::error_log::query::day_of;
use crate::metakocka::error_log::{
    EntityType, ErrorCategory, ErrorLogEntry, ErrorLogFilter, ErrorLogPage, ErrorLogStats,
    ErrorStatus, Paging, Resolution, ResolveTarget,
};
use crate::store::{MetakockaErrorLogStore, StoreError, StoreResult};
use async_trait::async_trait;
use futures::TryStreamExt;
use mongodb::bson::{self, Bson, Document, doc};
use serde::{Deserialize, Serialize};

pub(super) const METAKOCKA_ERROR_LOGS: &str = "metakocka_error_logs";

fn filter_document(company: &CompanyId, filter: &ErrorLogFilter) -> Document {
    let mut query = doc! { "company_id": company.as_str() };
    if let Some(status) = filter.status {
        query.insert("status", status.as_str());
    }
    if let Some(category) = filter.category {
        query.insert("category", category.as_str());
    }
    if let Some(entity_type) = filter.entity_type {
        query.insert("entity_type", entity_type.as_str());
    }
    if let Some(entity_id) = &filter.entity_id {
        query.insert("entity_id", entity_id.as_str());
    }
    let mut range = Document::new();
    if let Some(from) = filter.from {
        range.insert("$gte", to_bson_date(from));
    }
    if let Some(to) = filter.to {
        range.insert("$lt", to_bson_date(to));
    }
    if !range.is_empty() {
        query.insert("created_at", range);
    }
    if let Some(text) = &filter.text {
        query.insert(
            "message",
            doc! { "$regex": regex::escape(text), "$options": "i" },
        );
    }
    query
}

#[async_trait]
impl MetakockaErrorLogStore for MongoStore {
    async fn insert_error_log(&self, entry: &ErrorLogEntry) -> StoreResult<()> {
        let record = ErrorLogRecord::try_from(entry)?;
        self.collection::<ErrorLogRecord>(METAKOCKA_ERROR_LOGS)
            .insert_one(record)
            .await
            .map(|_| ())
            .map_err(store_error)
    }

    async fn get_error_log(
        &self,
        company: &CompanyId,
        id: &str,
    ) -> StoreResult<Option<ErrorLogEntry>> {
        self.collection::<ErrorLogRecord>(METAKOCKA_ERROR_LOGS)
            .find_one(doc! { "_id": id, "company_id": company.as_str() })
            .await
            .map_err(store_error)?
            .map(ErrorLogEntry::try_from)
            .transpose()
    }

    async fn list_error_logs(
        &self,
        company: &CompanyId,
        filter: &ErrorLogFilter,
        paging: Paging,
    ) -> StoreResult<ErrorLogPage> {
        let query = filter_document(company, filter);
        let collection = self.collection::<ErrorLogRecord>(METAKOCKA_ERROR_LOGS);
        let total = collection
            .count_documents(query.clone())
            .await
            .map_err(store_error)?;
        if paging.limit == 0 {
            return Ok(ErrorLogPage {
                items: Vec::new(),
                total,
            });
        }
        let records: Vec<ErrorLogRecord> = collection
            .find(query)
            .sort(doc! { "created_at": -1, "_id": -1 })
            .skip(u64::from(paging.offset))
            .limit(i64::from(paging.limit))
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)?;
        let items = records
            .into_iter()
            .map(ErrorLogEntry::try_from)
            .collect::<StoreResult<_>>()?;
        Ok(ErrorLogPage { items, total })
    }

    async fn resolve_error_logs(
        &self,
        company: &CompanyId,
        target: &ResolveTarget,
        resolution: &Resolution,
    ) -> StoreResult<u64> {
        let mut query = match target {
            ResolveTarget::Ids(ids) => {
                let mut query = filter_document(company, &ErrorLogFilter::default());
                query.insert("_id", doc! { "$in": ids.clone() });
                query
            }
            ResolveTarget::Filter(filter) => filter_document(company, filter),
        };
        // Resolving is for open entries only, even when the filter asked for resolved ones.
        query.insert("status", ErrorStatus::Open.as_str());
        let update = doc! { "$set": {
            "status": ErrorStatus::Resolved.as_str(),
            "resolution_notes": resolution.notes.as_deref(),
            "resolved_by": resolution.resolved_by.as_str(),
            "resolved_at": to_bson_date(resolution.resolved_at),
        }};
        self.collection::<ErrorLogRecord>(METAKOCKA_ERROR_LOGS)
            .update_many(query, update)
            .await
            .map(|result| result.modified_count)
            .map_err(store_error)
    }

    async fn error_log_stats(
        &self,
        company: &CompanyId,
        filter: &ErrorLogFilter,
    ) -> StoreResult<ErrorLogStats> {
        let mut cursor = self
            .collection::<StatsFields>(METAKOCKA_ERROR_LOGS)
            .find(filter_document(company, filter))
            .projection(doc! { "status": 1, "category": 1, "entity_type": 1, "created_at": 1 })
            .await
            .map_err(store_error)?;
        let mut stats = ErrorLogStats::default();
        while let Some(fields) = cursor.try_next().await.map_err(store_error)? {
            stats.add(
                fields.status,
                fields.category,
                fields.entity_type,
                day_of(from_bson_date(fields.created_at)?),
                1,
            );
        }
        Ok(stats)
    }
}

/// The fields statistics group by.
#[derive(Debug, Deserialize)]
struct StatsFields {
    status: ErrorStatus,
    category: ErrorCategory,
    entity_type: EntityType,
    created_at: bson::DateTime,
}

/// A document of `metakocka_error_logs`.
#[derive(Debug, Serialize, Deserialize)]
struct ErrorLogRecord {
    #[serde(rename = "_id")]
    id: String,
    company_id: CompanyId,
    user_id: Option<UserId>,
    category: ErrorCategory,
    entity_type: EntityType,
    entity_id: Option<String>,
    operation: String,
    message: String,
    details: Bson,
    status: ErrorStatus,
    resolution_notes: Option<String>,
    resolved_by: Option<UserId>,
    resolved_at: Option<bson::DateTime>,
    created_at: bson::DateTime,
}

impl TryFrom<&ErrorLogEntry> for ErrorLogRecord {
    type Error = StoreError;
    fn try_from(e: &ErrorLogEntry) -> StoreResult<Self> {
        Ok(Self {
            id: e.id.clone(),
            company_id: e.company_id.clone(),
            user_id: e.user_id.clone(),
            category: e.category,
            entity_type: e.entity_type,
            entity_id: e.entity_id.clone(),
            operation: e.operation.clone(),
            message: e.message.clone(),
            details: bson::to_bson(&e.details)
                .map_err(|err| StoreError::Corrupt(format!("error log details: {err}")))?,
            status: e.status,
            resolution_notes: e.resolution_notes.clone(),
            resolved_by: e.resolved_by.clone(),
            resolved_at: e.resolved_at.map(to_bson_date),
            created_at: to_bson_date(e.created_at),
        })
    }
}

impl TryFrom<ErrorLogRecord> for ErrorLogEntry {
    type Error = StoreError;
    fn try_from(r: ErrorLogRecord) -> StoreResult<Self> {
        Ok(Self {
            id: r.id,
            company_id: r.company_id,
            user_id: r.user_id,
            category: r.category,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            operation: r.operation,
            message: r.message,
            // Relaxed extended JSON keeps numbers and strings as the details had them.
            details: r.details.into_relaxed_extjson(),
            status: r.status,
            resolution_notes: r.resolution_notes,
            resolved_by: r.resolved_by,
            resolved_at: r.resolved_at.map(from_bson_date).transpose()?,
            created_at: from_bson_date(r.created_at)?,
        })
    }
}

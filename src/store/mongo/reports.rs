//! [`ReportStore`] in MongoDB: the whole inventory snapshot (following the company's pointer
//! document, as the product lookup does) and `report_schedules`, one document per schedule
//! with `_id` its uuid. The claim is a single-document update conditioned on the due time.

use super::MongoStore;
use super::errors::store_error;
use super::records::{from_bson_date, to_bson_date};
use crate::domain::{CompanyId, Sealed};
use crate::metakocka::inventory::ProductInventory;
use crate::reports::ReportKind;
use crate::reports::params::ReportQuery;
use crate::reports::schedule::{Cadence, DeliveryOutcome, DestinationKind, ReportSchedule};
use crate::store::{ReportStore, StoreError, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use mongodb::bson::{self, doc};
use serde::{Deserialize, Serialize};

const SCHEDULES: &str = "report_schedules";

#[derive(Debug, Serialize, Deserialize)]
struct ScheduleRecord {
    #[serde(rename = "_id")]
    id: String,
    company_id: CompanyId,
    report: ReportKind,
    parameters: ReportQuery,
    cadence: Cadence,
    destination_kind: DestinationKind,
    destination: Sealed,
    destination_hint: String,
    created_at: bson::DateTime,
    next_due_at: bson::DateTime,
    last_delivery: Option<OutcomeRecord>,
}

#[derive(Debug, Serialize, Deserialize)]
struct OutcomeRecord {
    at: bson::DateTime,
    ok: bool,
    detail: String,
}

impl OutcomeRecord {
    fn new(o: &DeliveryOutcome) -> Self {
        Self {
            at: to_bson_date(o.at),
            ok: o.ok,
            detail: o.detail.clone(),
        }
    }
}

impl ScheduleRecord {
    fn new(s: &ReportSchedule) -> Self {
        Self {
            id: s.id.clone(),
            company_id: s.company_id.clone(),
            report: s.report,
            parameters: s.parameters.clone(),
            cadence: s.cadence,
            destination_kind: s.destination_kind,
            destination: s.destination.clone(),
            destination_hint: s.destination_hint.clone(),
            created_at: to_bson_date(s.created_at),
            next_due_at: to_bson_date(s.next_due_at),
            last_delivery: s.last_delivery.as_ref().map(OutcomeRecord::new),
        }
    }

    fn into_schedule(self) -> StoreResult<ReportSchedule> {
        Ok(ReportSchedule {
            created_at: from_bson_date(self.created_at)?,
            next_due_at: from_bson_date(self.next_due_at)?,
            last_delivery: match self.last_delivery {
                Some(o) => Some(DeliveryOutcome {
                    at: from_bson_date(o.at)?,
                    ok: o.ok,
                    detail: o.detail,
                }),
                None => None,
            },
            id: self.id,
            company_id: self.company_id,
            report: self.report,
            parameters: self.parameters,
            cadence: self.cadence,
            destination_kind: self.destination_kind,
            destination: self.destination,
            destination_hint: self.destination_hint,
        })
    }
}

impl MongoStore {
    async fn find_schedules(
        &self,
        filter: bson::Document,
        sort: bson::Document,
        limit: Option<i64>,
    ) -> StoreResult<Vec<ReportSchedule>> {
        let collection = self.collection::<ScheduleRecord>(SCHEDULES);
        let mut find = collection.find(filter).sort(sort);
        if let Some(limit) = limit {
            find = find.limit(limit);
        }
        let records: Vec<ScheduleRecord> = find
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)?;
        records
            .into_iter()
            .map(ScheduleRecord::into_schedule)
            .collect()
    }
}

#[async_trait]
impl ReportStore for MongoStore {
    async fn inventory_snapshot(
        &self,
        company: &CompanyId,
    ) -> StoreResult<Option<ProductInventory>> {
        // A refresh may switch the pointer and remove the entries between our reads: then the
        // second look finds the new snapshot.
        let mut found = None;
        for _ in 0..2 {
            let Some(pointer) = self.current_snapshot(company).await? else {
                return Ok(None);
            };
            let entries = self.snapshot_entries(company, &pointer.snapshot_id).await?;
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

    async fn insert_report_schedule(&self, schedule: &ReportSchedule) -> StoreResult<()> {
        self.collection::<ScheduleRecord>(SCHEDULES)
            .insert_one(ScheduleRecord::new(schedule))
            .await
            .map(drop)
            .map_err(store_error)
    }

    async fn get_report_schedule(
        &self,
        company: &CompanyId,
        id: &str,
    ) -> StoreResult<Option<ReportSchedule>> {
        self.collection::<ScheduleRecord>(SCHEDULES)
            .find_one(doc! { "_id": id, "company_id": company.as_str() })
            .await
            .map_err(store_error)?
            .map(ScheduleRecord::into_schedule)
            .transpose()
    }

    async fn list_report_schedules(&self, company: &CompanyId) -> StoreResult<Vec<ReportSchedule>> {
        self.find_schedules(
            doc! { "company_id": company.as_str() },
            doc! { "created_at": 1, "_id": 1 },
            None,
        )
        .await
    }

    async fn delete_report_schedule(&self, company: &CompanyId, id: &str) -> StoreResult<bool> {
        let deleted = self
            .collection::<ScheduleRecord>(SCHEDULES)
            .delete_one(doc! { "_id": id, "company_id": company.as_str() })
            .await
            .map_err(store_error)?;
        Ok(deleted.deleted_count > 0)
    }

    async fn due_report_schedules(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<ReportSchedule>> {
        self.find_schedules(
            doc! { "next_due_at": { "$lte": to_bson_date(now) } },
            doc! { "next_due_at": 1, "_id": 1 },
            Some(i64::from(limit)),
        )
        .await
    }

    async fn claim_report_schedule(
        &self,
        company: &CompanyId,
        id: &str,
        due: DateTime<Utc>,
        next: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let updated = self
            .collection::<ScheduleRecord>(SCHEDULES)
            .update_one(
                doc! {
                    "_id": id,
                    "company_id": company.as_str(),
                    "next_due_at": to_bson_date(due),
                },
                doc! { "$set": { "next_due_at": to_bson_date(next) } },
            )
            .await
            .map_err(store_error)?;
        Ok(updated.modified_count > 0)
    }

    async fn record_report_delivery(
        &self,
        company: &CompanyId,
        id: &str,
        outcome: &DeliveryOutcome,
    ) -> StoreResult<bool> {
        let outcome = bson::to_bson(&OutcomeRecord::new(outcome))
            .map_err(|e| StoreError::Corrupt(format!("a delivery outcome: {e}")))?;
        let updated = self
            .collection::<ScheduleRecord>(SCHEDULES)
            .update_one(
                doc! { "_id": id, "company_id": company.as_str() },
                doc! { "$set": { "last_delivery": outcome } },
            )
            .await
            .map_err(store_error)?;
        Ok(updated.matched_count > 0)
    }
}

//! The reports' trait: the inventory snapshot they read, and the report schedules.

use super::StoreResult;
use crate::domain::CompanyId;
use crate::metakocka::inventory::ProductInventory;
use crate::reports::schedule::{DeliveryOutcome, ReportSchedule};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// What the reports read beyond the other stores (the whole inventory snapshot), and
/// `report_schedules`: one record per schedule, its destination sealed.
#[async_trait]
pub trait ReportStore: Send + Sync {
    /// Every entry of the company's inventory snapshot, by product id then warehouse id;
    /// `None` when the company has no snapshot yet.
    async fn inventory_snapshot(
        &self,
        company: &CompanyId,
    ) -> StoreResult<Option<ProductInventory>>;
    async fn insert_report_schedule(&self, schedule: &ReportSchedule) -> StoreResult<()>;
    async fn get_report_schedule(
        &self,
        company: &CompanyId,
        id: &str,
    ) -> StoreResult<Option<ReportSchedule>>;
    /// Oldest first (by creation, then id).
    async fn list_report_schedules(&self, company: &CompanyId) -> StoreResult<Vec<ReportSchedule>>;
    async fn delete_report_schedule(&self, company: &CompanyId, id: &str) -> StoreResult<bool>;
    /// Up to `limit` schedules of every company due at `now` (`next_due_at <= now`), the
    /// longest overdue first. Unscoped: only the delivery loop calls it.
    async fn due_report_schedules(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<ReportSchedule>>;
    /// Moves the schedule's due time from `due` to `next` if it is still `due`; `false` when
    /// another instance claimed it first (or it is gone).
    async fn claim_report_schedule(
        &self,
        company: &CompanyId,
        id: &str,
        due: DateTime<Utc>,
        next: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Records the last delivery's outcome; `false` when there is no such schedule.
    async fn record_report_delivery(
        &self,
        company: &CompanyId,
        id: &str,
        outcome: &DeliveryOutcome,
    ) -> StoreResult<bool>;
}

//! [`FlakyStore`](super::FlakyStore)'s reports trait, delegated to its SQLite store.

use super::FlakyStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use crm_mind::domain::CompanyId;
use crm_mind::metakocka::inventory::ProductInventory;
use crm_mind::reports::schedule::{DeliveryOutcome, ReportSchedule};
use crm_mind::store::*;

#[async_trait]
impl ReportStore for FlakyStore {
    async fn inventory_snapshot(&self, c: &CompanyId) -> StoreResult<Option<ProductInventory>> {
        self.inner.inventory_snapshot(c).await
    }
    async fn insert_report_schedule(&self, s: &ReportSchedule) -> StoreResult<()> {
        self.inner.insert_report_schedule(s).await
    }
    async fn get_report_schedule(
        &self,
        c: &CompanyId,
        id: &str,
    ) -> StoreResult<Option<ReportSchedule>> {
        self.inner.get_report_schedule(c, id).await
    }
    async fn list_report_schedules(&self, c: &CompanyId) -> StoreResult<Vec<ReportSchedule>> {
        self.inner.list_report_schedules(c).await
    }
    async fn delete_report_schedule(&self, c: &CompanyId, id: &str) -> StoreResult<bool> {
        self.inner.delete_report_schedule(c, id).await
    }
    async fn due_report_schedules(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<ReportSchedule>> {
        self.inner.due_report_schedules(now, limit).await
    }
    async fn claim_report_schedule(
        &self,
        c: &CompanyId,
        id: &str,
        due: DateTime<Utc>,
        next: DateTime<Utc>,
    ) -> StoreResult<bool> {
        self.inner.claim_report_schedule(c, id, due, next).await
    }
    async fn record_report_delivery(
        &self,
        c: &CompanyId,
        id: &str,
        o: &DeliveryOutcome,
    ) -> StoreResult<bool> {
        self.inner.record_report_delivery(c, id, o).await
    }
}

//! [`FlakyStore`](super::FlakyStore)'s Metakocka traits: writing the error log fails while the
//! store is down; the rest is delegated to its SQLite store.

use super::FlakyStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use crm_mind::domain::CompanyId;
use crm_mind::metakocka::credentials::{CredentialOwner, StoredCredentials};
use crm_mind::metakocka::error_log::{
    ErrorLogEntry, ErrorLogFilter, ErrorLogPage, ErrorLogStats, Paging, Resolution, ResolveTarget,
};
use crm_mind::metakocka::inventory::{ProductInventory, ProductKey, StockEntry};
use crm_mind::metakocka::sync::model::{
    EntityKind, Mapping, MetakockaSyncRun, PulledWrite, SlotClaim, SyncConflict, SyncSettings,
};
use crm_mind::records::product::Product;
use crm_mind::store::*;

#[async_trait]
impl MetakockaCredentialStore for FlakyStore {
    async fn put_metakocka_credentials(&self, c: &StoredCredentials) -> StoreResult<()> {
        self.inner.put_metakocka_credentials(c).await
    }
    async fn get_metakocka_credentials(
        &self,
        c: &CompanyId,
        o: &CredentialOwner,
    ) -> StoreResult<Option<StoredCredentials>> {
        self.inner.get_metakocka_credentials(c, o).await
    }
    async fn delete_metakocka_credentials(
        &self,
        c: &CompanyId,
        o: &CredentialOwner,
    ) -> StoreResult<bool> {
        self.inner.delete_metakocka_credentials(c, o).await
    }
}

#[async_trait]
impl MetakockaErrorLogStore for FlakyStore {
    async fn insert_error_log(&self, e: &ErrorLogEntry) -> StoreResult<()> {
        self.check()?;
        self.inner.insert_error_log(e).await
    }
    async fn get_error_log(&self, c: &CompanyId, id: &str) -> StoreResult<Option<ErrorLogEntry>> {
        self.inner.get_error_log(c, id).await
    }
    async fn list_error_logs(
        &self,
        c: &CompanyId,
        f: &ErrorLogFilter,
        p: Paging,
    ) -> StoreResult<ErrorLogPage> {
        self.inner.list_error_logs(c, f, p).await
    }
    async fn resolve_error_logs(
        &self,
        c: &CompanyId,
        t: &ResolveTarget,
        r: &Resolution,
    ) -> StoreResult<u64> {
        self.inner.resolve_error_logs(c, t, r).await
    }
    async fn error_log_stats(
        &self,
        c: &CompanyId,
        f: &ErrorLogFilter,
    ) -> StoreResult<ErrorLogStats> {
        self.inner.error_log_stats(c, f).await
    }
}

#[async_trait]
impl MetakockaInventoryStore for FlakyStore {
    async fn replace_inventory(
        &self,
        c: &CompanyId,
        at: DateTime<Utc>,
        e: &[StockEntry],
    ) -> StoreResult<()> {
        self.inner.replace_inventory(c, at, e).await
    }
    async fn product_inventory(
        &self,
        c: &CompanyId,
        p: &ProductKey,
    ) -> StoreResult<Option<ProductInventory>> {
        self.inner.product_inventory(c, p).await
    }
    async fn companies_with_organization_credentials(&self) -> StoreResult<Vec<CompanyId>> {
        self.inner.companies_with_organization_credentials().await
    }
}

#[async_trait]
impl MetakockaMappingStore for FlakyStore {
    async fn put_mapping(&self, m: &Mapping) -> StoreResult<()> {
        self.inner.put_mapping(m).await
    }
    async fn get_mapping_by_crm(
        &self,
        c: &CompanyId,
        k: EntityKind,
        id: &str,
    ) -> StoreResult<Option<Mapping>> {
        self.inner.get_mapping_by_crm(c, k, id).await
    }
    async fn get_mapping_by_mk(
        &self,
        c: &CompanyId,
        k: EntityKind,
        id: &str,
    ) -> StoreResult<Option<Mapping>> {
        self.inner.get_mapping_by_mk(c, k, id).await
    }
    async fn list_mappings(&self, c: &CompanyId, k: EntityKind) -> StoreResult<Vec<Mapping>> {
        self.inner.list_mappings(c, k).await
    }
    async fn delete_mapping(&self, c: &CompanyId, k: EntityKind, id: &str) -> StoreResult<bool> {
        self.inner.delete_mapping(c, k, id).await
    }
    async fn write_pulled_products(
        &self,
        c: &CompanyId,
        w: &[PulledWrite<Product>],
    ) -> StoreResult<Vec<StoreResult<()>>> {
        self.inner.write_pulled_products(c, w).await
    }
}

#[async_trait]
impl MetakockaSyncSlotStore for FlakyStore {
    async fn claim_sync_slot(
        &self,
        c: &CompanyId,
        k: EntityKind,
        run: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<SlotClaim> {
        self.inner.claim_sync_slot(c, k, run, now, until).await
    }
    async fn renew_sync_slot(
        &self,
        c: &CompanyId,
        k: EntityKind,
        run: &str,
        until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        self.inner.renew_sync_slot(c, k, run, until).await
    }
    async fn request_sync_slot_cancel(
        &self,
        c: &CompanyId,
        k: EntityKind,
        run: &str,
    ) -> StoreResult<bool> {
        self.inner.request_sync_slot_cancel(c, k, run).await
    }
    async fn sync_slot_cancel_requested(
        &self,
        c: &CompanyId,
        k: EntityKind,
        run: &str,
    ) -> StoreResult<bool> {
        self.inner.sync_slot_cancel_requested(c, k, run).await
    }
    async fn release_sync_slot(&self, c: &CompanyId, k: EntityKind, run: &str) -> StoreResult<()> {
        self.inner.release_sync_slot(c, k, run).await
    }
}

#[async_trait]
impl MetakockaSyncStore for FlakyStore {
    async fn put_sync_settings(&self, s: &SyncSettings) -> StoreResult<()> {
        self.inner.put_sync_settings(s).await
    }
    async fn list_sync_settings(&self, c: &CompanyId) -> StoreResult<Vec<SyncSettings>> {
        self.inner.list_sync_settings(c).await
    }
    async fn auto_sync_settings(&self) -> StoreResult<Vec<SyncSettings>> {
        self.inner.auto_sync_settings().await
    }
    async fn insert_metakocka_run(&self, r: &MetakockaSyncRun) -> StoreResult<()> {
        self.inner.insert_metakocka_run(r).await
    }
    async fn save_metakocka_run(&self, r: &MetakockaSyncRun) -> StoreResult<bool> {
        self.inner.save_metakocka_run(r).await
    }
    async fn get_metakocka_run(
        &self,
        c: &CompanyId,
        id: &str,
    ) -> StoreResult<Option<MetakockaSyncRun>> {
        self.inner.get_metakocka_run(c, id).await
    }
    async fn list_metakocka_runs(
        &self,
        c: &CompanyId,
        k: Option<EntityKind>,
        limit: u32,
    ) -> StoreResult<Vec<MetakockaSyncRun>> {
        self.inner.list_metakocka_runs(c, k, limit).await
    }
    async fn put_sync_conflict(&self, x: &SyncConflict) -> StoreResult<()> {
        self.inner.put_sync_conflict(x).await
    }
    async fn get_sync_conflict(
        &self,
        c: &CompanyId,
        id: &str,
    ) -> StoreResult<Option<SyncConflict>> {
        self.inner.get_sync_conflict(c, id).await
    }
    async fn list_sync_conflicts(
        &self,
        c: &CompanyId,
        open: bool,
    ) -> StoreResult<Vec<SyncConflict>> {
        self.inner.list_sync_conflicts(c, open).await
    }
}

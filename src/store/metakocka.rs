//! The Metakocka integration's traits: credentials, the error log, the inventory snapshot,
//! the record mappings, the sync slots, and the sync's settings, runs and conflicts.

use super::StoreResult;
use crate::domain::CompanyId;
use crate::metakocka::credentials::{CredentialOwner, StoredCredentials};
use crate::metakocka::error_log::{
    ErrorLogEntry, ErrorLogFilter, ErrorLogPage, ErrorLogStats, Paging, Resolution, ResolveTarget,
};
use crate::metakocka::inventory::{ProductInventory, ProductKey, StockEntry};
use crate::metakocka::sync::model::{
    EntityKind, Mapping, MetakockaSyncRun, PulledWrite, SlotClaim, SyncConflict, SyncSettings,
};
use crate::records::product::Product;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// `metakocka_credentials`: one record per (company, owner).
#[async_trait]
pub trait MetakockaCredentialStore: Send + Sync {
    /// Inserts or replaces the record of `(credentials.company_id, credentials.owner)`.
    async fn put_metakocka_credentials(&self, credentials: &StoredCredentials) -> StoreResult<()>;
    async fn get_metakocka_credentials(
        &self,
        company: &CompanyId,
        owner: &CredentialOwner,
    ) -> StoreResult<Option<StoredCredentials>>;
    /// Whether there was a record to delete.
    async fn delete_metakocka_credentials(
        &self,
        company: &CompanyId,
        owner: &CredentialOwner,
    ) -> StoreResult<bool>;
}

/// `metakocka_error_logs`: every query is one company's, filtered by [`ErrorLogFilter`].
#[async_trait]
pub trait MetakockaErrorLogStore: Send + Sync {
    async fn insert_error_log(&self, entry: &ErrorLogEntry) -> StoreResult<()>;
    async fn get_error_log(
        &self,
        company: &CompanyId,
        id: &str,
    ) -> StoreResult<Option<ErrorLogEntry>>;
    /// Newest first (by `created_at`, then id); `total` counts every match. A limit of 0
    /// only counts.
    async fn list_error_logs(
        &self,
        company: &CompanyId,
        filter: &ErrorLogFilter,
        paging: Paging,
    ) -> StoreResult<ErrorLogPage>;
    /// Resolves the *open* entries `target` names; returns how many changed.
    async fn resolve_error_logs(
        &self,
        company: &CompanyId,
        target: &ResolveTarget,
        resolution: &Resolution,
    ) -> StoreResult<u64>;
    async fn error_log_stats(
        &self,
        company: &CompanyId,
        filter: &ErrorLogFilter,
    ) -> StoreResult<ErrorLogStats>;
}

/// `metakocka_inventory`: each company's latest stock snapshot, replaced whole.
#[async_trait]
pub trait MetakockaInventoryStore: Send + Sync {
    /// Replaces the company's snapshot with `entries` in one step: a reader sees the old
    /// snapshot or the new one, never a mix; a failure leaves the old one.
    async fn replace_inventory(
        &self,
        company: &CompanyId,
        refreshed_at: DateTime<Utc>,
        entries: &[StockEntry],
    ) -> StoreResult<()>;
    /// The entries of one product (every warehouse, by warehouse id) of the company's
    /// snapshot; `None` when the company has no snapshot yet.
    async fn product_inventory(
        &self,
        company: &CompanyId,
        product: &ProductKey,
    ) -> StoreResult<Option<ProductInventory>>;
    /// Companies with organisation Metakocka credentials. Unscoped: only the scheduled
    /// inventory refresh calls it, and it returns nothing but company ids.
    async fn companies_with_organization_credentials(&self) -> StoreResult<Vec<CompanyId>>;
}

/// `metakocka_product_mappings`, `metakocka_contact_mappings`,
/// `metakocka_sales_document_mappings`: one table per [`EntityKind`], each with
/// `(company, crm_id)` and `(company, mk_id)` unique.
#[async_trait]
pub trait MetakockaMappingStore: Send + Sync {
    /// Inserts or replaces the mapping of `(company, kind, crm_id)`. [`StoreError::Conflict`](super::StoreError::Conflict)
    /// when another CRM record of the company is mapped to the same `mk_id`.
    async fn put_mapping(&self, mapping: &Mapping) -> StoreResult<()>;
    async fn get_mapping_by_crm(
        &self,
        company: &CompanyId,
        kind: EntityKind,
        crm_id: &str,
    ) -> StoreResult<Option<Mapping>>;
    async fn get_mapping_by_mk(
        &self,
        company: &CompanyId,
        kind: EntityKind,
        mk_id: &str,
    ) -> StoreResult<Option<Mapping>>;
    /// Every mapping of the kind, by `crm_id`.
    async fn list_mappings(
        &self,
        company: &CompanyId,
        kind: EntityKind,
    ) -> StoreResult<Vec<Mapping>>;
    async fn delete_mapping(
        &self,
        company: &CompanyId,
        kind: EntityKind,
        crm_id: &str,
    ) -> StoreResult<bool>;
    /// Writes a page of pulled products and their mappings in one go (a pull's local side).
    /// One result per write, in order: a write that fails (a duplicate code, a product or
    /// mapping of another company, an update of a product that is gone, a Metakocka record
    /// mapped to another product) leaves neither its product nor its mapping written; the
    /// others are written. The outer error: the store failed as a whole.
    async fn write_pulled_products(
        &self,
        company: &CompanyId,
        writes: &[PulledWrite<Product>],
    ) -> StoreResult<Vec<StoreResult<()>>>;
}

/// `metakocka_sync_slots`: one sync run at a time per company and entity kind, across
/// every process sharing the store. A run holds its slot under a lease it renews while it
/// runs, so a run whose process stopped blocks the next one only until its lease runs out.
#[async_trait]
pub trait MetakockaSyncSlotStore: Send + Sync {
    /// Takes the slot of `(company, kind)` for `run_id` until `lease_until` when it is free
    /// or its lease ran out before `now`; else names the run holding it.
    async fn claim_sync_slot(
        &self,
        company: &CompanyId,
        kind: EntityKind,
        run_id: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> StoreResult<SlotClaim>;
    /// Extends `run_id`'s lease; `false` when it holds the slot no more.
    async fn renew_sync_slot(
        &self,
        company: &CompanyId,
        kind: EntityKind,
        run_id: &str,
        lease_until: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Asks `run_id` to stop (it may run in another process); `false` when it holds the
    /// slot no more.
    async fn request_sync_slot_cancel(
        &self,
        company: &CompanyId,
        kind: EntityKind,
        run_id: &str,
    ) -> StoreResult<bool>;
    /// Whether `run_id` was asked to stop (or holds the slot no more).
    async fn sync_slot_cancel_requested(
        &self,
        company: &CompanyId,
        kind: EntityKind,
        run_id: &str,
    ) -> StoreResult<bool>;
    /// Frees the slot if `run_id` holds it.
    async fn release_sync_slot(
        &self,
        company: &CompanyId,
        kind: EntityKind,
        run_id: &str,
    ) -> StoreResult<()>;
}

/// `metakocka_sync_settings`, `metakocka_sync_runs`, `metakocka_sync_conflicts`.
#[async_trait]
pub trait MetakockaSyncStore: Send + Sync {
    /// Inserts or replaces the settings of `(company, kind)`.
    async fn put_sync_settings(&self, settings: &SyncSettings) -> StoreResult<()>;
    /// The company's saved settings (kinds never saved are absent).
    async fn list_sync_settings(&self, company: &CompanyId) -> StoreResult<Vec<SyncSettings>>;
    /// Every company's settings with automatic sync on. Unscoped: only the sync schedule
    /// calls it.
    async fn auto_sync_settings(&self) -> StoreResult<Vec<SyncSettings>>;
    async fn insert_metakocka_run(&self, run: &MetakockaSyncRun) -> StoreResult<()>;
    /// Saves the whole run by company and id; `false` when there is none.
    async fn save_metakocka_run(&self, run: &MetakockaSyncRun) -> StoreResult<bool>;
    async fn get_metakocka_run(
        &self,
        company: &CompanyId,
        id: &str,
    ) -> StoreResult<Option<MetakockaSyncRun>>;
    /// Newest first (ids are uuid v7), optionally of one kind.
    async fn list_metakocka_runs(
        &self,
        company: &CompanyId,
        kind: Option<EntityKind>,
        limit: u32,
    ) -> StoreResult<Vec<MetakockaSyncRun>>;
    /// Inserts or replaces the conflict by company and id.
    async fn put_sync_conflict(&self, conflict: &SyncConflict) -> StoreResult<()>;
    async fn get_sync_conflict(
        &self,
        company: &CompanyId,
        id: &str,
    ) -> StoreResult<Option<SyncConflict>>;
    /// Newest first; only unresolved ones when `open_only`.
    async fn list_sync_conflicts(
        &self,
        company: &CompanyId,
        open_only: bool,
    ) -> StoreResult<Vec<SyncConflict>>;
}

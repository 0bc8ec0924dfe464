//! The seam an entity kind plugs into the sync engine: how each side of a record is read,
//! hashed, found by its natural key and written. [`super::products`], [`super::contacts`]
//! implement it; the engine ([`super::run`]) knows nothing else about them.

use super::SyncError;
use super::hash::Fields;
use super::model::{EntityKind, Mapping, PulledWrite};
use crate::domain::CompanyId;
use crate::metakocka::client::{MetakockaClient, MetakockaCredentials};
use crate::metakocka::error_log::EntityType;
use crate::store::DynStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// What a step works with: the company's store, the client and the credentials in use.
#[derive(Clone)]
pub struct Ctx {
    pub store: DynStore,
    pub client: MetakockaClient,
    pub credentials: MetakockaCredentials,
    pub company: CompanyId,
}

/// What narrows a run (issue 5, item 8).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunFilter {
    /// Only these CRM records (by id).
    pub crm_ids: Option<Vec<String>>,
    /// Only these Metakocka records (by `mk_id`), for pulls.
    pub mk_ids: Option<Vec<String>>,
    /// Only CRM records changed since then (Metakocka's records carry no change time).
    pub changed_since: Option<DateTime<Utc>>,
    /// Products: a Metakocka category name (`product_list`'s `category`).
    pub category: Option<String>,
    /// Sales documents: one document type.
    pub doc_type: Option<String>,
    /// Contacts: Metakocka partners whose name contains this; documents: their partner.
    pub partner: Option<String>,
}

/// One entity kind's two sides. Stateless: every call gets the [`Ctx`].
#[async_trait]
pub trait SyncEntity: Send + Sync + 'static {
    type Crm: Clone + Send + Sync + 'static;
    type Mk: Clone + Send + Sync + 'static;
    const KIND: EntityKind;
    const ERROR_ENTITY: EntityType;

    fn crm_id(crm: &Self::Crm) -> &str;
    fn crm_updated_at(crm: &Self::Crm) -> DateTime<Utc>;
    fn mk_id(mk: &Self::Mk) -> Option<&str>;
    fn mk_count_code(mk: &Self::Mk) -> Option<&str>;
    /// The synced fields of each side, named alike, for the content hash.
    fn crm_fields(crm: &Self::Crm) -> Fields;
    fn mk_fields(mk: &Self::Mk) -> Fields;
    /// Natural keys (`code:...`, `email:...`), best first: an unmapped record on one side is
    /// matched to the other side's record with the first key they share.
    fn crm_keys(crm: &Self::Crm) -> Vec<String>;
    fn mk_keys(mk: &Self::Mk) -> Vec<String>;

    /// The company's CRM records in the filter's scope.
    async fn crm_list(ctx: &Ctx, filter: &RunFilter) -> Result<Vec<Self::Crm>, SyncError>;
    async fn crm_get(ctx: &Ctx, id: &str) -> Result<Option<Self::Crm>, SyncError>;
    /// Metakocka's records in the filter's scope.
    async fn mk_list(ctx: &Ctx, filter: &RunFilter) -> Result<Vec<Self::Mk>, SyncError>;
    /// The Metakocka record a mapping names, if it still exists.
    async fn mk_get(ctx: &Ctx, mapping: &Mapping) -> Result<Option<Self::Mk>, SyncError>;
    /// One Metakocka record by `mk_id` (for a single pull).
    async fn mk_by_id(ctx: &Ctx, mk_id: &str) -> Result<Option<Self::Mk>, SyncError>;
    /// The Metakocka record matching an unmapped CRM record by natural key.
    async fn mk_find(ctx: &Ctx, crm: &Self::Crm) -> Result<Option<Self::Mk>, SyncError>;
    /// The CRM record matching an unmapped Metakocka record by natural key.
    async fn crm_find(ctx: &Ctx, mk: &Self::Mk) -> Result<Option<Self::Crm>, SyncError>;

    /// Creates the record in Metakocka; its `mk_id` and `count_code`.
    async fn push_create(ctx: &Ctx, crm: &Self::Crm)
    -> Result<(String, Option<String>), SyncError>;
    /// Changes the mapped Metakocka record to the CRM record's content.
    async fn push_update(
        ctx: &Ctx,
        crm: &Self::Crm,
        mk: &Self::Mk,
        mapping: &Mapping,
    ) -> Result<(), SyncError>;
    async fn pull_create(ctx: &Ctx, mk: &Self::Mk) -> Result<Self::Crm, SyncError>;
    async fn pull_update(ctx: &Ctx, crm: &Self::Crm, mk: &Self::Mk)
    -> Result<Self::Crm, SyncError>;

    /// Whether a pull's local writes (records and mappings) go to the store a page at a
    /// time through [`Self::write_pulled`], one store call (one SQLite commit) per page,
    /// instead of a call each. A kind that says so implements the three methods below.
    const BATCHED_PULLS: bool = false;
    /// The CRM record a Metakocka record becomes, not written yet.
    fn pulled_new(_ctx: &Ctx, _mk: &Self::Mk) -> Result<Self::Crm, SyncError> {
        Err(unbatched())
    }
    /// The CRM record changed to the Metakocka record's content, not written yet.
    fn pulled_changed(_crm: &Self::Crm, _mk: &Self::Mk) -> Result<Self::Crm, SyncError> {
        Err(unbatched())
    }
    /// Writes a page of pulled records and their mappings; one result per write, in order
    /// (a failed one wrote nothing). The outer error: the whole page failed.
    async fn write_pulled(
        _ctx: &Ctx,
        _writes: &[PulledWrite<Self::Crm>],
    ) -> Result<Vec<Result<(), SyncError>>, SyncError> {
        Err(unbatched())
    }
}

fn unbatched() -> SyncError {
    SyncError::Invalid("this kind writes its pulls one by one".to_owned())
}

/// The lower-cased, trimmed form keys compare in; `None` when empty.
pub fn key(prefix: &str, value: Option<&str>) -> Option<String> {
    let value = value?.trim();
    (!value.is_empty()).then(|| format!("{prefix}:{}", value.to_lowercase()))
}

//! The document store seam: typed repository traits, and two engines behind them.
//!
//! * [`sqlite`] — the embedded default: one file under the data directory, WAL, and a single
//!   writer thread that commits many requests in one transaction (group commit).
//! * [`mongo`] — the production engine for larger companies: the same records as MongoDB
//!   collections, with unique indexes where the product says "exactly once".
//!
//! Both pass the same behaviour suite (`tests/store.rs`). Every method that reads or changes
//! a company's data takes its [`CompanyId`]; the only unscoped reads are
//! [`PageStore::find_page_owner`] and [`PageStore::find_link_owner`], which route a webhook
//! (Facebook or a CRM does not tell us the company) and return nothing but the owner's ids,
//! and [`PageStore::all_pages`], which only the background sync scheduler calls.

pub mod mongo;
pub mod sqlite;

use crate::domain::events::InboxEvent;
use crate::domain::{Company, CompanyId, Email, LinkId, Page, PageId, Session, SyncRun, User};
use crate::metakocka::credentials::{CredentialOwner, StoredCredentials};
use crate::metakocka::error_log::{
    ErrorLogEntry, ErrorLogFilter, ErrorLogPage, ErrorLogStats, Paging, Resolution, ResolveTarget,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;

#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// A unique key is taken (an email, a page another company registered).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The engine failed or cannot be reached. The text is for logs, never for clients.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// Stored data could not be read back into its type.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Whether an inbox insert stored a new event or found it already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InsertOutcome {
    Inserted,
    Duplicate,
}

#[async_trait]
pub trait CompanyStore: Send + Sync {
    async fn insert_company(&self, company: &Company) -> StoreResult<()>;
    async fn get_company(&self, id: &CompanyId) -> StoreResult<Option<Company>>;
}

#[async_trait]
pub trait UserStore: Send + Sync {
    /// Fails with [`StoreError::Conflict`] when the email is taken (in any company: log-in is by email).
    async fn insert_user(&self, user: &User) -> StoreResult<()>;
    /// Log-in looks a user up by email before it knows the company.
    async fn find_user_by_email(&self, email: &Email) -> StoreResult<Option<User>>;
}

#[async_trait]
pub trait SessionStore: Send + Sync {
    async fn insert_session(&self, session: &Session) -> StoreResult<()>;
    async fn find_session(&self, token_hash: &str) -> StoreResult<Option<Session>>;
    /// Removes sessions that expired before `now`; returns how many.
    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> StoreResult<u64>;
}

#[async_trait]
pub trait PageStore: Send + Sync {
    /// Fails with [`StoreError::Conflict`] when any company already registered the page.
    async fn insert_page(&self, page: &Page) -> StoreResult<()>;
    async fn get_page(&self, company: &CompanyId, page_id: &PageId) -> StoreResult<Option<Page>>;
    async fn list_pages(&self, company: &CompanyId) -> StoreResult<Vec<Page>>;
    /// Saves the whole page if its stored version is still `page.version`, and stores it with
    /// `page.version + 1`. Returns `false` (and changes nothing) when someone saved in between.
    async fn save_page(&self, page: &Page) -> StoreResult<bool>;
    async fn delete_page(&self, company: &CompanyId, page_id: &PageId) -> StoreResult<bool>;
    /// The company that registered `page_id`, for routing webhooks.
    async fn find_page_owner(&self, page_id: &PageId) -> StoreResult<Option<CompanyId>>;
    /// The company and page holding CRM link `link_id`, for routing a CRM's push to a
    /// webhook-type link (the push is authenticated by the link's own signing secret).
    async fn find_link_owner(&self, link_id: &LinkId) -> StoreResult<Option<(CompanyId, PageId)>>;
    /// Every page of every company, for the sync scheduler only: no request reaches it.
    async fn all_pages(&self) -> StoreResult<Vec<Page>>;
}

#[async_trait]
pub trait InboxStore: Send + Sync {
    /// Stores each event unless one with the same `(page_id, natural_key)` exists. Durable
    /// when it returns: the webhook answers 200 only after this.
    async fn insert_inbox_events(&self, events: &[InboxEvent]) -> StoreResult<Vec<InsertOutcome>>;
    /// The company's events, newest first.
    async fn list_inbox_events(
        &self,
        company: &CompanyId,
        limit: u32,
    ) -> StoreResult<Vec<InboxEvent>>;
}

/// Which runs [`SyncRunStore::list_sync_runs`] returns: always one company.
#[derive(Debug, Clone)]
pub struct SyncRunQuery {
    pub company_id: CompanyId,
    pub page_id: Option<PageId>,
    pub link_id: Option<LinkId>,
    pub limit: u32,
}

#[async_trait]
pub trait SyncRunStore: Send + Sync {
    async fn insert_sync_run(&self, run: &SyncRun) -> StoreResult<()>;
    /// Runs newest first.
    async fn list_sync_runs(&self, query: &SyncRunQuery) -> StoreResult<Vec<SyncRun>>;
}

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

/// The whole document store, as the application holds it.
#[async_trait]
pub trait Store:
    CompanyStore
    + UserStore
    + SessionStore
    + PageStore
    + InboxStore
    + SyncRunStore
    + MetakockaCredentialStore
    + MetakockaErrorLogStore
{
    /// Succeeds when the engine answers; `/readyz` uses it.
    async fn ping(&self) -> StoreResult<()>;
    /// `sqlite` or `mongodb`, for logs and `/readyz`.
    fn engine(&self) -> &'static str;
}

pub type DynStore = Arc<dyn Store>;

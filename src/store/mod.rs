//! The document store seam: typed repository traits, and two engines behind them.
//!
//! * [`sqlite`] — the embedded default: one file under the data directory, WAL, and a single
//!   writer thread that commits many requests in one transaction (group commit).
//! * [`mongo`] — the production engine for larger companies: the same records as MongoDB
//!   collections, with unique indexes where the product says "exactly once".
//!
//! Both pass the same behaviour suite (`tests/store.rs`). Every method that reads or changes
//! a company's data takes its [`CompanyId`](crate::domain::CompanyId); the only unscoped reads are
//! [`PageStore::find_page_owner`] and [`PageStore::find_link_owner`], which route a webhook
//! (Facebook or a CRM does not tell us the company) and return nothing but the owner's ids,
//! and [`PageStore::all_pages`], which only the background sync scheduler calls.
//!
//! The traits live in one module per feature (accounts, pages, inbox, records, Metakocka,
//! email, reports) and are re-exported here; this module keeps the error type and the
//! [`Store`] that bundles them.

pub mod mongo;
pub mod sqlite;

mod accounts;
mod email;
mod inbox;
mod metakocka;
mod pages;
mod records;
mod reports;

pub use accounts::{CompanyStore, SessionStore, UserStore};
pub use email::{EmailStore, EmailTemplateStore};
pub use inbox::{
    BeginReply, ConversationStore, InboxLeaseStore, InboxStore, ReplyQuery, ReplyStore, Requeue,
};
pub use metakocka::{
    MetakockaCredentialStore, MetakockaErrorLogStore, MetakockaInventoryStore,
    MetakockaMappingStore, MetakockaSyncSlotStore, MetakockaSyncStore,
};
pub use pages::{PageStore, SyncRunQuery, SyncRunStore};
pub use records::{ContactStore, ProductStore, SalesDocumentStore};
pub use reports::ReportStore;

use async_trait::async_trait;
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

/// The whole document store, as the application holds it.
#[async_trait]
pub trait Store:
    CompanyStore
    + UserStore
    + SessionStore
    + PageStore
    + InboxStore
    + InboxLeaseStore
    + ReplyStore
    + ConversationStore
    + SyncRunStore
    + MetakockaCredentialStore
    + MetakockaErrorLogStore
    + MetakockaInventoryStore
    + ProductStore
    + ContactStore
    + SalesDocumentStore
    + MetakockaMappingStore
    + MetakockaSyncStore
    + MetakockaSyncSlotStore
    + EmailStore
    + EmailTemplateStore
    + ReportStore
{
    /// Succeeds when the engine answers; `/readyz` uses it.
    async fn ping(&self) -> StoreResult<()>;
    /// `sqlite` or `mongodb`, for logs and `/readyz`.
    fn engine(&self) -> &'static str;
}

pub type DynStore = Arc<dyn Store>;

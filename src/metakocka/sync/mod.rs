//! The two-way Metakocka sync (issue 5, items 4, 5, 8, 9 and 11): products, contacts
//! (Metakocka partners) and sales documents, each mapped record by record.
//!
//! * [`model`]: mappings, settings, runs and conflicts (stored behind
//!   [`crate::store::MetakockaMappingStore`] and [`crate::store::MetakockaSyncStore`]).
//! * [`hash`]: the content hash of a record's synced fields, alike for both sides.
//! * [`plan`]: the decision per record (create, update, skip, conflict).
//! * [`entity`]: the seam an entity kind plugs into; [`products`], [`contacts`] and
//!   [`documents`].
//! * [`run`] and `step`: a run over many records with progress and cancel.
//! * [`service`]: [`MetakockaSync`], what the HTTP routes, the schedule and the CLI call;
//!   `slot`: its one run at a time per company and kind, across processes.
//! * [`cli`]: `crm-mind metakocka sync ...`.
//! * [`audit`]: mappings whose records are gone or differ; [`schedule`]: periodic runs.
//!
//! A re-run with nothing changed makes no write call to Metakocka and no write locally:
//! both sides hash as they did at the last sync, so every record is skipped.

pub mod audit;
pub mod cli;
pub mod contacts;
pub mod documents;
pub mod entity;
mod gather;
pub mod hash;
pub mod model;
pub mod plan;
pub mod products;
pub mod run;
pub mod schedule;
pub mod service;
mod slot;
mod step;

pub use service::{AfterSync, MetakockaSync, StartRun};

use super::client::MetakockaError;
use super::credentials::CredentialError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// Neither the user nor the organisation has Metakocka credentials.
    #[error("no Metakocka credentials; an admin saves them first")]
    NoCredentials,
    /// A run of this company and kind is going on.
    #[error("a {kind} sync is already running (run {run_id})")]
    AlreadyRunning { kind: String, run_id: String },
    #[error("not found: {0}")]
    NotFound(String),
    /// A record cannot become the other side's record.
    #[error("{0}")]
    Invalid(String),
    /// Metakocka failed or refused; the text never holds the key.
    #[error("Metakocka: {0}")]
    Metakocka(#[from] MetakockaError),
    #[error(transparent)]
    Credentials(#[from] CredentialError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

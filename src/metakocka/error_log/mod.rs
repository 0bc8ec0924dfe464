//! The integration error log (`metakocka_error_logs`): every failed Metakocka call or sync
//! step is recorded here, for operators to filter, resolve, export and count.
//!
//! [`ErrorLog::record`] is called on a path that is already failing, so it never fails its
//! caller: when the store is down the entry is written to the process log as a warning
//! instead. When a notification webhook is configured, a burst of one category is reported
//! there (see [`notify`]).

pub mod entry;
pub mod export;
pub mod notify;
pub mod query;

pub use entry::{EntityType, ErrorCategory, ErrorLogEntry, ErrorStatus, NewError};
pub use notify::NotifySettings;
pub use query::{ErrorLogFilter, ErrorLogPage, ErrorLogStats, Paging, Resolution, ResolveTarget};

use crate::domain::{CompanyId, UserId};
use crate::store::{DynStore, StoreError};
use chrono::Utc;
use notify::Notifier;

/// What can go wrong resolving an entry.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// No entry of this id in the caller's company (another company's ids look the same).
    #[error("no error log entry {0}")]
    NotFound(String),
    #[error("error log entry {0} is already resolved")]
    AlreadyResolved(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The error log over the store, with the optional burst notifier. Cheap to clone.
#[derive(Clone)]
pub struct ErrorLog {
    store: DynStore,
    notifier: Option<Notifier>,
}

impl ErrorLog {
    pub fn new(store: DynStore, notify: Option<NotifySettings>) -> Self {
        Self {
            store,
            notifier: notify.map(Notifier::new),
        }
    }

    /// Stores `error` as an open entry and returns it; `None` when the store could not take
    /// it (logged as a warning with the entry's fields, so the failure is not lost).
    #[tracing::instrument(skip_all, fields(company = %error.company_id, category = %error.category))]
    pub async fn record(&self, error: NewError) -> Option<ErrorLogEntry> {
        let entry = error.into_entry(Utc::now());
        if let Err(e) = self.store.insert_error_log(&entry).await {
            tracing::warn!(
                store_error = %e,
                entity_type = %entry.entity_type,
                entity_id = entry.entity_id.as_deref().unwrap_or(""),
                operation = %entry.operation,
                message = %entry.message,
                "a Metakocka error could not be stored in the error log"
            );
            return None;
        }
        if let Some(notifier) = &self.notifier {
            self.notify_if_burst(notifier, &entry).await;
        }
        Some(entry)
    }

    async fn notify_if_burst(&self, notifier: &Notifier, entry: &ErrorLogEntry) {
        let now = Utc::now();
        let filter = ErrorLogFilter {
            category: Some(entry.category),
            from: Some(now - notifier.settings().window()),
            ..ErrorLogFilter::default()
        };
        let paging = Paging {
            limit: 0,
            offset: 0,
        };
        let count = match self
            .store
            .list_error_logs(&entry.company_id, &filter, paging)
            .await
        {
            Ok(page) => page.total,
            Err(e) => {
                tracing::warn!(error = %e, "could not count recent Metakocka errors");
                return;
            }
        };
        if count >= notifier.settings().threshold.max(1)
            && notifier.claim(&entry.company_id, entry.category, now)
            && !notifier.send(count, entry).await
        {
            // Undelivered: the next error of the burst tries again.
            notifier.release(&entry.company_id, entry.category);
        }
    }

    pub async fn list(
        &self,
        company: &CompanyId,
        filter: &ErrorLogFilter,
        paging: Paging,
    ) -> Result<ErrorLogPage, StoreError> {
        self.store.list_error_logs(company, filter, paging).await
    }

    pub async fn stats(
        &self,
        company: &CompanyId,
        filter: &ErrorLogFilter,
    ) -> Result<ErrorLogStats, StoreError> {
        self.store.error_log_stats(company, filter).await
    }

    /// Resolves one open entry of `company` and returns it as stored now.
    pub async fn resolve(
        &self,
        company: &CompanyId,
        id: &str,
        notes: Option<String>,
        by: &UserId,
    ) -> Result<ErrorLogEntry, ResolveError> {
        let entry = self
            .store
            .get_error_log(company, id)
            .await?
            .ok_or_else(|| ResolveError::NotFound(id.to_owned()))?;
        if entry.status == ErrorStatus::Resolved {
            return Err(ResolveError::AlreadyResolved(id.to_owned()));
        }
        let target = ResolveTarget::Ids(vec![id.to_owned()]);
        let resolved = self
            .store
            .resolve_error_logs(company, &target, &resolution(notes, by))
            .await?;
        if resolved == 0 {
            // Another request resolved it between our read and our write.
            return Err(ResolveError::AlreadyResolved(id.to_owned()));
        }
        self.store
            .get_error_log(company, id)
            .await?
            .ok_or_else(|| ResolveError::NotFound(id.to_owned()))
    }

    /// Resolves the open entries of `company` that `target` names; returns how many.
    pub async fn resolve_many(
        &self,
        company: &CompanyId,
        target: &ResolveTarget,
        notes: Option<String>,
        by: &UserId,
    ) -> Result<u64, StoreError> {
        self.store
            .resolve_error_logs(company, target, &resolution(notes, by))
            .await
    }
}

fn resolution(notes: Option<String>, by: &UserId) -> Resolution {
    Resolution {
        notes,
        resolved_by: by.clone(),
        resolved_at: Utc::now(),
    }
}

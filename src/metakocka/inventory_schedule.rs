//! The scheduled inventory refresh: every `metakocka_inventory_refresh_minutes`, each company
//! with organisation credentials gets a fresh snapshot, one company after another (so one
//! process never refreshes a company twice at once, and Metakocka sees one company's calls
//! at a time from the schedule).
//!
//! A failed refresh is already in the company's error log; the task only warns and goes on
//! with the next company.

use super::inventory::{Inventory, RefreshError};
use std::time::Duration;
use tokio::task::JoinHandle;

/// Starts the refresh loop; `None` when `every_minutes` is 0 (the schedule is off).
pub fn spawn(inventory: Inventory, every_minutes: u64) -> Option<JoinHandle<()>> {
    spawn_rounds(every_minutes, move || {
        let inventory = inventory.clone();
        async move { refresh_all(&inventory).await }
    })
}

/// Runs `round` every `every_minutes` (a Metakocka schedule: the inventory refresh, the
/// knowledge reindex); `None` when it is 0. The first round runs one period after start, so
/// a restart does not call Metakocka at once, and a late round delays the next.
pub fn spawn_rounds<F, Round>(every_minutes: u64, round: F) -> Option<JoinHandle<()>>
where
    F: Fn() -> Round + Send + 'static,
    Round: std::future::Future<Output = ()> + Send,
{
    if every_minutes == 0 {
        return None;
    }
    let period = Duration::from_secs(every_minutes.saturating_mul(60));
    Some(tokio::spawn(async move {
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            round().await;
        }
    }))
}

/// One round: every company with organisation credentials, in turn.
pub async fn refresh_all(inventory: &Inventory) {
    let companies = match inventory.scheduled_companies().await {
        Ok(companies) => companies,
        Err(e) => {
            tracing::warn!(error = %e, "could not list the companies to refresh inventory for");
            return;
        }
    };
    for company in companies {
        match inventory.refresh(&company, None).await {
            Ok(_) | Err(RefreshError::NoCredentials) => {}
            Err(e) => {
                tracing::warn!(company = %company, error = %e, "scheduled inventory refresh failed")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metakocka::credentials::Credentials;
    use crate::metakocka::error_log::ErrorLog;
    use crate::secrets::Cipher;
    use crate::store::sqlite::SqliteStore;
    use std::sync::Arc;

    #[tokio::test]
    async fn zero_minutes_starts_no_task() {
        let dir = tempfile::tempdir().unwrap();
        let store: crate::store::DynStore =
            Arc::new(SqliteStore::open(&dir.path().join("crm-mind.sqlite3")).unwrap());
        let cipher = Cipher::new(&[7u8; 32]);
        let inventory = Inventory::new(
            store.clone(),
            Err(super::super::client::MetakockaError::BadBaseUrl {
                base_url: "unused".into(),
                reason: "unused".into(),
            }),
            Credentials::new(store.clone(), cipher),
            ErrorLog::new(store, None),
        );
        assert!(spawn(inventory.clone(), 0).is_none());
        let task = spawn(inventory, 60).expect("a task for a non-zero period");
        task.abort();
    }
}

//! The periodic sync: every minute the schedule (tokio-cron-scheduler) looks at the settings
//! with automatic sync on and starts each company's kind whose interval has passed since its
//! last run, with the organisation's credentials and the saved direction. A kind still
//! running is left alone (one run at a time per company and kind).

use super::SyncError;
use super::model::{RunTrigger, SyncSettings};
use super::service::{MetakockaSync, StartRun};
use chrono::Utc;
use tokio_cron_scheduler::{Job, JobScheduler};

/// When the schedule looks: at the start of every minute (intervals are whole minutes).
pub const EVERY_MINUTE: &str = "0 * * * * *";

/// Starts the schedule; keep the scheduler alive (drop or `shutdown` stops it).
pub async fn spawn(sync: MetakockaSync) -> anyhow::Result<JobScheduler> {
    spawn_on(sync, EVERY_MINUTE).await
}

/// Starts the schedule looking at the times of `cron` (seconds first, as
/// tokio-cron-scheduler reads it); the tests look every second.
pub async fn spawn_on(sync: MetakockaSync, cron: &str) -> anyhow::Result<JobScheduler> {
    let scheduler = JobScheduler::new().await?;
    let job = Job::new_async(cron, move |_, _| {
        let sync = sync.clone();
        Box::pin(async move { run_due(&sync).await })
    })?;
    scheduler.add(job).await?;
    scheduler.start().await?;
    Ok(scheduler)
}

/// One look: starts every due kind of every company in the background.
pub async fn run_due(sync: &MetakockaSync) {
    let settings = match sync.store().auto_sync_settings().await {
        Ok(settings) => settings,
        Err(e) => {
            tracing::warn!(error = %e, "could not read the Metakocka sync settings");
            return;
        }
    };
    for setting in settings {
        match is_due(sync, &setting).await {
            Ok(true) => {}
            Ok(false) => continue,
            Err(e) => {
                tracing::warn!(company = %setting.company_id, error = %e, "could not read the last sync run");
                continue;
            }
        }
        let start = StartRun {
            company: setting.company_id.clone(),
            user: None,
            kind: setting.kind,
            direction: setting.direction,
            trigger: RunTrigger::Schedule,
            filter: Default::default(),
        };
        match sync.spawn(start).await {
            Ok(_) | Err(SyncError::AlreadyRunning { .. }) | Err(SyncError::NoCredentials) => {}
            Err(e) => {
                tracing::warn!(company = %setting.company_id, kind = %setting.kind, error = %e, "scheduled Metakocka sync did not start")
            }
        }
    }
}

async fn is_due(sync: &MetakockaSync, setting: &SyncSettings) -> Result<bool, SyncError> {
    let last = sync
        .store()
        .list_metakocka_runs(&setting.company_id, Some(setting.kind), 1)
        .await?;
    let interval = chrono::Duration::minutes(i64::from(setting.interval_minutes.max(1)));
    Ok(last
        .first()
        .is_none_or(|run| run.started_at + interval <= Utc::now()))
}

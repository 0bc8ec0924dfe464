//! The periodic refresh: every fetched link is synced again after its interval.
//!
//! `tokio-cron-scheduler` fires a tick (every minute by default). Each tick reads every page,
//! and starts a run for each active `api` or `file` link that is due: its own
//! `refresh_minutes`, or the global interval. A link's first scheduled run after start-up is
//! offset by a hash of its id within one interval, so a hundred links added together do not
//! fire in the same second, and a restart does not refetch everything at once. Runs share a
//! small pool (`max_concurrent`), and a link already running is skipped (one run per link).

use super::active_link_ids;
use super::pipeline::is_fetched;
use crate::domain::{LinkId, SyncTrigger};
use crate::rag::Retrieval;
use chrono::{DateTime, Duration, Utc};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::Semaphore;
use tokio_cron_scheduler::{Job, JobScheduler};

#[derive(Debug, Clone, Copy)]
pub struct ScheduleSettings {
    /// The refresh interval of links without their own.
    pub refresh_minutes: u32,
    /// How often due links are looked for.
    pub tick_seconds: u64,
    /// Runs at the same time, over all links.
    pub max_concurrent: usize,
}

/// When each link last started a scheduled run, since this process started.
#[derive(Default)]
struct Ledger {
    started: DateTime<Utc>,
    last: HashMap<LinkId, DateTime<Utc>>,
}

/// Starts the scheduler; dropping the returned handle does not stop it (call `shutdown`).
pub async fn start(
    retrieval: Retrieval,
    settings: ScheduleSettings,
) -> anyhow::Result<JobScheduler> {
    let scheduler = JobScheduler::new().await?;
    let ledger = Arc::new(Mutex::new(Ledger {
        started: Utc::now(),
        last: HashMap::new(),
    }));
    let permits = Arc::new(Semaphore::new(settings.max_concurrent.max(1)));
    let job = Job::new_repeated_async(
        std::time::Duration::from_secs(settings.tick_seconds.max(1)),
        move |_, _| {
            let (retrieval, ledger, permits) = (retrieval.clone(), ledger.clone(), permits.clone());
            Box::pin(async move { tick(&retrieval, &ledger, &permits, settings).await })
        },
    )?;
    scheduler.add(job).await?;
    scheduler.start().await?;
    Ok(scheduler)
}

async fn tick(
    retrieval: &Retrieval,
    ledger: &Mutex<Ledger>,
    permits: &Arc<Semaphore>,
    settings: ScheduleSettings,
) {
    let pages = match retrieval.inner.store.all_pages().await {
        Ok(pages) => pages,
        Err(e) => {
            tracing::warn!(error = %e, "the sync scheduler could not read the pages");
            return;
        }
    };
    let now = Utc::now();
    for page in pages {
        for link_id in active_link_ids(&page) {
            let Some(link) = page.all_links().find(|l| l.id == link_id) else {
                continue;
            };
            if !is_fetched(link.link_type) {
                continue;
            }
            let interval = Duration::minutes(i64::from(
                link.refresh_minutes
                    .unwrap_or(settings.refresh_minutes)
                    .max(1),
            ));
            {
                let mut ledger = ledger.lock();
                let last = ledger.last.get(&link_id).copied();
                if !is_due(&link_id, interval, last, ledger.started, now) {
                    continue;
                }
                ledger.last.insert(link_id.clone(), now);
            }
            let Ok(permit) = permits.clone().try_acquire_owned() else {
                // Every slot is busy: the link stays due and the next tick takes it.
                ledger.lock().last.remove(&link_id);
                continue;
            };
            let (retrieval, company, page_id) = (
                retrieval.clone(),
                page.company_id.clone(),
                page.page_id.clone(),
            );
            tokio::spawn(async move {
                let _permit = permit;
                if let Err(e) = retrieval
                    .sync_link(&company, &page_id, &link_id, SyncTrigger::Schedule)
                    .await
                {
                    tracing::debug!(link = %link_id, reason = %e, "scheduled sync skipped");
                }
            });
        }
    }
}

/// Whether a link's scheduled run is due. Before its first scheduled run, a link waits for
/// its offset: a hash of its id spread over one interval from start-up.
pub fn is_due(
    link_id: &LinkId,
    interval: Duration,
    last: Option<DateTime<Utc>>,
    started: DateTime<Utc>,
    now: DateTime<Utc>,
) -> bool {
    match last {
        Some(last) => now - last >= interval,
        None => now - started >= spread_offset(link_id, interval),
    }
}

/// A stable offset in `[0, interval)` from the link's id.
pub fn spread_offset(link_id: &LinkId, interval: Duration) -> Duration {
    let hash = crc32fast::hash(link_id.as_str().as_bytes());
    let millis = interval.num_milliseconds().max(1);
    Duration::milliseconds(i64::from(hash) % millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_runs_spread_over_the_interval() {
        let interval = Duration::minutes(30);
        let offsets: Vec<i64> = (0..100)
            .map(|_| spread_offset(&LinkId::generate(), interval).num_seconds())
            .collect();
        assert!(offsets.iter().all(|&s| (0..1800).contains(&s)));
        let mut seconds = offsets.clone();
        seconds.sort_unstable();
        seconds.dedup();
        assert!(
            seconds.len() > 90,
            "100 links share too few start seconds: {}",
            seconds.len()
        );
        let first_half = offsets.iter().filter(|&&s| s < 900).count();
        assert!(
            (25..=75).contains(&first_half),
            "{first_half} of 100 in the first half"
        );
    }

    #[test]
    fn a_link_is_due_after_its_offset_and_then_every_interval() {
        let link = LinkId::generate();
        let interval = Duration::minutes(10);
        let started = Utc::now();
        let offset = spread_offset(&link, interval);
        assert!(!is_due(
            &link,
            interval,
            None,
            started,
            started + offset - Duration::seconds(1)
        ));
        assert!(is_due(&link, interval, None, started, started + offset));
        let last = started + offset;
        assert!(!is_due(
            &link,
            interval,
            Some(last),
            started,
            last + Duration::minutes(9)
        ));
        assert!(is_due(
            &link,
            interval,
            Some(last),
            started,
            last + interval
        ));
    }
}

//! A run: gathers both sides of the records in scope (`gather`), and takes each through
//! `step`, a few at a time and a page at a time, counting as it goes. The local writes of a
//! page's pulls and links go to the store in one call after the page (one SQLite commit
//! instead of two per record). Progress is saved to the run record every few records, so
//! `GET .../runs/{id}` shows `processed` of `total` while it runs; a failing record is counted, logged and
//! passed; a cancel stops before the next record and says where.

use super::SyncError;
use super::entity::{Ctx, RunFilter, SyncEntity};
use super::gather::gather;
use super::model::{ConflictRule, Direction, MetakockaSyncRun, RunCounts, RunState};
use super::step::{Deferred, Item, Outcome, Step, Taken};
use crate::metakocka::error_log::ErrorLog;
use crate::records::now;
use crate::store::StoreError;
use futures::StreamExt;
use parking_lot::Mutex;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Failures kept in a run's errors summary; the error log has them all.
const ERRORS_KEPT: usize = 20;

/// How a run paces itself (`CRM_MIND_METAKOCKA_SYNC_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pacing {
    /// Records in flight at once. Metakocka still sees at most two calls per company (the
    /// client's limit); more records in flight let the local writes of many records share
    /// one commit (SQLite's group commit) while those calls wait.
    pub concurrency: usize,
    /// The run record is saved after this many records.
    pub progress_every: u64,
}

impl Default for Pacing {
    fn default() -> Self {
        Self {
            concurrency: 16,
            progress_every: 25,
        }
    }
}

/// What a run needs besides the entity kind.
pub struct RunPlan {
    pub direction: Direction,
    pub rule: ConflictRule,
    pub filter: RunFilter,
    pub pacing: Pacing,
    pub cancel: Arc<AtomicBool>,
    pub errors: ErrorLog,
    pub user: Option<crate::domain::UserId>,
}

/// Runs `run` to its end and returns it as stored last.
pub async fn execute<E: SyncEntity>(
    ctx: &Ctx,
    plan: &RunPlan,
    run: MetakockaSyncRun,
) -> MetakockaSyncRun {
    let tracker = Tracker::new(run);
    let items = match gather::<E>(ctx, plan).await {
        Ok(items) => items,
        Err(e) => {
            tracker.fail_all(&e.to_string());
            return tracker.finish(ctx, RunState::Failed).await;
        }
    };
    tracker.update(|r| r.counts.total = items.len() as u64);
    tracker.save(ctx).await;
    let step = Step::<E> {
        ctx,
        plan,
        marker: std::marker::PhantomData,
    };
    let mut items = items.into_iter().peekable();
    while items.peek().is_some() && !plan.cancel.load(Ordering::SeqCst) {
        let page: Vec<Item<E>> = items.by_ref().take(PAGE).collect();
        let deferred = take_page(&step, &tracker, page).await;
        write_deferred(&step, &tracker, deferred).await;
    }
    let state = if plan.cancel.load(Ordering::SeqCst) {
        RunState::Cancelled
    } else {
        RunState::Done
    };
    tracker.finish(ctx, state).await
}

/// Records taken between two batched writes: one Metakocka page (`product_list` answers
/// at most 1,000).
const PAGE: usize = 1_000;

/// Takes a page of records, a few at a time, counting the done ones; the writes left for
/// the batch (with each record's label), in the page's order of finishing.
async fn take_page<E: SyncEntity>(
    step: &Step<'_, E>,
    tracker: &Tracker,
    page: Vec<Item<E>>,
) -> Vec<(String, Deferred<E>)> {
    let (ctx, plan) = (step.ctx, step.plan);
    let deferred = Mutex::new(Vec::new());
    let deferred_ref = &deferred;
    futures::stream::iter(page)
        .map(|item| async move {
            if plan.cancel.load(Ordering::SeqCst) {
                return;
            }
            let label = item.label();
            match step.take(item).await {
                Taken::Done(outcome) => {
                    if tracker.count(&label, outcome, plan.pacing.progress_every) {
                        tracker.save(ctx).await;
                    }
                }
                Taken::Deferred(write) => deferred_ref.lock().push((label, *write)),
            }
        })
        .buffer_unordered(plan.pacing.concurrency.max(1))
        .collect::<()>()
        .await;
    deferred.into_inner()
}

/// Writes a page's deferred records in one store call and counts each; a record the store
/// refused is a failure of its own (logged, its mapping marked), the rest stand.
async fn write_deferred<E: SyncEntity>(
    step: &Step<'_, E>,
    tracker: &Tracker,
    deferred: Vec<(String, Deferred<E>)>,
) {
    if deferred.is_empty() {
        return;
    }
    let (ctx, plan) = (step.ctx, step.plan);
    let writes: Vec<_> = deferred.iter().map(|(_, d)| d.write.clone()).collect();
    let results = match E::write_pulled(ctx, &writes).await {
        Ok(results) if results.len() == writes.len() => results,
        Ok(_) => failed_page(writes.len(), "the store answered a short batch"),
        Err(e) => failed_page(writes.len(), &e.to_string()),
    };
    for ((label, deferred), result) in deferred.into_iter().zip(results) {
        let outcome = match result {
            Ok(()) => deferred.outcome,
            Err(e) => (step.fail(e, Some(&deferred.entity_id), deferred.previous)).await,
        };
        if tracker.count(&label, outcome, plan.pacing.progress_every) {
            tracker.save(ctx).await;
        }
    }
}

/// Every record of a page whose batched write failed as a whole.
fn failed_page(len: usize, message: &str) -> Vec<Result<(), SyncError>> {
    let failed = || {
        Err(SyncError::Store(StoreError::Unavailable(
            message.to_owned(),
        )))
    };
    (0..len).map(|_| failed()).collect()
}

/// The run record as it goes, shared by the records in flight.
struct Tracker {
    run: Mutex<MetakockaSyncRun>,
    since_save: Mutex<u64>,
}

impl Tracker {
    fn new(run: MetakockaSyncRun) -> Self {
        Self {
            run: Mutex::new(run),
            since_save: Mutex::new(0),
        }
    }

    fn update(&self, change: impl FnOnce(&mut MetakockaSyncRun)) {
        change(&mut self.run.lock());
    }

    /// Counts one record; whether it is time to save progress.
    fn count(&self, label: &str, outcome: Outcome, every: u64) -> bool {
        {
            let mut run = self.run.lock();
            let c: &mut RunCounts = &mut run.counts;
            c.processed += 1;
            match &outcome {
                Outcome::Created => c.created += 1,
                Outcome::Updated => c.updated += 1,
                Outcome::Skipped => c.skipped += 1,
                Outcome::Conflict => c.conflicts += 1,
                Outcome::Failed(_) => c.failed += 1,
            }
            if let Outcome::Failed(message) = &outcome
                && run.errors.len() < ERRORS_KEPT
            {
                run.errors.push(format!("{label}: {message}"));
            }
            run.stopped_at = Some(label.to_owned());
        }
        let mut since = self.since_save.lock();
        *since += 1;
        if *since >= every.max(1) {
            *since = 0;
            return true;
        }
        false
    }

    fn fail_all(&self, message: &str) {
        self.update(|run| run.errors.push(message.to_owned()));
    }

    async fn save(&self, ctx: &Ctx) {
        let snapshot = self.run.lock().clone();
        if let Err(e) = ctx.store.save_metakocka_run(&snapshot).await {
            tracing::warn!(run = %snapshot.id, error = %e, "could not save a sync run's progress");
        }
    }

    async fn finish(self, ctx: &Ctx, state: RunState) -> MetakockaSyncRun {
        self.update(|run| {
            run.state = state;
            run.finished_at = Some(now());
            if state != RunState::Cancelled {
                run.stopped_at = None;
            }
        });
        self.save(ctx).await;
        self.run.into_inner()
    }
}

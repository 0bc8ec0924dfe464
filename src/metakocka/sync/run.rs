//! A run: gathers both sides of the records in scope, pairs them (mapping first, then
//! natural key), and takes each through [`super::step`], a few at a time, counting as it
//! goes. Progress is saved to the run record every few records, so `GET .../runs/{id}`
//! shows `processed` of `total` while it runs; a failing record is counted, logged and
//! passed; a cancel stops before the next record and says where.

use super::SyncError;
use super::entity::{Ctx, RunFilter, SyncEntity};
use super::model::{ConflictRule, Direction, Mapping, MetakockaSyncRun, RunCounts, RunState};
use super::step::{Item, Outcome, Step};
use crate::metakocka::error_log::ErrorLog;
use crate::records::now;
use futures::StreamExt;
use parking_lot::Mutex;
use std::collections::{HashMap, HashSet};
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
    let tracker_ref = &tracker;
    let step_ref = &step;
    futures::stream::iter(items)
        .map(|item| async move {
            if plan.cancel.load(Ordering::SeqCst) {
                return;
            }
            let label = item.label();
            let outcome = step_ref.take(item).await;
            let save = tracker_ref.count(&label, outcome, plan.pacing.progress_every);
            if save {
                tracker_ref.save(ctx).await;
            }
        })
        .buffer_unordered(plan.pacing.concurrency.max(1))
        .collect::<()>()
        .await;
    let state = if plan.cancel.load(Ordering::SeqCst) {
        RunState::Cancelled
    } else {
        RunState::Done
    };
    tracker.finish(ctx, state).await
}

/// Both sides of the records in scope, paired.
async fn gather<E: SyncEntity>(ctx: &Ctx, plan: &RunPlan) -> Result<Vec<Item<E>>, SyncError> {
    let filter = &plan.filter;
    let mappings = ctx.store.list_mappings(&ctx.company, E::KIND).await?;
    let by_crm: HashMap<&str, &Mapping> = mappings.iter().map(|m| (m.crm_id.as_str(), m)).collect();
    let by_mk: HashMap<&str, &Mapping> = mappings.iter().map(|m| (m.mk_id.as_str(), m)).collect();

    let (crm_records, crm_complete) = match &filter.crm_ids {
        Some(ids) => {
            let mut found = Vec::new();
            for id in ids {
                match E::crm_get(ctx, id).await? {
                    Some(crm) => found.push(crm),
                    None => return Err(SyncError::NotFound(format!("{} {id}", E::KIND))),
                }
            }
            (found, false)
        }
        None if plan.direction.pushes() => (
            E::crm_list(ctx, filter).await?,
            filter.changed_since.is_none(),
        ),
        None => (Vec::new(), false),
    };
    // Metakocka's side: the records asked for, or every one in scope when pulling or when a
    // whole push needs the mapped records' current content (one listing beats a call each).
    let (mk_records, mk_complete) = match &filter.mk_ids {
        Some(ids) => {
            let mut found = Vec::new();
            for id in ids {
                match E::mk_by_id(ctx, id).await? {
                    Some(mk) => found.push(mk),
                    None => {
                        return Err(SyncError::NotFound(format!("Metakocka {} {id}", E::KIND)));
                    }
                }
            }
            (found, false)
        }
        None if plan.direction.pulls() || filter.crm_ids.is_none() => {
            let complete = filter.category.is_none() && filter.partner.is_none();
            (E::mk_list(ctx, filter).await?, complete)
        }
        None => (Vec::new(), false),
    };

    let mut mk_by_id: HashMap<String, E::Mk> = HashMap::new();
    let mut mk_by_key: HashMap<String, String> = HashMap::new();
    for mk in mk_records {
        let Some(id) = E::mk_id(&mk).map(str::to_owned) else {
            continue;
        };
        for key in E::mk_keys(&mk) {
            mk_by_key.entry(key).or_insert_with(|| id.clone());
        }
        mk_by_id.insert(id, mk);
    }
    let mut items = Vec::new();
    let mut taken: HashSet<String> = HashSet::new();
    let mut crm_keys: HashMap<String, usize> = HashMap::new();
    for crm in crm_records {
        let mapping = by_crm.get(E::crm_id(&crm)).map(|m| (*m).clone());
        let mk = match &mapping {
            Some(m) => mk_by_id.get(&m.mk_id).cloned(),
            None => (E::crm_keys(&crm).iter())
                .filter_map(|k| mk_by_key.get(k))
                .find(|id| !by_mk.contains_key(id.as_str()) && !taken.contains(*id))
                .and_then(|id| mk_by_id.get(id).cloned()),
        };
        if let Some(id) = mk.as_ref().and_then(|mk| E::mk_id(mk)) {
            taken.insert(id.to_owned());
        }
        if mapping.is_none() && mk.is_none() {
            for key in E::crm_keys(&crm) {
                crm_keys.entry(key).or_insert(items.len());
            }
        }
        items.push(Item {
            mk_known: mk.is_some() || mk_complete,
            crm_known: true,
            crm: Some(crm),
            mk,
            mapping,
        });
    }
    if plan.direction.pulls() {
        let mut rest: Vec<(&String, &E::Mk)> = mk_by_id
            .iter()
            .filter(|(id, _)| !taken.contains(*id))
            .collect();
        rest.sort_by(|a, b| a.0.cmp(b.0));
        for (id, mk) in rest {
            let mapping = by_mk.get(id.as_str()).map(|m| (*m).clone());
            // An unmapped Metakocka record with an unmapped CRM twin in scope: one item.
            if mapping.is_none()
                && let Some(&at) = E::mk_keys(mk).iter().find_map(|k| crm_keys.get(k))
                && items[at].mk.is_none()
            {
                items[at].mk = Some(mk.clone());
                items[at].mk_known = true;
                continue;
            }
            items.push(Item {
                crm: None,
                crm_known: mapping.is_none() && crm_complete,
                mk: Some(mk.clone()),
                mk_known: true,
                mapping,
            });
        }
    }
    Ok(items)
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

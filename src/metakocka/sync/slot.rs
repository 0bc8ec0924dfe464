//! One run at a time per company and entity kind across processes: a run holds the store's
//! slot ([`crate::store::MetakockaSyncSlotStore`]) under a lease it renews while it runs,
//! so a run whose process stopped blocks the next one only until its lease runs out, and
//! is then marked failed. A cancel asked of a process not running the run reaches it
//! through the slot.

use super::SyncError;
use super::model::{MetakockaSyncRun, RunState, SlotClaim};
use crate::domain::CompanyId;
use crate::records::now;
use crate::store::DynStore;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How long a slot stays claimed without renewal; a running run renews it every third.
const LEASE: Duration = Duration::from_secs(60);

fn lease() -> chrono::TimeDelta {
    chrono::TimeDelta::from_std(LEASE).expect("a minute fits")
}

/// Claims the slot of the run's company and kind; refused with the holder's id.
pub async fn claim(store: &DynStore, run: &MetakockaSyncRun) -> Result<(), SyncError> {
    let mut claim = claim_once(store, run).await?;
    if let SlotClaim::Held { run_id } = &claim
        && ended(store, &run.company_id, run_id).await?
    {
        // Its record says it ended, and its process is about to free the slot: a start
        // right after a run's end (as its record shows) is not refused.
        store
            .release_sync_slot(&run.company_id, run.kind, run_id)
            .await?;
        claim = claim_once(store, run).await?;
    }
    match claim {
        SlotClaim::Held { run_id } => Err(SyncError::AlreadyRunning {
            kind: run.kind.to_string(),
            run_id,
        }),
        SlotClaim::Claimed { abandoned } => {
            if let Some(id) = abandoned {
                mark_abandoned(store, &run.company_id, &id).await;
            }
            Ok(())
        }
    }
}

async fn claim_once(store: &DynStore, run: &MetakockaSyncRun) -> Result<SlotClaim, SyncError> {
    let at = now();
    Ok(store
        .claim_sync_slot(&run.company_id, run.kind, &run.id, at, at + lease())
        .await?)
}

/// Whether the run's record says it ended.
async fn ended(store: &DynStore, company: &CompanyId, run_id: &str) -> Result<bool, SyncError> {
    let run = store.get_metakocka_run(company, run_id).await?;
    Ok(run.is_some_and(|run| run.state != RunState::Running))
}

/// A run still `running` whose lease ran out: its process stopped before its end.
async fn mark_abandoned(store: &DynStore, company: &CompanyId, id: &str) {
    let Ok(Some(mut stale)) = store.get_metakocka_run(company, id).await else {
        return;
    };
    if stale.state != RunState::Running {
        return;
    }
    stale.state = RunState::Failed;
    stale.finished_at = Some(now());
    stale
        .errors
        .push("abandoned: the process running it stopped before its end".into());
    if let Err(e) = store.save_metakocka_run(&stale).await {
        tracing::warn!(run = %id, error = %e, "could not mark an abandoned sync run failed");
    }
}

/// How often a running run looks whether another process asked it to stop.
const LOOK_EVERY: Duration = Duration::from_secs(2);

/// Renews the run's lease until aborted, and stops the run when asked to through the store
/// (a cancel that reached another process) or when it lost its slot (its lease ran out
/// while its process stalled, and another run took it), so two never overlap.
pub async fn keep(store: DynStore, run: MetakockaSyncRun, cancel: Arc<AtomicBool>) {
    let looks_per_renewal = (LEASE.as_secs() / 3 / LOOK_EVERY.as_secs()).max(1);
    for look in 1.. {
        tokio::time::sleep(LOOK_EVERY).await;
        let (company, kind) = (&run.company_id, run.kind);
        match store
            .sync_slot_cancel_requested(company, kind, &run.id)
            .await
        {
            Ok(true) => {
                tracing::info!(run = %run.id, "a sync run was asked to stop, or lost its slot");
                cancel.store(true, Ordering::SeqCst);
                return;
            }
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(run = %run.id, error = %e, "could not look at a sync run's slot")
            }
        }
        if look % looks_per_renewal != 0 {
            continue;
        }
        let renewed = store
            .renew_sync_slot(company, kind, &run.id, now() + lease())
            .await;
        match renewed {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(run = %run.id, "a sync run lost its slot; stopping it");
                cancel.store(true, Ordering::SeqCst);
                return;
            }
            Err(e) => {
                tracing::warn!(run = %run.id, error = %e, "could not renew a sync run's slot");
            }
        }
    }
}

/// Asks a run of another process to stop; it looks every few seconds.
pub async fn request_cancel(store: &DynStore, run: &MetakockaSyncRun) -> Result<(), SyncError> {
    store
        .request_sync_slot_cancel(&run.company_id, run.kind, &run.id)
        .await?;
    Ok(())
}

/// Frees the slot (if the run still holds it).
pub async fn release(store: &DynStore, run: &MetakockaSyncRun) {
    if let Err(e) = store
        .release_sync_slot(&run.company_id, run.kind, &run.id)
        .await
    {
        // The lease runs out by itself.
        tracing::warn!(run = %run.id, error = %e, "could not free a sync run's slot");
    }
}

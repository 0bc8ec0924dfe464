//! [`MetakockaSync`]: the sync as the rest of crm-mind uses it. It owns the one-run-at-a-time
//! rule per company and entity kind (a second start is refused with the running run's id,
//! across processes: the run holds the store's slot under a lease it renews),
//! the cancel flags of running runs, the settings with their defaults, conflict resolution,
//! and the [`AfterSync`] hook called when a run changed something (the retrieval index
//! re-reads Metakocka's data then).

use super::SyncError;
use super::contacts::Contacts;
use super::documents::Documents;
use super::entity::{Ctx, RunFilter, SyncEntity};
use super::model::{
    Direction, EntityKind, Mapping, MappingStatus, MetakockaSyncRun, RunCounts, RunState,
    RunTrigger, Side, SyncConflict, SyncSettings,
};
use super::products::Products;
use super::run::{Pacing, RunPlan, execute};
use super::slot;
use crate::domain::{CompanyId, UserId};
use crate::metakocka::client::{MetakockaClient, MetakockaError};
use crate::metakocka::credentials::Credentials;
use crate::metakocka::error_log::ErrorLog;
use crate::metakocka::inventory::for_client;
use crate::records::{new_id, now};
use crate::store::DynStore;
use parking_lot::Mutex;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::task::JoinHandle;

/// Called with the company and kind after a run that created or updated records.
pub type AfterSync = Arc<dyn Fn(CompanyId, EntityKind) + Send + Sync>;

/// What to run.
#[derive(Debug, Clone)]
pub struct StartRun {
    pub company: CompanyId,
    /// Whose credentials (a user's own override the organisation's); `None` for the
    /// schedule and the CLI, which use the organisation's.
    pub user: Option<UserId>,
    pub kind: EntityKind,
    pub direction: Direction,
    pub trigger: RunTrigger,
    pub filter: RunFilter,
}

/// Running runs of this process by company and kind: their id and cancel flag.
type Running = HashMap<(CompanyId, EntityKind), (String, Arc<AtomicBool>)>;

#[derive(Clone)]
pub struct MetakockaSync {
    store: DynStore,
    client: Result<MetakockaClient, MetakockaError>,
    credentials: Credentials,
    errors: ErrorLog,
    pacing: Pacing,
    running: Arc<Mutex<Running>>,
    after_sync: Option<AfterSync>,
}

impl MetakockaSync {
    pub fn new(
        store: DynStore,
        client: Result<MetakockaClient, MetakockaError>,
        credentials: Credentials,
        errors: ErrorLog,
        pacing: Pacing,
    ) -> Self {
        Self {
            store,
            client,
            credentials,
            errors,
            pacing,
            running: Arc::default(),
            after_sync: None,
        }
    }

    /// Sets the hook called after each run that changed something.
    pub fn with_after_sync(mut self, hook: AfterSync) -> Self {
        self.after_sync = Some(hook);
        self
    }

    pub fn store(&self) -> &DynStore {
        &self.store
    }

    async fn ctx(&self, company: &CompanyId, user: Option<&UserId>) -> Result<Ctx, SyncError> {
        let Some((credentials, _)) = self
            .credentials
            .effective_credentials(company, user)
            .await?
        else {
            return Err(SyncError::NoCredentials);
        };
        Ok(Ctx {
            store: self.store.clone(),
            client: self.client.clone()?,
            credentials: for_client(credentials),
            company: company.clone(),
        })
    }

    /// Every kind's settings, the defaults where none were saved.
    pub async fn settings(&self, company: &CompanyId) -> Result<Vec<SyncSettings>, SyncError> {
        let saved = self.store.list_sync_settings(company).await?;
        Ok(EntityKind::ALL
            .iter()
            .map(|kind| {
                saved
                    .iter()
                    .find(|s| s.kind == *kind)
                    .cloned()
                    .unwrap_or_else(|| SyncSettings::default_for(company, *kind))
            })
            .collect())
    }

    pub async fn settings_of(
        &self,
        company: &CompanyId,
        kind: EntityKind,
    ) -> Result<SyncSettings, SyncError> {
        let all = self.settings(company).await?;
        Ok(all
            .into_iter()
            .find(|s| s.kind == kind)
            .expect("every kind"))
    }

    pub async fn save_settings(&self, settings: &SyncSettings) -> Result<(), SyncError> {
        Ok(self.store.put_sync_settings(settings).await?)
    }

    /// Starts a run and waits for its end.
    pub async fn run(&self, start: StartRun) -> Result<MetakockaSyncRun, SyncError> {
        let (run, work) = self.begin(start).await?;
        let _ = run;
        Ok(work.await)
    }

    /// Starts a run in the background; returns its record as it starts.
    pub async fn spawn(&self, start: StartRun) -> Result<MetakockaSyncRun, SyncError> {
        Ok(self.start(start).await?.0)
    }

    /// Starts a run in the background; its record as it starts, and the task ending with
    /// the run as stored last (once its slot is freed too).
    pub async fn start(
        &self,
        start: StartRun,
    ) -> Result<(MetakockaSyncRun, JoinHandle<MetakockaSyncRun>), SyncError> {
        let (run, work) = self.begin(start).await?;
        Ok((run, tokio::spawn(work)))
    }

    /// Claims the company's slot for the kind, stores the run record, and returns the work.
    async fn begin(
        &self,
        start: StartRun,
    ) -> Result<
        (
            MetakockaSyncRun,
            impl std::future::Future<Output = MetakockaSyncRun> + Send + 'static,
        ),
        SyncError,
    > {
        let ctx = self.ctx(&start.company, start.user.as_ref()).await?;
        let settings = self.settings_of(&start.company, start.kind).await?;
        let run = MetakockaSyncRun {
            id: new_id(),
            company_id: start.company.clone(),
            kind: start.kind,
            direction: start.direction,
            trigger: start.trigger,
            started_at: now(),
            finished_at: None,
            counts: RunCounts::default(),
            state: RunState::Running,
            stopped_at: None,
            errors: Vec::new(),
        };
        let cancel = Arc::new(AtomicBool::new(false));
        let slot = (start.company.clone(), start.kind);
        // The store's slot decides, for this process and every other; the map only keeps
        // this process's cancel flags.
        slot::claim(&self.store, &run).await?;
        (self.running.lock()).insert(slot.clone(), (run.id.clone(), Arc::clone(&cancel)));
        if let Err(e) = self.store.insert_metakocka_run(&run).await {
            self.forget(&slot, &run.id);
            slot::release(&self.store, &run).await;
            return Err(e.into());
        }
        let plan = RunPlan {
            direction: start.direction,
            rule: settings.conflict_rule,
            filter: start.filter,
            pacing: self.pacing,
            cancel,
            errors: self.errors.clone(),
            user: start.user,
        };
        let this = self.clone();
        let first = run.clone();
        let work = async move {
            let heartbeat = tokio::spawn(slot::keep(
                this.store.clone(),
                run.clone(),
                plan.cancel.clone(),
            ));
            let finished = match start.kind {
                EntityKind::Product => execute::<Products>(&ctx, &plan, run).await,
                EntityKind::Contact => execute::<Contacts>(&ctx, &plan, run).await,
                EntityKind::SalesDocument => execute::<Documents>(&ctx, &plan, run).await,
            };
            heartbeat.abort();
            slot::release(&this.store, &finished).await;
            this.forget(&slot, &finished.id);
            if finished.counts.changed_anything()
                && let Some(hook) = &this.after_sync
            {
                hook(finished.company_id.clone(), finished.kind);
            }
            tracing::info!(run = %finished.id, kind = %finished.kind, state = finished.state.as_str(),
                processed = finished.counts.processed, failed = finished.counts.failed,
                "Metakocka sync run finished");
            finished
        };
        Ok((first, work))
    }

    /// Drops a run's cancel flag, unless a later run of the slot replaced it already.
    fn forget(&self, slot: &(CompanyId, EntityKind), run_id: &str) {
        let mut running = self.running.lock();
        if running.get(slot).is_some_and(|(id, _)| id == run_id) {
            running.remove(slot);
        }
    }

    /// Asks a running run to stop before its next record: at once in this process, through
    /// the store's slot in another (which looks every few seconds). The run record says where
    /// it stopped once it has. A finished run is returned as it is.
    pub async fn cancel(
        &self,
        company: &CompanyId,
        run_id: &str,
    ) -> Result<MetakockaSyncRun, SyncError> {
        let run = self
            .store
            .get_metakocka_run(company, run_id)
            .await?
            .ok_or_else(|| SyncError::NotFound(format!("sync run {run_id}")))?;
        let here = match self.running.lock().get(&(company.clone(), run.kind)) {
            Some((id, flag)) if id == run_id => {
                flag.store(true, Ordering::SeqCst);
                true
            }
            _ => false,
        };
        if !here && run.state == RunState::Running {
            // Running in another process (or abandoned): its process looks at the slot.
            slot::request_cancel(&self.store, &run).await?;
        }
        Ok(run)
    }

    /// Metakocka's records of the kind that no mapping names yet, as Metakocka lists them.
    pub async fn unsynced(
        &self,
        company: &CompanyId,
        user: Option<&UserId>,
        kind: EntityKind,
        filter: &RunFilter,
    ) -> Result<Vec<Value>, SyncError> {
        let ctx = self.ctx(company, user).await?;
        match kind {
            EntityKind::Product => unsynced_of::<Products>(&ctx, filter).await,
            EntityKind::Contact => unsynced_of::<Contacts>(&ctx, filter).await,
            EntityKind::SalesDocument => unsynced_of::<Documents>(&ctx, filter).await,
        }
    }

    /// Settles a conflict with one side's content: the other side is overwritten.
    pub async fn resolve_conflict(
        &self,
        company: &CompanyId,
        user: Option<&UserId>,
        id: &str,
        side: Side,
    ) -> Result<SyncConflict, SyncError> {
        let mut conflict = self
            .store
            .get_sync_conflict(company, id)
            .await?
            .ok_or_else(|| SyncError::NotFound(format!("conflict {id}")))?;
        if conflict.resolved_with.is_some() {
            return Err(SyncError::Invalid(format!(
                "conflict {id} is resolved already"
            )));
        }
        let ctx = self.ctx(company, user).await?;
        match conflict.kind {
            EntityKind::Product => settle::<Products>(&ctx, &conflict, side).await?,
            EntityKind::Contact => settle::<Contacts>(&ctx, &conflict, side).await?,
            EntityKind::SalesDocument => settle::<Documents>(&ctx, &conflict, side).await?,
        }
        conflict.resolved_with = Some(side);
        conflict.resolved_at = Some(now());
        self.store.put_sync_conflict(&conflict).await?;
        Ok(conflict)
    }

    pub(super) async fn ctx_for(
        &self,
        company: &CompanyId,
        user: Option<&UserId>,
    ) -> Result<Ctx, SyncError> {
        self.ctx(company, user).await
    }
}

async fn unsynced_of<E: SyncEntity>(
    ctx: &Ctx,
    filter: &RunFilter,
) -> Result<Vec<Value>, SyncError> {
    let mapped: std::collections::HashSet<String> =
        (ctx.store.list_mappings(&ctx.company, E::KIND).await?)
            .into_iter()
            .map(|m| m.mk_id)
            .collect();
    let records = E::mk_list(ctx, filter).await?;
    Ok(records
        .iter()
        .filter(|mk| E::mk_id(mk).is_some_and(|id| !mapped.contains(id)))
        .map(|mk| {
            let mut summary = E::mk_fields(mk).snapshot();
            if let Value::Object(fields) = &mut summary {
                fields.insert("mk_id".into(), E::mk_id(mk).into());
                fields.insert("count_code".into(), E::mk_count_code(mk).into());
            }
            summary
        })
        .collect())
}

/// Writes the chosen side over the other and marks the mapping synced.
pub(super) async fn settle<E: SyncEntity>(
    ctx: &Ctx,
    conflict: &SyncConflict,
    side: Side,
) -> Result<(), SyncError> {
    let mapping = ctx
        .store
        .get_mapping_by_crm(&ctx.company, E::KIND, &conflict.crm_id)
        .await?
        .unwrap_or_else(|| Mapping {
            company_id: ctx.company.clone(),
            kind: E::KIND,
            crm_id: conflict.crm_id.clone(),
            mk_id: conflict.mk_id.clone(),
            count_code: None,
            status: MappingStatus::Conflict,
            last_synced_at: None,
            crm_hash: None,
            mk_hash: None,
            last_error: None,
        });
    let crm = E::crm_get(ctx, &mapping.crm_id)
        .await?
        .ok_or_else(|| SyncError::NotFound(format!("{} {}", E::KIND, mapping.crm_id)))?;
    let mk = E::mk_get(ctx, &mapping)
        .await?
        .or(E::mk_by_id(ctx, &mapping.mk_id).await?)
        .ok_or_else(|| SyncError::NotFound(format!("Metakocka {} {}", E::KIND, mapping.mk_id)))?;
    let (crm_hash, mk_hash) = match side {
        Side::Crm => {
            E::push_update(ctx, &crm, &mk, &mapping).await?;
            let hash = E::crm_fields(&crm).hash();
            (hash.clone(), hash)
        }
        Side::Metakocka => {
            let crm = E::pull_update(ctx, &crm, &mk).await?;
            (E::crm_fields(&crm).hash(), E::mk_fields(&mk).hash())
        }
    };
    let synced = Mapping {
        count_code: mapping
            .count_code
            .clone()
            .or(E::mk_count_code(&mk).map(str::to_owned)),
        status: MappingStatus::Synced,
        last_synced_at: Some(now()),
        crm_hash: Some(crm_hash),
        mk_hash: Some(mk_hash),
        last_error: None,
        ..mapping
    };
    ctx.store.put_mapping(&synced).await?;
    Ok(())
}

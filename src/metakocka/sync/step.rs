//! One record's step: complete what is not known of its two sides, decide with
//! [`super::plan::decide`], write, and record the mapping. A failure is logged to the error
//! log with the entity type and id and marked on the mapping; it never stops the run.

use super::SyncError;
use super::entity::{Ctx, SyncEntity};
use super::model::{Mapping, MappingStatus, PulledWrite, RecordWrite, SyncConflict};
use super::plan::{Action, Hashes, decide};
use super::run::RunPlan;
use crate::metakocka::error_log::{ErrorCategory, NewError};
use crate::metakocka::inventory::log_category;
use crate::records::{new_id, now};

/// A record's two sides as gathered; `*_known` says a missing side is known to be absent
/// (it was not in a complete listing) rather than not looked for yet.
pub struct Item<E: SyncEntity> {
    pub crm: Option<E::Crm>,
    pub crm_known: bool,
    pub mk: Option<E::Mk>,
    pub mk_known: bool,
    pub mapping: Option<Mapping>,
}

impl<E: SyncEntity> Item<E> {
    /// How the run's summary names the record.
    pub fn label(&self) -> String {
        match (&self.crm, &self.mk) {
            (Some(crm), _) => format!("{} {}", E::KIND, E::crm_id(crm)),
            (None, Some(mk)) => {
                format!("Metakocka {} {}", E::KIND, E::mk_id(mk).unwrap_or_default())
            }
            (None, None) => format!("{} (none)", E::KIND),
        }
    }
}

/// What one record's step came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Updated,
    Skipped,
    Conflict,
    Failed(String),
}

pub struct Step<'a, E: SyncEntity> {
    pub ctx: &'a Ctx,
    pub plan: &'a RunPlan,
    pub marker: std::marker::PhantomData<E>,
}

/// A step's result: done, or its local writes left for the page's batch
/// ([`SyncEntity::BATCHED_PULLS`]).
pub enum Taken<E: SyncEntity> {
    Done(Outcome),
    Deferred(Box<Deferred<E>>),
}

/// A pulled record's writes waiting for its page's batch, and what they come to once written.
pub struct Deferred<E: SyncEntity> {
    pub write: PulledWrite<E::Crm>,
    pub outcome: Outcome,
    /// The mapping before this run, marked `error` if the write fails.
    pub previous: Option<Mapping>,
    /// How the error log names the record if the write fails: its CRM id, or Metakocka's
    /// `mk_id` for a record not in crm-mind yet.
    pub entity_id: String,
}

impl<E: SyncEntity> Step<'_, E> {
    pub async fn take(&self, item: Item<E>) -> Taken<E> {
        let (crm_id, mk_id, mapping) = (
            item.crm.as_ref().map(|c| E::crm_id(c).to_owned()),
            item.mk
                .as_ref()
                .and_then(|m| E::mk_id(m).map(str::to_owned)),
            item.mapping.clone(),
        );
        match self.try_take(item).await {
            Ok(taken) => taken,
            Err(e) => {
                let entity_id = crm_id
                    .or(mapping.as_ref().map(|m| m.crm_id.clone()))
                    .or(mk_id);
                Taken::Done(self.fail(e, entity_id.as_deref(), mapping).await)
            }
        }
    }

    /// A record's step failed: logged with its id, its mapping (if any) marked `error`.
    pub async fn fail(
        &self,
        e: SyncError,
        entity_id: Option<&str>,
        mapping: Option<Mapping>,
    ) -> Outcome {
        self.log_failure(&e, entity_id).await;
        if let Some(mut mapping) = mapping {
            mapping.status = MappingStatus::Error;
            mapping.last_error = Some(e.to_string());
            let _ = self.ctx.store.put_mapping(&mapping).await;
        }
        Outcome::Failed(e.to_string())
    }

    async fn try_take(&self, mut item: Item<E>) -> Result<Taken<E>, SyncError> {
        let ctx = self.ctx;
        self.complete(&mut item).await?;
        let crm_fields = item.crm.as_ref().map(E::crm_fields);
        let mk_fields = item.mk.as_ref().map(E::mk_fields);
        let crm_hash = crm_fields.as_ref().map(|f| f.hash());
        let mk_hash = mk_fields.as_ref().map(|f| f.hash());
        let last = item
            .mapping
            .as_ref()
            .map(|m| (m.crm_hash.as_deref(), m.mk_hash.as_deref()));
        let action = decide(
            Hashes {
                crm: crm_hash.as_deref(),
                mk: mk_hash.as_deref(),
                last,
            },
            self.plan.direction,
            self.plan.rule,
        );
        let synced = |crm_id: &str, mk_id: &str, count_code, crm_hash, mk_hash| Mapping {
            company_id: ctx.company.clone(),
            kind: E::KIND,
            crm_id: crm_id.to_owned(),
            mk_id: mk_id.to_owned(),
            count_code,
            status: MappingStatus::Synced,
            last_synced_at: Some(now()),
            crm_hash,
            mk_hash,
            last_error: None,
        };
        let mk_count_code = item
            .mk
            .as_ref()
            .and_then(E::mk_count_code)
            .map(str::to_owned);
        if E::BATCHED_PULLS
            && let Some(deferred) = self.defer(&item, action, crm_hash.clone(), mk_hash.clone())?
        {
            return Ok(Taken::Deferred(Box::new(deferred)));
        }
        let outcome = match action {
            Action::Skip => return Ok(Taken::Done(Outcome::Skipped)),
            Action::Link => {
                let (crm, mk) = both(&item)?;
                let mk_id = mk_id_of::<E>(mk)?;
                ctx.store
                    .put_mapping(&synced(
                        E::crm_id(crm),
                        &mk_id,
                        mk_count_code,
                        crm_hash,
                        mk_hash,
                    ))
                    .await?;
                Outcome::Skipped
            }
            Action::PushCreate => {
                let crm = item.crm.as_ref().ok_or_else(missing)?;
                let (mk_id, count_code) = E::push_create(ctx, crm).await?;
                let mapping = synced(
                    E::crm_id(crm),
                    &mk_id,
                    count_code,
                    crm_hash.clone(),
                    crm_hash,
                );
                ctx.store.put_mapping(&mapping).await?;
                Outcome::Created
            }
            Action::PushUpdate => {
                let (crm, mk) = both(&item)?;
                let mapping = match &item.mapping {
                    Some(m) => m.clone(),
                    None => synced(
                        E::crm_id(crm),
                        &mk_id_of::<E>(mk)?,
                        mk_count_code.clone(),
                        None,
                        None,
                    ),
                };
                E::push_update(ctx, crm, mk, &mapping).await?;
                let count_code = mapping.count_code.clone().or(mk_count_code);
                ctx.store
                    .put_mapping(&synced(
                        &mapping.crm_id,
                        &mapping.mk_id,
                        count_code,
                        crm_hash.clone(),
                        crm_hash,
                    ))
                    .await?;
                Outcome::Updated
            }
            Action::PullCreate => {
                let mk = item.mk.as_ref().ok_or_else(missing)?;
                let mk_id = mk_id_of::<E>(mk)?;
                let crm = E::pull_create(ctx, mk).await?;
                let crm_hash = Some(E::crm_fields(&crm).hash());
                ctx.store
                    .put_mapping(&synced(
                        E::crm_id(&crm),
                        &mk_id,
                        mk_count_code,
                        crm_hash,
                        mk_hash,
                    ))
                    .await?;
                Outcome::Created
            }
            Action::PullUpdate => {
                let (crm, mk) = both(&item)?;
                let mk_id = mk_id_of::<E>(mk)?;
                let crm = E::pull_update(ctx, crm, mk).await?;
                let crm_hash = Some(E::crm_fields(&crm).hash());
                ctx.store
                    .put_mapping(&synced(
                        E::crm_id(&crm),
                        &mk_id,
                        mk_count_code,
                        crm_hash,
                        mk_hash,
                    ))
                    .await?;
                Outcome::Updated
            }
            Action::Conflict => {
                if item
                    .mapping
                    .as_ref()
                    .is_some_and(|m| m.status == MappingStatus::Conflict)
                {
                    // Recorded by an earlier run and not settled yet.
                    return Ok(Taken::Done(Outcome::Skipped));
                }
                let (crm, mk) = both(&item)?;
                let mk_id = mk_id_of::<E>(mk)?;
                let conflict = SyncConflict {
                    id: new_id(),
                    company_id: ctx.company.clone(),
                    kind: E::KIND,
                    crm_id: E::crm_id(crm).to_owned(),
                    mk_id: mk_id.clone(),
                    crm_snapshot: crm_fields
                        .as_ref()
                        .map(|f| f.snapshot())
                        .unwrap_or_default(),
                    mk_snapshot: mk_fields.as_ref().map(|f| f.snapshot()).unwrap_or_default(),
                    detected_at: now(),
                    resolved_with: None,
                    resolved_at: None,
                };
                ctx.store.put_sync_conflict(&conflict).await?;
                let mut mapping = item.mapping.clone().unwrap_or_else(|| {
                    synced(E::crm_id(crm), &mk_id, mk_count_code.clone(), None, None)
                });
                mapping.status = MappingStatus::Conflict;
                mapping.last_error = Some(format!("both sides changed; conflict {}", conflict.id));
                ctx.store.put_mapping(&mapping).await?;
                self.plan
                    .errors
                    .record(NewError {
                        company_id: ctx.company.clone(),
                        user_id: self.plan.user.clone(),
                        category: ErrorCategory::Conflict,
                        entity_type: E::ERROR_ENTITY,
                        entity_id: Some(conflict.crm_id.clone()),
                        operation: "sync".to_owned(),
                        message: "both sides changed since the last sync; choose one".to_owned(),
                        details: serde_json::json!({ "conflict_id": conflict.id, "mk_id": mk_id }),
                    })
                    .await;
                Outcome::Conflict
            }
        };
        Ok(Taken::Done(outcome))
    }

    /// The local writes of a link or a pull, built but not written; `None` for the other
    /// actions (they call Metakocka or record a conflict, one record at a time).
    fn defer(
        &self,
        item: &Item<E>,
        action: Action,
        crm_hash: Option<String>,
        mk_hash: Option<String>,
    ) -> Result<Option<Deferred<E>>, SyncError> {
        let (record, outcome) = match action {
            Action::Link => (None, Outcome::Skipped),
            Action::PullCreate => {
                let mk = item.mk.as_ref().ok_or_else(missing)?;
                let crm = E::pulled_new(self.ctx, mk)?;
                (Some(RecordWrite::Insert(crm)), Outcome::Created)
            }
            Action::PullUpdate => {
                let (crm, mk) = both(item)?;
                let crm = E::pulled_changed(crm, mk)?;
                (Some(RecordWrite::Update(crm)), Outcome::Updated)
            }
            _ => return Ok(None),
        };
        let mk = item.mk.as_ref().ok_or_else(missing)?;
        let crm_hash = match &record {
            Some(RecordWrite::Insert(crm) | RecordWrite::Update(crm)) => {
                Some(E::crm_fields(crm).hash())
            }
            None => crm_hash,
        };
        let crm_id = match (&record, &item.crm) {
            (Some(RecordWrite::Insert(crm) | RecordWrite::Update(crm)), _) | (None, Some(crm)) => {
                E::crm_id(crm).to_owned()
            }
            (None, None) => return Err(missing()),
        };
        let mapping = Mapping {
            company_id: self.ctx.company.clone(),
            kind: E::KIND,
            crm_id,
            mk_id: mk_id_of::<E>(mk)?,
            count_code: E::mk_count_code(mk).map(str::to_owned),
            status: MappingStatus::Synced,
            last_synced_at: Some(now()),
            crm_hash,
            mk_hash,
            last_error: None,
        };
        let entity_id = (item.crm.as_ref().map(|crm| E::crm_id(crm).to_owned()))
            .or_else(|| item.mapping.as_ref().map(|m| m.crm_id.clone()))
            .unwrap_or_else(|| mapping.mk_id.clone());
        Ok(Some(Deferred {
            write: PulledWrite { record, mapping },
            outcome,
            previous: item.mapping.clone(),
            entity_id,
        }))
    }

    /// Looks up the sides the gathering did not settle.
    async fn complete(&self, item: &mut Item<E>) -> Result<(), SyncError> {
        let ctx = self.ctx;
        if item.crm.is_none() && !item.crm_known {
            item.crm = match &item.mapping {
                Some(m) => E::crm_get(ctx, &m.crm_id).await?,
                None => match &item.mk {
                    Some(mk) => E::crm_find(ctx, mk).await?,
                    None => None,
                },
            };
            if item.mapping.is_none()
                && let Some(crm) = &item.crm
            {
                // A twin found by key may be mapped already (to another record).
                if ctx
                    .store
                    .get_mapping_by_crm(&ctx.company, E::KIND, E::crm_id(crm))
                    .await?
                    .is_some()
                {
                    item.crm = None;
                }
            }
        }
        if item.mk.is_none() && !item.mk_known {
            item.mk = match (&item.mapping, &item.crm) {
                (Some(m), _) => E::mk_get(ctx, m).await?,
                (None, Some(crm)) => {
                    let found = E::mk_find(ctx, crm).await?;
                    match found.as_ref().and_then(|mk| E::mk_id(mk)) {
                        Some(id)
                            if ctx
                                .store
                                .get_mapping_by_mk(&ctx.company, E::KIND, id)
                                .await?
                                .is_some() =>
                        {
                            None
                        }
                        _ => found,
                    }
                }
                (None, None) => None,
            };
        }
        Ok(())
    }

    async fn log_failure(&self, e: &SyncError, entity_id: Option<&str>) {
        let category = match e {
            SyncError::Metakocka(e) => log_category(e.category()),
            SyncError::NotFound(_) => ErrorCategory::NotFound,
            SyncError::Invalid(_) => ErrorCategory::Validation,
            _ => ErrorCategory::Api,
        };
        self.plan
            .errors
            .record(NewError {
                company_id: self.ctx.company.clone(),
                user_id: self.plan.user.clone(),
                category,
                entity_type: E::ERROR_ENTITY,
                entity_id: entity_id.map(str::to_owned),
                operation: "sync".to_owned(),
                message: e.to_string(),
                details: serde_json::json!({ "direction": self.plan.direction.as_str() }),
            })
            .await;
    }
}

fn both<E: SyncEntity>(item: &Item<E>) -> Result<(&E::Crm, &E::Mk), SyncError> {
    match (&item.crm, &item.mk) {
        (Some(crm), Some(mk)) => Ok((crm, mk)),
        _ => Err(missing()),
    }
}

fn mk_id_of<E: SyncEntity>(mk: &E::Mk) -> Result<String, SyncError> {
    E::mk_id(mk)
        .map(str::to_owned)
        .ok_or_else(|| SyncError::Invalid("Metakocka answered a record without mk_id".to_owned()))
}

fn missing() -> SyncError {
    SyncError::Invalid("a side of the record went missing during the step".to_owned())
}

//! A run's gathering: both sides of the records in scope, read in a few listings, and
//! paired (mapping first, then natural key), so that most records need no further lookup
//! in their step.

use super::SyncError;
use super::entity::{Ctx, RunFilter, SyncEntity};
use super::model::Mapping;
use super::run::RunPlan;
use super::step::Item;
use std::collections::{HashMap, HashSet};

/// Both sides of the records in scope, paired.
pub(super) async fn gather<E: SyncEntity>(
    ctx: &Ctx,
    plan: &RunPlan,
) -> Result<Vec<Item<E>>, SyncError> {
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
        // Without the whole CRM side at hand, each unpaired Metakocka record would need a
        // store lookup of its own: one listing instead.
        let mut index = match (crm_complete, &filter.crm_ids) {
            (false, None) => Some(CrmIndex::<E>::new(
                E::crm_list(ctx, &RunFilter::default()).await?,
                &by_crm,
                &items,
            )),
            _ => None,
        };
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
            let (crm, crm_known) = match &mut index {
                Some(index) => (index.pair(mapping.as_ref(), &E::mk_keys(mk)), true),
                None => (None, mapping.is_none() && crm_complete),
            };
            items.push(Item {
                crm,
                crm_known,
                mk: Some(mk.clone()),
                mk_known: true,
                mapping,
            });
        }
    }
    Ok(items)
}

/// Every CRM record of the kind, for pairing Metakocka records a pull meets.
struct CrmIndex<E: SyncEntity> {
    by_id: HashMap<String, E::Crm>,
    /// Natural key → id of the CRM records free to pair: unmapped, not in the run's items,
    /// not paired yet.
    free_by_key: HashMap<String, String>,
    taken: HashSet<String>,
}

impl<E: SyncEntity> CrmIndex<E> {
    fn new(all: Vec<E::Crm>, mapped: &HashMap<&str, &Mapping>, items: &[Item<E>]) -> Self {
        let in_items: HashSet<&str> = (items.iter())
            .filter_map(|item| item.crm.as_ref().map(E::crm_id))
            .collect();
        let mut free_by_key = HashMap::new();
        for crm in &all {
            let id = E::crm_id(crm);
            if mapped.contains_key(id) || in_items.contains(id) {
                continue;
            }
            for key in E::crm_keys(crm) {
                free_by_key.entry(key).or_insert_with(|| id.to_owned());
            }
        }
        let by_id = all
            .into_iter()
            .map(|crm| (E::crm_id(&crm).to_owned(), crm))
            .collect();
        Self {
            by_id,
            free_by_key,
            taken: HashSet::new(),
        }
    }

    /// The CRM side of a Metakocka record: its mapped record, or a free one sharing a key
    /// (taken, so no second Metakocka record pairs with it).
    fn pair(&mut self, mapping: Option<&Mapping>, mk_keys: &[String]) -> Option<E::Crm> {
        if let Some(mapping) = mapping {
            return self.by_id.get(&mapping.crm_id).cloned();
        }
        let id = (mk_keys.iter())
            .filter_map(|k| self.free_by_key.get(k))
            .find(|id| !self.taken.contains(*id))?
            .clone();
        let crm = self.by_id.get(&id).cloned();
        self.taken.insert(id);
        crm
    }
}

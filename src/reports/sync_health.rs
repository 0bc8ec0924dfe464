//! The sync-health report: for each entity kind, how many of the company's records are
//! mapped to Metakocka and in which state, how many are not mapped yet, the conflicts waiting
//! for a person, and the last sync run.
//!
//! "Unsynced" is the company's record count less its mappings (never below zero): the records
//! Metakocka has not seen yet. It reads counts, not every record, so a mapping left behind by
//! a deleted record hides one unsynced record until it is removed.

use super::output::SyncHealthRow;
use crate::domain::CompanyId;
use crate::metakocka::sync::model::{EntityKind, MappingStatus};
use crate::records::RecordQuery;
use crate::records::sales_document::SalesDocumentQuery;
use crate::store::{Store, StoreResult};

/// One row per entity kind, in [`EntityKind::ALL`] order.
pub async fn per_kind(store: &dyn Store, company: &CompanyId) -> StoreResult<Vec<SyncHealthRow>> {
    let open_conflicts = store.list_sync_conflicts(company, true).await?;
    let mut rows = Vec::new();
    for kind in EntityKind::ALL {
        let mappings = store.list_mappings(company, kind).await?;
        let count = |status: MappingStatus| mappings.iter().filter(|m| m.status == status).count();
        let crm_records = record_count(store, company, kind).await?;
        let last_run = store
            .list_metakocka_runs(company, Some(kind), 1)
            .await?
            .into_iter()
            .next();
        rows.push(SyncHealthRow {
            entity: kind.as_str().to_owned(),
            crm_records,
            mapped: mappings.len() as u64,
            synced: count(MappingStatus::Synced) as u64,
            pending: count(MappingStatus::Pending) as u64,
            conflict: count(MappingStatus::Conflict) as u64,
            error: count(MappingStatus::Error) as u64,
            unsynced: crm_records.saturating_sub(mappings.len() as u64),
            open_conflicts: open_conflicts.iter().filter(|c| c.kind == kind).count() as u64,
            last_run_started_at: last_run.as_ref().map(|r| r.started_at),
            last_run_finished_at: last_run.as_ref().and_then(|r| r.finished_at),
            last_run_state: last_run.as_ref().map(|r| r.state.as_str().to_owned()),
            last_run_failed: last_run.as_ref().map(|r| r.counts.failed),
        });
    }
    Ok(rows)
}

/// How many records of `kind` the company has (a one-record page's total).
async fn record_count(
    store: &dyn Store,
    company: &CompanyId,
    kind: EntityKind,
) -> StoreResult<u64> {
    let one = RecordQuery {
        text: None,
        limit: 1,
        offset: 0,
    };
    Ok(match kind {
        EntityKind::Product => store.list_products(company, &one).await?.total,
        EntityKind::Contact => store.list_contacts(company, &one).await?.total,
        EntityKind::SalesDocument => {
            (store
                .list_sales_documents(company, &SalesDocumentQuery::all(one))
                .await?)
                .total
        }
    })
}

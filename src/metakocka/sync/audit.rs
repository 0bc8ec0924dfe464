//! The mapping audit (`000_...` best practices): mappings whose CRM record was deleted, whose
//! Metakocka record is gone, or whose two sides now differ; and the two ways out of each:
//! *repair* (the surviving side is written to the other: the CRM record is pushed, or a
//! CRM record is pulled from Metakocka's) or *remove* (the mapping is deleted, both records
//! stay).

use super::SyncError;
use super::contacts::Contacts;
use super::documents::Documents;
use super::entity::{Ctx, SyncEntity};
use super::model::{EntityKind, Mapping, MappingStatus};
use super::products::Products;
use super::service::MetakockaSync;
use crate::domain::{CompanyId, UserId};
use crate::records::now;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Finding {
    /// The crm-mind record was deleted.
    CrmDeleted,
    /// Metakocka no longer has the record.
    MetakockaGone,
    /// Both exist and their synced fields differ.
    Differs,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub kind: EntityKind,
    pub crm_id: String,
    pub mk_id: String,
    pub finding: Finding,
    pub status: MappingStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fix {
    Repair,
    Remove,
}

impl MetakockaSync {
    /// Checks every product, contact and sales document mapping of the company against both sides.
    pub async fn audit(
        &self,
        company: &CompanyId,
        user: Option<&UserId>,
    ) -> Result<Vec<AuditEntry>, SyncError> {
        let ctx = self.ctx_for(company, user).await?;
        let mut found = audit_of::<Products>(&ctx).await?;
        found.extend(audit_of::<Contacts>(&ctx).await?);
        found.extend(audit_of::<Documents>(&ctx).await?);
        Ok(found)
    }

    /// Repairs or removes one mapping; what the audit finds for it afterwards (`None`: fine).
    pub async fn fix_mapping(
        &self,
        company: &CompanyId,
        user: Option<&UserId>,
        kind: EntityKind,
        crm_id: &str,
        fix: Fix,
    ) -> Result<(), SyncError> {
        let mapping = self
            .store()
            .get_mapping_by_crm(company, kind, crm_id)
            .await?
            .ok_or_else(|| SyncError::NotFound(format!("{kind} mapping of {crm_id}")))?;
        if fix == Fix::Remove {
            self.store().delete_mapping(company, kind, crm_id).await?;
            return Ok(());
        }
        let ctx = self.ctx_for(company, user).await?;
        match kind {
            EntityKind::Product => repair::<Products>(&ctx, mapping).await,
            EntityKind::Contact => repair::<Contacts>(&ctx, mapping).await,
            EntityKind::SalesDocument => repair::<Documents>(&ctx, mapping).await,
        }
    }
}

async fn audit_of<E: SyncEntity>(ctx: &Ctx) -> Result<Vec<AuditEntry>, SyncError> {
    let mut found = Vec::new();
    for mapping in ctx.store.list_mappings(&ctx.company, E::KIND).await? {
        let crm = E::crm_get(ctx, &mapping.crm_id).await?;
        let mk = E::mk_get(ctx, &mapping).await?;
        let finding = match (&crm, &mk) {
            (None, _) => Some(Finding::CrmDeleted),
            (_, None) => Some(Finding::MetakockaGone),
            (Some(crm), Some(mk)) => {
                (E::crm_fields(crm).hash() != E::mk_fields(mk).hash()).then_some(Finding::Differs)
            }
        };
        if let Some(finding) = finding {
            found.push(AuditEntry {
                kind: E::KIND,
                crm_id: mapping.crm_id.clone(),
                mk_id: mapping.mk_id.clone(),
                finding,
                status: mapping.status,
            });
        }
    }
    Ok(found)
}

async fn repair<E: SyncEntity>(ctx: &Ctx, mapping: Mapping) -> Result<(), SyncError> {
    let crm = E::crm_get(ctx, &mapping.crm_id).await?;
    let mk = E::mk_get(ctx, &mapping).await?;
    let (crm_id, mk_id, count_code, crm_hash, mk_hash) = match (crm, mk) {
        (Some(crm), Some(mk)) => {
            E::push_update(ctx, &crm, &mk, &mapping).await?;
            let hash = E::crm_fields(&crm).hash();
            (
                mapping.crm_id.clone(),
                mapping.mk_id.clone(),
                mapping.count_code.clone(),
                hash.clone(),
                hash,
            )
        }
        (Some(crm), None) => {
            let (mk_id, count_code) = E::push_create(ctx, &crm).await?;
            let hash = E::crm_fields(&crm).hash();
            (
                mapping.crm_id.clone(),
                mk_id,
                count_code,
                hash.clone(),
                hash,
            )
        }
        (None, Some(mk)) => {
            let crm = E::pull_create(ctx, &mk).await?;
            ctx.store
                .delete_mapping(&ctx.company, E::KIND, &mapping.crm_id)
                .await?;
            (
                E::crm_id(&crm).to_owned(),
                mapping.mk_id.clone(),
                mapping.count_code.clone(),
                E::crm_fields(&crm).hash(),
                E::mk_fields(&mk).hash(),
            )
        }
        (None, None) => {
            ctx.store
                .delete_mapping(&ctx.company, E::KIND, &mapping.crm_id)
                .await?;
            return Ok(());
        }
    };
    ctx.store
        .put_mapping(&Mapping {
            company_id: ctx.company.clone(),
            kind: E::KIND,
            crm_id,
            mk_id,
            count_code,
            status: MappingStatus::Synced,
            last_synced_at: Some(now()),
            crm_hash: Some(crm_hash),
            mk_hash: Some(mk_hash),
            last_error: None,
        })
        .await?;
    Ok(())
}

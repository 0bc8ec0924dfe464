//! `metakocka_*_mappings` in MongoDB: one collection per entity kind, one document per
//! mapping (the domain record as it is), unique on `(company_id, crm_id)` and
//! `(company_id, mk_id)`.

use super::MongoStore;
use super::errors::{conflict_or, store_error};
use crate::domain::CompanyId;
use crate::metakocka::sync::model::{EntityKind, Mapping};
use crate::store::{MetakockaMappingStore, StoreResult};
use async_trait::async_trait;
use futures::TryStreamExt;
use mongodb::bson::doc;

fn collection_name(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Product => "metakocka_product_mappings",
        EntityKind::Contact => "metakocka_contact_mappings",
        EntityKind::SalesDocument => "metakocka_sales_document_mappings",
    }
}

#[async_trait]
impl MetakockaMappingStore for MongoStore {
    async fn put_mapping(&self, mapping: &Mapping) -> StoreResult<()> {
        self.collection::<Mapping>(collection_name(mapping.kind))
            .replace_one(
                doc! { "company_id": mapping.company_id.as_str(), "crm_id": &mapping.crm_id },
                mapping,
            )
            .upsert(true)
            .await
            .map(drop)
            .map_err(|e| conflict_or(e, "the Metakocka record is mapped to another record"))
    }

    async fn get_mapping_by_crm(
        &self,
        company: &CompanyId,
        kind: EntityKind,
        crm_id: &str,
    ) -> StoreResult<Option<Mapping>> {
        self.collection::<Mapping>(collection_name(kind))
            .find_one(doc! { "company_id": company.as_str(), "crm_id": crm_id })
            .await
            .map_err(store_error)
    }

    async fn get_mapping_by_mk(
        &self,
        company: &CompanyId,
        kind: EntityKind,
        mk_id: &str,
    ) -> StoreResult<Option<Mapping>> {
        self.collection::<Mapping>(collection_name(kind))
            .find_one(doc! { "company_id": company.as_str(), "mk_id": mk_id })
            .await
            .map_err(store_error)
    }

    async fn list_mappings(
        &self,
        company: &CompanyId,
        kind: EntityKind,
    ) -> StoreResult<Vec<Mapping>> {
        self.collection::<Mapping>(collection_name(kind))
            .find(doc! { "company_id": company.as_str() })
            .sort(doc! { "crm_id": 1 })
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)
    }

    async fn delete_mapping(
        &self,
        company: &CompanyId,
        kind: EntityKind,
        crm_id: &str,
    ) -> StoreResult<bool> {
        self.collection::<Mapping>(collection_name(kind))
            .delete_one(doc! { "company_id": company.as_str(), "crm_id": crm_id })
            .await
            .map(|r| r.deleted_count > 0)
            .map_err(store_error)
    }
}

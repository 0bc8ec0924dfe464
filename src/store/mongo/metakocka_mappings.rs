//! `metakocka_*_mappings` in MongoDB: one collection per entity kind, one document per
//! mapping (the domain record as it is), unique on `(company_id, crm_id)` and
//! `(company_id, mk_id)`. A pull's page of products goes in with one `insert_many`.

use super::MongoStore;
use super::errors::{DUPLICATE_KEY, conflict_or, store_error};
use super::products::{DUPLICATE_CODE, PRODUCTS, ProductRecord};
use crate::domain::CompanyId;
use crate::metakocka::sync::model::{EntityKind, Mapping, PulledWrite, RecordWrite};
use crate::records::product::Product;
use crate::store::{MetakockaMappingStore, StoreError, StoreResult};
use async_trait::async_trait;
use futures::{StreamExt, TryStreamExt, stream};
use mongodb::Collection;
use mongodb::bson::doc;
use mongodb::error::ErrorKind;

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
            .map_err(|e| conflict_or(e, MAPPED_ELSEWHERE))
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

    async fn write_pulled_products(
        &self,
        company: &CompanyId,
        writes: &[PulledWrite<Product>],
    ) -> StoreResult<Vec<StoreResult<()>>> {
        let mut results: Vec<StoreResult<()>> =
            writes.iter().map(|w| owned_by(company, w)).collect();
        self.insert_pulled(writes, &mut results).await?;
        // Updates and mappings one call each, a few in flight: MongoDB has no batch upsert
        // that reports per document before 8.0's bulkWrite.
        let products = self.collection::<ProductRecord>(PRODUCTS);
        let updates: Vec<(usize, Product)> = (writes.iter().zip(&results).enumerate())
            .filter_map(|(at, (w, ok))| match (&w.record, ok) {
                (Some(RecordWrite::Update(p)), Ok(())) => Some((at, p.clone())),
                _ => None,
            })
            .collect();
        let updated: Vec<(usize, StoreResult<()>)> = stream::iter(updates)
            .map(|(at, p)| replace_product(products.clone(), at, p))
            .buffer_unordered(IN_FLIGHT)
            .collect()
            .await;
        for (at, result) in updated {
            results[at] = result;
        }
        let mappings: Vec<(usize, Mapping)> = (writes.iter().zip(&results).enumerate())
            .filter(|(_, (_, ok))| ok.is_ok())
            .map(|(at, (w, _))| (at, w.mapping.clone()))
            .collect();
        let collection = self.collection::<Mapping>(collection_name(EntityKind::Product));
        let mapped: Vec<(usize, StoreResult<()>)> = stream::iter(mappings)
            .map(|(at, m)| upsert(collection.clone(), at, m))
            .buffer_unordered(IN_FLIGHT)
            .collect()
            .await;
        for (at, result) in mapped {
            if result.is_err()
                && let Some(RecordWrite::Insert(p)) = &writes[at].record
            {
                // No product without its mapping, or the next pull would make a second one.
                products
                    .delete_one(doc! { "_id": p.id.as_str(), "company_id": company.as_str() })
                    .await
                    .map_err(store_error)?;
            }
            results[at] = result;
        }
        Ok(results)
    }
}

/// Replaces a pulled product by company and id; a product gone since is a failure.
async fn replace_product(
    products: Collection<ProductRecord>,
    at: usize,
    p: Product,
) -> (usize, StoreResult<()>) {
    let replaced = products
        .replace_one(
            doc! { "_id": p.id.as_str(), "company_id": p.company_id.as_str() },
            ProductRecord::new(&p),
        )
        .await
        .map_err(|e| conflict_or(e, DUPLICATE_CODE));
    let result = match replaced {
        Ok(r) if r.matched_count == 0 => {
            Err(StoreError::Conflict(format!("product {} is gone", p.id)))
        }
        Ok(_) => Ok(()),
        Err(e) => Err(e),
    };
    (at, result)
}

/// Inserts or replaces the mapping of `(company, crm_id)`.
async fn upsert(mappings: Collection<Mapping>, at: usize, m: Mapping) -> (usize, StoreResult<()>) {
    let result = mappings
        .replace_one(
            doc! { "company_id": m.company_id.as_str(), "crm_id": &m.crm_id },
            &m,
        )
        .upsert(true)
        .await
        .map(drop)
        .map_err(|e| conflict_or(e, MAPPED_ELSEWHERE));
    (at, result)
}

const MAPPED_ELSEWHERE: &str = "the Metakocka record is mapped to another record";

/// Pulled writes' records in flight at once (updates, mappings).
const IN_FLIGHT: usize = 16;

/// Refuses a write holding another company's record or mapping.
fn owned_by(company: &CompanyId, write: &PulledWrite<Product>) -> StoreResult<()> {
    let product_company = match &write.record {
        Some(RecordWrite::Insert(p) | RecordWrite::Update(p)) => Some(&p.company_id),
        None => None,
    };
    if &write.mapping.company_id != company
        || write.mapping.kind != EntityKind::Product
        || product_company.is_some_and(|c| c != company)
    {
        return Err(StoreError::Conflict(
            "the pulled product belongs to another company".to_owned(),
        ));
    }
    Ok(())
}

impl MongoStore {
    /// The new products of a page in one unordered `insert_many`; a refused one (its code
    /// taken) marks its write failed, the others are stored.
    async fn insert_pulled(
        &self,
        writes: &[PulledWrite<Product>],
        results: &mut [StoreResult<()>],
    ) -> StoreResult<()> {
        let (at, records): (Vec<usize>, Vec<ProductRecord>) =
            (writes.iter().zip(results.iter()).enumerate())
                .filter_map(|(at, (w, ok))| match (&w.record, ok) {
                    (Some(RecordWrite::Insert(p)), Ok(())) => Some((at, ProductRecord::new(p))),
                    _ => None,
                })
                .unzip();
        if records.is_empty() {
            return Ok(()); // the driver refuses an empty insert_many
        }
        let Err(e) = self
            .collection::<ProductRecord>(PRODUCTS)
            .insert_many(&records)
            .ordered(false)
            .await
        else {
            return Ok(());
        };
        let ErrorKind::InsertMany(failure) = e.kind.as_ref() else {
            return Err(store_error(e));
        };
        if failure.write_concern_error.is_some() {
            return Err(store_error(e));
        }
        for write_error in failure.write_errors.iter().flatten() {
            let Some(&index) = at.get(write_error.index) else {
                continue;
            };
            results[index] = Err(if write_error.code == DUPLICATE_KEY {
                StoreError::Conflict(DUPLICATE_CODE.to_owned())
            } else {
                StoreError::Unavailable(format!(
                    "MongoDB refused a pulled product: {} (code {})",
                    write_error.message, write_error.code
                ))
            });
        }
        Ok(())
    }
}

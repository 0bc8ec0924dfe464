//! `products` in MongoDB: one document per product, `_id` its uuid, with a unique
//! `(company_id, code)` index (migrations/mongo/0006_records.json) that turns a second
//! product of a code into a `Conflict`. Decimals are strings; the text filter matches a
//! `search` field lower-cased in Rust, as the SQLite engine does.

use super::MongoStore;
use super::errors::{conflict_or, store_error};
use super::records::{from_bson_date, to_bson_date};
use crate::domain::CompanyId;
use crate::records::product::Product;
use crate::records::{RecordPage, RecordQuery};
use crate::store::{ProductStore, StoreError, StoreResult};
use async_trait::async_trait;
use futures::TryStreamExt;
use mongodb::Collection;
use mongodb::bson::{self, Document, doc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

pub(super) const PRODUCTS: &str = "products";
pub(super) const DUPLICATE_CODE: &str = "the company already has a product with this code";

/// A page of a company's records (products or contacts) whose `search` contains the query's
/// text, in `sort` order, with the total the filter matches.
pub(super) async fn list_page<R, T>(
    collection: Collection<R>,
    company: &CompanyId,
    query: &RecordQuery,
    sort: Document,
    into: fn(R) -> StoreResult<T>,
) -> StoreResult<RecordPage<T>>
where
    R: DeserializeOwned + Send + Sync,
{
    let mut filter = doc! { "company_id": company.as_str() };
    if let Some(text) = &query.text {
        filter.insert("search", doc! { "$regex": regex::escape(text) });
    }
    let total = collection
        .count_documents(filter.clone())
        .await
        .map_err(store_error)?;
    let records: Vec<R> = collection
        .find(filter)
        .sort(sort)
        .skip(u64::from(query.offset))
        .limit(i64::from(query.limit))
        .await
        .map_err(store_error)?
        .try_collect()
        .await
        .map_err(store_error)?;
    let items = records.into_iter().map(into).collect::<StoreResult<_>>()?;
    Ok(RecordPage { items, total })
}

#[async_trait]
impl ProductStore for MongoStore {
    async fn insert_product(&self, product: &Product) -> StoreResult<()> {
        self.collection::<ProductRecord>(PRODUCTS)
            .insert_one(ProductRecord::new(product))
            .await
            .map(|_| ())
            .map_err(|e| conflict_or(e, DUPLICATE_CODE))
    }

    async fn get_product(&self, company: &CompanyId, id: &str) -> StoreResult<Option<Product>> {
        self.collection::<ProductRecord>(PRODUCTS)
            .find_one(doc! { "_id": id, "company_id": company.as_str() })
            .await
            .map_err(store_error)?
            .map(ProductRecord::into_product)
            .transpose()
    }

    async fn list_products(
        &self,
        company: &CompanyId,
        query: &RecordQuery,
    ) -> StoreResult<RecordPage<Product>> {
        list_page(
            self.collection::<ProductRecord>(PRODUCTS),
            company,
            query,
            doc! { "code": 1, "_id": 1 },
            ProductRecord::into_product,
        )
        .await
    }

    async fn update_product(&self, product: &Product) -> StoreResult<bool> {
        let replaced = self
            .collection::<ProductRecord>(PRODUCTS)
            .replace_one(
                doc! { "_id": product.id.as_str(), "company_id": product.company_id.as_str() },
                ProductRecord::new(product),
            )
            .await
            .map_err(|e| conflict_or(e, DUPLICATE_CODE))?;
        Ok(replaced.matched_count > 0)
    }

    async fn delete_product(&self, company: &CompanyId, id: &str) -> StoreResult<bool> {
        let deleted = self
            .collection::<ProductRecord>(PRODUCTS)
            .delete_one(doc! { "_id": id, "company_id": company.as_str() })
            .await
            .map_err(store_error)?;
        Ok(deleted.deleted_count > 0)
    }
}

/// A document of `products`.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct ProductRecord {
    #[serde(rename = "_id")]
    id: String,
    company_id: CompanyId,
    code: String,
    name: String,
    description: Option<String>,
    unit: Option<String>,
    price: String,
    currency: String,
    vat_rate: String,
    active: bool,
    created_at: bson::DateTime,
    updated_at: bson::DateTime,
    search: String,
}

impl ProductRecord {
    pub(super) fn new(p: &Product) -> Self {
        Self {
            id: p.id.clone(),
            company_id: p.company_id.clone(),
            code: p.code.clone(),
            name: p.name.clone(),
            description: p.description.clone(),
            unit: p.unit.clone(),
            price: p.price.to_string(),
            currency: p.currency.clone(),
            vat_rate: p.vat_rate.to_string(),
            active: p.active,
            created_at: to_bson_date(p.created_at),
            updated_at: to_bson_date(p.updated_at),
            search: format!("{}\u{1f}{}", p.name, p.code).to_lowercase(),
        }
    }

    fn into_product(self) -> StoreResult<Product> {
        let decimal = |text: &str| {
            text.parse().map_err(|_| {
                StoreError::Corrupt(format!("a product amount {text:?} is not a decimal"))
            })
        };
        Ok(Product {
            price: decimal(&self.price)?,
            vat_rate: decimal(&self.vat_rate)?,
            created_at: from_bson_date(self.created_at)?,
            updated_at: from_bson_date(self.updated_at)?,
            id: self.id,
            company_id: self.company_id,
            code: self.code,
            name: self.name,
            description: self.description,
            unit: self.unit,
            currency: self.currency,
            active: self.active,
        })
    }
}

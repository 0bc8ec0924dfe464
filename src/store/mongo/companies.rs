//! Companies: one document each in `companies`, keyed by the company id. The same document
//! holds the company's pages (see `pages.rs`); reads here leave them out.

use super::MongoStore;
use super::errors::{conflict_or, store_error};
use super::records::{COMPANIES, CompanyRecord};
use crate::domain::{Company, CompanyId};
use crate::store::{CompanyStore, StoreResult};
use async_trait::async_trait;
use mongodb::bson::doc;

#[async_trait]
impl CompanyStore for MongoStore {
    #[tracing::instrument(name = "mongo.insert_company", skip_all, fields(company = %company.id))]
    async fn insert_company(&self, company: &Company) -> StoreResult<()> {
        self.collection::<CompanyRecord>(COMPANIES)
            .insert_one(CompanyRecord::from(company))
            .await
            .map_err(|e| conflict_or(e, "the company exists"))?;
        Ok(())
    }

    #[tracing::instrument(name = "mongo.get_company", skip_all, fields(company = %id))]
    async fn get_company(&self, id: &CompanyId) -> StoreResult<Option<Company>> {
        self.collection::<CompanyRecord>(COMPANIES)
            .find_one(doc! { "_id": id.as_str() })
            .projection(doc! { "pages": 0 })
            .await
            .map_err(store_error)?
            .map(Company::try_from)
            .transpose()
    }
}

//! Pages: elements of the owning company's `pages` array in `companies`, each with its
//! `facebook_crm_links`, `messenger_crm_links` and `legacy_crm_links`.
//!
//! Keeping a page inside its company document makes every page write a single-document
//! update, which MongoDB applies atomically: the version check of [`PageStore::save_page`]
//! and the write happen as one step, with no transaction. A page id is unique across
//! companies through the unique index `pages_page_id_unique`; a multikey unique index does
//! not look inside one document, so [`PageStore::insert_page`] also refuses, in its filter,
//! a page its own company already has.

use super::MongoStore;
use super::errors::{conflict_or, store_error};
use super::records::{COMPANIES, CompanyRecord, PageRecord, links_to_records, to_bson_date};
use crate::domain::{CompanyId, LinkId, Page, PageId};
use crate::store::{PageStore, StoreError, StoreResult};
use async_trait::async_trait;
use futures::TryStreamExt;
use mongodb::Collection;
use mongodb::bson::{self, Document, doc};
use serde::Deserialize;

const PAGE_TAKEN: &str = "the page is registered already";

/// What a read of one company's pages projects: only the `pages` array.
#[derive(Deserialize)]
struct PagesOnly {
    #[serde(default)]
    pages: Vec<PageRecord>,
}

impl MongoStore {
    fn companies(&self) -> Collection<CompanyRecord> {
        self.collection(COMPANIES)
    }

    /// One company's pages, limited to those `filter` (on the company document) matches
    /// and `projection` keeps.
    async fn read_pages(&self, filter: Document, projection: Document) -> StoreResult<Vec<Page>> {
        let Some(found) = self
            .collection::<PagesOnly>(COMPANIES)
            .find_one(filter)
            .projection(projection)
            .await
            .map_err(store_error)?
        else {
            return Ok(Vec::new());
        };
        found.pages.into_iter().map(Page::try_from).collect()
    }
}

fn bson_value<T: serde::Serialize>(value: &T) -> StoreResult<bson::Bson> {
    bson::to_bson(value).map_err(|e| StoreError::Unavailable(format!("encoding a page: {e}")))
}

#[async_trait]
impl PageStore for MongoStore {
    #[tracing::instrument(
        name = "mongo.insert_page",
        skip_all,
        fields(company = %page.company_id, page = %page.page_id)
    )]
    async fn insert_page(&self, page: &Page) -> StoreResult<()> {
        let company = page.company_id.as_str();
        let pushed = self
            .companies()
            .update_one(
                doc! { "_id": company, "pages.page_id": { "$ne": page.page_id.as_str() } },
                doc! { "$push": { "pages": bson_value(&PageRecord::from(page))? } },
            )
            .await
            .map_err(|e| conflict_or(e, PAGE_TAKEN))?;
        if pushed.matched_count == 1 {
            return Ok(());
        }
        // Nothing matched: the company has the page already, or there is no such company.
        let company_exists = self
            .companies()
            .count_documents(doc! { "_id": company })
            .limit(1)
            .await
            .map_err(store_error)?
            > 0;
        if company_exists {
            Err(StoreError::Conflict(PAGE_TAKEN.to_owned()))
        } else {
            // As the SQLite engine's foreign key does: a page needs its company stored first.
            Err(StoreError::Unavailable(format!(
                "cannot add a page to company {company}: the company is not stored"
            )))
        }
    }

    #[tracing::instrument(
        name = "mongo.get_page",
        skip_all,
        fields(company = %company, page = %page_id)
    )]
    async fn get_page(&self, company: &CompanyId, page_id: &PageId) -> StoreResult<Option<Page>> {
        let pages = self
            .read_pages(
                doc! { "_id": company.as_str(), "pages.page_id": page_id.as_str() },
                doc! { "_id": 0, "pages": { "$elemMatch": { "page_id": page_id.as_str() } } },
            )
            .await?;
        Ok(pages.into_iter().next())
    }

    #[tracing::instrument(name = "mongo.list_pages", skip_all, fields(company = %company))]
    async fn list_pages(&self, company: &CompanyId) -> StoreResult<Vec<Page>> {
        let mut pages = self
            .read_pages(
                doc! { "_id": company.as_str() },
                doc! { "_id": 0, "pages": 1 },
            )
            .await?;
        // The SQLite engine's order, so both engines list alike.
        pages.sort_by(|a, b| (a.created_at, &a.page_id).cmp(&(b.created_at, &b.page_id)));
        Ok(pages)
    }

    async fn all_pages(&self) -> StoreResult<Vec<Page>> {
        // Unscoped on purpose: only the background scheduler calls this.
        let companies: Vec<PagesOnly> = self
            .collection::<PagesOnly>(COMPANIES)
            .find(doc! {})
            .projection(doc! { "_id": 0, "pages": 1 })
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)?;
        let mut pages = companies
            .into_iter()
            .flat_map(|c| c.pages)
            .map(Page::try_from)
            .collect::<StoreResult<Vec<Page>>>()?;
        pages.sort_by(|a, b| (a.created_at, &a.page_id).cmp(&(b.created_at, &b.page_id)));
        Ok(pages)
    }

    #[tracing::instrument(
        name = "mongo.save_page",
        skip_all,
        fields(company = %page.company_id, page = %page.page_id, version = page.version)
    )]
    async fn save_page(&self, page: &Page) -> StoreResult<bool> {
        // `$elemMatch` makes the id and the version conditions hold for the same element, and
        // `pages.$` then names that element. `page_id`, `company_id` and `created_at` stay as
        // stored, as in the SQLite engine.
        let links = |links| bson_value(&links_to_records(links));
        let saved = self
            .companies()
            .update_one(
                doc! {
                    "_id": page.company_id.as_str(),
                    "pages": {
                        "$elemMatch": { "page_id": page.page_id.as_str(), "version": page.version }
                    },
                },
                doc! { "$set": {
                    "pages.$.page_name": &page.page_name,
                    "pages.$.access_token": page.access_token.as_stored(),
                    "pages.$.facebook_crm_links": links(&page.facebook_crm_links)?,
                    "pages.$.messenger_crm_links": links(&page.messenger_crm_links)?,
                    "pages.$.legacy_crm_links": links(&page.legacy_crm_links)?,
                    "pages.$.reply": bson_value(&page.reply)?,
                    "pages.$.updated_at": to_bson_date(page.updated_at),
                    "pages.$.version": page.version + 1,
                } },
            )
            .await
            .map_err(store_error)?;
        Ok(saved.matched_count == 1)
    }

    #[tracing::instrument(
        name = "mongo.delete_page",
        skip_all,
        fields(company = %company, page = %page_id)
    )]
    async fn delete_page(&self, company: &CompanyId, page_id: &PageId) -> StoreResult<bool> {
        let pulled = self
            .companies()
            .update_one(
                doc! { "_id": company.as_str(), "pages.page_id": page_id.as_str() },
                doc! { "$pull": { "pages": { "page_id": page_id.as_str() } } },
            )
            .await
            .map_err(store_error)?;
        Ok(pulled.modified_count > 0)
    }

    #[tracing::instrument(name = "mongo.find_page_owner", skip_all, fields(page = %page_id))]
    async fn find_page_owner(&self, page_id: &PageId) -> StoreResult<Option<CompanyId>> {
        #[derive(Deserialize)]
        struct Owner {
            #[serde(rename = "_id")]
            id: CompanyId,
        }
        // Unscoped on purpose: a webhook names only the page. It answers with the owner's id.
        let owner = self
            .collection::<Owner>(COMPANIES)
            .find_one(doc! { "pages.page_id": page_id.as_str() })
            .projection(doc! { "_id": 1 })
            .await
            .map_err(store_error)?;
        Ok(owner.map(|o| o.id))
    }

    #[tracing::instrument(name = "mongo.find_link_owner", skip_all, fields(link = %link_id))]
    async fn find_link_owner(&self, link_id: &LinkId) -> StoreResult<Option<(CompanyId, PageId)>> {
        #[derive(Deserialize)]
        struct Owner {
            #[serde(rename = "_id")]
            id: CompanyId,
            pages: Vec<OwnerPage>,
        }
        #[derive(Deserialize)]
        struct OwnerPage {
            page_id: PageId,
            #[serde(default)]
            facebook_crm_links: Vec<LinkIdOnly>,
            #[serde(default)]
            messenger_crm_links: Vec<LinkIdOnly>,
            #[serde(default)]
            legacy_crm_links: Vec<LinkIdOnly>,
        }
        #[derive(Deserialize)]
        struct LinkIdOnly {
            id: LinkId,
        }
        // Unscoped on purpose: a CRM's push names only the link. Only ids are read back.
        let link = link_id.as_str();
        let filter = doc! { "$or": [
            { "pages.facebook_crm_links.id": link },
            { "pages.messenger_crm_links.id": link },
            { "pages.legacy_crm_links.id": link },
        ] };
        let owner = self
            .collection::<Owner>(COMPANIES)
            .find_one(filter)
            .projection(doc! {
                "_id": 1,
                "pages.page_id": 1,
                "pages.facebook_crm_links.id": 1,
                "pages.messenger_crm_links.id": 1,
                "pages.legacy_crm_links.id": 1,
            })
            .await
            .map_err(store_error)?;
        Ok(owner.and_then(|o| {
            let page = o.pages.into_iter().find(|page| {
                page.facebook_crm_links
                    .iter()
                    .chain(&page.messenger_crm_links)
                    .chain(&page.legacy_crm_links)
                    .any(|l| &l.id == link_id)
            })?;
            Some((o.id, page.page_id))
        }))
    }
}

//! The Messenger pages' traits: the registered pages (and the webhook routing by page or
//! CRM link), and the CRM sync runs of their links.

use super::StoreResult;
use crate::domain::{CompanyId, LinkId, Page, PageId, SyncRun};
use async_trait::async_trait;

#[async_trait]
pub trait PageStore: Send + Sync {
    /// Fails with [`StoreError::Conflict`](super::StoreError::Conflict) when any company already registered the page.
    async fn insert_page(&self, page: &Page) -> StoreResult<()>;
    async fn get_page(&self, company: &CompanyId, page_id: &PageId) -> StoreResult<Option<Page>>;
    async fn list_pages(&self, company: &CompanyId) -> StoreResult<Vec<Page>>;
    /// Saves the whole page if its stored version is still `page.version`, and stores it with
    /// `page.version + 1`. Returns `false` (and changes nothing) when someone saved in between.
    async fn save_page(&self, page: &Page) -> StoreResult<bool>;
    async fn delete_page(&self, company: &CompanyId, page_id: &PageId) -> StoreResult<bool>;
    /// The company that registered `page_id`, for routing webhooks.
    async fn find_page_owner(&self, page_id: &PageId) -> StoreResult<Option<CompanyId>>;
    /// The company and page holding CRM link `link_id`, for routing a CRM's push to a
    /// webhook-type link (the push is authenticated by the link's own signing secret).
    async fn find_link_owner(&self, link_id: &LinkId) -> StoreResult<Option<(CompanyId, PageId)>>;
    /// Every page of every company, for the sync scheduler only: no request reaches it.
    async fn all_pages(&self) -> StoreResult<Vec<Page>>;
}

/// Which runs [`SyncRunStore::list_sync_runs`] returns: always one company.
#[derive(Debug, Clone)]
pub struct SyncRunQuery {
    pub company_id: CompanyId,
    pub page_id: Option<PageId>,
    pub link_id: Option<LinkId>,
    pub limit: u32,
}

#[async_trait]
pub trait SyncRunStore: Send + Sync {
    async fn insert_sync_run(&self, run: &SyncRun) -> StoreResult<()>;
    /// Runs newest first.
    async fn list_sync_runs(&self, query: &SyncRunQuery) -> StoreResult<Vec<SyncRun>>;
}

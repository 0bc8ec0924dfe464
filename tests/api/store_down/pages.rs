//! [`FlakyStore`](super::FlakyStore)'s pages' traits (pages, CRM sync runs), delegated to its
//! SQLite store.

use super::FlakyStore;
use async_trait::async_trait;
use crm_mind::domain::{CompanyId, LinkId, Page, PageId, SyncRun};
use crm_mind::store::*;

#[async_trait]
impl PageStore for FlakyStore {
    async fn insert_page(&self, p: &Page) -> StoreResult<()> {
        self.inner.insert_page(p).await
    }
    async fn get_page(&self, c: &CompanyId, p: &PageId) -> StoreResult<Option<Page>> {
        self.inner.get_page(c, p).await
    }
    async fn list_pages(&self, c: &CompanyId) -> StoreResult<Vec<Page>> {
        self.inner.list_pages(c).await
    }
    async fn save_page(&self, p: &Page) -> StoreResult<bool> {
        self.inner.save_page(p).await
    }
    async fn delete_page(&self, c: &CompanyId, p: &PageId) -> StoreResult<bool> {
        self.inner.delete_page(c, p).await
    }
    async fn find_page_owner(&self, p: &PageId) -> StoreResult<Option<CompanyId>> {
        self.inner.find_page_owner(p).await
    }
    async fn find_link_owner(&self, l: &LinkId) -> StoreResult<Option<(CompanyId, PageId)>> {
        self.inner.find_link_owner(l).await
    }
    async fn all_pages(&self) -> StoreResult<Vec<Page>> {
        self.inner.all_pages().await
    }
}

#[async_trait]
impl SyncRunStore for FlakyStore {
    async fn insert_sync_run(&self, run: &SyncRun) -> StoreResult<()> {
        self.inner.insert_sync_run(run).await
    }
    async fn list_sync_runs(&self, query: &SyncRunQuery) -> StoreResult<Vec<SyncRun>> {
        self.inner.list_sync_runs(query).await
    }
}

//! [`FlakyStore`](super::FlakyStore)'s records' traits (products, contacts, sales documents),
//! delegated to its SQLite store.

use super::FlakyStore;
use async_trait::async_trait;
use crm_mind::domain::CompanyId;
use crm_mind::records::contact::Contact;
use crm_mind::records::product::Product;
use crm_mind::records::sales_document::{SalesDocument, SalesDocumentQuery};
use crm_mind::records::{RecordPage, RecordQuery};
use crm_mind::store::*;

#[async_trait]
impl ProductStore for FlakyStore {
    async fn insert_product(&self, p: &Product) -> StoreResult<()> {
        self.inner.insert_product(p).await
    }
    async fn get_product(&self, c: &CompanyId, id: &str) -> StoreResult<Option<Product>> {
        self.inner.get_product(c, id).await
    }
    async fn list_products(
        &self,
        c: &CompanyId,
        q: &RecordQuery,
    ) -> StoreResult<RecordPage<Product>> {
        self.inner.list_products(c, q).await
    }
    async fn update_product(&self, p: &Product) -> StoreResult<bool> {
        self.inner.update_product(p).await
    }
    async fn delete_product(&self, c: &CompanyId, id: &str) -> StoreResult<bool> {
        self.inner.delete_product(c, id).await
    }
}

#[async_trait]
impl ContactStore for FlakyStore {
    async fn insert_contact(&self, p: &Contact) -> StoreResult<()> {
        self.inner.insert_contact(p).await
    }
    async fn get_contact(&self, c: &CompanyId, id: &str) -> StoreResult<Option<Contact>> {
        self.inner.get_contact(c, id).await
    }
    async fn list_contacts(
        &self,
        c: &CompanyId,
        q: &RecordQuery,
    ) -> StoreResult<RecordPage<Contact>> {
        self.inner.list_contacts(c, q).await
    }
    async fn update_contact(&self, p: &Contact) -> StoreResult<bool> {
        self.inner.update_contact(p).await
    }
    async fn delete_contact(&self, c: &CompanyId, id: &str) -> StoreResult<bool> {
        self.inner.delete_contact(c, id).await
    }
}

#[async_trait]
impl SalesDocumentStore for FlakyStore {
    async fn insert_sales_document(&self, d: &SalesDocument) -> StoreResult<()> {
        self.inner.insert_sales_document(d).await
    }
    async fn get_sales_document(
        &self,
        c: &CompanyId,
        id: &str,
    ) -> StoreResult<Option<SalesDocument>> {
        self.inner.get_sales_document(c, id).await
    }
    async fn list_sales_documents(
        &self,
        c: &CompanyId,
        q: &SalesDocumentQuery,
    ) -> StoreResult<RecordPage<SalesDocument>> {
        self.inner.list_sales_documents(c, q).await
    }
    async fn update_sales_document(&self, d: &SalesDocument) -> StoreResult<bool> {
        self.inner.update_sales_document(d).await
    }
    async fn delete_sales_document(&self, c: &CompanyId, id: &str) -> StoreResult<bool> {
        self.inner.delete_sales_document(c, id).await
    }
}

//! The company's own records' traits: products, contacts and sales documents.

use super::StoreResult;
use crate::domain::CompanyId;
use crate::records::contact::Contact;
use crate::records::product::Product;
use crate::records::sales_document::{SalesDocument, SalesDocumentQuery};
use crate::records::{RecordPage, RecordQuery};
use async_trait::async_trait;

/// `products`: the company's own catalogue; `(company_id, code)` is unique.
#[async_trait]
pub trait ProductStore: Send + Sync {
    /// Fails with [`StoreError::Conflict`](super::StoreError::Conflict) when the company has a product of that code.
    async fn insert_product(&self, product: &Product) -> StoreResult<()>;
    async fn get_product(&self, company: &CompanyId, id: &str) -> StoreResult<Option<Product>>;
    /// Ordered by code, then id; `total` counts every match.
    async fn list_products(
        &self,
        company: &CompanyId,
        query: &RecordQuery,
    ) -> StoreResult<RecordPage<Product>>;
    /// Saves the whole record by company and id (last write wins); `false` when there is
    /// none. [`StoreError::Conflict`](super::StoreError::Conflict) when another product of the company has the code.
    async fn update_product(&self, product: &Product) -> StoreResult<bool>;
    async fn delete_product(&self, company: &CompanyId, id: &str) -> StoreResult<bool>;
}

/// `contacts`: the company's customers and partners.
#[async_trait]
pub trait ContactStore: Send + Sync {
    async fn insert_contact(&self, contact: &Contact) -> StoreResult<()>;
    async fn get_contact(&self, company: &CompanyId, id: &str) -> StoreResult<Option<Contact>>;
    /// Ordered by name, then id; `total` counts every match.
    async fn list_contacts(
        &self,
        company: &CompanyId,
        query: &RecordQuery,
    ) -> StoreResult<RecordPage<Contact>>;
    /// Saves the whole record by company and id (last write wins); `false` when there is none.
    async fn update_contact(&self, contact: &Contact) -> StoreResult<bool>;
    async fn delete_contact(&self, company: &CompanyId, id: &str) -> StoreResult<bool>;
}

/// `sales_documents`: orders, offers and bills, each with its lines (stored with the
/// document); `(company_id, doc_type, number)` is unique when the number is given.
#[async_trait]
pub trait SalesDocumentStore: Send + Sync {
    /// Fails with [`StoreError::Conflict`](super::StoreError::Conflict) when the company has a document of that type and
    /// number.
    async fn insert_sales_document(&self, document: &SalesDocument) -> StoreResult<()>;
    async fn get_sales_document(
        &self,
        company: &CompanyId,
        id: &str,
    ) -> StoreResult<Option<SalesDocument>>;
    /// Newest first: by `doc_date` descending, then id descending (creation order);
    /// `total` counts every match.
    async fn list_sales_documents(
        &self,
        company: &CompanyId,
        query: &SalesDocumentQuery,
    ) -> StoreResult<RecordPage<SalesDocument>>;
    /// Saves the whole record by company and id (last write wins); `false` when there is
    /// none. [`StoreError::Conflict`](super::StoreError::Conflict) when another document of the company has the type and
    /// number.
    async fn update_sales_document(&self, document: &SalesDocument) -> StoreResult<bool>;
    async fn delete_sales_document(&self, company: &CompanyId, id: &str) -> StoreResult<bool>;
}

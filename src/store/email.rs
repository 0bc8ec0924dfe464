//! The email features' traits: received emails with their links and settings, and reply
//! templates.

use super::{InsertOutcome, StoreResult};
use crate::domain::CompanyId;
use crate::email::StoredEmail;
use crate::email::links::{ContactLink, DocumentLink};
use crate::email::templates::EmailTemplate;
use crate::records::RecordPage;
use async_trait::async_trait;

/// `emails` and their links to Metakocka (`email_metakocka_contact_mappings`,
/// `email_metakocka_document_mappings`): `(company_id, message_id)` is unique.
#[async_trait]
pub trait EmailStore: Send + Sync {
    /// Stores the email unless the company has one with its `message_id` (then `Duplicate`,
    /// and nothing changes).
    async fn insert_email(&self, email: &StoredEmail) -> StoreResult<InsertOutcome>;
    async fn get_email(&self, company: &CompanyId, id: &str) -> StoreResult<Option<StoredEmail>>;
    async fn find_email_by_message_id(
        &self,
        company: &CompanyId,
        message_id: &str,
    ) -> StoreResult<Option<StoredEmail>>;
    /// Newest received first (then by id); `total` counts all the company's emails.
    async fn list_emails(
        &self,
        company: &CompanyId,
        limit: u32,
        offset: u32,
    ) -> StoreResult<RecordPage<StoredEmail>>;
    /// Saves the whole record (its enrichment and drafts) by company and id; `false` when
    /// there is none.
    async fn update_email(&self, email: &StoredEmail) -> StoreResult<bool>;
    /// Replaces every link of the email with these.
    async fn replace_email_links(
        &self,
        company: &CompanyId,
        email_id: &str,
        contacts: &[ContactLink],
        documents: &[DocumentLink],
    ) -> StoreResult<()>;
    /// The emails linked to a partner (by Metakocka `mk_id`) or CRM contact (by id), newest
    /// first.
    async fn emails_of_contact(
        &self,
        company: &CompanyId,
        id: &str,
        limit: u32,
    ) -> StoreResult<Vec<StoredEmail>>;
    /// The emails linked to a document (by `mk_id` or `count_code`), newest first.
    async fn emails_of_document(
        &self,
        company: &CompanyId,
        id: &str,
        limit: u32,
    ) -> StoreResult<Vec<StoredEmail>>;
    /// The company's email settings (`email_settings`); `None` when never saved.
    async fn get_email_settings(
        &self,
        company: &CompanyId,
    ) -> StoreResult<Option<crate::email::settings::EmailSettings>>;
    /// Inserts or replaces the company's email settings.
    async fn put_email_settings(
        &self,
        settings: &crate::email::settings::EmailSettings,
    ) -> StoreResult<()>;
}

/// `email_templates`: the company's reply templates.
#[async_trait]
pub trait EmailTemplateStore: Send + Sync {
    async fn insert_email_template(&self, template: &EmailTemplate) -> StoreResult<()>;
    async fn get_email_template(
        &self,
        company: &CompanyId,
        id: &str,
    ) -> StoreResult<Option<EmailTemplate>>;
    /// Ordered by name, then language, then id.
    async fn list_email_templates(&self, company: &CompanyId) -> StoreResult<Vec<EmailTemplate>>;
    /// Saves the whole template by company and id; `false` when there is none.
    async fn update_email_template(&self, template: &EmailTemplate) -> StoreResult<bool>;
    async fn delete_email_template(&self, company: &CompanyId, id: &str) -> StoreResult<bool>;
}

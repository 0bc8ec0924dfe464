//! [`FlakyStore`](super::FlakyStore)'s email traits (emails, templates), delegated to its
//! SQLite store.

use super::FlakyStore;
use async_trait::async_trait;
use crm_mind::domain::CompanyId;
use crm_mind::email::StoredEmail;
use crm_mind::email::links::{ContactLink, DocumentLink};
use crm_mind::email::templates::EmailTemplate;
use crm_mind::records::RecordPage;
use crm_mind::store::*;

#[async_trait]
impl EmailStore for FlakyStore {
    async fn insert_email(&self, e: &StoredEmail) -> StoreResult<InsertOutcome> {
        self.inner.insert_email(e).await
    }
    async fn get_email(&self, c: &CompanyId, id: &str) -> StoreResult<Option<StoredEmail>> {
        self.inner.get_email(c, id).await
    }
    async fn find_email_by_message_id(
        &self,
        c: &CompanyId,
        m: &str,
    ) -> StoreResult<Option<StoredEmail>> {
        self.inner.find_email_by_message_id(c, m).await
    }
    async fn list_emails(
        &self,
        c: &CompanyId,
        limit: u32,
        offset: u32,
    ) -> StoreResult<RecordPage<StoredEmail>> {
        self.inner.list_emails(c, limit, offset).await
    }
    async fn update_email(&self, e: &StoredEmail) -> StoreResult<bool> {
        self.inner.update_email(e).await
    }
    async fn get_email_settings(
        &self,
        c: &CompanyId,
    ) -> StoreResult<Option<crm_mind::email::settings::EmailSettings>> {
        self.inner.get_email_settings(c).await
    }
    async fn put_email_settings(
        &self,
        s: &crm_mind::email::settings::EmailSettings,
    ) -> StoreResult<()> {
        self.inner.put_email_settings(s).await
    }
    async fn replace_email_links(
        &self,
        c: &CompanyId,
        id: &str,
        contacts: &[ContactLink],
        documents: &[DocumentLink],
    ) -> StoreResult<()> {
        self.inner
            .replace_email_links(c, id, contacts, documents)
            .await
    }
    async fn emails_of_contact(
        &self,
        c: &CompanyId,
        id: &str,
        limit: u32,
    ) -> StoreResult<Vec<StoredEmail>> {
        self.inner.emails_of_contact(c, id, limit).await
    }
    async fn emails_of_document(
        &self,
        c: &CompanyId,
        id: &str,
        limit: u32,
    ) -> StoreResult<Vec<StoredEmail>> {
        self.inner.emails_of_document(c, id, limit).await
    }
}

#[async_trait]
impl EmailTemplateStore for FlakyStore {
    async fn insert_email_template(&self, t: &EmailTemplate) -> StoreResult<()> {
        self.inner.insert_email_template(t).await
    }
    async fn get_email_template(
        &self,
        c: &CompanyId,
        id: &str,
    ) -> StoreResult<Option<EmailTemplate>> {
        self.inner.get_email_template(c, id).await
    }
    async fn list_email_templates(&self, c: &CompanyId) -> StoreResult<Vec<EmailTemplate>> {
        self.inner.list_email_templates(c).await
    }
    async fn update_email_template(&self, t: &EmailTemplate) -> StoreResult<bool> {
        self.inner.update_email_template(t).await
    }
    async fn delete_email_template(&self, c: &CompanyId, id: &str) -> StoreResult<bool> {
        self.inner.delete_email_template(c, id).await
    }
}

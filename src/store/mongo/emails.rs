//! `emails` and their Metakocka links in MongoDB. An email document holds the record
//! (`record`, read and written whole) beside the fields its indexes need; the unique
//! `(company_id, message_id)` index (migrations/mongo/0009_emails.json) stores an email once.

use super::MongoStore;
use super::errors::{is_duplicate_key, store_error};
use super::records::to_bson_date;
use crate::domain::CompanyId;
use crate::email::StoredEmail;
use crate::email::links::{ContactLink, DocumentLink};
use crate::records::RecordPage;
use crate::store::{EmailStore, InsertOutcome, StoreResult};
use async_trait::async_trait;
use futures::TryStreamExt;
use mongodb::bson::{self, Document, doc};
use serde::{Deserialize, Serialize};

const EMAILS: &str = "emails";
const CONTACT_LINKS: &str = "email_metakocka_contact_mappings";
const DOCUMENT_LINKS: &str = "email_metakocka_document_mappings";

/// A document of `emails`.
#[derive(Debug, Serialize, Deserialize)]
struct EmailRecord {
    #[serde(rename = "_id")]
    id: String,
    company_id: CompanyId,
    message_id: String,
    received_at: bson::DateTime,
    record: StoredEmail,
}

impl EmailRecord {
    fn new(email: &StoredEmail) -> Self {
        Self {
            id: email.id.clone(),
            company_id: email.company_id.clone(),
            message_id: email.message_id.clone(),
            received_at: to_bson_date(email.received_at),
            record: email.clone(),
        }
    }
}

/// A document of one of the link collections: the link and its company.
#[derive(Debug, Serialize, Deserialize)]
struct LinkRecord<T> {
    company_id: CompanyId,
    #[serde(flatten)]
    link: T,
}

impl MongoStore {
    async fn find_emails(
        &self,
        filter: Document,
        limit: Option<u32>,
        offset: u32,
    ) -> StoreResult<Vec<StoredEmail>> {
        let emails = self.collection::<EmailRecord>(EMAILS);
        let mut find = emails
            .find(filter)
            .sort(doc! { "received_at": -1, "_id": -1 })
            .skip(u64::from(offset));
        if let Some(limit) = limit {
            find = find.limit(i64::from(limit));
        }
        let records: Vec<EmailRecord> = find
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)?;
        Ok(records.into_iter().map(|r| r.record).collect())
    }

    /// The company's emails whose ids the links of `collection` matching `filter` name.
    async fn linked_emails(
        &self,
        company: &CompanyId,
        collection: &str,
        filter: Document,
        limit: u32,
    ) -> StoreResult<Vec<StoredEmail>> {
        let ids: Vec<String> = self
            .collection::<Document>(collection)
            .distinct("email_id", filter)
            .await
            .map_err(store_error)?
            .into_iter()
            .filter_map(|id| id.as_str().map(str::to_owned))
            .collect();
        let filter = doc! { "company_id": company.as_str(), "_id": { "$in": ids } };
        self.find_emails(filter, Some(limit), 0).await
    }
}

#[async_trait]
impl EmailStore for MongoStore {
    async fn insert_email(&self, email: &StoredEmail) -> StoreResult<InsertOutcome> {
        match self
            .collection::<EmailRecord>(EMAILS)
            .insert_one(EmailRecord::new(email))
            .await
        {
            Ok(_) => Ok(InsertOutcome::Inserted),
            Err(e) if is_duplicate_key(&e) => Ok(InsertOutcome::Duplicate),
            Err(e) => Err(store_error(e)),
        }
    }

    async fn get_email(&self, company: &CompanyId, id: &str) -> StoreResult<Option<StoredEmail>> {
        let filter = doc! { "company_id": company.as_str(), "_id": id };
        Ok(self.find_emails(filter, Some(1), 0).await?.pop())
    }

    async fn find_email_by_message_id(
        &self,
        company: &CompanyId,
        message_id: &str,
    ) -> StoreResult<Option<StoredEmail>> {
        let filter = doc! { "company_id": company.as_str(), "message_id": message_id };
        Ok(self.find_emails(filter, Some(1), 0).await?.pop())
    }

    async fn list_emails(
        &self,
        company: &CompanyId,
        limit: u32,
        offset: u32,
    ) -> StoreResult<RecordPage<StoredEmail>> {
        let filter = doc! { "company_id": company.as_str() };
        let total = self
            .collection::<EmailRecord>(EMAILS)
            .count_documents(filter.clone())
            .await
            .map_err(store_error)?;
        let items = self.find_emails(filter, Some(limit), offset).await?;
        Ok(RecordPage { items, total })
    }

    async fn update_email(&self, email: &StoredEmail) -> StoreResult<bool> {
        let replaced = self
            .collection::<EmailRecord>(EMAILS)
            .replace_one(
                doc! { "_id": email.id.as_str(), "company_id": email.company_id.as_str() },
                EmailRecord::new(email),
            )
            .await
            .map_err(store_error)?;
        Ok(replaced.matched_count > 0)
    }

    async fn replace_email_links(
        &self,
        company: &CompanyId,
        email_id: &str,
        contacts: &[ContactLink],
        documents: &[DocumentLink],
    ) -> StoreResult<()> {
        let of_email = doc! { "company_id": company.as_str(), "email_id": email_id };
        for collection in [CONTACT_LINKS, DOCUMENT_LINKS] {
            self.collection::<Document>(collection)
                .delete_many(of_email.clone())
                .await
                .map_err(store_error)?;
        }
        if !contacts.is_empty() {
            self.collection::<LinkRecord<ContactLink>>(CONTACT_LINKS)
                .insert_many(contacts.iter().cloned().map(|link| LinkRecord {
                    company_id: company.clone(),
                    link,
                }))
                .await
                .map_err(store_error)?;
        }
        if !documents.is_empty() {
            self.collection::<LinkRecord<DocumentLink>>(DOCUMENT_LINKS)
                .insert_many(documents.iter().cloned().map(|link| LinkRecord {
                    company_id: company.clone(),
                    link,
                }))
                .await
                .map_err(store_error)?;
        }
        Ok(())
    }

    async fn emails_of_contact(
        &self,
        company: &CompanyId,
        id: &str,
        limit: u32,
    ) -> StoreResult<Vec<StoredEmail>> {
        let filter = doc! {
            "company_id": company.as_str(),
            "$or": [{ "partner_mk_id": id }, { "contact_id": id }],
        };
        self.linked_emails(company, CONTACT_LINKS, filter, limit)
            .await
    }

    async fn emails_of_document(
        &self,
        company: &CompanyId,
        id: &str,
        limit: u32,
    ) -> StoreResult<Vec<StoredEmail>> {
        let filter = doc! {
            "company_id": company.as_str(),
            "$or": [{ "mk_id": id }, { "count_code": id }],
        };
        self.linked_emails(company, DOCUMENT_LINKS, filter, limit)
            .await
    }

    async fn get_email_settings(
        &self,
        company: &CompanyId,
    ) -> StoreResult<Option<crate::email::settings::EmailSettings>> {
        let found = self
            .collection::<SettingsRecord>(SETTINGS)
            .find_one(doc! { "_id": company.as_str() })
            .await
            .map_err(store_error)?;
        Ok(found.map(|r| r.settings))
    }

    async fn put_email_settings(
        &self,
        settings: &crate::email::settings::EmailSettings,
    ) -> StoreResult<()> {
        let record = SettingsRecord {
            id: settings.company_id.as_str().to_owned(),
            settings: settings.clone(),
        };
        self.collection::<SettingsRecord>(SETTINGS)
            .replace_one(doc! { "_id": settings.company_id.as_str() }, record)
            .upsert(true)
            .await
            .map(drop)
            .map_err(store_error)
    }
}

/// `email_settings`: one document per company, `_id` its id.
const SETTINGS: &str = "email_settings";

#[derive(Debug, Serialize, Deserialize)]
struct SettingsRecord {
    #[serde(rename = "_id")]
    id: String,
    #[serde(flatten)]
    settings: crate::email::settings::EmailSettings,
}

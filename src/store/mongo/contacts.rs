//! `contacts` in MongoDB: one document per contact, `_id` its uuid; the text filter
//! matches a `search` field (name and email) lower-cased in Rust, as the SQLite engine does.

use super::MongoStore;
use super::errors::store_error;
use super::products::list_page;
use super::records::{from_bson_date, to_bson_date};
use crate::domain::{CompanyId, Email};
use crate::records::contact::{Contact, ContactKind};
use crate::records::{RecordPage, RecordQuery};
use crate::store::{ContactStore, StoreError, StoreResult};
use async_trait::async_trait;
use mongodb::bson::{self, doc};
use serde::{Deserialize, Serialize};

const CONTACTS: &str = "contacts";

#[async_trait]
impl ContactStore for MongoStore {
    async fn insert_contact(&self, contact: &Contact) -> StoreResult<()> {
        self.collection::<ContactRecord>(CONTACTS)
            .insert_one(ContactRecord::new(contact))
            .await
            .map(|_| ())
            .map_err(store_error)
    }

    async fn get_contact(&self, company: &CompanyId, id: &str) -> StoreResult<Option<Contact>> {
        self.collection::<ContactRecord>(CONTACTS)
            .find_one(doc! { "_id": id, "company_id": company.as_str() })
            .await
            .map_err(store_error)?
            .map(ContactRecord::into_contact)
            .transpose()
    }

    async fn list_contacts(
        &self,
        company: &CompanyId,
        query: &RecordQuery,
    ) -> StoreResult<RecordPage<Contact>> {
        list_page(
            self.collection::<ContactRecord>(CONTACTS),
            company,
            query,
            doc! { "name": 1, "_id": 1 },
            ContactRecord::into_contact,
        )
        .await
    }

    async fn update_contact(&self, contact: &Contact) -> StoreResult<bool> {
        let replaced = self
            .collection::<ContactRecord>(CONTACTS)
            .replace_one(
                doc! { "_id": contact.id.as_str(), "company_id": contact.company_id.as_str() },
                ContactRecord::new(contact),
            )
            .await
            .map_err(store_error)?;
        Ok(replaced.matched_count > 0)
    }

    async fn delete_contact(&self, company: &CompanyId, id: &str) -> StoreResult<bool> {
        let deleted = self
            .collection::<ContactRecord>(CONTACTS)
            .delete_one(doc! { "_id": id, "company_id": company.as_str() })
            .await
            .map_err(store_error)?;
        Ok(deleted.deleted_count > 0)
    }
}

/// A document of `contacts`.
#[derive(Debug, Serialize, Deserialize)]
struct ContactRecord {
    #[serde(rename = "_id")]
    id: String,
    company_id: CompanyId,
    name: String,
    email: Option<String>,
    phone: Option<String>,
    street: Option<String>,
    post_number: Option<String>,
    city: Option<String>,
    country: Option<String>,
    vat_id: Option<String>,
    kind: ContactKind,
    created_at: bson::DateTime,
    updated_at: bson::DateTime,
    search: String,
}

impl ContactRecord {
    fn new(c: &Contact) -> Self {
        let email = c.email.as_ref().map(|e| e.as_str().to_owned());
        Self {
            search: format!("{}\u{1f}{}", c.name, email.as_deref().unwrap_or_default())
                .to_lowercase(),
            id: c.id.clone(),
            company_id: c.company_id.clone(),
            name: c.name.clone(),
            email,
            phone: c.phone.clone(),
            street: c.street.clone(),
            post_number: c.post_number.clone(),
            city: c.city.clone(),
            country: c.country.clone(),
            vat_id: c.vat_id.clone(),
            kind: c.kind,
            created_at: to_bson_date(c.created_at),
            updated_at: to_bson_date(c.updated_at),
        }
    }

    fn into_contact(self) -> StoreResult<Contact> {
        let email = self
            .email
            .map(|e| {
                Email::parse(&e)
                    .map_err(|_| StoreError::Corrupt("a contact email is not valid".into()))
            })
            .transpose()?;
        Ok(Contact {
            email,
            created_at: from_bson_date(self.created_at)?,
            updated_at: from_bson_date(self.updated_at)?,
            id: self.id,
            company_id: self.company_id,
            name: self.name,
            phone: self.phone,
            street: self.street,
            post_number: self.post_number,
            city: self.city,
            country: self.country,
            vat_id: self.vat_id,
            kind: self.kind,
        })
    }
}

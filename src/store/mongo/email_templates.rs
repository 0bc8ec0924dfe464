//! `email_templates` in MongoDB: one document per template, `_id` its uuid.

use super::MongoStore;
use super::errors::store_error;
use super::records::{from_bson_date, to_bson_date};
use crate::domain::CompanyId;
use crate::email::language::Language;
use crate::email::templates::EmailTemplate;
use crate::store::{EmailTemplateStore, StoreResult};
use async_trait::async_trait;
use futures::TryStreamExt;
use mongodb::bson::{self, doc};
use serde::{Deserialize, Serialize};

const TEMPLATES: &str = "email_templates";

#[derive(Debug, Serialize, Deserialize)]
struct TemplateRecord {
    #[serde(rename = "_id")]
    id: String,
    company_id: CompanyId,
    name: String,
    language: Language,
    subject: String,
    body: String,
    created_at: bson::DateTime,
    updated_at: bson::DateTime,
}

impl TemplateRecord {
    fn new(t: &EmailTemplate) -> Self {
        Self {
            id: t.id.clone(),
            company_id: t.company_id.clone(),
            name: t.name.clone(),
            language: t.language,
            subject: t.subject.clone(),
            body: t.body.clone(),
            created_at: to_bson_date(t.created_at),
            updated_at: to_bson_date(t.updated_at),
        }
    }

    fn into_template(self) -> StoreResult<EmailTemplate> {
        Ok(EmailTemplate {
            created_at: from_bson_date(self.created_at)?,
            updated_at: from_bson_date(self.updated_at)?,
            id: self.id,
            company_id: self.company_id,
            name: self.name,
            language: self.language,
            subject: self.subject,
            body: self.body,
        })
    }
}

#[async_trait]
impl EmailTemplateStore for MongoStore {
    async fn insert_email_template(&self, template: &EmailTemplate) -> StoreResult<()> {
        self.collection::<TemplateRecord>(TEMPLATES)
            .insert_one(TemplateRecord::new(template))
            .await
            .map(drop)
            .map_err(store_error)
    }

    async fn get_email_template(
        &self,
        company: &CompanyId,
        id: &str,
    ) -> StoreResult<Option<EmailTemplate>> {
        self.collection::<TemplateRecord>(TEMPLATES)
            .find_one(doc! { "_id": id, "company_id": company.as_str() })
            .await
            .map_err(store_error)?
            .map(TemplateRecord::into_template)
            .transpose()
    }

    async fn list_email_templates(&self, company: &CompanyId) -> StoreResult<Vec<EmailTemplate>> {
        let records: Vec<TemplateRecord> = self
            .collection::<TemplateRecord>(TEMPLATES)
            .find(doc! { "company_id": company.as_str() })
            .sort(doc! { "name": 1, "language": 1, "_id": 1 })
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)?;
        records
            .into_iter()
            .map(TemplateRecord::into_template)
            .collect()
    }

    async fn update_email_template(&self, template: &EmailTemplate) -> StoreResult<bool> {
        let replaced = self
            .collection::<TemplateRecord>(TEMPLATES)
            .replace_one(
                doc! { "_id": template.id.as_str(), "company_id": template.company_id.as_str() },
                TemplateRecord::new(template),
            )
            .await
            .map_err(store_error)?;
        Ok(replaced.matched_count > 0)
    }

    async fn delete_email_template(&self, company: &CompanyId, id: &str) -> StoreResult<bool> {
        let deleted = self
            .collection::<TemplateRecord>(TEMPLATES)
            .delete_one(doc! { "_id": id, "company_id": company.as_str() })
            .await
            .map_err(store_error)?;
        Ok(deleted.deleted_count > 0)
    }
}

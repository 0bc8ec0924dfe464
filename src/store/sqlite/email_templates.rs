//! `email_templates` in SQLite.

use super::{SqliteStore, corrupt, from_millis, millis, unavailable};
use crate::domain::CompanyId;
use crate::email::language::Language;
use crate::email::templates::EmailTemplate;
use crate::store::{EmailTemplateStore, StoreResult};
use async_trait::async_trait;
use rusqlite::{Row, params};

const COLUMNS: &str = "id, company_id, name, language, subject, body, created_at, updated_at";

fn read_template(row: &Row<'_>) -> rusqlite::Result<StoreResult<EmailTemplate>> {
    let language: String = row.get(3)?;
    let (created_at, updated_at): (i64, i64) = (row.get(6)?, row.get(7)?);
    let (id, company, name, subject, body): (String, String, String, String, String) = (
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(4)?,
        row.get(5)?,
    );
    Ok((|| {
        Ok(EmailTemplate {
            id,
            company_id: CompanyId::from(company),
            name,
            language: Language::parse(&language)
                .ok_or_else(|| corrupt(format!("unknown template language {language:?}")))?,
            subject,
            body,
            created_at: from_millis(created_at)?,
            updated_at: from_millis(updated_at)?,
        })
    })())
}

#[async_trait]
impl EmailTemplateStore for SqliteStore {
    async fn insert_email_template(&self, template: &EmailTemplate) -> StoreResult<()> {
        let t = template.clone();
        self.writer
            .write(move |conn| {
                conn.execute(
                    &format!("INSERT INTO email_templates ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
                    params![
                        t.id,
                        t.company_id.as_str(),
                        t.name,
                        t.language.as_str(),
                        t.subject,
                        t.body,
                        millis(t.created_at),
                        millis(t.updated_at)
                    ],
                )
                .map(|_| ())
                .map_err(unavailable)
            })
            .await
    }

    async fn get_email_template(
        &self,
        company: &CompanyId,
        id: &str,
    ) -> StoreResult<Option<EmailTemplate>> {
        let (company, id) = (company.clone(), id.to_owned());
        self.read(move |conn| {
            let mut select = conn
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM email_templates WHERE company_id = ?1 AND id = ?2"
                ))
                .map_err(unavailable)?;
            let mut rows = select
                .query_map(params![company.as_str(), id], read_template)
                .map_err(unavailable)?;
            rows.next().transpose().map_err(unavailable)?.transpose()
        })
        .await
    }

    async fn list_email_templates(&self, company: &CompanyId) -> StoreResult<Vec<EmailTemplate>> {
        let company = company.clone();
        self.read(move |conn| {
            let mut select = conn
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM email_templates WHERE company_id = ?1
                     ORDER BY name, language, id"
                ))
                .map_err(unavailable)?;
            let rows = select
                .query_map(params![company.as_str()], read_template)
                .map_err(unavailable)?;
            let mut templates = Vec::new();
            for row in rows {
                templates.push(row.map_err(unavailable)??);
            }
            Ok(templates)
        })
        .await
    }

    async fn update_email_template(&self, template: &EmailTemplate) -> StoreResult<bool> {
        let t = template.clone();
        self.writer
            .write(move |conn| {
                conn.execute(
                    "UPDATE email_templates SET name = ?3, language = ?4, subject = ?5, body = ?6,
                         updated_at = ?7
                     WHERE company_id = ?1 AND id = ?2",
                    params![
                        t.company_id.as_str(),
                        t.id,
                        t.name,
                        t.language.as_str(),
                        t.subject,
                        t.body,
                        millis(t.updated_at)
                    ],
                )
                .map(|changed| changed > 0)
                .map_err(unavailable)
            })
            .await
    }

    async fn delete_email_template(&self, company: &CompanyId, id: &str) -> StoreResult<bool> {
        let (company, id) = (company.clone(), id.to_owned());
        self.writer
            .write(move |conn| {
                conn.execute(
                    "DELETE FROM email_templates WHERE company_id = ?1 AND id = ?2",
                    params![company.as_str(), id],
                )
                .map(|changed| changed > 0)
                .map_err(unavailable)
            })
            .await
    }
}

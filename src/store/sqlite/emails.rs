//! `emails` and their Metakocka links in SQLite. The email is one JSON record (read and
//! written whole); `company_id`, `message_id` and `received_at` sit beside it for the unique
//! key and the list order.

use super::{SqliteStore, corrupt, millis, unavailable};
use crate::domain::CompanyId;
use crate::email::StoredEmail;
use crate::email::links::{ContactLink, DocumentLink};
use crate::records::RecordPage;
use crate::store::{EmailStore, InsertOutcome, StoreResult};
use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, params};

fn to_json(email: &StoredEmail) -> StoreResult<String> {
    serde_json::to_string(email).map_err(|e| corrupt(format!("an email does not encode: {e}")))
}

fn from_json(text: &str) -> StoreResult<StoredEmail> {
    serde_json::from_str(text).map_err(|e| corrupt(format!("a stored email does not decode: {e}")))
}

/// The emails of `sql` (which selects `record` with `?1` the company), decoded.
fn emails_where(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> StoreResult<Vec<StoredEmail>> {
    let mut select = conn.prepare_cached(sql).map_err(unavailable)?;
    let rows = select
        .query_map(params, |row| row.get::<_, String>(0))
        .map_err(unavailable)?;
    let mut emails = Vec::new();
    for row in rows {
        emails.push(from_json(&row.map_err(unavailable)?)?);
    }
    Ok(emails)
}

#[async_trait]
impl EmailStore for SqliteStore {
    async fn insert_email(&self, email: &StoredEmail) -> StoreResult<InsertOutcome> {
        let (record, e) = (to_json(email)?, email.clone());
        self.writer
            .write(move |conn| {
                let inserted = conn
                    .execute(
                        "INSERT INTO emails (id, company_id, message_id, received_at, record)
                         VALUES (?1, ?2, ?3, ?4, ?5)
                         ON CONFLICT (company_id, message_id) DO NOTHING",
                        params![
                            e.id,
                            e.company_id.as_str(),
                            e.message_id,
                            millis(e.received_at),
                            record
                        ],
                    )
                    .map_err(unavailable)?;
                Ok(match inserted {
                    0 => InsertOutcome::Duplicate,
                    _ => InsertOutcome::Inserted,
                })
            })
            .await
    }

    async fn get_email(&self, company: &CompanyId, id: &str) -> StoreResult<Option<StoredEmail>> {
        let (company, id) = (company.clone(), id.to_owned());
        self.read(move |conn| {
            let sql = "SELECT record FROM emails WHERE company_id = ?1 AND id = ?2";
            Ok(emails_where(conn, sql, params![company.as_str(), id])?.pop())
        })
        .await
    }

    async fn find_email_by_message_id(
        &self,
        company: &CompanyId,
        message_id: &str,
    ) -> StoreResult<Option<StoredEmail>> {
        let (company, message_id) = (company.clone(), message_id.to_owned());
        self.read(move |conn| {
            let sql = "SELECT record FROM emails WHERE company_id = ?1 AND message_id = ?2";
            Ok(emails_where(conn, sql, params![company.as_str(), message_id])?.pop())
        })
        .await
    }

    async fn list_emails(
        &self,
        company: &CompanyId,
        limit: u32,
        offset: u32,
    ) -> StoreResult<RecordPage<StoredEmail>> {
        let company = company.clone();
        self.read(move |conn| {
            let tx = conn.unchecked_transaction().map_err(unavailable)?;
            let total: i64 = tx
                .query_row(
                    "SELECT COUNT(*) FROM emails WHERE company_id = ?1",
                    params![company.as_str()],
                    |row| row.get(0),
                )
                .map_err(unavailable)?;
            let items = emails_where(
                &tx,
                "SELECT record FROM emails WHERE company_id = ?1
                 ORDER BY received_at DESC, id DESC LIMIT ?2 OFFSET ?3",
                params![company.as_str(), limit, offset],
            )?;
            Ok(RecordPage {
                items,
                total: u64::try_from(total).unwrap_or_default(),
            })
        })
        .await
    }

    async fn update_email(&self, email: &StoredEmail) -> StoreResult<bool> {
        let (record, e) = (to_json(email)?, email.clone());
        self.writer
            .write(move |conn| {
                conn.execute(
                    "UPDATE emails SET record = ?3, received_at = ?4
                     WHERE company_id = ?1 AND id = ?2",
                    params![e.company_id.as_str(), e.id, record, millis(e.received_at)],
                )
                .map(|changed| changed > 0)
                .map_err(unavailable)
            })
            .await
    }

    async fn replace_email_links(
        &self,
        company: &CompanyId,
        email_id: &str,
        contacts: &[ContactLink],
        documents: &[DocumentLink],
    ) -> StoreResult<()> {
        let (company, email_id) = (company.clone(), email_id.to_owned());
        let (contacts, documents) = (contacts.to_vec(), documents.to_vec());
        self.writer
            .write(move |conn| {
                let c = company.as_str();
                for table in [
                    "email_metakocka_contact_mappings",
                    "email_metakocka_document_mappings",
                ] {
                    conn.execute(
                        &format!("DELETE FROM {table} WHERE company_id = ?1 AND email_id = ?2"),
                        params![c, email_id],
                    )
                    .map_err(unavailable)?;
                }
                for link in &contacts {
                    conn.execute(
                        "INSERT INTO email_metakocka_contact_mappings
                         (company_id, email_id, partner_mk_id, contact_id, reason, confidence)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        params![
                            c,
                            email_id,
                            link.partner_mk_id,
                            link.contact_id,
                            link.reason,
                            f64::from(link.confidence)
                        ],
                    )
                    .map_err(unavailable)?;
                }
                for link in &documents {
                    conn.execute(
                        "INSERT INTO email_metakocka_document_mappings
                         (company_id, email_id, doc_type, mk_id, count_code, reason, confidence)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                        params![
                            c,
                            email_id,
                            link.doc_type,
                            link.mk_id,
                            link.count_code,
                            link.reason,
                            f64::from(link.confidence)
                        ],
                    )
                    .map_err(unavailable)?;
                }
                Ok(())
            })
            .await
    }

    async fn emails_of_contact(
        &self,
        company: &CompanyId,
        id: &str,
        limit: u32,
    ) -> StoreResult<Vec<StoredEmail>> {
        let (company, id) = (company.clone(), id.to_owned());
        self.read(move |conn| {
            emails_where(
                conn,
                "SELECT record FROM emails e WHERE e.company_id = ?1 AND EXISTS (
                     SELECT 1 FROM email_metakocka_contact_mappings m
                     WHERE m.company_id = ?1 AND m.email_id = e.id
                       AND (m.partner_mk_id = ?2 OR m.contact_id = ?2))
                 ORDER BY e.received_at DESC, e.id DESC LIMIT ?3",
                params![company.as_str(), id, limit],
            )
        })
        .await
    }

    async fn emails_of_document(
        &self,
        company: &CompanyId,
        id: &str,
        limit: u32,
    ) -> StoreResult<Vec<StoredEmail>> {
        let (company, id) = (company.clone(), id.to_owned());
        self.read(move |conn| {
            emails_where(
                conn,
                "SELECT record FROM emails e WHERE e.company_id = ?1 AND EXISTS (
                     SELECT 1 FROM email_metakocka_document_mappings m
                     WHERE m.company_id = ?1 AND m.email_id = e.id
                       AND (m.mk_id = ?2 OR m.count_code = ?2))
                 ORDER BY e.received_at DESC, e.id DESC LIMIT ?3",
                params![company.as_str(), id, limit],
            )
        })
        .await
    }

    async fn get_email_settings(
        &self,
        company: &CompanyId,
    ) -> StoreResult<Option<crate::email::settings::EmailSettings>> {
        let company = company.clone();
        self.read(move |conn| {
            let record: Option<String> = conn
                .query_row(
                    "SELECT record FROM email_settings WHERE company_id = ?1",
                    params![company.as_str()],
                    |row| row.get(0),
                )
                .optional()
                .map_err(unavailable)?;
            record
                .map(|text| {
                    serde_json::from_str(&text)
                        .map_err(|e| corrupt(format!("stored email settings do not decode: {e}")))
                })
                .transpose()
        })
        .await
    }

    async fn put_email_settings(
        &self,
        settings: &crate::email::settings::EmailSettings,
    ) -> StoreResult<()> {
        let record = serde_json::to_string(settings)
            .map_err(|e| corrupt(format!("email settings do not encode: {e}")))?;
        let company = settings.company_id.clone();
        self.writer
            .write(move |conn| {
                conn.execute(
                    "INSERT INTO email_settings (company_id, record) VALUES (?1, ?2)
                     ON CONFLICT (company_id) DO UPDATE SET record = excluded.record",
                    params![company.as_str(), record],
                )
                .map(drop)
                .map_err(unavailable)
            })
            .await
    }
}

//! `contacts` in SQLite. The text filter compares with a lower-cased `search` column
//! (name and email) written from Rust, as for products.

use super::records_table::RecordTable;
use super::{SqliteStore, corrupt, from_millis, millis, unavailable};
use crate::domain::{CompanyId, Email};
use crate::records::contact::{Contact, ContactKind};
use crate::records::{RecordPage, RecordQuery};
use crate::store::{ContactStore, StoreResult};
use async_trait::async_trait;
use rusqlite::{Row, params};

const COLUMNS: &str = "id, company_id, name, email, phone, street, post_number, city, country,
     vat_id, kind, created_at, updated_at";
const TABLE: RecordTable<Contact> = RecordTable {
    name: "contacts",
    columns: COLUMNS,
    order_by: "name, id",
    read: read_contact,
};

/// What the text filter searches: the name and the email, lower-cased.
fn contact_search(contact: &Contact) -> String {
    let email = contact
        .email
        .as_ref()
        .map(Email::as_str)
        .unwrap_or_default();
    format!("{}\u{1f}{email}", contact.name).to_lowercase()
}

#[async_trait]
impl ContactStore for SqliteStore {
    async fn insert_contact(&self, contact: &Contact) -> StoreResult<()> {
        let c = contact.clone();
        self.writer
            .write(move |conn| {
                conn.execute(
                    &format!(
                        "INSERT INTO contacts ({COLUMNS}, search)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
                    ),
                    params![
                        c.id,
                        c.company_id.as_str(),
                        c.name,
                        c.email.as_ref().map(Email::as_str),
                        c.phone,
                        c.street,
                        c.post_number,
                        c.city,
                        c.country,
                        c.vat_id,
                        c.kind.as_str(),
                        millis(c.created_at),
                        millis(c.updated_at),
                        contact_search(&c),
                    ],
                )
                .map(|_| ())
                .map_err(unavailable)
            })
            .await
    }

    async fn get_contact(&self, company: &CompanyId, id: &str) -> StoreResult<Option<Contact>> {
        let (company, id) = (company.clone(), id.to_owned());
        self.read(move |conn| TABLE.get(conn, &company, &id)).await
    }

    async fn list_contacts(
        &self,
        company: &CompanyId,
        query: &RecordQuery,
    ) -> StoreResult<RecordPage<Contact>> {
        let (company, query) = (company.clone(), query.clone());
        self.read(move |conn| TABLE.list(conn, &company, &query))
            .await
    }

    async fn update_contact(&self, contact: &Contact) -> StoreResult<bool> {
        let c = contact.clone();
        self.writer
            .write(move |conn| {
                conn.execute(
                    "UPDATE contacts SET name = ?3, email = ?4, phone = ?5, street = ?6,
                         post_number = ?7, city = ?8, country = ?9, vat_id = ?10, kind = ?11,
                         created_at = ?12, updated_at = ?13, search = ?14
                     WHERE company_id = ?1 AND id = ?2",
                    params![
                        c.company_id.as_str(),
                        c.id,
                        c.name,
                        c.email.as_ref().map(Email::as_str),
                        c.phone,
                        c.street,
                        c.post_number,
                        c.city,
                        c.country,
                        c.vat_id,
                        c.kind.as_str(),
                        millis(c.created_at),
                        millis(c.updated_at),
                        contact_search(&c),
                    ],
                )
                .map(|changed| changed > 0)
                .map_err(unavailable)
            })
            .await
    }

    async fn delete_contact(&self, company: &CompanyId, id: &str) -> StoreResult<bool> {
        let (company, id) = (company.clone(), id.to_owned());
        self.writer
            .write(move |conn| TABLE.delete(conn, &company, &id))
            .await
    }
}

/// A row as a contact; the outer error is SQLite's, the inner one corrupt stored text.
fn read_contact(row: &Row<'_>) -> rusqlite::Result<StoreResult<Contact>> {
    let id: String = row.get(0)?;
    let company: String = row.get(1)?;
    let name: String = row.get(2)?;
    let email: Option<String> = row.get(3)?;
    let phone: Option<String> = row.get(4)?;
    let street: Option<String> = row.get(5)?;
    let post_number: Option<String> = row.get(6)?;
    let city: Option<String> = row.get(7)?;
    let country: Option<String> = row.get(8)?;
    let vat_id: Option<String> = row.get(9)?;
    let kind: String = row.get(10)?;
    let (created_at, updated_at): (i64, i64) = (row.get(11)?, row.get(12)?);
    Ok((|| {
        Ok(Contact {
            id,
            company_id: CompanyId::from(company),
            name,
            email: email
                .map(|e| Email::parse(&e).map_err(|_| corrupt("a contact email is not valid")))
                .transpose()?,
            phone,
            street,
            post_number,
            city,
            country,
            vat_id,
            kind: ContactKind::parse(&kind)
                .map_err(|_| corrupt(format!("contact kind {kind:?} is unknown")))?,
            created_at: from_millis(created_at)?,
            updated_at: from_millis(updated_at)?,
        })
    })())
}

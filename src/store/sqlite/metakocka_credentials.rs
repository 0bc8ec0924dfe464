//! `metakocka_credentials` in SQLite: one row per (company, owner), the key as sealed text.

use super::{SqliteStore, corrupt, from_millis, millis, unavailable};
use crate::domain::{CompanyId, Sealed, UserId};
use crate::metakocka::credentials::{CredentialOwner, StoredCredentials};
use crate::store::{MetakockaCredentialStore, StoreResult};
use async_trait::async_trait;
use rusqlite::{OptionalExtension, Row, params};

#[async_trait]
impl MetakockaCredentialStore for SqliteStore {
    async fn put_metakocka_credentials(&self, credentials: &StoredCredentials) -> StoreResult<()> {
        let c = credentials.clone();
        self.writer
            .write(move |conn| {
                conn.prepare_cached(
                    "INSERT INTO metakocka_credentials (company_id, owner, user_id, mk_company_id,
                         secret_key, created_by, created_at, updated_by, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                     ON CONFLICT (company_id, owner) DO UPDATE SET
                         mk_company_id = excluded.mk_company_id,
                         secret_key = excluded.secret_key,
                         updated_by = excluded.updated_by,
                         updated_at = excluded.updated_at",
                )
                .and_then(|mut stmt| {
                    stmt.execute(params![
                        c.company_id.as_str(),
                        c.owner.key(),
                        c.owner.user_id().map(UserId::as_str),
                        c.mk_company_id,
                        c.secret_key.as_stored(),
                        c.created_by.as_str(),
                        millis(c.created_at),
                        c.updated_by.as_str(),
                        millis(c.updated_at),
                    ])
                })
                .map(|_| ())
                .map_err(unavailable)
            })
            .await
    }

    async fn get_metakocka_credentials(
        &self,
        company: &CompanyId,
        owner: &CredentialOwner,
    ) -> StoreResult<Option<StoredCredentials>> {
        let (company, owner) = (company.clone(), owner.clone());
        self.read(move |conn| {
            let row = conn
                .prepare_cached(
                    "SELECT mk_company_id, secret_key, created_by, created_at, updated_by, updated_at
                     FROM metakocka_credentials WHERE company_id = ?1 AND owner = ?2",
                )
                .and_then(|mut stmt| {
                    stmt.query_row(params![company.as_str(), owner.key()], Columns::read)
                        .optional()
                })
                .map_err(unavailable)?;
            row.map(|columns| columns.into_record(company, owner))
                .transpose()
        })
        .await
    }

    async fn delete_metakocka_credentials(
        &self,
        company: &CompanyId,
        owner: &CredentialOwner,
    ) -> StoreResult<bool> {
        let (company, owner) = (company.clone(), owner.clone());
        self.writer
            .write(move |conn| {
                conn.execute(
                    "DELETE FROM metakocka_credentials WHERE company_id = ?1 AND owner = ?2",
                    params![company.as_str(), owner.key()],
                )
                .map(|deleted| deleted > 0)
                .map_err(unavailable)
            })
            .await
    }
}

/// The columns of one row, before their times are checked.
struct Columns {
    mk_company_id: String,
    secret_key: String,
    created_by: String,
    created_at: i64,
    updated_by: String,
    updated_at: i64,
}

impl Columns {
    fn read(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            mk_company_id: row.get(0)?,
            secret_key: row.get(1)?,
            created_by: row.get(2)?,
            created_at: row.get(3)?,
            updated_by: row.get(4)?,
            updated_at: row.get(5)?,
        })
    }

    fn into_record(
        self,
        company: CompanyId,
        owner: CredentialOwner,
    ) -> StoreResult<StoredCredentials> {
        if self.secret_key.is_empty() {
            return Err(corrupt("a Metakocka credentials row has no secret key"));
        }
        Ok(StoredCredentials {
            company_id: company,
            owner,
            mk_company_id: self.mk_company_id,
            secret_key: Sealed::from_stored(self.secret_key),
            created_by: UserId::from(self.created_by),
            created_at: from_millis(self.created_at)?,
            updated_by: UserId::from(self.updated_by),
            updated_at: from_millis(self.updated_at)?,
        })
    }
}

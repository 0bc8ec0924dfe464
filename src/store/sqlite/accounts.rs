//! Companies, users and sessions in SQLite.

use super::{SqliteStore, corrupt, from_millis, is_unique_violation, millis, unavailable};
use crate::domain::{Company, CompanyId, Email, Role, Session, User};
use crate::store::{CompanyStore, SessionStore, StoreError, StoreResult, UserStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};

#[async_trait]
impl CompanyStore for SqliteStore {
    async fn insert_company(&self, company: &Company) -> StoreResult<()> {
        let company = company.clone();
        self.writer
            .write(move |conn| {
                conn.execute(
                    "INSERT INTO companies (id, name, created_at) VALUES (?1, ?2, ?3)",
                    params![
                        company.id.as_str(),
                        company.name,
                        millis(company.created_at)
                    ],
                )
                .map_err(|e| conflict_or_unavailable(e, "the company exists"))?;
                Ok(())
            })
            .await
    }

    async fn get_company(&self, id: &CompanyId) -> StoreResult<Option<Company>> {
        let id = id.clone();
        self.read(move |conn| {
            conn.query_row(
                "SELECT id, name, created_at FROM companies WHERE id = ?1",
                [id.as_str()],
                |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, i64>(2)?,
                    ))
                },
            )
            .optional()
            .map_err(unavailable)?
            .map(|(id, name, created_at)| {
                Ok(Company {
                    id: id.into(),
                    name,
                    created_at: from_millis(created_at)?,
                })
            })
            .transpose()
        })
        .await
    }
}

#[async_trait]
impl UserStore for SqliteStore {
    async fn insert_user(&self, user: &User) -> StoreResult<()> {
        let user = user.clone();
        self.writer
            .write(move |conn| {
                conn.execute(
                    "INSERT INTO users (id, company_id, email, password_hash, role, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![
                        user.id.as_str(),
                        user.company_id.as_str(),
                        user.email.as_str(),
                        user.password_hash,
                        user.role.as_str(),
                        millis(user.created_at)
                    ],
                )
                .map_err(|e| conflict_or_unavailable(e, "a user with this email exists"))?;
                Ok(())
            })
            .await
    }

    async fn find_user_by_email(&self, email: &Email) -> StoreResult<Option<User>> {
        let email = email.clone();
        self.read(move |conn| {
            let row = conn
                .query_row(
                    "SELECT id, company_id, email, password_hash, role, created_at
                     FROM users WHERE email = ?1",
                    [email.as_str()],
                    |row| {
                        Ok((
                            row.get::<_, String>(0)?,
                            row.get::<_, String>(1)?,
                            row.get::<_, String>(2)?,
                            row.get::<_, String>(3)?,
                            row.get::<_, String>(4)?,
                            row.get::<_, i64>(5)?,
                        ))
                    },
                )
                .optional()
                .map_err(unavailable)?;
            row.map(|(id, company_id, email, password_hash, role, created_at)| {
                Ok(User {
                    id: id.into(),
                    company_id: company_id.into(),
                    email: Email::parse(&email).map_err(corrupt)?,
                    password_hash,
                    role: Role::parse(&role).map_err(corrupt)?,
                    created_at: from_millis(created_at)?,
                })
            })
            .transpose()
        })
        .await
    }
}

#[async_trait]
impl SessionStore for SqliteStore {
    async fn insert_session(&self, session: &Session) -> StoreResult<()> {
        let session = session.clone();
        self.writer
            .write(move |conn| {
                conn.execute(
                    "INSERT INTO sessions (token_hash, user_id, company_id, role, created_at, expires_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![
                        session.token_hash,
                        session.user_id.as_str(),
                        session.company_id.as_str(),
                        session.role.as_str(),
                        millis(session.created_at),
                        millis(session.expires_at)
                    ],
                )
                .map_err(|e| conflict_or_unavailable(e, "the session exists"))?;
                Ok(())
            })
            .await
    }

    async fn find_session(&self, token_hash: &str) -> StoreResult<Option<Session>> {
        let token_hash = token_hash.to_owned();
        self.read(move |conn| {
            conn.query_row(
                "SELECT token_hash, user_id, company_id, role, created_at, expires_at
                 FROM sessions WHERE token_hash = ?1",
                [token_hash],
                session_row,
            )
            .optional()
            .map_err(unavailable)?
            .transpose()
        })
        .await
    }

    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        self.writer
            .write(move |conn| {
                conn.execute("DELETE FROM sessions WHERE expires_at <= ?1", [millis(now)])
                    .map(|n| n as u64)
                    .map_err(unavailable)
            })
            .await
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<bool> {
        let token_hash = token_hash.to_owned();
        self.writer
            .write(move |conn| {
                conn.execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])
                    .map(|n| n > 0)
                    .map_err(unavailable)
            })
            .await
    }
}

fn session_row(row: &Row<'_>) -> rusqlite::Result<StoreResult<Session>> {
    let role: String = row.get(3)?;
    let created_at: i64 = row.get(4)?;
    let expires_at: i64 = row.get(5)?;
    let token_hash: String = row.get(0)?;
    let user_id: String = row.get(1)?;
    let company_id: String = row.get(2)?;
    Ok((|| {
        Ok(Session {
            token_hash,
            user_id: user_id.into(),
            company_id: company_id.into(),
            role: Role::parse(&role).map_err(corrupt)?,
            created_at: from_millis(created_at)?,
            expires_at: from_millis(expires_at)?,
        })
    })())
}

pub(super) fn conflict_or_unavailable(e: rusqlite::Error, conflict: &str) -> StoreError {
    if is_unique_violation(&e) {
        StoreError::Conflict(conflict.to_owned())
    } else {
        unavailable(e)
    }
}

//! The accounts' traits: companies, their users, and sign-in sessions.

use super::StoreResult;
use crate::domain::{Company, CompanyId, Email, Session, User};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

#[async_trait]
pub trait CompanyStore: Send + Sync {
    async fn insert_company(&self, company: &Company) -> StoreResult<()>;
    async fn get_company(&self, id: &CompanyId) -> StoreResult<Option<Company>>;
}

#[async_trait]
pub trait UserStore: Send + Sync {
    /// Fails with [`StoreError::Conflict`](super::StoreError::Conflict) when the email is taken (in any company: log-in is by email).
    async fn insert_user(&self, user: &User) -> StoreResult<()>;
    /// Log-in looks a user up by email before it knows the company.
    async fn find_user_by_email(&self, email: &Email) -> StoreResult<Option<User>>;
}

#[async_trait]
pub trait SessionStore: Send + Sync {
    async fn insert_session(&self, session: &Session) -> StoreResult<()>;
    async fn find_session(&self, token_hash: &str) -> StoreResult<Option<Session>>;
    /// Removes sessions that expired before `now`; returns how many.
    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> StoreResult<u64>;
    /// Removes the session of `token_hash` (sign-out), so its token stops working at once;
    /// `false` when there was none.
    async fn delete_session(&self, token_hash: &str) -> StoreResult<bool>;
}

//! [`FlakyStore`](super::FlakyStore)'s accounts' traits (companies, users, sessions),
//! delegated to its SQLite store.

use super::FlakyStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use crm_mind::domain::{Company, CompanyId, Email, Session, User};
use crm_mind::store::*;

#[async_trait]
impl CompanyStore for FlakyStore {
    async fn insert_company(&self, c: &Company) -> StoreResult<()> {
        self.inner.insert_company(c).await
    }
    async fn get_company(&self, id: &CompanyId) -> StoreResult<Option<Company>> {
        self.inner.get_company(id).await
    }
}

#[async_trait]
impl UserStore for FlakyStore {
    async fn insert_user(&self, u: &User) -> StoreResult<()> {
        self.inner.insert_user(u).await
    }
    async fn find_user_by_email(&self, e: &Email) -> StoreResult<Option<User>> {
        self.inner.find_user_by_email(e).await
    }
}

#[async_trait]
impl SessionStore for FlakyStore {
    async fn insert_session(&self, s: &Session) -> StoreResult<()> {
        self.inner.insert_session(s).await
    }
    async fn find_session(&self, h: &str) -> StoreResult<Option<Session>> {
        self.inner.find_session(h).await
    }
    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        self.inner.delete_expired_sessions(now).await
    }
    async fn delete_session(&self, h: &str) -> StoreResult<bool> {
        self.inner.delete_session(h).await
    }
}

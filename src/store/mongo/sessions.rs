//! Sessions: `sessions`, found by the SHA-256 of the bearer token (unique index). Expired
//! sessions are removed by [`SessionStore::delete_expired_sessions`]; a TTL index removes any
//! that are left a day later (see `migrations/mongo/`).

use super::MongoStore;
use super::errors::{conflict_or, store_error};
use super::records::{SESSIONS, SessionRecord, to_bson_date};
use crate::domain::Session;
use crate::store::{SessionStore, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mongodb::bson::doc;

#[async_trait]
impl SessionStore for MongoStore {
    #[tracing::instrument(
        name = "mongo.insert_session",
        skip_all,
        fields(company = %session.company_id)
    )]
    async fn insert_session(&self, session: &Session) -> StoreResult<()> {
        self.collection::<SessionRecord>(SESSIONS)
            .insert_one(SessionRecord::from(session))
            .await
            .map_err(|e| conflict_or(e, "the session exists"))?;
        Ok(())
    }

    #[tracing::instrument(name = "mongo.find_session", skip_all)]
    async fn find_session(&self, token_hash: &str) -> StoreResult<Option<Session>> {
        self.collection::<SessionRecord>(SESSIONS)
            .find_one(doc! { "token_hash": token_hash })
            .await
            .map_err(store_error)?
            .map(Session::try_from)
            .transpose()
    }

    #[tracing::instrument(name = "mongo.delete_expired_sessions", skip_all)]
    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        let result = self
            .collection::<SessionRecord>(SESSIONS)
            .delete_many(doc! { "expires_at": { "$lte": to_bson_date(now) } })
            .await
            .map_err(store_error)?;
        Ok(result.deleted_count)
    }

    #[tracing::instrument(name = "mongo.delete_session", skip_all)]
    async fn delete_session(&self, token_hash: &str) -> StoreResult<bool> {
        let result = self
            .collection::<SessionRecord>(SESSIONS)
            .delete_one(doc! { "token_hash": token_hash })
            .await
            .map_err(store_error)?;
        Ok(result.deleted_count > 0)
    }
}

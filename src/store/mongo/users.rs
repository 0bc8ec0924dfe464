//! Users: `users`, keyed by the user id, with a unique index on `email` (log-in finds a
//! user by email before it knows the company, so an email is unique across companies).

use super::MongoStore;
use super::errors::{conflict_or, store_error};
use super::records::{USERS, UserRecord};
use crate::domain::{Email, User};
use crate::store::{StoreResult, UserStore};
use async_trait::async_trait;
use mongodb::bson::doc;

#[async_trait]
impl UserStore for MongoStore {
    #[tracing::instrument(name = "mongo.insert_user", skip_all, fields(company = %user.company_id))]
    async fn insert_user(&self, user: &User) -> StoreResult<()> {
        self.collection::<UserRecord>(USERS)
            .insert_one(UserRecord::from(user))
            .await
            .map_err(|e| conflict_or(e, "a user with this email exists"))?;
        Ok(())
    }

    #[tracing::instrument(name = "mongo.find_user_by_email", skip_all)]
    async fn find_user_by_email(&self, email: &Email) -> StoreResult<Option<User>> {
        self.collection::<UserRecord>(USERS)
            .find_one(doc! { "email": email.as_str() })
            .await
            .map_err(store_error)?
            .map(User::try_from)
            .transpose()
    }
}

//! `metakocka_credentials`: one document per (company, owner), unique by that pair
//! (`migrations/mongo/0004_metakocka.json`); the key is stored sealed.

use super::MongoStore;
use super::errors::store_error;
use super::records::{from_bson_date, to_bson_date};
use crate::domain::{CompanyId, Sealed, UserId};
use crate::metakocka::credentials::{CredentialOwner, StoredCredentials};
use crate::store::{MetakockaCredentialStore, StoreResult};
use async_trait::async_trait;
use mongodb::bson::{self, doc};
use serde::{Deserialize, Serialize};

pub(super) const METAKOCKA_CREDENTIALS: &str = "metakocka_credentials";

#[async_trait]
impl MetakockaCredentialStore for MongoStore {
    async fn put_metakocka_credentials(&self, credentials: &StoredCredentials) -> StoreResult<()> {
        let record = CredentialsRecord::from(credentials);
        // created_* only on insert: a replacement keeps who set the credentials first.
        let update = doc! {
            "$set": {
                "user_id": record.user_id.as_ref().map(UserId::as_str),
                "mk_company_id": &record.mk_company_id,
                "secret_key": record.secret_key.as_stored(),
                "updated_by": record.updated_by.as_str(),
                "updated_at": record.updated_at,
            },
            "$setOnInsert": {
                "created_by": record.created_by.as_str(),
                "created_at": record.created_at,
            },
        };
        self.collection::<CredentialsRecord>(METAKOCKA_CREDENTIALS)
            .update_one(owner_filter(&record.company_id, &credentials.owner), update)
            .upsert(true)
            .await
            .map(|_| ())
            .map_err(store_error)
    }

    async fn get_metakocka_credentials(
        &self,
        company: &CompanyId,
        owner: &CredentialOwner,
    ) -> StoreResult<Option<StoredCredentials>> {
        let record = self
            .collection::<CredentialsRecord>(METAKOCKA_CREDENTIALS)
            .find_one(owner_filter(company, owner))
            .await
            .map_err(store_error)?;
        record.map(|r| r.into_domain(owner.clone())).transpose()
    }

    async fn delete_metakocka_credentials(
        &self,
        company: &CompanyId,
        owner: &CredentialOwner,
    ) -> StoreResult<bool> {
        self.collection::<CredentialsRecord>(METAKOCKA_CREDENTIALS)
            .delete_one(owner_filter(company, owner))
            .await
            .map(|result| result.deleted_count > 0)
            .map_err(store_error)
    }
}

fn owner_filter(company: &CompanyId, owner: &CredentialOwner) -> bson::Document {
    doc! { "company_id": company.as_str(), "owner": owner.key() }
}

/// A document of `metakocka_credentials`.
#[derive(Debug, Serialize, Deserialize)]
struct CredentialsRecord {
    company_id: CompanyId,
    /// `organization` or `user:<id>` ([`CredentialOwner::key`]).
    owner: String,
    user_id: Option<UserId>,
    mk_company_id: String,
    secret_key: Sealed,
    created_by: UserId,
    created_at: bson::DateTime,
    updated_by: UserId,
    updated_at: bson::DateTime,
}

impl From<&StoredCredentials> for CredentialsRecord {
    fn from(c: &StoredCredentials) -> Self {
        Self {
            company_id: c.company_id.clone(),
            owner: c.owner.key(),
            user_id: c.owner.user_id().cloned(),
            mk_company_id: c.mk_company_id.clone(),
            secret_key: c.secret_key.clone(),
            created_by: c.created_by.clone(),
            created_at: to_bson_date(c.created_at),
            updated_by: c.updated_by.clone(),
            updated_at: to_bson_date(c.updated_at),
        }
    }
}

impl CredentialsRecord {
    fn into_domain(self, owner: CredentialOwner) -> StoreResult<StoredCredentials> {
        Ok(StoredCredentials {
            company_id: self.company_id,
            owner,
            mk_company_id: self.mk_company_id,
            secret_key: self.secret_key,
            created_by: self.created_by,
            created_at: from_bson_date(self.created_at)?,
            updated_by: self.updated_by,
            updated_at: from_bson_date(self.updated_at)?,
        })
    }
}

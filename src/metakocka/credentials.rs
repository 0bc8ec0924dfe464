//! The company's Metakocka credentials (`metakocka_credentials`): a Metakocka company id and
//! its secret key, sealed at rest with [`Cipher`].
//!
//! Two levels: the organisation's (set by admins; background jobs use them) and a user's own,
//! which replace the organisation's for that user's actions (the product plan's "credential
//! inheritance and override"). [`Credentials::effective_credentials`] is the one lookup the
//! client's callers need: which key applies, and from which level.
//!
//! The plain key leaves this module only as a [`SecretString`] (its `Debug` is redacted) and,
//! for people, only as [`mask`].

use crate::domain::{CompanyId, FieldError, Sealed, UserId};
use crate::secrets::Cipher;
use crate::store::{DynStore, StoreError};
use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// The level credentials are set at, and so the source of the effective ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CredentialScope {
    Organization,
    User,
}

/// Whose credentials a record is: the organisation's, or one user's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialOwner {
    Organization,
    User(UserId),
}

impl CredentialOwner {
    pub fn scope(&self) -> CredentialScope {
        match self {
            CredentialOwner::Organization => CredentialScope::Organization,
            CredentialOwner::User(_) => CredentialScope::User,
        }
    }

    pub fn user_id(&self) -> Option<&UserId> {
        match self {
            CredentialOwner::Organization => None,
            CredentialOwner::User(user) => Some(user),
        }
    }

    /// The stored key of the owner within its company: `organization` or `user:<id>`.
    pub fn key(&self) -> String {
        match self {
            CredentialOwner::Organization => "organization".to_owned(),
            CredentialOwner::User(user) => format!("user:{user}"),
        }
    }
}

/// Credentials as stored: the key sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCredentials {
    pub company_id: CompanyId,
    pub owner: CredentialOwner,
    /// Metakocka's own company id (digits in practice; kept as text, as Metakocka sends it).
    pub mk_company_id: String,
    pub secret_key: Sealed,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub updated_by: UserId,
    pub updated_at: DateTime<Utc>,
}

/// The organisation's credentials and one user's own.
#[derive(Debug, Clone)]
pub struct CredentialLevels {
    pub organization: Option<StoredCredentials>,
    pub user: Option<StoredCredentials>,
}

impl CredentialLevels {
    /// The level that applies: the user's own win (the rule of
    /// [`Credentials::effective_credentials`]).
    pub fn effective(&self) -> Option<&StoredCredentials> {
        self.user.as_ref().or(self.organization.as_ref())
    }
}

/// What a Metakocka call sends: `company_id` and `secret_key` of its body.
#[derive(Debug, Clone)]
pub struct MetakockaCredentials {
    pub company_id: String,
    pub secret_key: SecretString,
}

#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    #[error(transparent)]
    Invalid(#[from] FieldError),
    #[error("no Metakocka credentials are set at this level")]
    NotFound,
    /// The key was sealed with another `CRM_MIND_SECRET_KEY`: it must be entered again.
    #[error(
        "the stored Metakocka secret key cannot be opened with this server's secret key; enter it again"
    )]
    Unreadable,
    #[error(transparent)]
    Store(#[from] StoreError),
}

const MAX_COMPANY_ID_LEN: usize = 64;
const MAX_SECRET_KEY_LEN: usize = 512;

/// The stored credentials, sealing and opening keys. Cheap to clone.
#[derive(Clone)]
pub struct Credentials {
    store: DynStore,
    cipher: Cipher,
}

impl Credentials {
    pub fn new(store: DynStore, cipher: Cipher) -> Self {
        Self { store, cipher }
    }

    /// Sets (or replaces) `owner`'s credentials; keeps who created them first.
    pub async fn save(
        &self,
        company: &CompanyId,
        owner: CredentialOwner,
        mk_company_id: &str,
        secret_key: &SecretString,
        author: &UserId,
    ) -> Result<StoredCredentials, CredentialError> {
        let mk_company_id = parse_company_id(mk_company_id)?;
        let secret = parse_secret_key(secret_key)?;
        let now = Utc::now();
        let existing = self
            .store
            .get_metakocka_credentials(company, &owner)
            .await?;
        let (created_by, created_at) = existing
            .map(|e| (e.created_by, e.created_at))
            .unwrap_or_else(|| (author.clone(), now));
        let record = StoredCredentials {
            company_id: company.clone(),
            owner,
            mk_company_id,
            secret_key: self.cipher.seal(secret),
            created_by,
            created_at,
            updated_by: author.clone(),
            updated_at: now,
        };
        self.store.put_metakocka_credentials(&record).await?;
        Ok(record)
    }

    pub async fn get(
        &self,
        company: &CompanyId,
        owner: &CredentialOwner,
    ) -> Result<Option<StoredCredentials>, CredentialError> {
        Ok(self.store.get_metakocka_credentials(company, owner).await?)
    }

    pub async fn delete(
        &self,
        company: &CompanyId,
        owner: &CredentialOwner,
    ) -> Result<(), CredentialError> {
        match self
            .store
            .delete_metakocka_credentials(company, owner)
            .await?
        {
            true => Ok(()),
            false => Err(CredentialError::NotFound),
        }
    }

    /// The credentials a Metakocka call on behalf of `user` uses: the user's own when set,
    /// else the organisation's. `user = None` is a background job: the organisation's only.
    pub async fn effective_credentials(
        &self,
        company: &CompanyId,
        user: Option<&UserId>,
    ) -> Result<Option<(MetakockaCredentials, CredentialScope)>, CredentialError> {
        let Some(stored) = self.effective_record(company, user).await? else {
            return Ok(None);
        };
        let scope = stored.owner.scope();
        Ok(Some((self.open(&stored)?, scope)))
    }

    /// Both levels as they apply to `user`, for showing them side by side.
    pub async fn levels(
        &self,
        company: &CompanyId,
        user: &UserId,
    ) -> Result<CredentialLevels, CredentialError> {
        let organization = self
            .store
            .get_metakocka_credentials(company, &CredentialOwner::Organization)
            .await?;
        let own = CredentialOwner::User(user.clone());
        let user = self.store.get_metakocka_credentials(company, &own).await?;
        Ok(CredentialLevels { organization, user })
    }

    /// The stored record [`Self::effective_credentials`] would open, without opening it.
    pub async fn effective_record(
        &self,
        company: &CompanyId,
        user: Option<&UserId>,
    ) -> Result<Option<StoredCredentials>, CredentialError> {
        let levels = match user {
            Some(user) => self.levels(company, user).await?,
            None => CredentialLevels {
                organization: self
                    .store
                    .get_metakocka_credentials(company, &CredentialOwner::Organization)
                    .await?,
                user: None,
            },
        };
        Ok(levels.effective().cloned())
    }

    pub fn open(
        &self,
        stored: &StoredCredentials,
    ) -> Result<MetakockaCredentials, CredentialError> {
        let secret_key = self
            .cipher
            .open(&stored.secret_key)
            .map_err(|_| CredentialError::Unreadable)?;
        Ok(MetakockaCredentials {
            company_id: stored.mk_company_id.clone(),
            secret_key,
        })
    }

    /// The key as people may see it: see [`mask`].
    pub fn masked_key(&self, stored: &StoredCredentials) -> Result<String, CredentialError> {
        Ok(mask(&self.open(stored)?.secret_key))
    }
}

/// `••••` and the key's last four characters, so an admin can tell which key is set; a key
/// shorter than 12 characters is masked whole, because four of a few would give too much away.
pub fn mask(secret: &SecretString) -> String {
    const DOTS: &str = "••••";
    let chars: Vec<char> = secret.expose_secret().chars().collect();
    if chars.len() < 12 {
        return DOTS.to_owned();
    }
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{DOTS}{tail}")
}

fn parse_company_id(value: &str) -> Result<String, FieldError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(FieldError::new("company_id", "must not be empty"));
    }
    if value.chars().count() > MAX_COMPANY_ID_LEN || value.chars().any(char::is_whitespace) {
        return Err(FieldError::new(
            "company_id",
            format!("must be at most {MAX_COMPANY_ID_LEN} characters without spaces"),
        ));
    }
    Ok(value.to_owned())
}

fn parse_secret_key(value: &SecretString) -> Result<&str, FieldError> {
    let value = value.expose_secret().trim();
    if value.is_empty() {
        return Err(FieldError::new("secret_key", "must not be empty"));
    }
    if value.chars().count() > MAX_SECRET_KEY_LEN {
        return Err(FieldError::new(
            "secret_key",
            format!("must be at most {MAX_SECRET_KEY_LEN} characters"),
        ));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_show_at_most_the_last_four_characters_of_long_keys() {
        let long = SecretString::from("a1b2c3d4-e5f6-7890-abcd-ef1234561234");
        assert_eq!(mask(&long), "••••1234");
        assert_eq!(mask(&SecretString::from("short-key")), "••••");
    }

    #[test]
    fn blank_or_spaced_company_ids_are_refused() {
        assert_eq!(parse_company_id(" 4521 ").unwrap(), "4521");
        assert_eq!(parse_company_id("  ").unwrap_err().field, "company_id");
        assert_eq!(parse_company_id("45 21").unwrap_err().field, "company_id");
        assert!(parse_secret_key(&SecretString::from(" ")).is_err());
    }
}

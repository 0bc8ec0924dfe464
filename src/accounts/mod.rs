//! Companies, users, log-in and bearer tokens: the rules, over the [`crate::store`] seam.
//!
//! Used by the `crm-mind admin` commands and by the HTTP layer alike, so that a user made on
//! the command line and one made later through an API obey the same checks.

mod password;
mod token;

use crate::domain::{Company, CompanyId, Email, FieldError, Role, Session, User, UserId};
use crate::store::{DynStore, StoreError};
use chrono::{Duration, Utc};
use secrecy::SecretString;

pub use token::{BearerToken, hash_token};

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    Invalid(#[from] FieldError),
    #[error("no company has the id {0}")]
    UnknownCompany(CompanyId),
    #[error("a user with the email {0} exists already")]
    EmailTaken(Email),
    #[error("no user has the email {0}")]
    UnknownUser(Email),
    #[error("the email or password is wrong")]
    InvalidCredentials,
    #[error("the token is missing, unknown or expired")]
    InvalidToken,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A freshly issued token: shown once, stored only as a hash.
#[derive(Debug)]
pub struct IssuedToken {
    pub token: BearerToken,
    pub session: Session,
}

#[derive(Clone)]
pub struct Accounts {
    store: DynStore,
    login_ttl: Duration,
}

impl Accounts {
    pub fn new(store: DynStore, login_ttl: Duration) -> Self {
        Self { store, login_ttl }
    }

    pub async fn create_company(&self, name: &str) -> Result<Company, AccountError> {
        let company = Company::new(name)?;
        self.store.insert_company(&company).await?;
        Ok(company)
    }

    pub async fn create_user(
        &self,
        company_id: &CompanyId,
        email: &str,
        password: &SecretString,
        role: Role,
    ) -> Result<User, AccountError> {
        let email = Email::parse(email)?;
        password::check_strength(password)?;
        if self.store.get_company(company_id).await?.is_none() {
            return Err(AccountError::UnknownCompany(company_id.clone()));
        }
        let user = User {
            id: UserId::generate(),
            company_id: company_id.clone(),
            email: email.clone(),
            password_hash: password::hash(password.clone()).await?,
            role,
            created_at: Utc::now(),
        };
        match self.store.insert_user(&user).await {
            Err(StoreError::Conflict(_)) => Err(AccountError::EmailTaken(email)),
            other => other.map(|()| user).map_err(Into::into),
        }
    }

    /// Checks the password and issues a token for the configured log-in lifetime. Unknown
    /// emails cost the same argon2 work as wrong passwords, so timing tells nothing.
    pub async fn login(
        &self,
        email: &str,
        password: &SecretString,
    ) -> Result<IssuedToken, AccountError> {
        let user = match Email::parse(email) {
            Ok(email) => self.store.find_user_by_email(&email).await?,
            Err(_) => None,
        };
        let hash = user.as_ref().map(|u| u.password_hash.clone());
        let matches = password::verify(password.clone(), hash).await?;
        match user {
            Some(user) if matches => self.issue(&user, self.login_ttl).await,
            _ => Err(AccountError::InvalidCredentials),
        }
    }

    /// A token for the user with `email`, valid for `days` (the `admin create-token` command).
    pub async fn issue_token_for(
        &self,
        email: &str,
        days: i64,
    ) -> Result<IssuedToken, AccountError> {
        if !(1..=3650).contains(&days) {
            return Err(FieldError::new("days", "must be between 1 and 3650").into());
        }
        let email = Email::parse(email)?;
        let user = self
            .store
            .find_user_by_email(&email)
            .await?
            .ok_or(AccountError::UnknownUser(email))?;
        self.issue(&user, Duration::days(days)).await
    }

    /// The session a bearer token stands for, if it exists and has not expired.
    pub async fn authenticate(&self, token: &str) -> Result<Session, AccountError> {
        let session = self
            .store
            .find_session(&hash_token(token))
            .await?
            .ok_or(AccountError::InvalidToken)?;
        if session.is_expired(Utc::now()) {
            return Err(AccountError::InvalidToken);
        }
        Ok(session)
    }

    /// Ends the session a bearer token stands for (sign-out): the stored session is deleted,
    /// so a copy of the token stops working too. Ending an unknown session is not an error.
    pub async fn logout(&self, token: &str) -> Result<(), AccountError> {
        self.store.delete_session(&hash_token(token)).await?;
        Ok(())
    }

    async fn issue(&self, user: &User, ttl: Duration) -> Result<IssuedToken, AccountError> {
        let token = BearerToken::generate();
        let now = Utc::now();
        let session = Session {
            token_hash: hash_token(token.expose()),
            user_id: user.id.clone(),
            company_id: user.company_id.clone(),
            role: user.role,
            created_at: now,
            expires_at: now + ttl,
        };
        self.store.insert_session(&session).await?;
        Ok(IssuedToken { token, session })
    }
}

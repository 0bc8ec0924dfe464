//! Companies (tenants), their users and the sessions that bearer tokens stand for.

use super::{CompanyId, FieldError, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Company {
    pub id: CompanyId,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

impl Company {
    pub fn new(name: &str) -> Result<Self, FieldError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(FieldError::new("name", "must not be empty"));
        }
        Ok(Self {
            id: CompanyId::generate(),
            name: name.to_owned(),
            created_at: Utc::now(),
        })
    }
}

/// What a user may do. Agents read; admins also change pages and CRM links.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Agent,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Agent => "agent",
        }
    }

    pub fn parse(value: &str) -> Result<Self, FieldError> {
        match value {
            "admin" => Ok(Role::Admin),
            "agent" => Ok(Role::Agent),
            other => Err(FieldError::new(
                "role",
                format!("unknown role {other:?}; expected \"admin\" or \"agent\""),
            )),
        }
    }
}

/// An email address, trimmed and lower-cased so that log-in does not depend on case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(transparent)]
#[schema(value_type = String)]
pub struct Email(String);

impl Email {
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        let value = value.trim().to_lowercase();
        let valid = match value.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !value.chars().any(char::is_whitespace)
                    && !domain.contains('@')
            }
            None => false,
        };
        if valid {
            Ok(Self(value))
        } else {
            Err(FieldError::new("email", "is not a valid email address"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub company_id: CompanyId,
    pub email: Email,
    /// An argon2 PHC string; never the password.
    pub password_hash: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("company_id", &self.company_id)
            .field("email", &self.email)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// A bearer token as stored: only the SHA-256 of the token, so a copy of the store grants nothing.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub token_hash: String,
    pub user_id: UserId,
    pub company_id: CompanyId,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl Session {
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at <= now
    }
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("user_id", &self.user_id)
            .field("company_id", &self.company_id)
            .field("role", &self.role)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_normalised_and_checked() {
        assert_eq!(
            Email::parse(" Ana@Shop.SI ").unwrap().as_str(),
            "ana@shop.si"
        );
        for bad in [
            "",
            "ana",
            "ana@",
            "@shop.si",
            "ana@shop",
            "a na@shop.si",
            "a@b@c.si",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn company_name_must_not_be_blank() {
        assert_eq!(Company::new("  ").unwrap_err().field, "name");
        assert_eq!(Company::new(" Shop ").unwrap().name, "Shop");
    }
}

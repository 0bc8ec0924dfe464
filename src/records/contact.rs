//! A contact: a person or company the business sells to, which the Metakocka sync maps to
//! a Metakocka partner. Only the name is required; an email, when given, must be valid.

use super::{letter_code, new_id, optional_text, required_text};
use crate::domain::{CompanyId, Email, FieldError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Whether the contact is a private person or a company (Metakocka's partner types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ContactKind {
    Person,
    Company,
}

impl ContactKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Person => "person",
            Self::Company => "company",
        }
    }

    pub fn parse(value: &str) -> Result<Self, FieldError> {
        match value.trim() {
            "person" => Ok(Self::Person),
            "company" => Ok(Self::Company),
            _ => Err(FieldError::new("kind", "must be person or company")),
        }
    }
}

/// A stored contact.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Contact {
    pub id: String,
    pub company_id: CompanyId,
    pub name: String,
    pub email: Option<Email>,
    pub phone: Option<String>,
    pub street: Option<String>,
    pub post_number: Option<String>,
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2, upper case.
    pub country: Option<String>,
    pub vat_id: Option<String>,
    pub kind: ContactKind,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The body of `POST /api/contacts` and `PUT /api/contacts/{id}` (a whole record).
/// Optional texts are trimmed, and an empty one is left out.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    #[schema(min_length = 1, max_length = 200, pattern = r"\S|[\x1c-\x1f\uFEFF]")]
    pub name: String,
    /// One `@`, a dot inside the domain, no white space; or nothing.
    #[serde(default)]
    #[schema(
        max_length = 254,
        pattern = r"^([^\s\x85@]+@[^\s\x85@.][^\s\x85@]*\.[^\s\x85@]*[^\s\x85@.])?$"
    )]
    pub email: Option<String>,
    #[serde(default)]
    #[schema(max_length = 40)]
    pub phone: Option<String>,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub street: Option<String>,
    #[serde(default)]
    #[schema(max_length = 20)]
    pub post_number: Option<String>,
    #[serde(default)]
    #[schema(max_length = 100)]
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2, any case.
    #[serde(default)]
    #[schema(pattern = r"^([A-Za-z]{2})?$")]
    pub country: Option<String>,
    #[serde(default)]
    #[schema(max_length = 40)]
    pub vat_id: Option<String>,
    /// `person` unless given.
    #[serde(default)]
    #[schema(value_type = Option<ContactKind>)]
    pub kind: Option<String>,
}

impl Contact {
    /// A new contact of `company` from a request body.
    pub fn create(
        company: &CompanyId,
        input: &ContactInput,
        now: DateTime<Utc>,
    ) -> Result<Self, FieldError> {
        let mut contact = Self {
            id: new_id(),
            company_id: company.clone(),
            name: String::new(),
            email: None,
            phone: None,
            street: None,
            post_number: None,
            city: None,
            country: None,
            vat_id: None,
            kind: ContactKind::Person,
            created_at: now,
            updated_at: now,
        };
        contact.replace(input, now)?;
        Ok(contact)
    }

    /// Replaces every field a client sets; on an error nothing changes.
    pub fn replace(&mut self, input: &ContactInput, now: DateTime<Utc>) -> Result<(), FieldError> {
        let email = optional_text("email", input.email.as_deref(), 254)?;
        let country = optional_text("country", input.country.as_deref(), 2)
            .map_err(|_| FieldError::new("country", "must be 2 letters (ISO 3166-1)"))?;
        let replaced = Self {
            id: self.id.clone(),
            company_id: self.company_id.clone(),
            name: required_text("name", &input.name, 200)?,
            email: email.as_deref().map(Email::parse).transpose()?,
            phone: optional_text("phone", input.phone.as_deref(), 40)?,
            street: optional_text("street", input.street.as_deref(), 200)?,
            post_number: optional_text("post_number", input.post_number.as_deref(), 20)?,
            city: optional_text("city", input.city.as_deref(), 100)?,
            country: country
                .map(|c| letter_code("country", &c, 2))
                .transpose()
                .map_err(|_| FieldError::new("country", "must be 2 letters (ISO 3166-1)"))?,
            vat_id: optional_text("vat_id", input.vat_id.as_deref(), 40)?,
            kind: match &input.kind {
                Some(kind) => ContactKind::parse(kind)?,
                None => ContactKind::Person,
            },
            created_at: self.created_at,
            updated_at: now,
        };
        *self = replaced;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create(json: &str) -> Result<Contact, FieldError> {
        let input: ContactInput = serde_json::from_str(json).unwrap();
        Contact::create(&"c1".into(), &input, Utc::now())
    }

    #[test]
    fn normalises_email_and_country() {
        let c = create(r#"{"name":"Ana","email":" Ana@Shop.SI ","country":"si","kind":"company"}"#)
            .unwrap();
        assert_eq!(c.email.unwrap().as_str(), "ana@shop.si");
        assert_eq!(c.country.as_deref(), Some("SI"));
        assert_eq!(c.kind, ContactKind::Company);
    }

    #[test]
    fn errors_name_the_field() {
        let field = |json: &str| create(json).unwrap_err().field;
        assert_eq!(field(r#"{"name":""}"#), "name");
        assert_eq!(field(r#"{"name":"a","email":"nope"}"#), "email");
        assert_eq!(field(r#"{"name":"a","country":"SVN"}"#), "country");
        assert_eq!(field(r#"{"name":"a","country":"1x"}"#), "country");
        assert_eq!(field(r#"{"name":"a","kind":"robot"}"#), "kind");
    }
}

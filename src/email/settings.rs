//! A company's own email settings (`GET/PUT /api/emails/settings`, admins only): the
//! document-number patterns enrichment looks for, which override the service-wide ones
//! (`CRM_MIND_EMAIL_DOCUMENT_PATTERNS`, else the defaults) for that company.

use crate::domain::{CompanyId, FieldError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Patterns a company may save at most, and their length: a few regexes, not a program.
pub const MAX_PATTERNS: usize = 20;
pub const MAX_PATTERN_CHARS: usize = 200;

/// The stored settings of one company.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmailSettings {
    pub company_id: CompanyId,
    /// Regular expressions of document numbers; `None`: the service-wide patterns.
    pub document_patterns: Option<Vec<String>>,
    pub updated_at: DateTime<Utc>,
}

/// The body of `PUT /api/emails/settings`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailSettingsInput {
    /// `null` (or absent) returns to the service-wide patterns. Each is a regular expression
    /// (Rust's `regex` syntax) of 1 to 200 characters, not blank.
    #[serde(default)]
    #[schema(schema_with = patterns_schema)]
    pub document_patterns: Option<Vec<String>>,
}

/// 1 to 20 patterns of 1 to 200 characters, not blank, or `null`. Whether each compiles is
/// the service's call (regular expression dialects differ).
fn patterns_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, Type};
    let pattern = ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(MAX_PATTERN_CHARS))
        .pattern(Some(r"\S|[\x1c-\x1f\uFEFF]"));
    let list = ArrayBuilder::new()
        .items(pattern)
        .min_items(Some(1))
        .max_items(Some(MAX_PATTERNS));
    OneOfBuilder::new()
        .item(list)
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .into()
}

impl EmailSettingsInput {
    /// Checks every pattern compiles; the error names the first that does not.
    pub fn parse(
        self,
        company: &CompanyId,
        now: DateTime<Utc>,
    ) -> Result<EmailSettings, FieldError> {
        const FIELD: &str = "document_patterns";
        if let Some(patterns) = &self.document_patterns {
            if patterns.is_empty() || patterns.len() > MAX_PATTERNS {
                return Err(FieldError::new(
                    FIELD,
                    format!("must hold 1 to {MAX_PATTERNS} patterns (null for the defaults)"),
                ));
            }
            for pattern in patterns {
                if pattern.trim().is_empty() || pattern.chars().count() > MAX_PATTERN_CHARS {
                    return Err(FieldError::new(
                        FIELD,
                        format!("{pattern:?} must be 1 to {MAX_PATTERN_CHARS} characters"),
                    ));
                }
                if let Err(e) = regex::Regex::new(pattern) {
                    return Err(FieldError::new(
                        FIELD,
                        format!("{pattern:?} is not a valid regular expression: {e}"),
                    ));
                }
            }
        }
        Ok(EmailSettings {
            company_id: company.clone(),
            document_patterns: self
                .document_patterns
                .map(|p| p.into_iter().map(|s| s.trim().to_owned()).collect()),
            updated_at: now,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(patterns: &[&str]) -> EmailSettingsInput {
        EmailSettingsInput {
            document_patterns: Some(patterns.iter().map(|p| (*p).to_owned()).collect()),
        }
    }

    #[test]
    fn a_bad_pattern_is_named() {
        let company = CompanyId::from("c");
        let err = input(&[r"\bINV-\d+\b", r"ORD-(\d+"])
            .parse(&company, Utc::now())
            .unwrap_err();
        assert_eq!(err.field, "document_patterns");
        assert!(err.message.contains(r#""ORD-(\\d+""#), "{}", err.message);
        assert!(input(&[r"\bINV-\d+\b"]).parse(&company, Utc::now()).is_ok());
        assert!(input(&[]).parse(&company, Utc::now()).is_err());
    }
}

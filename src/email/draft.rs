//! Reply drafts for an email.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A fact a draft used, and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourcedFact {
    pub fact: String,
    pub source: String,
}

/// A reply draft, stored with its email. crm-mind does not send it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub id: String,
    pub subject: String,
    pub body: String,
    pub language: crate::email::language::Language,
    pub facts: Vec<SourcedFact>,
    pub model: String,
    pub template_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

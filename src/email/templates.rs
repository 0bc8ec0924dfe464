//! Reply templates (`email_templates`) with placeholders such as `{{order.status}}`, rendered
//! with minijinja in strict mode: a placeholder without a value is an error that names it,
//! never a silent blank, and a template with an unknown placeholder is not saved.

use crate::domain::CompanyId;
use crate::email::language::Language;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A stored template of one company.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmailTemplate {
    pub id: String,
    pub company_id: CompanyId,
    pub name: String,
    pub language: Language,
    pub subject: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

//! Customer emails (issue 6): what an email is once crm-mind has it, how a posted JSON body
//! or a raw `.eml` becomes one, and everything done with it afterwards — who wrote it and
//! what it is about ([`enrich`]), the facts an agent or a model sees ([`context`]), templates
//! ([`templates`]) and reply drafts ([`draft`]).
//!
//! An email is stored once per company and `message_id` (the mail system may post it
//! again). Its text is kept as received and also split into the new text, the quoted earlier
//! replies and the signature ([`message`]): the new text is what the email asks; numbers in
//! a quoted or forwarded thread still count, but less ([`enrich`]).

pub mod context;
pub mod defaults;
pub mod draft;
pub mod eml;
pub mod enrich;
pub mod facts;
pub mod format;
pub mod insights;
pub mod language;
pub mod links;
pub mod message;
pub mod populate;
pub mod service;
pub mod settings;
pub mod smtp;
pub mod templates;

pub use service::{Emails, Ingested};

use crate::domain::{CompanyId, FieldError};
use chrono::{DateTime, Utc};
use enrich::Enrichment;
use language::Language;
use message::EmailBody;
use serde::{Deserialize, Serialize};

/// An address with its display name (`"Ana Novak" <ana@example.si>`). The address is
/// lower-cased: mail systems treat it case-insensitively, and matching does too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Mailbox {
    pub name: Option<String>,
    pub address: String,
}

impl Mailbox {
    /// `ana@example.si`, `Ana Novak <ana@example.si>` or `"Novak, Ana" <ana@example.si>`.
    pub fn parse(field: &'static str, value: &str) -> Result<Self, FieldError> {
        let value = value.trim();
        let (name, address) = match (value.rfind('<'), value.rfind('>')) {
            (Some(open), Some(close)) if open < close => {
                let name = value[..open].trim().trim_matches('"').trim();
                (Some(name), &value[open + 1..close])
            }
            _ => (None, value),
        };
        let address = address.trim().to_lowercase();
        let valid = address.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !address.contains(char::is_whitespace)
        });
        if !valid {
            return Err(FieldError::new(field, "is not an email address"));
        }
        Ok(Self {
            name: name.filter(|n| !n.is_empty()).map(str::to_owned),
            address,
        })
    }

    /// The part after `@`.
    pub fn domain(&self) -> &str {
        self.address
            .split_once('@')
            .map_or("", |(_, domain)| domain)
    }
}

/// A file that came with the email: named and measured, its contents not kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Attachment {
    pub filename: Option<String>,
    pub content_type: String,
    pub size: u64,
}

/// A stored email of one company.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StoredEmail {
    pub id: String,
    pub company_id: CompanyId,
    /// The `Message-ID` the mail system gave it; unique within the company.
    pub message_id: String,
    pub from: Mailbox,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    pub subject: String,
    /// The plain-text body as received (none for an HTML-only email).
    pub text: Option<String>,
    pub html: Option<String>,
    /// The text analysed: the plain body, or the HTML reduced to text, split.
    pub body: EmailBody,
    pub language: Language,
    pub in_reply_to: Option<String>,
    pub attachments: Vec<Attachment>,
    pub received_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    /// What [`enrich`] found, once it ran.
    pub enrichment: Option<Enrichment>,
    /// Reply drafts, oldest first.
    pub drafts: Vec<draft::Draft>,
}

/// The fields of an email, from a JSON body or a parsed `.eml`, before it is stored.
#[derive(Debug, Clone)]
pub struct IncomingEmail {
    pub message_id: String,
    pub from: Mailbox,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    pub subject: String,
    pub text: Option<String>,
    pub html: Option<String>,
    pub in_reply_to: Option<String>,
    pub received_at: Option<DateTime<Utc>>,
    pub attachments: Vec<Attachment>,
}

/// The body of `POST /api/emails`. Mailboxes are `ana@example.si` or
/// `Ana Novak <ana@example.si>`; `text` or `html` (or both) must hold something.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailInput {
    /// Unique within the company: a known one answers the email stored before.
    #[schema(min_length = 1, max_length = 998, pattern = r"\S|[\x1c-\x1f\uFEFF]")]
    pub message_id: String,
    #[schema(schema_with = mailbox_schema)]
    pub from: String,
    #[serde(default)]
    #[schema(schema_with = mailboxes_schema)]
    pub to: Vec<String>,
    #[serde(default)]
    #[schema(schema_with = mailboxes_schema)]
    pub cc: Vec<String>,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    #[schema(max_length = 200000)]
    pub text: Option<String>,
    #[serde(default)]
    #[schema(max_length = 200000)]
    pub html: Option<String>,
    #[serde(default)]
    pub received_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub in_reply_to: Option<String>,
}

/// A mailbox as [`Mailbox::parse`] reads it: an address with a dot in its domain, maybe
/// after a name and in `<>`.
const MAILBOX: &str = r"^([^<>]*<[^\s\x85@<>]+@[^\s\x85<>]*\.[^\s\x85<>]*>|[^\s\x85@<>]+@[^\s\x85<>]*\.[^\s\x85<>]*)$";

fn mailbox_schema() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .pattern(Some(MAILBOX))
        .build()
}

fn mailboxes_schema() -> utoipa::openapi::schema::Array {
    utoipa::openapi::schema::ArrayBuilder::new()
        .items(mailbox_schema())
        .build()
}

/// Bodies larger than this are refused: a customer email is a few kilobytes.
pub const MAX_BODY_CHARS: usize = 200_000;

impl EmailInput {
    pub fn parse(self) -> Result<IncomingEmail, FieldError> {
        let message_id = self.message_id.trim().to_owned();
        // Characters, as the schema's `maxLength` counts.
        if message_id.is_empty() || message_id.chars().count() > 998 {
            return Err(FieldError::new(
                "message_id",
                "is required (at most 998 characters)",
            ));
        }
        let list = |field: &'static str, values: &[String]| {
            values
                .iter()
                .map(|v| Mailbox::parse(field, v))
                .collect::<Result<Vec<_>, _>>()
        };
        let text = self.text.filter(|t| !t.trim().is_empty());
        let html = self.html.filter(|t| !t.trim().is_empty());
        if text.is_none() && html.is_none() {
            return Err(FieldError::new("text", "text or html is required"));
        }
        for (field, body) in [("text", &text), ("html", &html)] {
            if body
                .as_ref()
                .is_some_and(|b| b.chars().count() > MAX_BODY_CHARS)
            {
                return Err(FieldError::new(
                    field,
                    format!("must be at most {MAX_BODY_CHARS} characters"),
                ));
            }
        }
        Ok(IncomingEmail {
            message_id,
            from: Mailbox::parse("from", &self.from)?,
            to: list("to", &self.to)?,
            cc: list("cc", &self.cc)?,
            subject: self.subject.unwrap_or_default().trim().to_owned(),
            text,
            html,
            in_reply_to: self.in_reply_to.filter(|v| !v.trim().is_empty()),
            received_at: self.received_at,
            attachments: Vec::new(),
        })
    }
}

impl StoredEmail {
    /// A new email of `company`: the body reduced to text and split, its language told.
    pub fn create(company: &CompanyId, incoming: IncomingEmail, now: DateTime<Utc>) -> Self {
        let analysed = match (&incoming.text, &incoming.html) {
            (Some(text), _) => text.clone(),
            (None, Some(html)) => message::html_to_text(html),
            (None, None) => String::new(),
        };
        let body = message::split_body(&analysed);
        let language = language::detect(&format!("{}\n{}", incoming.subject, body.new_text));
        Self {
            id: crate::records::new_id(),
            company_id: company.clone(),
            message_id: incoming.message_id,
            from: incoming.from,
            to: incoming.to,
            cc: incoming.cc,
            subject: incoming.subject,
            text: incoming.text,
            html: incoming.html,
            body,
            language,
            in_reply_to: incoming.in_reply_to,
            attachments: incoming.attachments,
            received_at: incoming.received_at.map_or(now, truncate_millis),
            created_at: now,
            enrichment: None,
            drafts: Vec::new(),
        }
    }

    /// The subject and the new text: what enrichment and drafts read.
    pub fn analysed_text(&self) -> String {
        format!("{}\n{}", self.subject, self.body.new_text)
    }
}

/// Both engines keep milliseconds; an email reads back equal to what was written.
fn truncate_millis(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mailboxes_with_and_without_names() {
        let plain = Mailbox::parse("from", " Ana@Example.SI ").unwrap();
        assert_eq!(
            (plain.name, plain.address.as_str()),
            (None, "ana@example.si")
        );
        let named = Mailbox::parse("from", "\"Novak, Ana\" <ana@example.si>").unwrap();
        assert_eq!(named.name.as_deref(), Some("Novak, Ana"));
        assert_eq!(named.domain(), "example.si");
        assert_eq!(
            Mailbox::parse("to", "not an address").unwrap_err().field,
            "to"
        );
    }
}

//! The BSON shape of every stored record, and its conversion to and from the domain types.
//!
//! The domain types serialise their times as RFC 3339 strings (that is what the JSON API
//! wants). In MongoDB a time must be a BSON date, or TTL indexes, range queries and sorts
//! compare text; so each record here mirrors its domain type with `bson::DateTime` fields.
//! Building the domain value with a struct literal means a field added to a domain type
//! stops this file compiling until the record says how to store it.
//!
//! BSON dates hold milliseconds, like the SQLite engine's times: a time read back is the
//! time written, truncated to the millisecond.

use crate::domain::events::{InboxEvent, InboxMessage, InboxStatus};
use crate::domain::reply::ReplySettings;
use crate::domain::{
    Channel, Company, CompanyId, CrmLink, CrmLinkType, Email, LinkHeader, LinkId, Page, PageId,
    Role, Sealed, Session, User, UserId,
};
use crate::store::{StoreError, StoreResult};
use chrono::{DateTime, Utc};
use mongodb::bson;
use serde::{Deserialize, Serialize};

pub(super) const COMPANIES: &str = "companies";
pub(super) const USERS: &str = "users";
pub(super) const SESSIONS: &str = "sessions";
pub(super) const INBOX_EVENTS: &str = "inbox_events";

pub(super) fn to_bson_date(time: DateTime<Utc>) -> bson::DateTime {
    bson::DateTime::from_millis(time.timestamp_millis())
}

pub(super) fn from_bson_date(date: bson::DateTime) -> StoreResult<DateTime<Utc>> {
    let ms = date.timestamp_millis();
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| StoreError::Corrupt(format!("stored time {ms} ms is out of range")))
}

/// A document of `companies`. Its pages live inside it, as the product guide has it ("CRM
/// configurations are stored in the companies collection under each page").
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct CompanyRecord {
    #[serde(rename = "_id")]
    pub id: CompanyId,
    pub name: String,
    pub created_at: bson::DateTime,
    /// Left out by the projections that read only the company.
    #[serde(default)]
    pub pages: Vec<PageRecord>,
}

impl From<&Company> for CompanyRecord {
    fn from(c: &Company) -> Self {
        Self {
            id: c.id.clone(),
            name: c.name.clone(),
            created_at: to_bson_date(c.created_at),
            pages: Vec::new(),
        }
    }
}

impl TryFrom<CompanyRecord> for Company {
    type Error = StoreError;
    fn try_from(r: CompanyRecord) -> StoreResult<Self> {
        Ok(Company {
            id: r.id,
            name: r.name,
            created_at: from_bson_date(r.created_at)?,
        })
    }
}

/// An element of a company's `pages` array. It repeats `company_id` so that a page read on
/// its own still says whose it is.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct PageRecord {
    pub page_id: PageId,
    pub company_id: CompanyId,
    pub page_name: String,
    /// Ciphertext, as the domain hands it over.
    pub access_token: Sealed,
    pub facebook_crm_links: Vec<CrmLinkRecord>,
    pub messenger_crm_links: Vec<CrmLinkRecord>,
    pub legacy_crm_links: Vec<CrmLinkRecord>,
    /// Absent on pages stored before replies had settings.
    #[serde(default)]
    pub reply: ReplySettings,
    pub created_at: bson::DateTime,
    pub updated_at: bson::DateTime,
    pub version: i64,
}

impl From<&Page> for PageRecord {
    fn from(p: &Page) -> Self {
        Self {
            page_id: p.page_id.clone(),
            company_id: p.company_id.clone(),
            page_name: p.page_name.clone(),
            access_token: p.access_token.clone(),
            facebook_crm_links: links_to_records(&p.facebook_crm_links),
            messenger_crm_links: links_to_records(&p.messenger_crm_links),
            legacy_crm_links: links_to_records(&p.legacy_crm_links),
            reply: p.reply.clone(),
            created_at: to_bson_date(p.created_at),
            updated_at: to_bson_date(p.updated_at),
            version: p.version,
        }
    }
}

impl TryFrom<PageRecord> for Page {
    type Error = StoreError;
    fn try_from(r: PageRecord) -> StoreResult<Self> {
        Ok(Page {
            company_id: r.company_id,
            page_id: r.page_id,
            page_name: r.page_name,
            access_token: r.access_token,
            facebook_crm_links: links_from_records(r.facebook_crm_links)?,
            messenger_crm_links: links_from_records(r.messenger_crm_links)?,
            legacy_crm_links: links_from_records(r.legacy_crm_links)?,
            reply: r.reply,
            created_at: from_bson_date(r.created_at)?,
            updated_at: from_bson_date(r.updated_at)?,
            version: r.version,
        })
    }
}

/// A CRM link inside one of a page's three link lists. Field names follow the product guide.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct CrmLinkRecord {
    pub id: LinkId,
    pub name: String,
    pub url: String,
    #[serde(rename = "type")]
    pub link_type: CrmLinkType,
    pub channels: Vec<Channel>,
    /// Sealed; `null` when the link has no key.
    pub api_key: Option<Sealed>,
    /// `{name, value: {plain: ..} | {sealed: ..}}`: credential headers are already sealed.
    pub headers: Vec<LinkHeader>,
    pub description: Option<String>,
    pub is_active: bool,
    pub created_at: bson::DateTime,
    pub updated_at: bson::DateTime,
    /// Sealed signing secret of a webhook-type link; absent on other links and older records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_secret: Option<Sealed>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_minutes: Option<u32>,
}

pub(super) fn links_to_records(links: &[CrmLink]) -> Vec<CrmLinkRecord> {
    links
        .iter()
        .map(|l| CrmLinkRecord {
            id: l.id.clone(),
            name: l.name.clone(),
            url: l.url.clone(),
            link_type: l.link_type,
            channels: l.channels.clone(),
            api_key: l.api_key.clone(),
            headers: l.headers.clone(),
            description: l.description.clone(),
            is_active: l.is_active,
            created_at: to_bson_date(l.created_at),
            updated_at: to_bson_date(l.updated_at),
            webhook_secret: l.webhook_secret.clone(),
            refresh_minutes: l.refresh_minutes,
        })
        .collect()
}

fn links_from_records(records: Vec<CrmLinkRecord>) -> StoreResult<Vec<CrmLink>> {
    records
        .into_iter()
        .map(|r| {
            Ok(CrmLink {
                id: r.id,
                name: r.name,
                url: r.url,
                link_type: r.link_type,
                channels: r.channels,
                api_key: r.api_key,
                headers: r.headers,
                description: r.description,
                is_active: r.is_active,
                created_at: from_bson_date(r.created_at)?,
                updated_at: from_bson_date(r.updated_at)?,
                webhook_secret: r.webhook_secret,
                refresh_minutes: r.refresh_minutes,
            })
        })
        .collect()
}

/// A document of `users`; the user id is `_id`, `email` has a unique index.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct UserRecord {
    #[serde(rename = "_id")]
    pub id: UserId,
    pub company_id: CompanyId,
    pub email: Email,
    pub password_hash: String,
    pub role: Role,
    pub created_at: bson::DateTime,
}

impl From<&User> for UserRecord {
    fn from(u: &User) -> Self {
        Self {
            id: u.id.clone(),
            company_id: u.company_id.clone(),
            email: u.email.clone(),
            password_hash: u.password_hash.clone(),
            role: u.role,
            created_at: to_bson_date(u.created_at),
        }
    }
}

impl TryFrom<UserRecord> for User {
    type Error = StoreError;
    fn try_from(r: UserRecord) -> StoreResult<Self> {
        Ok(User {
            id: r.id,
            company_id: r.company_id,
            email: r.email,
            password_hash: r.password_hash,
            role: r.role,
            created_at: from_bson_date(r.created_at)?,
        })
    }
}

/// A document of `sessions`. `_id` is a driver-made ObjectId; `token_hash` has a unique index.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct SessionRecord {
    pub token_hash: String,
    pub user_id: UserId,
    pub company_id: CompanyId,
    pub role: Role,
    pub created_at: bson::DateTime,
    pub expires_at: bson::DateTime,
}

impl From<&Session> for SessionRecord {
    fn from(s: &Session) -> Self {
        Self {
            token_hash: s.token_hash.clone(),
            user_id: s.user_id.clone(),
            company_id: s.company_id.clone(),
            role: s.role,
            created_at: to_bson_date(s.created_at),
            expires_at: to_bson_date(s.expires_at),
        }
    }
}

impl TryFrom<SessionRecord> for Session {
    type Error = StoreError;
    fn try_from(r: SessionRecord) -> StoreResult<Self> {
        Ok(Session {
            token_hash: r.token_hash,
            user_id: r.user_id,
            company_id: r.company_id,
            role: r.role,
            created_at: from_bson_date(r.created_at)?,
            expires_at: from_bson_date(r.expires_at)?,
        })
    }
}

/// A document of `inbox_events`. `_id` is a driver-made ObjectId rather than the event's
/// uuid: ObjectIds grow in insertion order, which breaks ties between events received in the
/// same millisecond the way the SQLite engine's rowid does. The uuid is `id`, unique.
///
/// The lease fields belong to the reply worker (`leases.rs`); the domain event does not carry
/// them, so they are written on insert and changed only by its updates.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct InboxEventRecord {
    pub id: String,
    pub company_id: CompanyId,
    pub page_id: PageId,
    pub channel: Channel,
    pub natural_key: String,
    pub sender_id: String,
    /// Tagged by `kind`, as the domain type serialises it.
    pub message: InboxMessage,
    pub occurred_at: Option<bson::DateTime>,
    pub received_at: bson::DateTime,
    pub status: InboxStatus,
    /// A `pending` event is not claimed before this time: `received_at` on insert, later
    /// when a worker defers it. Absent only on events stored before the reply worker
    /// existed, which the worker therefore never claims (they are old news by now).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_at: Option<bson::DateTime>,
    /// The worker holding a `processing` event, and until when; absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease_owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease_until: Option<bson::DateTime>,
}

impl From<&InboxEvent> for InboxEventRecord {
    fn from(e: &InboxEvent) -> Self {
        Self {
            id: e.id.clone(),
            company_id: e.company_id.clone(),
            page_id: e.page_id.clone(),
            channel: e.channel,
            natural_key: e.natural_key.clone(),
            sender_id: e.sender_id.clone(),
            message: e.message.clone(),
            occurred_at: e.occurred_at.map(to_bson_date),
            received_at: to_bson_date(e.received_at),
            status: e.status,
            available_at: Some(to_bson_date(e.received_at)),
            lease_owner: None,
            lease_until: None,
        }
    }
}

impl TryFrom<InboxEventRecord> for InboxEvent {
    type Error = StoreError;
    fn try_from(r: InboxEventRecord) -> StoreResult<Self> {
        Ok(InboxEvent {
            id: r.id,
            company_id: r.company_id,
            page_id: r.page_id,
            channel: r.channel,
            natural_key: r.natural_key,
            sender_id: r.sender_id,
            message: r.message,
            occurred_at: r.occurred_at.map(from_bson_date).transpose()?,
            received_at: from_bson_date(r.received_at)?,
            status: r.status,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mongodb::bson::Bson;

    #[test]
    fn times_are_stored_as_bson_dates_to_the_millisecond() {
        let time = DateTime::parse_from_rfc3339("2024-05-06T07:08:09.123456789Z")
            .unwrap()
            .with_timezone(&Utc);
        let company = Company {
            id: "c1".into(),
            name: "Shop".into(),
            created_at: time,
        };
        let doc = bson::to_document(&CompanyRecord::from(&company)).unwrap();
        assert!(
            matches!(doc.get("created_at"), Some(Bson::DateTime(_))),
            "{doc}"
        );
        assert_eq!(doc.get_str("_id").unwrap(), "c1");

        let back = Company::try_from(bson::from_document::<CompanyRecord>(doc).unwrap()).unwrap();
        assert_eq!(back.created_at.timestamp_millis(), time.timestamp_millis());
        assert_eq!(back.created_at.timestamp_subsec_nanos(), 123_000_000);
    }
}

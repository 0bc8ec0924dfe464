//! The answers of `/api/dashboard/crm-links`, as the CRM integration guide shows them: a
//! link as a client sees it ([`CrmLinkView`], its API key and credential headers masked) and
//! each operation's envelope.

use crate::domain::crm_link::{self, HeaderSecret};
use crate::domain::{Channel, CompanyId, CrmLink, CrmLinkType, Page, PageId};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// What responses show instead of an API key or a credential header value.
const MASK: &str = "***";

/// A CRM link as a client sees it: the API key and the values of credential-like headers
/// are `***`.
#[derive(Serialize, ToSchema)]
pub struct CrmLinkView {
    id: String,
    name: String,
    url: String,
    #[serde(rename = "type")]
    link_type: CrmLinkType,
    channels: Vec<Channel>,
    /// `***` when the link has a key.
    #[schema(value_type = Option<String>)]
    api_key: Option<&'static str>,
    /// Credential-like headers' values are `***`.
    headers: BTreeMap<String, String>,
    description: Option<String>,
    is_active: bool,
    refresh_minutes: Option<u32>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<&CrmLink> for CrmLinkView {
    fn from(link: &CrmLink) -> Self {
        let headers = link
            .headers
            .iter()
            .map(|h| {
                let value = match &h.value {
                    // Plain values of credential-like names (stored before a rule change) stay masked too.
                    HeaderSecret::Plain(v) if !crm_link::is_credential_header(&h.name) => v.clone(),
                    _ => MASK.to_owned(),
                };
                (h.name.clone(), value)
            })
            .collect();
        Self {
            id: link.id.to_string(),
            name: link.name.clone(),
            url: link.url.clone(),
            link_type: link.link_type,
            channels: link.channels.clone(),
            api_key: link.api_key.as_ref().map(|_| MASK),
            headers,
            description: link.description.clone(),
            is_active: link.is_active,
            refresh_minutes: link.refresh_minutes,
            created_at: link.created_at,
            updated_at: link.updated_at,
        }
    }
}

pub fn views<'a>(links: impl IntoIterator<Item = &'a CrmLink>) -> Vec<CrmLinkView> {
    links.into_iter().map(CrmLinkView::from).collect()
}

/// `GET /api/dashboard/crm-links`: one page's links.
#[derive(Serialize, ToSchema)]
pub struct LinkList {
    pub crm_links: Vec<CrmLinkView>,
    pub page_id: PageId,
    /// The channel asked for; null for all.
    pub channel: Option<Channel>,
    pub total: usize,
    pub active_count: usize,
    pub inactive_count: usize,
}

/// `POST /api/dashboard/crm-links`: the link added.
#[derive(Serialize, ToSchema)]
pub struct LinkAdded {
    pub message: &'static str,
    pub crm_link: CrmLinkView,
    pub channels: Vec<Channel>,
    pub page_id: PageId,
    /// Only for a link of type `webhook`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook: Option<WebhookSetup>,
}

/// How a CRM pushes to a webhook link. The secret is shown in this one answer only: only its
/// sealed form is stored. (No `Debug`, so it cannot reach a log.)
#[derive(Serialize, ToSchema)]
pub struct WebhookSetup {
    pub url: String,
    #[schema(format = Password)]
    pub secret: String,
    pub signature_header: &'static str,
    pub note: &'static str,
}

/// `PUT /api/dashboard/crm-links/status`.
#[derive(Serialize, ToSchema)]
pub struct StatusChanged {
    pub message: &'static str,
    pub updated_count: usize,
    pub url: String,
    pub channels: Vec<Channel>,
    pub is_active: bool,
}

/// `DELETE /api/dashboard/crm-links`.
#[derive(Serialize, ToSchema)]
pub struct LinksDeleted {
    pub message: &'static str,
    pub deleted_count: usize,
    pub url: String,
    pub channels: Vec<Channel>,
}

/// `GET /api/dashboard/crm-links/all`: every page's links.
#[derive(Serialize, ToSchema)]
pub struct AllLinks {
    pub company_id: CompanyId,
    pub company_name: String,
    pub pages_data: Vec<PageLinks>,
    pub total_pages: usize,
    pub total_crm_links: usize,
    pub total_active: usize,
    pub total_inactive: usize,
}

/// One page's links by channel, in [`AllLinks`].
#[derive(Serialize, ToSchema)]
pub struct PageLinks {
    pub page_id: PageId,
    pub page_name: String,
    pub facebook_crm_links: Vec<CrmLinkView>,
    pub messenger_crm_links: Vec<CrmLinkView>,
    pub legacy_crm_links: Vec<CrmLinkView>,
    pub total_active: usize,
    pub total_inactive: usize,
}

impl From<&Page> for PageLinks {
    fn from(page: &Page) -> Self {
        Self {
            page_id: page.page_id.clone(),
            page_name: page.page_name.clone(),
            facebook_crm_links: views(&page.facebook_crm_links),
            messenger_crm_links: views(&page.messenger_crm_links),
            legacy_crm_links: views(&page.legacy_crm_links),
            total_active: page.active_count(),
            total_inactive: page.inactive_count(),
        }
    }
}

//! `/api/dashboard/crm-links`: paths, parameters and bodies exactly as the product's CRM
//! integration guide documents them. Requests are read leniently (every field optional) and
//! then checked, so that a missing field gets a message naming it.

use super::AppState;
use super::error::ApiError;
use super::extract::{ApiJson, ApiQuery, Caller};
use crate::dashboard::{NewCrmLink, parse_page_id};
use crate::domain::crm_link::{self, HeaderSecret};
use crate::domain::{Channel, CrmLink, CrmLinkDraft, CrmLinkType, FieldError, Page};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

/// What responses show instead of an API key or a credential header value.
const MASK: &str = "***";

#[derive(Serialize)]
pub struct CrmLinkView {
    id: String,
    name: String,
    url: String,
    #[serde(rename = "type")]
    link_type: CrmLinkType,
    channels: Vec<Channel>,
    api_key: Option<&'static str>,
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

fn views<'a>(links: impl IntoIterator<Item = &'a CrmLink>) -> Vec<CrmLinkView> {
    links.into_iter().map(CrmLinkView::from).collect()
}

fn required<T>(value: Option<T>, field: &'static str) -> Result<T, FieldError> {
    value.ok_or_else(|| FieldError::new(field, "is required"))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Required: the page whose links to list.
    page_id: Option<String>,
    /// `facebook`, `messenger` or `legacy`; all channels when left out.
    channel: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/dashboard/crm-links",
    tag = "crm-links",
    params(
        ListQuery,
    ),
    responses(
        (status = 200, description = "the page's links: `{crm_links, page_id, channel, total, active_count, inactive_count}`", body = super::openapi::JsonObject),
        (status = 400, response = super::openapi::responses::BadRequest),
        (status = 401, response = super::openapi::responses::Unauthorized),
        (status = 404, response = super::openapi::responses::NotFound),
        (status = 500, response = super::openapi::responses::Internal),
    ),
    security(("bearer" = [])),
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let page_id = parse_page_id(&required(query.page_id, "page_id")?)?;
    let channel = query
        .channel
        .filter(|c| !c.is_empty())
        .map(|c| Channel::parse("channel", &c))
        .transpose()?;
    let page = state.dashboard.page(caller.company(), &page_id).await?;
    let links: Vec<&CrmLink> = match channel {
        Some(channel) => page.links(channel).iter().collect(),
        None => page.all_links().collect(),
    };
    let active = links.iter().filter(|l| l.is_active).count();
    Ok(Json(json!({
        "crm_links": views(links.iter().copied()),
        "page_id": page_id,
        "channel": channel,
        "total": links.len(),
        "active_count": active,
        "inactive_count": links.len() - active,
    })))
}

#[derive(Deserialize, ToSchema)]
pub struct AddBody {
    page_id: Option<String>,
    channels: Option<Vec<String>>,
    name: Option<String>,
    url: Option<String>,
    #[serde(rename = "type")]
    link_type: Option<String>,
    #[schema(value_type = Option<String>, format = Password)]
    api_key: Option<SecretString>,
    headers: Option<BTreeMap<String, String>>,
    description: Option<String>,
    is_active: Option<bool>,
    refresh_minutes: Option<i64>,
}

impl AddBody {
    fn parse(self) -> Result<NewCrmLink, FieldError> {
        let page_id = parse_page_id(&required(self.page_id, "page_id")?)?;
        let channels = Channel::parse_list("channels", &required(self.channels, "channels")?)?;
        let name = crm_link::parse_name(&required(self.name, "name")?)?;
        let link_type = match self.link_type.as_deref() {
            None | Some("") => CrmLinkType::Api,
            Some(word) => CrmLinkType::parse(word)?,
        };
        let url = crm_link::parse_url(&required(self.url, "url")?, link_type)?;
        let is_active = required(self.is_active, "is_active")?;
        let headers =
            crm_link::parse_headers(self.headers.unwrap_or_default().into_iter().collect())?;
        let description = crm_link::parse_description(self.description.as_deref())?;
        let refresh_minutes = crm_link::parse_refresh_minutes(self.refresh_minutes)?;
        Ok(NewCrmLink {
            page_id,
            draft: CrmLinkDraft {
                name,
                url,
                link_type,
                channels,
                api_key: self.api_key,
                headers,
                description,
                is_active,
                refresh_minutes,
            },
        })
    }
}

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    post,
    path = "/api/dashboard/crm-links",
    tag = "crm-links",
    request_body = AddBody,
    responses(
        (status = 201, description = "added: `{message, crm_link, channels, page_id}`, and `webhook` (with its secret, shown once) for a webhook link", body = super::openapi::JsonObject),
        (status = 400, response = super::openapi::responses::BadRequest),
        (status = 401, response = super::openapi::responses::Unauthorized),
        (status = 403, response = super::openapi::responses::Forbidden),
        (status = 404, response = super::openapi::responses::NotFound),
        (status = 409, description = "the page or link is taken, or another change to it ran at the same time (`conflict`, `contended`)", body = super::error::ErrorBody),
        (status = 413, response = super::openapi::responses::PayloadTooLarge),
        (status = 415, response = super::openapi::responses::UnsupportedMediaType),
        (status = 500, response = super::openapi::responses::Internal),
    ),
    security(("bearer" = [])),
)]
pub async fn add(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<AddBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.require_admin()?;
    let new = body.parse()?;
    let page_id = new.page_id.clone();
    let added = state.dashboard.add_crm_link(caller.company(), new).await?;
    let link = &added.link;
    tracing::info!(page_id = %page_id, url = %link.url, "CRM link added successfully");
    let mut body = json!({
        "message": "CRM link added successfully",
        "crm_link": CrmLinkView::from(link),
        "channels": link.channels,
        "page_id": page_id,
    });
    if let Some(secret) = &added.webhook_secret {
        // Shown this once: only its sealed form is stored.
        body["webhook"] = json!({
            "url": format!("/api/crm-links/webhook/{}", link.id),
            "secret": secret.expose_secret(),
            "signature_header": "X-CRM-Signature-256",
            "note": "Sign each push with HMAC-SHA256 of the raw body using this secret, sent as sha256=<hex>. The secret is shown only now.",
        });
    }
    Ok((StatusCode::CREATED, Json(body)))
}

/// The body of status and delete requests: which link, on which channels.
#[derive(Deserialize, ToSchema)]
pub struct LinkSelector {
    page_id: Option<String>,
    url: Option<String>,
    channels: Option<Vec<String>>,
    is_active: Option<bool>,
}

struct Selected {
    page_id: crate::domain::PageId,
    url: String,
    channels: Vec<Channel>,
}

impl LinkSelector {
    fn parse(&self) -> Result<Selected, FieldError> {
        let url = required(self.url.as_deref(), "url")?.trim();
        if url.is_empty() {
            return Err(FieldError::new("url", "must not be empty"));
        }
        Ok(Selected {
            page_id: parse_page_id(required(self.page_id.as_deref(), "page_id")?)?,
            url: url.to_owned(),
            channels: Channel::parse_list(
                "channels",
                required(self.channels.as_deref(), "channels")?,
            )?,
        })
    }
}

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    put,
    path = "/api/dashboard/crm-links/status",
    tag = "crm-links",
    request_body = LinkSelector,
    responses(
        (status = 200, description = "`{message, updated_count, url, channels, is_active}`", body = super::openapi::JsonObject),
        (status = 400, response = super::openapi::responses::BadRequest),
        (status = 401, response = super::openapi::responses::Unauthorized),
        (status = 403, response = super::openapi::responses::Forbidden),
        (status = 404, response = super::openapi::responses::NotFound),
        (status = 409, description = "the page or link is taken, or another change to it ran at the same time (`conflict`, `contended`)", body = super::error::ErrorBody),
        (status = 413, response = super::openapi::responses::PayloadTooLarge),
        (status = 415, response = super::openapi::responses::UnsupportedMediaType),
        (status = 500, response = super::openapi::responses::Internal),
    ),
    security(("bearer" = [])),
)]
pub async fn set_status(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<LinkSelector>,
) -> Result<Json<Value>, ApiError> {
    caller.require_admin()?;
    let selected = body.parse()?;
    let is_active = required(body.is_active, "is_active")?;
    let updated = state
        .dashboard
        .set_crm_link_status(
            caller.company(),
            &selected.page_id,
            &selected.url,
            &selected.channels,
            is_active,
        )
        .await?;
    Ok(Json(json!({
        "message": "CRM link status updated successfully",
        "updated_count": updated.count,
        "url": selected.url,
        "channels": selected.channels,
        "is_active": is_active,
    })))
}

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    delete,
    path = "/api/dashboard/crm-links",
    tag = "crm-links",
    request_body = LinkSelector,
    responses(
        (status = 200, description = "`{message, deleted_count, url, channels}`", body = super::openapi::JsonObject),
        (status = 400, response = super::openapi::responses::BadRequest),
        (status = 401, response = super::openapi::responses::Unauthorized),
        (status = 403, response = super::openapi::responses::Forbidden),
        (status = 404, response = super::openapi::responses::NotFound),
        (status = 409, description = "the page or link is taken, or another change to it ran at the same time (`conflict`, `contended`)", body = super::error::ErrorBody),
        (status = 413, response = super::openapi::responses::PayloadTooLarge),
        (status = 415, response = super::openapi::responses::UnsupportedMediaType),
        (status = 500, response = super::openapi::responses::Internal),
    ),
    security(("bearer" = [])),
)]
pub async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<LinkSelector>,
) -> Result<Json<Value>, ApiError> {
    caller.require_admin()?;
    let selected = body.parse()?;
    let deleted = state
        .dashboard
        .delete_crm_link(
            caller.company(),
            &selected.page_id,
            &selected.url,
            &selected.channels,
        )
        .await?;
    Ok(Json(json!({
        "message": "CRM link deleted successfully",
        "deleted_count": deleted.count,
        "url": selected.url,
        "channels": selected.channels,
    })))
}

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    get,
    path = "/api/dashboard/crm-links/all",
    tag = "crm-links",
    responses(
        (status = 200, description = "every page's links: `{company_id, company_name, pages_data, total_pages, total_crm_links, total_active, total_inactive}`", body = super::openapi::JsonObject),
        (status = 401, response = super::openapi::responses::Unauthorized),
        (status = 404, response = super::openapi::responses::NotFound),
        (status = 500, response = super::openapi::responses::Internal),
    ),
    security(("bearer" = [])),
)]
pub async fn all(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    let (company_name, pages) = state.dashboard.all_crm_links(caller.company()).await?;
    let pages_data: Vec<Value> = pages.iter().map(page_summary).collect();
    let total_active: usize = pages.iter().map(Page::active_count).sum();
    let total_inactive: usize = pages.iter().map(Page::inactive_count).sum();
    Ok(Json(json!({
        "company_id": caller.company(),
        "company_name": company_name,
        "pages_data": pages_data,
        "total_pages": pages.len(),
        "total_crm_links": total_active + total_inactive,
        "total_active": total_active,
        "total_inactive": total_inactive,
    })))
}

fn page_summary(page: &Page) -> Value {
    json!({
        "page_id": page.page_id,
        "page_name": page.page_name,
        "facebook_crm_links": views(&page.facebook_crm_links),
        "messenger_crm_links": views(&page.messenger_crm_links),
        "legacy_crm_links": views(&page.legacy_crm_links),
        "total_active": page.active_count(),
        "total_inactive": page.inactive_count(),
    })
}

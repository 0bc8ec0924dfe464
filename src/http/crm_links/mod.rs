//! `/api/dashboard/crm-links`: paths, parameters and bodies exactly as the product's CRM
//! integration guide documents them. Requests are read leniently (every field optional) and
//! then checked, so that a missing field gets a message naming it.

mod answers;

use super::AppState;
use super::error::ApiError;
use super::extract::{ApiJson, ApiQuery, Caller};
use super::openapi::patterns;
use crate::dashboard::{NewCrmLink, parse_page_id};
use crate::domain::crm_link;
use crate::domain::{Channel, CrmLink, CrmLinkDraft, CrmLinkType, FieldError, Page};
use answers::{
    AllLinks, CrmLinkView, LinkAdded, LinkList, LinksDeleted, PageLinks, StatusChanged,
    WebhookSetup, views,
};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

fn required<T>(value: Option<T>, field: &'static str) -> Result<T, FieldError> {
    value.ok_or_else(|| FieldError::new(field, "is required"))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// The page whose links to list.
    #[param(required = true, value_type = String, pattern = r"^[^\s\x00-\x1f\x7f-\x9f%/?#]{1,64}$")]
    page_id: Option<String>,
    /// `facebook` or `messenger`; all channels when left out or empty.
    #[param(pattern = "^(facebook|messenger)?$")]
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
        (status = 200, description = "the page's links", body = LinkList),
        (status = 400, response = super::openapi::responses::BadRequest),
        (status = 404, response = super::openapi::responses::NotFound),
    ),
    security(("bearer" = [])),
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<LinkList>, ApiError> {
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
    Ok(Json(LinkList {
        crm_links: views(links.iter().copied()),
        page_id,
        channel,
        total: links.len(),
        active_count: active,
        inactive_count: links.len() - active,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct AddBody {
    #[schema(required = true, value_type = String, pattern = r"^[^\s\x00-\x1f\x7f-\x9f%/?#]{1,64}$")]
    page_id: Option<String>,
    /// Repeats count once.
    #[schema(required = true, value_type = Vec<Channel>, min_items = 1)]
    channels: Option<Vec<String>>,
    /// Trimmed.
    #[schema(required = true, value_type = String, min_length = 1, max_length = 200, pattern = r"\S|[\x1c-\x1f\uFEFF]")]
    name: Option<String>,
    /// `http` or `https` with a host (a link of type `file` may also name `file:///path`).
    #[schema(required = true, value_type = String, pattern = r"^https?://([A-Za-z0-9-]+\.)*[A-Za-z][A-Za-z0-9-]*(:[0-9]{1,4})?([/?#][!-~]*)?$")]
    url: Option<String>,
    /// `api`, `webhook`, `database` or `file`; `api` unless given (or empty).
    #[serde(rename = "type")]
    #[schema(pattern = "^(api|webhook|database|file)?$")]
    link_type: Option<String>,
    /// Sealed at rest and never shown again (answers say `***`).
    #[schema(value_type = Option<String>, format = Password)]
    api_key: Option<SecretString>,
    /// Sent with each fetch; credential-like ones are sealed and masked.
    #[schema(schema_with = headers_schema)]
    headers: Option<BTreeMap<String, String>>,
    #[schema(max_length = 2000)]
    description: Option<String>,
    #[schema(required = true, value_type = bool)]
    is_active: Option<bool>,
    /// Minutes between fetches, 1 to 10080 (a week).
    #[serde(default, deserialize_with = "super::openapi::whole::optional")]
    #[schema(minimum = 1, maximum = 10080)]
    refresh_minutes: Option<i64>,
}

/// At most 50 headers, each a valid HTTP header name and value; or `null` for none.
fn headers_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, OneOfBuilder, Type};
    let headers = ObjectBuilder::new()
        .schema_type(Type::Object)
        .property_names(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(patterns::HEADER_NAME)),
        ))
        .additional_properties(Some(AdditionalProperties::RefOr(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(patterns::HEADER_VALUE))
                .into(),
        )))
        .max_properties(Some(50));
    OneOfBuilder::new()
        .item(headers)
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .into()
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
        (status = 201, description = "added; a webhook link also gets `webhook`, with its secret shown this once", body = LinkAdded),
        (status = 400, response = super::openapi::responses::BadRequest),
        (status = 403, response = super::openapi::responses::Forbidden),
        (status = 404, response = super::openapi::responses::NotFound),
        (status = 409, description = "the page or link is taken, or another change to it ran at the same time (`conflict`, `contended`)", body = super::error::ErrorBody),
        (status = 415, response = super::openapi::responses::UnsupportedMediaType),
    ),
    security(("bearer" = [])),
)]
pub async fn add(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<AddBody>,
) -> Result<(StatusCode, Json<LinkAdded>), ApiError> {
    caller.require_admin()?;
    let new = body.parse()?;
    let page_id = new.page_id.clone();
    let added = state.dashboard.add_crm_link(caller.company(), new).await?;
    let link = &added.link;
    tracing::info!(page_id = %page_id, url = %link.url, "CRM link added successfully");
    // Shown this once: only its sealed form is stored.
    let webhook = added.webhook_secret.as_ref().map(|secret| WebhookSetup {
        url: format!("/api/crm-links/webhook/{}", link.id),
        secret: secret.expose_secret().to_owned(),
        signature_header: "X-CRM-Signature-256",
        note: "Sign each push with HMAC-SHA256 of the raw body using this secret, sent as sha256=<hex>. The secret is shown only now.",
    });
    let body = LinkAdded {
        message: "CRM link added successfully",
        crm_link: CrmLinkView::from(link),
        channels: link.channels.clone(),
        page_id,
        webhook,
    };
    Ok((StatusCode::CREATED, Json(body)))
}

/// The body of a delete request: which link, on which channels.
#[derive(Deserialize, ToSchema)]
pub struct LinkSelector {
    #[schema(required = true, value_type = String, pattern = r"^[^\s\x00-\x1f\x7f-\x9f%/?#]{1,64}$")]
    page_id: Option<String>,
    /// The link's URL as it was added (trimmed).
    #[schema(required = true, value_type = String, min_length = 1, pattern = r"\S|[\x1c-\x1f\uFEFF]")]
    url: Option<String>,
    #[schema(required = true, value_type = Vec<Channel>, min_items = 1)]
    channels: Option<Vec<String>>,
}

/// The body of a status change: which link, on which channels, and its new state.
#[derive(Deserialize, ToSchema)]
pub struct StatusChange {
    #[serde(flatten)]
    #[schema(inline)]
    link: LinkSelector,
    #[schema(required = true, value_type = bool)]
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
    request_body = StatusChange,
    responses(
        (status = 200, description = "the links changed", body = StatusChanged),
        (status = 400, response = super::openapi::responses::BadRequest),
        (status = 403, response = super::openapi::responses::Forbidden),
        (status = 404, response = super::openapi::responses::NotFound),
        (status = 409, description = "the page or link is taken, or another change to it ran at the same time (`conflict`, `contended`)", body = super::error::ErrorBody),
        (status = 415, response = super::openapi::responses::UnsupportedMediaType),
    ),
    security(("bearer" = [])),
)]
pub async fn set_status(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<StatusChange>,
) -> Result<Json<StatusChanged>, ApiError> {
    caller.require_admin()?;
    let selected = body.link.parse()?;
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
    Ok(Json(StatusChanged {
        message: "CRM link status updated successfully",
        updated_count: updated.count,
        url: selected.url,
        channels: selected.channels,
        is_active,
    }))
}

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    delete,
    path = "/api/dashboard/crm-links",
    tag = "crm-links",
    request_body = LinkSelector,
    responses(
        (status = 200, description = "the links deleted", body = LinksDeleted),
        (status = 400, response = super::openapi::responses::BadRequest),
        (status = 403, response = super::openapi::responses::Forbidden),
        (status = 404, response = super::openapi::responses::NotFound),
        (status = 409, description = "the page or link is taken, or another change to it ran at the same time (`conflict`, `contended`)", body = super::error::ErrorBody),
        (status = 415, response = super::openapi::responses::UnsupportedMediaType),
    ),
    security(("bearer" = [])),
)]
pub async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<LinkSelector>,
) -> Result<Json<LinksDeleted>, ApiError> {
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
    Ok(Json(LinksDeleted {
        message: "CRM link deleted successfully",
        deleted_count: deleted.count,
        url: selected.url,
        channels: selected.channels,
    }))
}

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    get,
    path = "/api/dashboard/crm-links/all",
    tag = "crm-links",
    responses(
        (status = 200, description = "every page's links", body = AllLinks),
        (status = 404, response = super::openapi::responses::NotFound),
    ),
    security(("bearer" = [])),
)]
pub async fn all(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<AllLinks>, ApiError> {
    let (company_name, pages) = state.dashboard.all_crm_links(caller.company()).await?;
    let total_active: usize = pages.iter().map(Page::active_count).sum();
    let total_inactive: usize = pages.iter().map(Page::inactive_count).sum();
    Ok(Json(AllLinks {
        company_id: caller.company().clone(),
        company_name,
        pages_data: pages.iter().map(PageLinks::from).collect(),
        total_pages: pages.len(),
        total_crm_links: total_active + total_inactive,
        total_active,
        total_inactive,
    }))
}

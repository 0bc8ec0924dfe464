//! `/api/dashboard/pages`: the company's Facebook pages. Responses never carry the token.

use super::AppState;
use super::error::ApiError;
use super::extract::{ApiJson, Caller};
use crate::domain::Page;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
pub struct RegisterPage {
    #[schema(pattern = r"^[^\s\x00-\x1f\x7f-\x9f%/?#]{1,64}$")]
    page_id: String,
    /// Trimmed.
    #[schema(min_length = 1, pattern = r"\S|[\x1c-\x1f\uFEFF]")]
    page_name: String,
    /// The page access token; stored sealed and never shown again.
    #[schema(value_type = String, format = Password, min_length = 1, pattern = r"\S|[\x1c-\x1f\uFEFF]")]
    access_token: SecretString,
}

/// A page as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct PageView {
    page_id: String,
    page_name: String,
    crm_links_total: usize,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// `DELETE /api/dashboard/pages/{page_id}`.
#[derive(Serialize, ToSchema)]
pub struct PageDeleted {
    message: &'static str,
    page_id: String,
}

/// The company's pages.
#[derive(Serialize, ToSchema)]
pub struct PageList {
    total: usize,
    pages: Vec<PageView>,
}

impl From<&Page> for PageView {
    fn from(page: &Page) -> Self {
        Self {
            page_id: page.page_id.to_string(),
            page_name: page.page_name.clone(),
            crm_links_total: page.all_links().count(),
            created_at: page.created_at,
            updated_at: page.updated_at,
        }
    }
}

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    post,
    path = "/api/dashboard/pages",
    tag = "pages",
    request_body = RegisterPage,
    responses(
        (status = 201, description = "registered", body = PageView),
        (status = 200, description = "already registered by this company; name and token updated", body = PageView),
        (status = 400, response = super::openapi::responses::BadRequest),
        (status = 403, response = super::openapi::responses::Forbidden),
        (status = 409, description = "the page belongs to another company (`conflict`)", body = super::error::ErrorBody),
        (status = 415, response = super::openapi::responses::UnsupportedMediaType),
    ),
    security(("bearer" = [])),
)]
pub async fn register(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<RegisterPage>,
) -> Result<(StatusCode, Json<PageView>), ApiError> {
    caller.require_admin()?;
    let (page, created) = state
        .dashboard
        .register_page(
            caller.company(),
            &body.page_id,
            &body.page_name,
            &body.access_token,
        )
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(PageView::from(&page))))
}

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    get,
    path = "/api/dashboard/pages",
    tag = "pages",
    responses(
        (status = 200, description = "the company's pages", body = PageList),
    ),
    security(("bearer" = [])),
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<PageList>, ApiError> {
    let pages = state.dashboard.list_pages(caller.company()).await?;
    let views: Vec<PageView> = pages.iter().map(PageView::from).collect();
    Ok(Json(PageList {
        total: views.len(),
        pages: views,
    }))
}

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    delete,
    path = "/api/dashboard/pages/{page_id}",
    tag = "pages",
    params(
        ("page_id" = String, Path, description = "the Facebook page id"),
    ),
    responses(
        (status = 200, description = "deleted", body = PageDeleted),
        (status = 400, response = super::openapi::responses::BadRequest),
        (status = 403, response = super::openapi::responses::Forbidden),
        (status = 404, response = super::openapi::responses::NotFound),
        (status = 409, description = "the page or link is taken, or another change to it ran at the same time (`conflict`, `contended`)", body = super::error::ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    Path(page_id): Path<String>,
) -> Result<Json<PageDeleted>, ApiError> {
    caller.require_admin()?;
    state
        .dashboard
        .delete_page(caller.company(), &page_id)
        .await?;
    Ok(Json(PageDeleted {
        message: "Page deleted successfully",
        page_id,
    }))
}

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
use serde_json::{Value, json};

#[derive(Deserialize)]
pub struct RegisterPage {
    page_id: String,
    page_name: String,
    access_token: SecretString,
}

/// A page as the API shows it.
#[derive(Serialize)]
pub struct PageView {
    page_id: String,
    page_name: String,
    crm_links_total: usize,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
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
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    let pages = state.dashboard.list_pages(caller.company()).await?;
    let views: Vec<PageView> = pages.iter().map(PageView::from).collect();
    Ok(Json(json!({ "total": views.len(), "pages": views })))
}

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
pub async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    Path(page_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require_admin()?;
    state
        .dashboard
        .delete_page(caller.company(), &page_id)
        .await?;
    Ok(Json(
        json!({ "message": "Page deleted successfully", "page_id": page_id }),
    ))
}

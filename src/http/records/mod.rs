//! `/api/products`, `/api/contacts` and `/api/sales-documents`: the company's own records
//! for the Metakocka sync (see [`crate::records`]), with list (paging and a text filter),
//! create, read, replace and delete. A product or contact that a sales document names
//! cannot be deleted (409 `in_use`).
//!
//! Agents may read; creating, replacing and deleting need the admin role. Another
//! company's record answers 404, exactly like one that does not exist. `PUT` replaces the
//! whole record and the last write wins.

mod contacts;
mod products;
mod sales_documents;

use super::AppState;
use super::error::ApiError;
use crate::records::{RecordPage, RecordQuery};
use crate::store::StoreError;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/products", get(products::list).post(products::create))
        .route(
            "/api/products/{id}",
            get(products::show)
                .put(products::replace)
                .delete(products::remove),
        )
        .route("/api/contacts", get(contacts::list).post(contacts::create))
        .route(
            "/api/contacts/{id}",
            get(contacts::show)
                .put(contacts::replace)
                .delete(contacts::remove),
        )
        .route(
            "/api/sales-documents",
            get(sales_documents::list).post(sales_documents::create),
        )
        .route(
            "/api/sales-documents/{id}",
            get(sales_documents::show)
                .put(sales_documents::replace)
                .delete(sales_documents::remove),
        )
}

/// `?q=&limit=&offset=` of a list.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    limit: Option<u32>,
    #[serde(default)]
    offset: Option<u32>,
}

impl ListParams {
    fn query(&self) -> RecordQuery {
        RecordQuery::new(self.q.as_deref(), self.limit, self.offset)
    }
}

/// A list's answer: the page, its total, and the paging it was read with.
fn page_json<T: serde::Serialize>(page: RecordPage<T>, query: &RecordQuery) -> Json<Value> {
    Json(json!({
        "items": page.items,
        "total": page.total,
        "limit": query.limit,
        "offset": query.offset,
    }))
}

/// A store error of a write: a taken unique key is the client's 409, the rest ours.
fn write_error(e: StoreError) -> ApiError {
    match e {
        StoreError::Conflict(message) => {
            ApiError::new(StatusCode::CONFLICT, "duplicate_code", message)
        }
        other => other.into(),
    }
}

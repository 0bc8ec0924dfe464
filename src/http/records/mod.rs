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
use super::openapi::Page;
use crate::records::{RecordPage, RecordQuery};
use crate::store::StoreError;
use axum::Json;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(products::list, products::create))
        .routes(routes!(products::show, products::replace, products::remove))
        .routes(routes!(contacts::list, contacts::create))
        .routes(routes!(contacts::show, contacts::replace, contacts::remove))
        .routes(routes!(sales_documents::list, sales_documents::create))
        .routes(routes!(
            sales_documents::show,
            sales_documents::replace,
            sales_documents::remove
        ))
}

/// `?q=&limit=&offset=` of a list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Text to look for (code, name, ...); other parameters are refused.
    #[serde(default)]
    q: Option<String>,
    /// At most this many (default 50; more than 200 reads 200).
    #[serde(default)]
    #[param(value_type = Option<u32>, format = Int64, minimum = 0, maximum = 4294967295_u32)]
    limit: Option<u32>,
    #[serde(default)]
    #[param(value_type = Option<u32>, format = Int64, minimum = 0, maximum = 4294967295_u32)]
    offset: Option<u32>,
}

impl ListParams {
    fn query(&self) -> RecordQuery {
        RecordQuery::new(self.q.as_deref(), self.limit, self.offset)
    }
}

/// A list's answer: the page, its total, and the paging it was read with.
fn page_json<T: serde::Serialize>(page: RecordPage<T>, query: &RecordQuery) -> Json<Page<T>> {
    Json(Page {
        items: page.items,
        total: page.total,
        limit: query.limit,
        offset: query.offset,
    })
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

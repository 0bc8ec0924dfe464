//! `/api/sales-documents` and `/api/sales-documents/{id}`: orders, offers and domestic
//! bills (see [`crate::records::sales_document`]). Lists filter by `doc_type`,
//! `contact_id`, `status` and `product_id` besides the text (number and notes) and paging.
//!
//! Also the rule that a product or contact a document names cannot be deleted (409
//! `in_use`): the document keeps the product's code and name, but the Metakocka sync and a
//! reader following `contact_id` need the record.

use super::super::AppState;
use super::super::error::ApiError;
use super::super::extract::{ApiJson, ApiQuery, Caller};
use super::page_json;
use crate::domain::{CompanyId, FieldError};
use crate::records::sales_document::input::SalesDocumentInput;
use crate::records::sales_document::references::BuildError;
use crate::records::sales_document::{
    DocStatus, DocType, DocumentFieldError, SalesDocument, SalesDocumentQuery,
};
use crate::records::{RecordQuery, now};
use crate::store::StoreError;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;

fn not_found() -> ApiError {
    ApiError::not_found("no such sales document")
}

impl From<DocumentFieldError> for ApiError {
    fn from(e: DocumentFieldError) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "validation_failed", e.to_string())
    }
}

impl From<BuildError> for ApiError {
    fn from(e: BuildError) -> Self {
        match e {
            BuildError::Invalid(field) => field.into(),
            BuildError::Store(store) => store.into(),
        }
    }
}

/// A taken number is the client's 409, the rest ours.
fn write_error(e: StoreError) -> ApiError {
    match e {
        StoreError::Conflict(message) => {
            ApiError::new(StatusCode::CONFLICT, "duplicate_number", message)
        }
        other => other.into(),
    }
}

/// `?q=&limit=&offset=&doc_type=&contact_id=&status=&product_id=` of the list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DocumentListParams {
    /// Text to look for in the number and the notes.
    #[serde(default)]
    q: Option<String>,
    /// At most this many (default 50; more than 200 reads 200).
    #[serde(default)]
    #[param(value_type = Option<u32>, format = Int64, minimum = 0, maximum = 4294967295_u32)]
    limit: Option<u32>,
    #[serde(default)]
    #[param(value_type = Option<u32>, format = Int64, minimum = 0, maximum = 4294967295_u32)]
    offset: Option<u32>,
    /// Only this type; empty means any.
    #[serde(default)]
    #[param(pattern = "^(sales_order|sales_offer|sales_bill_domestic)?$")]
    doc_type: Option<String>,
    #[serde(default)]
    contact_id: Option<String>,
    /// Only this status; empty means any.
    #[serde(default)]
    #[param(pattern = "^(draft|confirmed|shipped|paid|cancelled)?$")]
    status: Option<String>,
    /// Documents with a line of this product.
    #[serde(default)]
    product_id: Option<String>,
}

impl DocumentListParams {
    fn query(&self) -> Result<SalesDocumentQuery, FieldError> {
        let given = |value: &Option<String>| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        Ok(SalesDocumentQuery {
            records: RecordQuery::new(self.q.as_deref(), self.limit, self.offset),
            doc_type: given(&self.doc_type)
                .map(|t| DocType::parse("doc_type", &t))
                .transpose()?,
            contact_id: given(&self.contact_id),
            status: given(&self.status)
                .map(|s| DocStatus::parse("status", &s))
                .transpose()?,
            product_id: given(&self.product_id),
        })
    }
}

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    get,
    path = "/api/sales-documents",
    tag = "sales-documents",
    params(
        DocumentListParams,
    ),
    responses(
        (status = 200, description = "`{items, total, limit, offset}`: a page of sales documents", body = super::super::openapi::Page<SalesDocument>),
        (status = 400, response = super::super::openapi::responses::BadRequest),
    ),
    security(("bearer" = [])),
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<DocumentListParams>,
) -> Result<Json<super::super::openapi::Page<SalesDocument>>, ApiError> {
    let query = params.query()?;
    let page = state
        .store
        .list_sales_documents(caller.company(), &query)
        .await?;
    Ok(page_json(page, &query.records))
}

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    post,
    path = "/api/sales-documents",
    tag = "sales-documents",
    request_body(content = SalesDocumentInput, description = "the whole sales document: see docs/records.md for its fields"),
    responses(
        (status = 201, description = "the new sales document", body = SalesDocument),
        (status = 400, response = super::super::openapi::responses::BadRequest),
        (status = 403, response = super::super::openapi::responses::Forbidden),
        (status = 409, description = "the number is taken (`duplicate_number`)", body = super::super::error::ErrorBody),
        (status = 415, response = super::super::openapi::responses::UnsupportedMediaType),
    ),
    security(("bearer" = [])),
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<SalesDocumentInput>,
) -> Result<(StatusCode, Json<SalesDocument>), ApiError> {
    caller.require_admin()?;
    let document = SalesDocument::create(&*state.store, caller.company(), &body, now()).await?;
    state
        .store
        .insert_sales_document(&document)
        .await
        .map_err(write_error)?;
    Ok((StatusCode::CREATED, Json(document)))
}

#[tracing::instrument(skip_all, fields(company = %caller.company(), id = %id))]
#[utoipa::path(
    get,
    path = "/api/sales-documents/{id}",
    tag = "sales-documents",
    params(
        ("id" = String, Path, description = "the sales document's id"),
    ),
    responses(
        (status = 200, description = "the sales document", body = SalesDocument),
        (status = 404, response = super::super::openapi::responses::NotFound),
    ),
    security(("bearer" = [])),
)]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<SalesDocument>, ApiError> {
    let document = state
        .store
        .get_sales_document(caller.company(), &id)
        .await?;
    document.map(Json).ok_or_else(not_found)
}

#[tracing::instrument(skip_all, fields(company = %caller.company(), id = %id))]
#[utoipa::path(
    put,
    path = "/api/sales-documents/{id}",
    tag = "sales-documents",
    params(
        ("id" = String, Path, description = "the sales document's id"),
    ),
    request_body(content = SalesDocumentInput, description = "the whole sales document: see docs/records.md for its fields"),
    responses(
        (status = 200, description = "the sales document as saved", body = SalesDocument),
        (status = 400, response = super::super::openapi::responses::BadRequest),
        (status = 403, response = super::super::openapi::responses::Forbidden),
        (status = 404, response = super::super::openapi::responses::NotFound),
        (status = 409, description = "the number is taken (`duplicate_number`)", body = super::super::error::ErrorBody),
        (status = 415, response = super::super::openapi::responses::UnsupportedMediaType),
    ),
    security(("bearer" = [])),
)]
pub async fn replace(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SalesDocumentInput>,
) -> Result<Json<SalesDocument>, ApiError> {
    caller.require_admin()?;
    let store = &*state.store;
    let mut document =
        (store.get_sales_document(caller.company(), &id).await?).ok_or_else(not_found)?;
    document.replace(store, &body, now()).await?;
    let saved = store
        .update_sales_document(&document)
        .await
        .map_err(write_error)?;
    // Deleted between the read and the write.
    if !saved {
        return Err(not_found());
    }
    Ok(Json(document))
}

#[tracing::instrument(skip_all, fields(company = %caller.company(), id = %id))]
#[utoipa::path(
    delete,
    path = "/api/sales-documents/{id}",
    tag = "sales-documents",
    params(
        ("id" = String, Path, description = "the sales document's id"),
    ),
    responses(
        (status = 204, description = "deleted"),
        (status = 403, response = super::super::openapi::responses::Forbidden),
        (status = 404, response = super::super::openapi::responses::NotFound),
    ),
    security(("bearer" = [])),
)]
pub async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require_admin()?;
    if state
        .store
        .delete_sales_document(caller.company(), &id)
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(not_found())
    }
}

/// A record that sales documents may name.
pub enum Referenced<'a> {
    Product(&'a str),
    Contact(&'a str),
}

/// 409 `in_use` when any of the company's documents names the record. A document saved
/// between this check and the delete can still name it; its lines keep the product's code
/// and name, so it stays readable.
pub async fn refuse_if_referenced(
    state: &AppState,
    company: &CompanyId,
    record: Referenced<'_>,
) -> Result<(), ApiError> {
    let mut query = SalesDocumentQuery::all(RecordQuery::new(None, Some(1), None));
    let what = match record {
        Referenced::Product(id) => {
            query.product_id = Some(id.to_owned());
            "product"
        }
        Referenced::Contact(id) => {
            query.contact_id = Some(id.to_owned());
            "contact"
        }
    };
    let total = state
        .store
        .list_sales_documents(company, &query)
        .await?
        .total;
    if total == 0 {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::CONFLICT,
        "in_use",
        format!(
            "{total} sales document(s) name this {what}; delete them or change their lines \
             first (GET /api/sales-documents?{what}_id=...)"
        ),
    ))
}

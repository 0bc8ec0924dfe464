//! `/api/products` and `/api/products/{id}`.

use super::super::AppState;
use super::super::error::ApiError;
use super::super::extract::{ApiJson, ApiQuery, Caller};
use super::sales_documents::{Referenced, refuse_if_referenced};
use super::{ListParams, page_json, write_error};
use crate::records::now;
use crate::records::product::{Product, ProductInput};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

fn not_found() -> ApiError {
    ApiError::not_found("no such product")
}

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    get,
    path = "/api/products",
    tag = "products",
    params(
        ListParams,
    ),
    responses(
        (status = 200, description = "`{items, total, limit, offset}`: a page of products", body = super::super::openapi::Page<Product>),
        (status = 400, response = super::super::openapi::responses::BadRequest),
    ),
    security(("bearer" = [])),
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<super::super::openapi::Page<Product>>, ApiError> {
    let query = params.query();
    let page = state.store.list_products(caller.company(), &query).await?;
    Ok(page_json(page, &query))
}

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    post,
    path = "/api/products",
    tag = "products",
    request_body(content = ProductInput, description = "the whole product: see docs/records.md for its fields"),
    responses(
        (status = 201, description = "the new product", body = Product),
        (status = 400, response = super::super::openapi::responses::BadRequest),
        (status = 403, response = super::super::openapi::responses::Forbidden),
        (status = 409, description = "the code is taken (`duplicate_code`)", body = super::super::error::ErrorBody),
        (status = 415, response = super::super::openapi::responses::UnsupportedMediaType),
    ),
    security(("bearer" = [])),
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<ProductInput>,
) -> Result<(StatusCode, Json<Product>), ApiError> {
    caller.require_admin()?;
    let product = Product::create(caller.company(), &body, now())?;
    state
        .store
        .insert_product(&product)
        .await
        .map_err(write_error)?;
    Ok((StatusCode::CREATED, Json(product)))
}

#[tracing::instrument(skip_all, fields(company = %caller.company(), id = %id))]
#[utoipa::path(
    get,
    path = "/api/products/{id}",
    tag = "products",
    params(
        ("id" = String, Path, description = "the product's id"),
    ),
    responses(
        (status = 200, description = "the product", body = Product),
        (status = 404, response = super::super::openapi::responses::NotFound),
    ),
    security(("bearer" = [])),
)]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Product>, ApiError> {
    let product = state.store.get_product(caller.company(), &id).await?;
    product.map(Json).ok_or_else(not_found)
}

#[tracing::instrument(skip_all, fields(company = %caller.company(), id = %id))]
#[utoipa::path(
    put,
    path = "/api/products/{id}",
    tag = "products",
    params(
        ("id" = String, Path, description = "the product's id"),
    ),
    request_body(content = ProductInput, description = "the whole product: see docs/records.md for its fields"),
    responses(
        (status = 200, description = "the product as saved", body = Product),
        (status = 400, response = super::super::openapi::responses::BadRequest),
        (status = 403, response = super::super::openapi::responses::Forbidden),
        (status = 404, response = super::super::openapi::responses::NotFound),
        (status = 409, description = "the code is taken (`duplicate_code`)", body = super::super::error::ErrorBody),
        (status = 415, response = super::super::openapi::responses::UnsupportedMediaType),
    ),
    security(("bearer" = [])),
)]
pub async fn replace(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ProductInput>,
) -> Result<Json<Product>, ApiError> {
    caller.require_admin()?;
    let mut product =
        (state.store.get_product(caller.company(), &id).await?).ok_or_else(not_found)?;
    product.replace(&body, now())?;
    let saved = state
        .store
        .update_product(&product)
        .await
        .map_err(write_error)?;
    // Deleted between the read and the write.
    if !saved {
        return Err(not_found());
    }
    Ok(Json(product))
}

#[tracing::instrument(skip_all, fields(company = %caller.company(), id = %id))]
#[utoipa::path(
    delete,
    path = "/api/products/{id}",
    tag = "products",
    params(
        ("id" = String, Path, description = "the product's id"),
    ),
    responses(
        (status = 204, description = "deleted"),
        (status = 403, response = super::super::openapi::responses::Forbidden),
        (status = 404, response = super::super::openapi::responses::NotFound),
        (status = 409, description = "a sales document names it (`in_use`)", body = super::super::error::ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require_admin()?;
    refuse_if_referenced(&state, caller.company(), Referenced::Product(&id)).await?;
    if state.store.delete_product(caller.company(), &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(not_found())
    }
}

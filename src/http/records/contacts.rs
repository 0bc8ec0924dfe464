//! `/api/contacts` and `/api/contacts/{id}`.

use super::super::AppState;
use super::super::error::ApiError;
use super::super::extract::{ApiJson, ApiQuery, Caller};
use super::sales_documents::{Referenced, refuse_if_referenced};
use super::{ListParams, page_json};
use crate::records::contact::{Contact, ContactInput};
use crate::records::now;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

fn not_found() -> ApiError {
    ApiError::not_found("no such contact")
}

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    get,
    path = "/api/contacts",
    tag = "contacts",
    params(
        ListParams,
    ),
    responses(
        (status = 200, description = "`{items, total, limit, offset}`: a page of contacts", body = super::super::openapi::Page<Contact>),
        (status = 400, response = super::super::openapi::responses::BadRequest),
    ),
    security(("bearer" = [])),
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<super::super::openapi::Page<Contact>>, ApiError> {
    let query = params.query();
    let page = state.store.list_contacts(caller.company(), &query).await?;
    Ok(page_json(page, &query))
}

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    post,
    path = "/api/contacts",
    tag = "contacts",
    request_body(content = ContactInput, description = "the whole contact: see docs/records.md for its fields"),
    responses(
        (status = 201, description = "the new contact", body = Contact),
        (status = 400, response = super::super::openapi::responses::BadRequest),
        (status = 403, response = super::super::openapi::responses::Forbidden),
        (status = 415, response = super::super::openapi::responses::UnsupportedMediaType),
    ),
    security(("bearer" = [])),
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<ContactInput>,
) -> Result<(StatusCode, Json<Contact>), ApiError> {
    caller.require_admin()?;
    let contact = Contact::create(caller.company(), &body, now())?;
    state.store.insert_contact(&contact).await?;
    Ok((StatusCode::CREATED, Json(contact)))
}

#[tracing::instrument(skip_all, fields(company = %caller.company(), id = %id))]
#[utoipa::path(
    get,
    path = "/api/contacts/{id}",
    tag = "contacts",
    params(
        ("id" = String, Path, description = "the contact's id"),
    ),
    responses(
        (status = 200, description = "the contact", body = Contact),
        (status = 404, response = super::super::openapi::responses::NotFound),
    ),
    security(("bearer" = [])),
)]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Contact>, ApiError> {
    let contact = state.store.get_contact(caller.company(), &id).await?;
    contact.map(Json).ok_or_else(not_found)
}

#[tracing::instrument(skip_all, fields(company = %caller.company(), id = %id))]
#[utoipa::path(
    put,
    path = "/api/contacts/{id}",
    tag = "contacts",
    params(
        ("id" = String, Path, description = "the contact's id"),
    ),
    request_body(content = ContactInput, description = "the whole contact: see docs/records.md for its fields"),
    responses(
        (status = 200, description = "the contact as saved", body = Contact),
        (status = 400, response = super::super::openapi::responses::BadRequest),
        (status = 403, response = super::super::openapi::responses::Forbidden),
        (status = 404, response = super::super::openapi::responses::NotFound),
        (status = 415, response = super::super::openapi::responses::UnsupportedMediaType),
    ),
    security(("bearer" = [])),
)]
pub async fn replace(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ContactInput>,
) -> Result<Json<Contact>, ApiError> {
    caller.require_admin()?;
    let mut contact =
        (state.store.get_contact(caller.company(), &id).await?).ok_or_else(not_found)?;
    contact.replace(&body, now())?;
    let saved = state.store.update_contact(&contact).await?;
    // Deleted between the read and the write.
    if !saved {
        return Err(not_found());
    }
    Ok(Json(contact))
}

#[tracing::instrument(skip_all, fields(company = %caller.company(), id = %id))]
#[utoipa::path(
    delete,
    path = "/api/contacts/{id}",
    tag = "contacts",
    params(
        ("id" = String, Path, description = "the contact's id"),
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
    refuse_if_referenced(&state, caller.company(), Referenced::Contact(&id)).await?;
    if state.store.delete_contact(caller.company(), &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(not_found())
    }
}

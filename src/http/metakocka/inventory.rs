//! `/api/integrations/metakocka/inventory`: a product's stock per warehouse from the
//! company's snapshot (any user), and `POST .../refresh` to take a new snapshot now (admins).
//!
//! Amounts are decimal strings (`"12.5"`), exact as Metakocka counted them.

use super::super::AppState;
use super::super::error::ApiError;
use super::super::extract::{ApiQuery, Caller};
use crate::metakocka::inventory::{ProductKey, RefreshError, StockEntry};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InventoryQuery {
    product_id: Option<String>,
    code: Option<String>,
    /// A warehouse's Metakocka id or its mark.
    warehouse: Option<String>,
}

impl InventoryQuery {
    fn product(&self) -> Result<ProductKey, ApiError> {
        match (given(&self.product_id), given(&self.code)) {
            (Some(id), None) => Ok(ProductKey::MkId(id.to_owned())),
            (None, Some(code)) => Ok(ProductKey::Code(code.to_owned())),
            (None, None) => Err(ApiError::bad_request(
                "name the product with product_id (Metakocka's id) or code",
            )),
            (Some(_), Some(_)) => Err(ApiError::bad_request(
                "name the product with product_id or code, not both",
            )),
        }
    }
}

/// The parameter's trimmed value, when it has one.
fn given(value: &Option<String>) -> Option<&str> {
    (value.as_deref().map(str::trim)).filter(|v| !v.is_empty())
}

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    get,
    path = "/api/integrations/metakocka/inventory",
    tag = "metakocka",
    params(
        InventoryQuery,
    ),
    responses(
        (status = 200, description = "`{product, refreshed_at, warehouses, total}`; amounts are decimal strings", body = super::super::openapi::JsonObject),
        (status = 400, response = super::super::openapi::responses::BadRequest),
        (status = 401, response = super::super::openapi::responses::Unauthorized),
        (status = 404, response = super::super::openapi::responses::NotFound),
        (status = 409, description = "several products have this code (`ambiguous_code`)", body = super::super::error::ErrorBody),
        (status = 500, response = super::super::openapi::responses::Internal),
    ),
    security(("bearer" = [])),
)]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<InventoryQuery>,
) -> Result<Json<Value>, ApiError> {
    let product = query.product()?;
    let Some(found) = state
        .metakocka_inventory
        .lookup(caller.company(), &product)
        .await?
    else {
        return Err(ApiError::not_found(
            "no Metakocka inventory snapshot yet; an admin can refresh it now",
        ));
    };
    let Some(first) = found.entries.first() else {
        return Err(ApiError::not_found(
            "no product with this id or code in the Metakocka inventory snapshot",
        ));
    };
    if found
        .entries
        .iter()
        .any(|e| e.product_mk_id != first.product_mk_id)
    {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "ambiguous_code",
            "several Metakocka products have this code; ask by product_id",
        ));
    }
    let wanted = query.warehouse.as_deref().map(str::trim);
    let warehouses: Vec<&StockEntry> = (found.entries.iter())
        .filter(|e| {
            wanted.is_none_or(|w| e.warehouse_id == w || e.warehouse_mark.as_deref() == Some(w))
        })
        .collect();
    let sum = |amount: fn(&StockEntry) -> Decimal| -> String {
        warehouses
            .iter()
            .map(|e| amount(e))
            .sum::<Decimal>()
            .to_string()
    };
    Ok(Json(json!({
        "product": {
            "mk_id": first.product_mk_id,
            "code": first.product_code,
            "count_code": first.count_code,
            "name": first.product_name,
        },
        "refreshed_at": found.refreshed_at,
        "warehouses": warehouses.iter().map(|e| json!({
            "warehouse_id": e.warehouse_id,
            "mark": e.warehouse_mark,
            "name": e.warehouse_name,
            "amount": e.amount.to_string(),
            "reserved": e.reserved.to_string(),
            "free": e.free.to_string(),
        })).collect::<Vec<_>>(),
        "total": {
            "amount": sum(|e| e.amount),
            "reserved": sum(|e| e.reserved),
            "free": sum(|e| e.free),
        },
    })))
}

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    post,
    path = "/api/integrations/metakocka/inventory/refresh",
    tag = "metakocka",
    responses(
        (status = 200, description = "`{message, products, warehouses, entries, refreshed_at}`", body = super::super::openapi::JsonObject),
        (status = 401, response = super::super::openapi::responses::Unauthorized),
        (status = 403, response = super::super::openapi::responses::Forbidden),
        (status = 409, description = "no Metakocka credentials, or they cannot be read (`no_credentials`, `credentials_unreadable`)", body = super::super::error::ErrorBody),
        (status = 500, response = super::super::openapi::responses::Internal),
        (status = 502, description = "Metakocka refused or failed (`metakocka_failed`); the error is in the error log", body = super::super::error::ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn refresh(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    caller.require_admin()?;
    let summary = state
        .metakocka_inventory
        .refresh(caller.company(), Some(&caller.session.user_id))
        .await?;
    Ok(Json(json!({
        "message": "Metakocka inventory refreshed",
        "products": summary.products,
        "warehouses": summary.warehouses,
        "entries": summary.entries,
        "refreshed_at": summary.refreshed_at,
    })))
}

impl From<RefreshError> for ApiError {
    fn from(e: RefreshError) -> Self {
        match e {
            RefreshError::NoCredentials => {
                Self::new(StatusCode::CONFLICT, "no_credentials", e.to_string())
            }
            // The text is the client's, which never holds the key.
            RefreshError::Metakocka(_) => Self::new(
                StatusCode::BAD_GATEWAY,
                "metakocka_failed",
                format!("{e}; the previous snapshot is kept and the error is in the error log"),
            ),
            RefreshError::Credentials(e) => e.into(),
            RefreshError::Store(e) => e.into(),
        }
    }
}

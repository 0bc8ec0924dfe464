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
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

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
        (status = 200, description = "the product's stock by warehouse and in all; amounts are decimal strings", body = Stock),
        (status = 400, response = super::super::openapi::responses::BadRequest),
        (status = 404, response = super::super::openapi::responses::NotFound),
        (status = 409, description = "several products have this code (`ambiguous_code`)", body = super::super::error::ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<InventoryQuery>,
) -> Result<Json<Stock>, ApiError> {
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
    Ok(Json(Stock {
        product: StockProduct {
            mk_id: first.product_mk_id.clone(),
            code: first.product_code.clone(),
            count_code: first.count_code.clone(),
            name: first.product_name.clone(),
        },
        refreshed_at: found.refreshed_at,
        warehouses: (warehouses.iter())
            .map(|e| WarehouseStock {
                warehouse_id: e.warehouse_id.clone(),
                mark: e.warehouse_mark.clone(),
                name: e.warehouse_name.clone(),
                amount: e.amount.to_string(),
                reserved: e.reserved.to_string(),
                free: e.free.to_string(),
            })
            .collect(),
        total: Amounts {
            amount: sum(|e| e.amount),
            reserved: sum(|e| e.reserved),
            free: sum(|e| e.free),
        },
    }))
}

/// `GET .../inventory`: one product's stock from the last snapshot.
#[derive(Serialize, ToSchema)]
pub struct Stock {
    product: StockProduct,
    refreshed_at: DateTime<Utc>,
    warehouses: Vec<WarehouseStock>,
    /// The sums over the warehouses listed.
    total: Amounts,
}

/// The product as Metakocka lists it.
#[derive(Serialize, ToSchema)]
pub struct StockProduct {
    mk_id: String,
    code: Option<String>,
    count_code: Option<String>,
    name: Option<String>,
}

/// One warehouse's stock of the product; amounts are decimal strings.
#[derive(Serialize, ToSchema)]
pub struct WarehouseStock {
    warehouse_id: String,
    mark: Option<String>,
    name: Option<String>,
    amount: String,
    reserved: String,
    free: String,
}

/// Amounts in stock, reserved and free, as decimal strings.
#[derive(Serialize, ToSchema)]
pub struct Amounts {
    amount: String,
    reserved: String,
    free: String,
}

/// `POST .../inventory/refresh`: what the new snapshot holds.
#[derive(Serialize, ToSchema)]
pub struct Refreshed {
    message: &'static str,
    products: usize,
    warehouses: usize,
    entries: usize,
    refreshed_at: DateTime<Utc>,
}

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    post,
    path = "/api/integrations/metakocka/inventory/refresh",
    tag = "metakocka",
    responses(
        (status = 200, description = "what the new snapshot holds", body = Refreshed),
        (status = 403, response = super::super::openapi::responses::Forbidden),
        (status = 409, description = "no Metakocka credentials, or they cannot be read (`no_credentials`, `credentials_unreadable`)", body = super::super::error::ErrorBody),
        (status = 502, description = "Metakocka refused or failed (`metakocka_failed`); the error is in the error log", body = super::super::error::ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn refresh(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Refreshed>, ApiError> {
    caller.require_admin()?;
    let summary = state
        .metakocka_inventory
        .refresh(caller.company(), Some(&caller.session.user_id))
        .await?;
    Ok(Json(Refreshed {
        message: "Metakocka inventory refreshed",
        products: summary.products,
        warehouses: summary.warehouses,
        entries: summary.entries,
        refreshed_at: summary.refreshed_at,
    }))
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

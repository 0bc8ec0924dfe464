//! `/api/reports/...`: the reports of [`crate::reports`] as JSON, or as CSV with
//! `?format=csv` or `Accept: text/csv`; and `/api/reports/schedules` ([`schedules`]).
//!
//! Agents may read reports and schedules; creating, deleting and delivering a schedule now
//! need the admin role. A bad parameter answers 400 with the stable error shape, naming it.

mod schedules;

use super::AppState;
use super::error::ApiError;
use super::extract::{ApiQuery, Caller};
use crate::reports::output::Report;
use crate::reports::params::ReportQuery;
use crate::reports::{ReportError, ReportKind};
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header::{ACCEPT, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// CSV bytes sent per body chunk.
const CSV_CHUNK: usize = 16 * 1024;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sales_by_month))
        .routes(routes!(top_products))
        .routes(routes!(top_customers))
        .routes(routes!(low_stock))
        .routes(routes!(sync_health))
        .routes(routes!(schedules::list, schedules::create))
        .routes(routes!(schedules::remove))
        .routes(routes!(schedules::deliver))
}

impl From<ReportError> for ApiError {
    fn from(e: ReportError) -> Self {
        let message = e.to_string();
        match e {
            ReportError::Invalid(field) => field.into(),
            ReportError::NotFound(_) => Self::not_found(message),
            ReportError::SmtpNotConfigured => {
                Self::new(StatusCode::CONFLICT, "smtp_not_configured", message)
            }
            ReportError::Store(e) => e.into(),
        }
    }
}

/// Computes `kind` for the caller's company and answers JSON or CSV.
async fn answer(
    state: &AppState,
    caller: &Caller,
    kind: ReportKind,
    query: &ReportQuery,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let wants_csv = query.wants_csv()?.unwrap_or_else(|| {
        (headers.get(ACCEPT).and_then(|v| v.to_str().ok()))
            .is_some_and(|accept| accept.contains("text/csv"))
    });
    let params = query.parse(kind)?;
    let report = state
        .reports
        .run(caller.company(), kind, &params, crate::records::now())
        .await?;
    if wants_csv {
        csv_response(&report)
    } else {
        Ok(Json(report).into_response())
    }
}

/// The report as a CSV download, sent in chunks.
pub fn csv_response(report: &Report) -> Result<Response, ApiError> {
    let bytes = report.to_csv().map_err(ApiError::internal)?;
    let chunks: Vec<Result<Bytes, std::io::Error>> = bytes
        .chunks(CSV_CHUNK)
        .map(|chunk| Ok(Bytes::copy_from_slice(chunk)))
        .collect();
    let disposition = format!("attachment; filename=\"{}.csv\"", report.report.as_str());
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (CONTENT_DISPOSITION, disposition),
        ],
        Body::from_stream(futures::stream::iter(chunks)),
    )
        .into_response())
}

/// `GET`: one report as JSON or CSV; every report takes the same parameters and answers alike.
macro_rules! report {
    ($(#[$doc:meta])* $name:ident, $path:tt, $kind:expr) => {
        $(#[$doc])*
        #[utoipa::path(
            get,
            path = $path,
            tag = "reports",
            params(ReportQuery),
            responses(
                (status = 200, description = "The report (JSON), or CSV with format=csv or Accept: text/csv", content((Report = "application/json"), (String = "text/csv"))),
                (status = 400, response = crate::http::openapi::responses::BadRequest),
            ),
            security(("bearer" = [])),
        )]
        pub async fn $name(
            State(state): State<AppState>,
            caller: Caller,
            headers: HeaderMap,
            ApiQuery(query): ApiQuery<ReportQuery>,
        ) -> Result<Response, ApiError> {
            answer(&state, &caller, $kind, &query, &headers).await
        }
    };
}

report!(
    /// Sales per month: documents, net, VAT and gross per month and currency.
    sales_by_month,
    "/api/reports/sales-by-month",
    ReportKind::SalesByMonth
);
report!(
    /// Top products by quantity or net revenue.
    top_products,
    "/api/reports/top-products",
    ReportKind::TopProducts
);
report!(
    /// Top customers by net revenue or number of documents.
    top_customers,
    "/api/reports/top-customers",
    ReportKind::TopCustomers
);
report!(
    /// Products whose free stock in a warehouse is below the threshold (inventory snapshot).
    low_stock,
    "/api/reports/low-stock",
    ReportKind::LowStock
);
report!(
    /// The Metakocka sync's state per entity kind.
    sync_health,
    "/api/reports/sync-health",
    ReportKind::SyncHealth
);

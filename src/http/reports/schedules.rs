//! `/api/reports/schedules`: list, create and delete a company's report schedules, and
//! deliver one now. A schedule's destination is never shown again after it is saved.

use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::extract::{ApiJson, Caller};
use crate::reports::schedule::{ReportSchedule, ScheduleInput};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Serialize;

/// The answer of `GET /api/reports/schedules`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ScheduleList {
    pub items: Vec<ReportSchedule>,
}

crate::body_with_rule!(
    /// [`ScheduleInput`] with `webhook_url` or `email`, exactly one.
    ScheduleRequest,
    ScheduleInput,
    {
        use crate::http::openapi::combine::exactly_one_of;
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let url = ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(
                r"^https?://([A-Za-z0-9-]+\.)*[A-Za-z][A-Za-z0-9-]*(:[0-9]{1,4})?([/?#][!-~]*)?$",
            ))
            .into();
        // An address as `Email::parse` takes it (one `@`, a dot inside the domain).
        let email = ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(
                r"^[^\s\x85@]+@[^\s\x85@.][^\s\x85@]*\.[^\s\x85@]*[^\s\x85@.]$",
            ))
            .into();
        exactly_one_of(
            ScheduleInput::schema(),
            vec![("webhook_url", url), ("email", email)],
        )
    }
);

/// The company's schedules, oldest first.
#[utoipa::path(
    get,
    path = "/api/reports/schedules",
    tag = "reports",
    responses(
        (status = 200, description = "The company's schedules", body = ScheduleList),
    ),
    security(("bearer" = [])),
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<ScheduleList>, ApiError> {
    let items = state.reports.list_schedules(caller.company()).await?;
    Ok(Json(ScheduleList { items }))
}

/// Schedules a report for daily or weekly delivery to a webhook (or by email, which needs
/// an SMTP relay: 409 `smtp_not_configured` without one).
#[utoipa::path(
    post,
    path = "/api/reports/schedules",
    tag = "reports",
    request_body = ScheduleRequest,
    responses(
        (status = 201, description = "The schedule, first due one period from now", body = ReportSchedule),
        (status = 400, response = crate::http::openapi::responses::BadRequest),
        (status = 415, response = crate::http::openapi::responses::UnsupportedMediaType),
        (status = 403, response = crate::http::openapi::responses::Forbidden),
        (status = 409, description = "Email delivery asked for and no SMTP relay is configured (smtp_not_configured)", body = crate::http::error::ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<ScheduleInput>,
) -> Result<(StatusCode, Json<ReportSchedule>), ApiError> {
    caller.require_admin()?;
    let schedule = state
        .reports
        .create_schedule(caller.company(), &input, crate::records::now())
        .await?;
    Ok((StatusCode::CREATED, Json(schedule)))
}

/// Deletes a schedule.
#[utoipa::path(
    delete,
    path = "/api/reports/schedules/{id}",
    tag = "reports",
    params(("id" = String, Path, description = "The schedule's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, response = crate::http::openapi::responses::Forbidden),
        (status = 404, response = crate::http::openapi::responses::NotFound),
    ),
    security(("bearer" = [])),
)]
pub async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require_admin()?;
    state.reports.delete_schedule(caller.company(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Delivers a schedule's report now (its next due time stays) and answers the schedule with
/// the outcome.
#[utoipa::path(
    post,
    path = "/api/reports/schedules/{id}/deliver",
    tag = "reports",
    params(("id" = String, Path, description = "The schedule's id")),
    responses(
        (status = 200, description = "Delivered or not: see last_delivery", body = ReportSchedule),
        (status = 403, response = crate::http::openapi::responses::Forbidden),
        (status = 404, response = crate::http::openapi::responses::NotFound),
    ),
    security(("bearer" = [])),
)]
pub async fn deliver(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ReportSchedule>, ApiError> {
    caller.require_admin()?;
    let schedule = state
        .reports
        .deliver_now(caller.company(), &id, crate::records::now())
        .await?;
    Ok(Json(schedule))
}

//! `GET /api/ai/recommendations` and `GET /api/ai/insights`: products to suggest to a
//! customer and facts from their documents, for a partner (a CRM contact id, or a
//! Metakocka partner `mk_id` the sync mapped to one) or an email's sender. Only the
//! caller's company's records are read; another company's partner or email is 404.

use super::super::AppState;
use super::super::error::ApiError;
use super::super::extract::{ApiQuery, Caller};
use super::company_email;
use crate::email::insights::service::DEFAULT_RECOMMENDATIONS;
use crate::email::insights::{Insights, Recommendations};
use crate::email::language::Language;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

/// Whose recommendations or insights: exactly one of `partner_id` and `email_id`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CustomerQuery {
    /// A CRM contact id, or a Metakocka partner `mk_id` mapped to one.
    #[serde(default)]
    partner_id: Option<String>,
    /// An email: its sender, as enrichment found them.
    #[serde(default)]
    email_id: Option<String>,
    /// `en` or `sl`; the email's language, else English.
    #[serde(default)]
    #[param(value_type = Option<Language>)]
    language: Option<String>,
    /// Recommendations at most (1-20, default 5).
    #[serde(default)]
    limit: Option<usize>,
}

fn invalid(message: &str) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "validation_failed", message)
}

/// The CRM contact and the language the query names.
async fn customer(
    state: &AppState,
    caller: &Caller,
    query: &CustomerQuery,
) -> Result<(String, Language), ApiError> {
    let company = caller.company();
    let asked = match query.language.as_deref() {
        Some(text) => {
            Some(Language::parse(text).ok_or_else(|| invalid("language: must be en or sl"))?)
        }
        None => None,
    };
    match (&query.partner_id, &query.email_id) {
        (Some(id), None) => {
            let contact = (state.emails.resolve_contact(company, id.trim()).await?)
                .ok_or_else(|| ApiError::not_found("no such partner"))?;
            Ok((contact, asked.unwrap_or(Language::En)))
        }
        (None, Some(id)) => {
            let email = company_email(state, company, id).await?;
            let language = asked.unwrap_or(email.language);
            let contact = (state.emails.contact_of_email(&email).await?).ok_or_else(|| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "partner_unknown",
                    "the email's sender is not a known CRM contact; name a partner_id instead",
                )
            })?;
            Ok((contact, language))
        }
        _ => Err(invalid("give exactly one of partner_id and email_id")),
    }
}

/// Products to suggest to a customer, best first, each with its reason; none out of stock.
/// Give exactly one of `partner_id` and `email_id` (400 otherwise, or for an unknown
/// language).
#[utoipa::path(
    get,
    path = "/api/ai/recommendations",
    tag = "ai",
    params(CustomerQuery),
    responses(
        (status = 200, description = "Products to suggest, best first", body = Recommendations),
        (status = 400, response = crate::http::openapi::responses::BadRequest),
        (status = 404, response = crate::http::openapi::responses::NotFound),
        (status = 422, description = "The email's sender is not a known CRM contact", body = crate::http::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(company = %caller.company()))]
pub async fn recommendations(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<CustomerQuery>,
) -> Result<Json<Recommendations>, ApiError> {
    let (contact, language) = customer(&state, &caller, &query).await?;
    let limit = query.limit.unwrap_or(DEFAULT_RECOMMENDATIONS);
    let answer = state
        .emails
        .recommendations(caller.company(), &contact, language, limit)
        .await?;
    Ok(Json(answer))
}

/// Facts from a customer's documents: their reorder interval and whether a reorder is due,
/// the trend of their volume, and their open documents. Give exactly one of `partner_id` and
/// `email_id` (400 otherwise, or for an unknown language).
#[utoipa::path(
    get,
    path = "/api/ai/insights",
    tag = "ai",
    params(CustomerQuery),
    responses(
        (status = 200, description = "The customer's insights", body = Insights),
        (status = 400, response = crate::http::openapi::responses::BadRequest),
        (status = 404, response = crate::http::openapi::responses::NotFound),
        (status = 422, description = "The email's sender is not a known CRM contact", body = crate::http::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(company = %caller.company()))]
pub async fn insights(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<CustomerQuery>,
) -> Result<Json<Insights>, ApiError> {
    let (contact, language) = customer(&state, &caller, &query).await?;
    let today = crate::records::now().date_naive();
    let answer = state
        .emails
        .insights(caller.company(), &contact, language, today)
        .await?;
    Ok(Json(answer))
}

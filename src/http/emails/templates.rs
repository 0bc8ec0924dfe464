//! `/api/emails/templates`: the company's reply templates (agents read and fill them, admins
//! change them) and `POST /api/emails/templates/populate`, which fills one.

use super::super::AppState;
use super::super::error::ApiError;
use super::super::extract::{ApiJson, Caller};
use super::company_email;
use crate::email::populate::ValueSources;
use crate::email::templates::{EmailTemplate, RenderError, Rendered, TemplateInput};
use crate::records::now;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

fn not_found() -> ApiError {
    ApiError::not_found("no such template")
}

impl From<RenderError> for ApiError {
    fn from(e: RenderError) -> Self {
        match e {
            RenderError::MissingValue(_) => {
                ApiError::new(StatusCode::BAD_REQUEST, "missing_value", e.to_string())
            }
            RenderError::Template(_) => ApiError::internal(e),
        }
    }
}

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    get,
    path = "/api/emails/templates",
    tag = "email-templates",
    responses(
        (status = 200, description = "the company's templates", body = TemplateList),
    ),
    security(("bearer" = [])),
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<TemplateList>, ApiError> {
    let items = state.store.list_email_templates(caller.company()).await?;
    Ok(Json(TemplateList { items }))
}

/// `GET /api/emails/templates`: every template of the company.
#[derive(Serialize, ToSchema)]
pub struct TemplateList {
    items: Vec<EmailTemplate>,
}

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    post,
    path = "/api/emails/templates",
    tag = "email-templates",
    request_body(content = TemplateInput, description = "the template (docs/emails.md)"),
    responses(
        (status = 201, description = "the new template", body = EmailTemplate),
        (status = 400, response = super::super::openapi::responses::BadRequest),
        (status = 403, response = super::super::openapi::responses::Forbidden),
        (status = 415, response = super::super::openapi::responses::UnsupportedMediaType),
    ),
    security(("bearer" = [])),
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<TemplateInput>,
) -> Result<(StatusCode, Json<EmailTemplate>), ApiError> {
    caller.require_admin()?;
    let template = EmailTemplate::create(caller.company(), &body, now())?;
    state.store.insert_email_template(&template).await?;
    Ok((StatusCode::CREATED, Json(template)))
}

#[tracing::instrument(skip_all, fields(company = %caller.company(), id = %id))]
#[utoipa::path(
    put,
    path = "/api/emails/templates/{id}",
    tag = "email-templates",
    params(
        ("id" = String, Path, description = "the template's id"),
    ),
    request_body(content = TemplateInput, description = "the template (docs/emails.md)"),
    responses(
        (status = 200, description = "the template as saved", body = EmailTemplate),
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
    ApiJson(body): ApiJson<TemplateInput>,
) -> Result<Json<EmailTemplate>, ApiError> {
    caller.require_admin()?;
    let mut template = (state
        .store
        .get_email_template(caller.company(), &id)
        .await?)
        .ok_or_else(not_found)?;
    template.replace(&body, now())?;
    if !state.store.update_email_template(&template).await? {
        return Err(not_found());
    }
    Ok(Json(template))
}

#[tracing::instrument(skip_all, fields(company = %caller.company(), id = %id))]
#[utoipa::path(
    delete,
    path = "/api/emails/templates/{id}",
    tag = "email-templates",
    params(
        ("id" = String, Path, description = "the template's id"),
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
    match state
        .store
        .delete_email_template(caller.company(), &id)
        .await?
    {
        true => Ok(StatusCode::NO_CONTENT),
        false => Err(not_found()),
    }
}

/// `{template_id, email_id?, partner_id?, document_id?, product_id?, agent_name?}`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PopulateBody {
    template_id: String,
    #[serde(default)]
    email_id: Option<String>,
    #[serde(default)]
    partner_id: Option<String>,
    #[serde(default)]
    document_id: Option<String>,
    #[serde(default)]
    product_id: Option<String>,
    #[serde(default)]
    agent_name: Option<String>,
}

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    post,
    path = "/api/emails/templates/populate",
    tag = "email-templates",
    request_body = PopulateBody,
    responses(
        (status = 200, description = "the filled subject and body", body = Rendered),
        (status = 400, response = crate::http::openapi::responses::BadRequest),
        (status = 404, response = super::super::openapi::responses::NotFound),
        (status = 415, response = super::super::openapi::responses::UnsupportedMediaType),
    ),
    security(("bearer" = [])),
)]
pub async fn populate(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<PopulateBody>,
) -> Result<Json<Rendered>, ApiError> {
    let company = caller.company();
    let user = Some(&caller.session.user_id);
    let template = (state
        .store
        .get_email_template(company, &body.template_id)
        .await?)
        .ok_or_else(not_found)?;
    let context = match &body.email_id {
        Some(id) => {
            let email = company_email(&state, company, id).await?;
            Some(state.emails.context(user, email).await?.1)
        }
        None => None,
    };
    let sources = ValueSources {
        partner_id: body.partner_id,
        document_id: body.document_id,
        product_id: body.product_id,
        agent_name: body.agent_name,
    };
    let values = state
        .emails
        .template_values(company, user, template.language, context.as_ref(), &sources)
        .await?;
    Ok(Json(template.render(&values)?))
}

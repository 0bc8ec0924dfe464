//! Writing a reply from the email page: fill one of the company's templates with the
//! email's values (the rendered subject and body, or why a placeholder has no value, next
//! to the template field), or ask for an AI draft, stored with the email and shown with the
//! facts it used.

use super::{EmailView, render};
use crate::admin::csrf::CsrfForm;
use crate::admin::error::AdminError;
use crate::admin::pages::{flash_query, see_other};
use crate::email::draft::{DraftError, DraftRequest};
use crate::email::language::Language;
use crate::email::populate::ValueSources;
use crate::email::templates::RenderError;
use crate::http::AppState;
use crate::llm::ChatError;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A blank text field is "not given".
fn given(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

#[derive(Deserialize, Serialize, Default)]
pub struct PopulateForm {
    #[serde(default)]
    template_id: String,
    #[serde(default)]
    agent_name: Option<String>,
}

/// `POST /admin/emails/{id}/populate`: the template filled with this email's values.
pub async fn populate(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: CsrfForm<PopulateForm>,
) -> Result<Response, AdminError> {
    let session = &form.session;
    let fields = form.form;
    let view = EmailView::load(&state, session, &id).await?;
    let company = session.company();
    let mut errors = BTreeMap::new();
    let template = match fields.template_id.as_str() {
        "" => None,
        chosen => state.store.get_email_template(company, chosen).await?,
    };
    let mut rendered = None;
    match template {
        None => {
            errors.insert(
                "template_id",
                "Template: choose one of the list.".to_owned(),
            );
        }
        Some(template) => {
            let sources = ValueSources {
                partner_id: None,
                document_id: None,
                product_id: None,
                agent_name: given(&fields.agent_name),
            };
            let values = state
                .emails
                .template_values(
                    company,
                    Some(&session.session.user_id),
                    template.language,
                    Some(&view.context),
                    &sources,
                )
                .await?;
            match template.render(&values) {
                Ok(done) => {
                    rendered = Some(context! { subject => done.subject, body => done.body })
                }
                Err(e @ RenderError::MissingValue(_)) => {
                    errors.insert("template_id", format!("Template: {e}."));
                }
                Err(e) => return Err(AdminError::internal(e)),
            }
        }
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let forms = context! {
        populated => rendered,
        errors => errors,
        form => context! { populate => &fields },
    };
    Ok((status, render(&state, session, &view, forms).await?).into_response())
}

#[derive(Deserialize, Serialize, Default)]
pub struct DraftForm {
    #[serde(default)]
    template_id: Option<String>,
    #[serde(default)]
    tone: Option<String>,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    agent_name: Option<String>,
}

/// `POST /admin/emails/{id}/draft`: a reply draft, stored with the email; back to the
/// email, where the draft shows with its facts.
pub async fn draft(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: CsrfForm<DraftForm>,
) -> Result<Response, AdminError> {
    let session = &form.session;
    let fields = form.form;
    let company = session.company();
    let email = state
        .store
        .get_email(company, &id)
        .await?
        .ok_or_else(|| AdminError::NotFound("No such email.".into()))?;
    let mut errors = BTreeMap::new();
    let language = match given(&fields.language) {
        None => None,
        Some(text) => Language::parse(&text).or_else(|| {
            errors.insert(
                "language",
                "Language: must be English or Slovenian.".to_owned(),
            );
            None
        }),
    };
    let template = match given(&fields.template_id) {
        None => None,
        Some(chosen) => {
            let found = state.store.get_email_template(company, &chosen).await?;
            if found.is_none() {
                errors.insert(
                    "draft_template_id",
                    "Template: choose one of the list.".into(),
                );
            }
            found
        }
    };
    if !errors.is_empty() {
        let view = EmailView::load(&state, session, &id).await?;
        let forms = context! { errors => errors, form => context! { draft => &fields } };
        let body = render(&state, session, &view, forms).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response());
    }
    let request = DraftRequest {
        template,
        tone: given(&fields.tone),
        language,
        agent_name: given(&fields.agent_name),
    };
    match state
        .emails
        .draft(Some(&session.session.user_id), email, request)
        .await
    {
        Ok(draft) => Ok(see_other(&format!(
            "/admin/emails/{id}?{}#draft-{}",
            flash_query("A draft was written; it is shown below with the facts it used."),
            draft.id
        ))),
        Err(DraftError::Store(e)) => Err(e.into()),
        Err(DraftError::Model(ChatError::Unavailable(_))) => Err(AdminError::Unavailable(
            "The chat model is unavailable; try again later.".into(),
        )),
        Err(e) => Err(AdminError::internal(e)),
    }
}

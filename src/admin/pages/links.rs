//! Pages and CRM links: the registered Facebook pages, each page's links per channel with
//! their sync status and chunk count, and the changes to them (register a page, add a link,
//! toggle it). Running syncs and the status cell are in `link_sync`.

use super::link_form::{FieldErrors, LinkForm};
use super::link_sync::{documents, status_context};
use super::{flash_query, link_sync, own_page, see_other};
use crate::admin::csrf::AdminForm;
use crate::admin::error::AdminError;
use crate::admin::render::Rendered;
use crate::admin::session::{AdminSession, page};
use crate::domain::{Channel, LinkId, Page};
use crate::http::AppState;
use crate::rag::search::LinkDocuments;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use minijinja::context;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/pages", get(list).post(register))
        .route("/pages/{page_id}", get(show))
        .route("/pages/{page_id}/links", post(add))
        .route("/pages/{page_id}/links/toggle", post(toggle))
        .route("/pages/{page_id}/sync-all", post(link_sync::sync_all))
        .route(
            "/pages/{page_id}/links/{link_id}/sync",
            post(link_sync::sync_one),
        )
        .route(
            "/pages/{page_id}/links/{link_id}/status",
            get(link_sync::status),
        )
}

#[derive(Deserialize)]
pub struct Flash {
    flash: Option<String>,
}

/// `GET /admin/pages`.
pub async fn list(
    State(state): State<AppState>,
    session: AdminSession,
    Query(flash): Query<Flash>,
) -> Result<Rendered, AdminError> {
    let pages = state.dashboard.list_pages(session.company()).await?;
    let rows: Vec<_> = pages
        .iter()
        .map(|p| {
            context! {
                page_id => p.page_id.to_string(),
                page_name => &p.page_name,
                active => p.active_count(),
                inactive => p.inactive_count(),
                token_invalid => p.reply.token_invalid_at.is_some(),
            }
        })
        .collect();
    page(
        &session,
        "pages.html",
        "pages",
        context! { pages => rows, flash => flash.flash, form => context!{}, errors => context!{} },
    )
}

#[derive(Deserialize, Serialize, Default)]
pub struct RegisterForm {
    #[serde(default)]
    page_id: String,
    #[serde(default)]
    page_name: String,
    #[serde(default, skip_serializing)]
    access_token: String,
}

/// `POST /admin/pages`: registers a Facebook page with its access token (sealed at rest).
pub async fn register(
    State(state): State<AppState>,
    AdminForm(form): AdminForm<RegisterForm>,
) -> Result<Response, AdminError> {
    let (session, fields) = (form.session, form.form);
    let mut errors = FieldErrors::new();
    if fields.access_token.trim().is_empty() {
        errors.insert("access_token", "is required".into());
    }
    if errors.is_empty() {
        let token = SecretString::from(fields.access_token.trim().to_owned());
        match state
            .dashboard
            .register_page(
                session.company(),
                &fields.page_id,
                &fields.page_name,
                &token,
            )
            .await
        {
            Ok((registered, _)) => {
                let to = format!(
                    "/admin/pages/{}?{}",
                    registered.page_id,
                    flash_query("Page saved.")
                );
                return Ok(see_other(&to));
            }
            Err(crate::dashboard::DashboardError::Invalid(e)) => {
                errors.insert(e.field, e.message);
            }
            Err(crate::dashboard::DashboardError::PageTaken(_)) => {
                errors.insert("page_id", "is registered by another company".into());
            }
            Err(e) => return Err(e.into()),
        }
    }
    let pages = state.dashboard.list_pages(session.company()).await?;
    let rows: Vec<_> = pages
        .iter()
        .map(|p| context! { page_id => p.page_id.to_string(), page_name => &p.page_name, active => p.active_count(), inactive => p.inactive_count() })
        .collect();
    let body = page(
        &session,
        "pages.html",
        "pages",
        context! { pages => rows, form => fields, errors => errors },
    )?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response())
}

/// One link as the table shows it, with its place in retrieval.
fn link_row(
    page: &Page,
    channel: Channel,
    link: &crate::domain::CrmLink,
    docs: &BTreeMap<LinkId, LinkDocuments>,
) -> minijinja::Value {
    context! {
        id => link.id.to_string(),
        page_id => page.page_id.to_string(),
        name => &link.name,
        url => &link.url,
        link_type => link.link_type,
        channel => channel.as_str(),
        is_active => link.is_active,
        description => &link.description,
        status => status_context(&link.id, docs.get(&link.id)),
    }
}

/// `GET /admin/pages/{page_id}`.
pub async fn show(
    State(state): State<AppState>,
    session: AdminSession,
    Path(page_id): Path<String>,
    Query(flash): Query<Flash>,
) -> Result<Rendered, AdminError> {
    let target = own_page(&state, session.company(), &page_id).await?;
    render_links(
        &state,
        &session,
        &target,
        flash.flash,
        &LinkForm::default(),
        &FieldErrors::new(),
    )
    .await
}

async fn render_links(
    state: &AppState,
    session: &AdminSession,
    target: &Page,
    flash: Option<String>,
    form: &LinkForm,
    errors: &FieldErrors,
) -> Result<Rendered, AdminError> {
    let docs = documents(state, session.company(), target).await?;
    let mut channels = Vec::new();
    for channel in [Channel::Messenger, Channel::Facebook] {
        let rows: Vec<_> = target
            .links(channel)
            .iter()
            .map(|l| link_row(target, channel, l, &docs))
            .collect();
        channels.push(context! { name => channel.as_str(), links => rows });
    }
    let total_chunks: u64 = docs.values().map(|d| d.chunk_count).sum();
    page(
        session,
        "links.html",
        "pages",
        context! {
            page => context! { page_id => target.page_id.to_string(), page_name => &target.page_name },
            channels => channels,
            legacy => target.legacy_crm_links.iter().map(|l| context!{ name => &l.name, url => &l.url, is_active => l.is_active }).collect::<Vec<_>>(),
            total_chunks => total_chunks,
            retrieval_on => state.retrieval.is_some(),
            flash => flash,
            form => form,
            errors => errors,
        },
    )
}

/// `POST /admin/pages/{page_id}/links`: adds a link; problems are shown next to their fields.
pub async fn add(
    State(state): State<AppState>,
    Path(page_id): Path<String>,
    AdminForm(form): AdminForm<LinkForm>,
) -> Result<Response, AdminError> {
    let session = form.session;
    let mut fields = form.form;
    fields.channels = form.fields.all("channels");
    let target = own_page(&state, session.company(), &page_id).await?;
    let mut errors = match fields.check(target.page_id.clone()) {
        Ok(new) => match state.dashboard.add_crm_link(session.company(), new).await {
            Ok(added) => {
                let note = match added.webhook_secret {
                    Some(_) => "CRM link added. It is a webhook link: its data arrives when your CRM pushes it.".to_owned(),
                    None => format!("CRM link \u{201c}{}\u{201d} added.", added.link.name),
                };
                return Ok(see_other(&format!(
                    "/admin/pages/{}?{}",
                    target.page_id,
                    flash_query(&note)
                )));
            }
            Err(crate::dashboard::DashboardError::LinkExists { channel, .. }) => {
                FieldErrors::from([(
                    "url",
                    format!("this page already has a link with this URL on {channel}"),
                )])
            }
            Err(crate::dashboard::DashboardError::Invalid(e)) => {
                FieldErrors::from([(e.field, e.message)])
            }
            Err(e) => return Err(e.into()),
        },
        Err(errors) => errors,
    };
    errors
        .entry("form")
        .or_insert_with(|| "The link was not added; see the fields marked below.".into());
    let body = render_links(&state, &session, &target, None, &fields, &errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response())
}

#[derive(Deserialize)]
pub struct ToggleForm {
    url: String,
    channel: String,
    is_active: String,
}

/// `POST /admin/pages/{page_id}/links/toggle`: activates or deactivates a link on a channel.
pub async fn toggle(
    State(state): State<AppState>,
    Path(page_id): Path<String>,
    AdminForm(form): AdminForm<ToggleForm>,
) -> Result<Response, AdminError> {
    let (session, fields) = (form.session, form.form);
    let target = own_page(&state, session.company(), &page_id).await?;
    let channel = Channel::parse("channel", &fields.channel)
        .map_err(|e| AdminError::BadRequest(e.message))?;
    let activate = fields.is_active == "true";
    state
        .dashboard
        .set_crm_link_status(
            session.company(),
            &target.page_id,
            &fields.url,
            &[channel],
            activate,
        )
        .await?;
    let note = if activate {
        "Link activated; it is being fetched."
    } else {
        "Link deactivated; its facts are no longer used."
    };
    Ok(see_other(&format!(
        "/admin/pages/{}?{}",
        target.page_id,
        flash_query(note)
    )))
}

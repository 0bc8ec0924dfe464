//! Pages and CRM links: the registered Facebook pages, each page's links per channel with
//! their sync status and chunk count, and the changes (register a page, add a link, toggle
//! it, sync one link or all of them).
//!
//! "Sync now" answers at once and runs in the background; the status cell is re-fetched by
//! `admin.js` until the run ends, and without script the page shows the run after a reload.

use super::link_form::{FieldErrors, LinkForm};
use super::{flash_query, own_page, see_other};
use crate::admin::csrf::{AdminForm, Empty};
use crate::admin::error::AdminError;
use crate::admin::render::Rendered;
use crate::admin::session::{AdminSession, page};
use crate::domain::{Channel, CompanyId, LinkId, Page, PageId, SyncTrigger};
use crate::http::AppState;
use crate::rag::search::LinkDocuments;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use minijinja::context;
use parking_lot::Mutex;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::sync::LazyLock;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/pages", get(list).post(register))
        .route("/pages/{page_id}", get(show))
        .route("/pages/{page_id}/links", post(add))
        .route("/pages/{page_id}/links/toggle", post(toggle))
        .route("/pages/{page_id}/sync-all", post(sync_all))
        .route("/pages/{page_id}/links/{link_id}/sync", post(sync_one))
        .route("/pages/{page_id}/links/{link_id}/status", get(status))
}

/// Links whose console-started run is still going, in this process. The run itself is
/// guarded by retrieval (one run per link); this only lets the status cell say "running".
static IN_FLIGHT: LazyLock<Mutex<HashSet<LinkId>>> = LazyLock::new(Default::default);

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

fn status_context(link_id: &LinkId, docs: Option<&LinkDocuments>) -> minijinja::Value {
    let running = IN_FLIGHT.lock().contains(link_id);
    let last = docs.and_then(|d| d.last_run.as_ref());
    context! {
        running => running,
        state => if running { "running" } else { docs.map_or("unknown", |d| d.status) },
        chunk_count => docs.map(|d| d.chunk_count),
        last_outcome => last.map(|r| r.outcome),
        last_error => last.and_then(|r| r.error.clone()),
        last_finished => last.map(|r| r.finished_at.format("%Y-%m-%d %H:%M:%S UTC").to_string()),
    }
}

async fn documents(
    state: &AppState,
    company: &CompanyId,
    page: &Page,
) -> Result<BTreeMap<LinkId, LinkDocuments>, AdminError> {
    let Some(retrieval) = &state.retrieval else {
        return Ok(BTreeMap::new());
    };
    Ok(retrieval
        .link_documents(company, page)
        .await?
        .into_iter()
        .map(|d| (d.link_id.clone(), d))
        .collect())
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

fn retrieval(state: &AppState) -> Result<&crate::rag::Retrieval, AdminError> {
    state.retrieval.as_ref().ok_or_else(|| {
        AdminError::Unavailable(
            "Retrieval is off: the embedding model could not be loaded at start-up.".into(),
        )
    })
}

/// `POST /admin/pages/{page_id}/links/{link_id}/sync`: starts a run in the background and
/// answers at once: with the status cell for the console's script, else back to the page.
pub async fn sync_one(
    State(state): State<AppState>,
    Path((page_id, link_id)): Path<(String, String)>,
    headers: HeaderMap,
    AdminForm(form): AdminForm<Empty>,
) -> Result<Response, AdminError> {
    let session = form.session;
    let target = own_page(&state, session.company(), &page_id).await?;
    let link_id = LinkId::from(link_id);
    if !target.all_links().any(|l| l.id == link_id) {
        return Err(AdminError::NotFound(
            "No such CRM link on this page.".into(),
        ));
    }
    start_sync(
        retrieval(&state)?.clone(),
        session.company().clone(),
        target.page_id.clone(),
        link_id.clone(),
    );
    if wants_fragment(&headers) {
        return status_fragment(&state, &session, &target, &link_id)
            .await
            .map(IntoResponse::into_response);
    }
    Ok(see_other(&format!(
        "/admin/pages/{}?{}",
        target.page_id,
        flash_query("Sync started.")
    )))
}

fn start_sync(
    retrieval: crate::rag::Retrieval,
    company: CompanyId,
    page_id: PageId,
    link_id: LinkId,
) {
    if !IN_FLIGHT.lock().insert(link_id.clone()) {
        return; // already running from the console
    }
    tokio::spawn(async move {
        let outcome = retrieval
            .sync_link(&company, &page_id, &link_id, SyncTrigger::Manual)
            .await;
        IN_FLIGHT.lock().remove(&link_id);
        if let Err(e) = outcome {
            tracing::warn!(link = %link_id, error = %e, "console sync did not start");
        }
    });
}

/// `POST /admin/pages/{page_id}/sync-all`: starts a run of every active fetched link.
pub async fn sync_all(
    State(state): State<AppState>,
    Path(page_id): Path<String>,
    AdminForm(form): AdminForm<Empty>,
) -> Result<Response, AdminError> {
    let session = form.session;
    let target = own_page(&state, session.company(), &page_id).await?;
    let retrieval = retrieval(&state)?;
    let mut started = 0;
    for link_id in crate::rag::sync::active_link_ids(&target) {
        let pushed = target
            .all_links()
            .any(|l| l.id == link_id && l.link_type == crate::domain::CrmLinkType::Webhook);
        if !pushed {
            start_sync(
                retrieval.clone(),
                session.company().clone(),
                target.page_id.clone(),
                link_id,
            );
            started += 1;
        }
    }
    let note = format!("Sync started for {started} link(s).");
    Ok(see_other(&format!(
        "/admin/pages/{}?{}",
        target.page_id,
        flash_query(&note)
    )))
}

fn wants_fragment(headers: &HeaderMap) -> bool {
    headers.get("x-admin-fragment").is_some()
}

/// `GET /admin/pages/{page_id}/links/{link_id}/status`: the status cell alone.
pub async fn status(
    State(state): State<AppState>,
    session: AdminSession,
    Path((page_id, link_id)): Path<(String, String)>,
) -> Result<Rendered, AdminError> {
    let target = own_page(&state, session.company(), &page_id).await?;
    let link_id = LinkId::from(link_id);
    if !target.all_links().any(|l| l.id == link_id) {
        return Err(AdminError::NotFound(
            "No such CRM link on this page.".into(),
        ));
    }
    status_fragment(&state, &session, &target, &link_id).await
}

async fn status_fragment(
    state: &AppState,
    session: &AdminSession,
    target: &Page,
    link_id: &LinkId,
) -> Result<Rendered, AdminError> {
    let docs = documents(state, session.company(), target).await?;
    crate::admin::render::render(
        "link_status.html",
        context! {
            status => status_context(link_id, docs.get(link_id)),
            link => context! { id => link_id.to_string(), page_id => target.page_id.to_string() },
            is_admin => session.is_admin(),
            csrf_token => session.csrf_token(),
        },
    )
}

//! Syncing CRM links from the console and the link's status cell: "Sync now" and "Sync all"
//! answer at once and run in the background; the status cell is re-fetched by `admin.js`
//! until the run ends, and without script the page shows the run after a reload.

use super::{flash_query, own_page, see_other};
use crate::admin::csrf::{AdminForm, Empty};
use crate::admin::error::AdminError;
use crate::admin::render::Rendered;
use crate::admin::session::AdminSession;
use crate::domain::{CompanyId, LinkId, Page, PageId, SyncTrigger};
use crate::http::AppState;
use crate::rag::search::LinkDocuments;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use minijinja::context;
use parking_lot::Mutex;
use std::collections::{BTreeMap, HashSet};
use std::sync::LazyLock;

/// Links whose console-started run is still going, in this process. The run itself is
/// guarded by retrieval (one run per link); this only lets the status cell say "running".
static IN_FLIGHT: LazyLock<Mutex<HashSet<LinkId>>> = LazyLock::new(Default::default);

pub(super) fn status_context(link_id: &LinkId, docs: Option<&LinkDocuments>) -> minijinja::Value {
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

pub(super) async fn documents(
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

//! The sync buttons of a kind's page, all one form: a row's own button (SyncProductButton,
//! SyncContactButton, SyncSalesDocumentButton) syncs that record and waits for it; "Sync
//! selected", "Sync all" (SyncAll*Button) and "Sync from Metakocka" start a bulk run in the
//! background, whose progress the page polls. Cancel asks a running run to stop.

use super::{Note, kind_of_segment, nouns, page_url, sync_problem};
use crate::admin::csrf::{AdminForm, Empty};
use crate::admin::error::AdminError;
use crate::admin::pages::see_other;
use crate::admin::session::AdminSession;
use crate::http::AppState;
use crate::metakocka::sync::StartRun;
use crate::metakocka::sync::entity::RunFilter;
use crate::metakocka::sync::model::{Direction, EntityKind, RunState, RunTrigger};
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct SyncForm {
    /// A row's own button: the CRM id of its record.
    one: Option<String>,
    /// A bulk button: `selected`, `all` or `from`.
    action: Option<String>,
}

/// `POST /admin/integrations/metakocka/sync/{kind}`.
pub async fn sync(
    State(state): State<AppState>,
    Path(kind): Path<String>,
    AdminForm(form): AdminForm<SyncForm>,
) -> Result<Response, AdminError> {
    let kind = kind_of_segment(&kind)?;
    let session = &form.session;
    let (one, many) = nouns(kind);
    let note = if let Some(crm_id) = form.form.one.filter(|id| !id.is_empty()) {
        sync_one(&state, session, kind, crm_id).await?
    } else {
        let (direction, crm_ids, started) = match form.form.action.as_deref() {
            Some("selected") => {
                let ids = form.fields.all("ids");
                if ids.is_empty() {
                    let text =
                        format!("Select at least one {one} first, then press Sync selected.");
                    return Ok(see_other(&page_url(kind, &Note::problem(text))));
                }
                let text = format!("Syncing {} selected {many} to Metakocka.", ids.len());
                (Direction::To, Some(ids), text)
            }
            Some("all") => (
                Direction::To,
                None,
                format!("Syncing all {many} to Metakocka."),
            ),
            Some("from") => (
                Direction::From,
                None,
                format!("Bringing Metakocka's {many} into crm-mind."),
            ),
            _ => return Err(AdminError::BadRequest("Unknown sync button.".into())),
        };
        let filter = RunFilter {
            crm_ids,
            ..RunFilter::default()
        };
        let start = start(session, kind, direction, RunTrigger::Bulk, filter);
        match state.metakocka_sync.spawn(start).await {
            Ok(_) => Note::ok(started),
            Err(e) => Note::problem(sync_problem(e)?),
        }
    };
    Ok(see_other(&page_url(kind, &note)))
}

/// One record to Metakocka, waited for: the note says how it went.
async fn sync_one(
    state: &AppState,
    session: &AdminSession,
    kind: EntityKind,
    crm_id: String,
) -> Result<Note, AdminError> {
    let (one, _) = nouns(kind);
    let filter = RunFilter {
        crm_ids: Some(vec![crm_id.clone()]),
        ..RunFilter::default()
    };
    let start = start(session, kind, Direction::To, RunTrigger::Manual, filter);
    let run = match state.metakocka_sync.run(start).await {
        Ok(run) => run,
        Err(e) => return Ok(Note::problem(sync_problem(e)?)),
    };
    if run.state == RunState::Failed || run.counts.failed > 0 {
        let why = run.errors.first().cloned().unwrap_or_default();
        return Ok(Note::problem(format!(
            "The {one} could not be synced: {why}. The error log has the details."
        )));
    }
    if run.counts.conflicts > 0 {
        return Ok(Note::problem(format!(
            "Both sides of the {one} changed: resolve it on the Conflicts page."
        )));
    }
    let c = run.counts;
    Ok(Note::ok(format!(
        "The {one} is synced ({} created, {} updated, {} unchanged).",
        c.created, c.updated, c.skipped
    )))
}

fn start(
    session: &AdminSession,
    kind: EntityKind,
    direction: Direction,
    trigger: RunTrigger,
    filter: RunFilter,
) -> StartRun {
    StartRun {
        company: session.company().clone(),
        user: Some(session.session.user_id.clone()),
        kind,
        direction,
        trigger,
        filter,
    }
}

/// `POST /admin/integrations/metakocka/runs/{id}/cancel`: the run stops before its next
/// record; back to its kind's page.
pub async fn cancel(
    State(state): State<AppState>,
    Path(id): Path<String>,
    AdminForm(form): AdminForm<Empty>,
) -> Result<Response, AdminError> {
    let company = form.session.company();
    let run = match state.metakocka_sync.cancel(company, &id).await {
        Ok(run) => run,
        Err(crate::metakocka::sync::SyncError::NotFound(_)) => {
            return Err(AdminError::NotFound("No such sync run.".into()));
        }
        Err(e) => return Err(AdminError::internal(e)),
    };
    let note = if run.state == RunState::Running {
        Note::ok("Cancelling: the run stops before its next record.")
    } else {
        Note::ok(format!(
            "The run had already ended ({}).",
            run.state.as_str()
        ))
    };
    Ok(see_other(&page_url(run.kind, &note)))
}

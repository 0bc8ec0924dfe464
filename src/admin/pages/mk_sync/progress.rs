//! The progress of a kind's latest run: a small fragment on the sync page that `admin.js`
//! re-fetches while the run goes (`processed` of `total`, the counts so far, a cancel
//! button), and that reloads the page once the run ends so the mapping statuses show.

use super::{nouns, segment, when};
use crate::admin::error::AdminError;
use crate::admin::render::{Rendered, render};
use crate::admin::session::AdminSession;
use crate::domain::CompanyId;
use crate::http::AppState;
use crate::metakocka::sync::model::{EntityKind, MetakockaSyncRun, RunState};
use axum::extract::{Path, State};
use minijinja::context;

/// The kind's newest run, if it ever ran.
pub(super) async fn latest_run(
    state: &AppState,
    company: &CompanyId,
    kind: EntityKind,
) -> Result<Option<MetakockaSyncRun>, AdminError> {
    Ok(state
        .store
        .list_metakocka_runs(company, Some(kind), 1)
        .await?
        .into_iter()
        .next())
}

/// A run as the pages show it.
pub(super) fn run_view(run: &MetakockaSyncRun) -> minijinja::Value {
    let c = run.counts;
    context! {
        id => &run.id,
        kind => run.kind.as_str(),
        kind_label => nouns(run.kind).1,
        direction => run.direction.as_str(),
        trigger => run.trigger.as_str(),
        state => run.state.as_str(),
        running => run.state == RunState::Running,
        started_at => when(run.started_at),
        finished_at => run.finished_at.map(when),
        duration => duration_text(run.elapsed_ms()),
        total => c.total,
        processed => c.processed,
        created => c.created,
        updated => c.updated,
        skipped => c.skipped,
        failed => c.failed,
        conflicts => c.conflicts,
        stopped_at => &run.stopped_at,
        errors => &run.errors,
    }
}

/// "850 ms", "12.3 s", "4 min 5 s".
fn duration_text(ms: i64) -> String {
    match ms {
        ..1_000 => format!("{} ms", ms.max(0)),
        1_000..60_000 => format!("{:.1} s", ms as f64 / 1000.0),
        _ => format!("{} min {} s", ms / 60_000, (ms % 60_000) / 1000),
    }
}

/// The fragment's template context.
pub(super) fn context_of(
    session: &AdminSession,
    kind: EntityKind,
    run: Option<&MetakockaSyncRun>,
) -> minijinja::Value {
    context! {
        segment => segment(kind),
        run => run.map(run_view),
        is_admin => session.is_admin(),
        csrf_token => session.csrf_token(),
    }
}

/// `GET /admin/integrations/metakocka/sync/{kind}/progress`: the fragment alone.
pub async fn fragment(
    State(state): State<AppState>,
    session: AdminSession,
    Path(kind): Path<String>,
) -> Result<Rendered, AdminError> {
    let kind = super::kind_of_segment(&kind)?;
    let run = latest_run(&state, session.company(), kind).await?;
    render(
        "mk_progress.html",
        context! { progress => context_of(&session, kind, run.as_ref()) },
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations_read_in_the_unit_that_fits() {
        assert_eq!(super::duration_text(850), "850 ms");
        assert_eq!(super::duration_text(12_340), "12.3 s");
        assert_eq!(super::duration_text(245_000), "4 min 5 s");
    }
}

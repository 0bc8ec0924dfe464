//! The conflicts waiting for a person (both sides of a record changed and the rule is
//! `manual`): each with both sides' values field by field, the differing ones marked, and a
//! choice of the side to keep.

use super::{Note, nouns, sync_problem, when};
use crate::admin::csrf::AdminForm;
use crate::admin::error::AdminError;
use crate::admin::pages::see_other;
use crate::admin::render::Rendered;
use crate::admin::session::{AdminSession, page};
use crate::http::AppState;
use crate::metakocka::sync::SyncError;
use crate::metakocka::sync::model::{Side, SyncConflict};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use minijinja::context;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeSet;

#[derive(Deserialize)]
pub struct ConflictsQuery {
    /// `all` shows resolved ones too.
    status: Option<String>,
    flash: Option<String>,
    problem: Option<String>,
}

/// `GET /admin/integrations/metakocka/conflicts`.
pub async fn show(
    State(state): State<AppState>,
    session: AdminSession,
    Query(query): Query<ConflictsQuery>,
) -> Result<Rendered, AdminError> {
    let show_all = query.status.as_deref() == Some("all");
    let conflicts = state
        .store
        .list_sync_conflicts(session.company(), !show_all)
        .await?;
    page(
        &session,
        "mk_conflicts.html",
        "metakocka",
        context! {
            mk_active => "conflicts",
            show_all => show_all,
            conflicts => conflicts.iter().map(view).collect::<Vec<_>>(),
            flash => query.flash,
            problem => query.problem,
        },
    )
}

fn view(conflict: &SyncConflict) -> minijinja::Value {
    context! {
        id => &conflict.id,
        kind => nouns(conflict.kind).0,
        crm_id => &conflict.crm_id,
        mk_id => &conflict.mk_id,
        detected_at => when(conflict.detected_at),
        resolved_with => conflict.resolved_with.map(Side::as_str),
        resolved_at => conflict.resolved_at.map(when),
        fields => side_by_side(&conflict.crm_snapshot, &conflict.mk_snapshot),
    }
}

/// Every field either side has, with both values as text and whether they differ.
fn side_by_side(crm: &Value, metakocka: &Value) -> Vec<minijinja::Value> {
    let keys = |v: &Value| -> BTreeSet<String> {
        v.as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    };
    let names: BTreeSet<String> = keys(crm).union(&keys(metakocka)).cloned().collect();
    names
        .into_iter()
        .map(|name| {
            let (ours, theirs) = (text(crm.get(&name)), text(metakocka.get(&name)));
            context! { differs => ours != theirs, name => name, crm => ours, metakocka => theirs }
        })
        .collect()
}

fn text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

#[derive(Deserialize)]
pub struct ResolveForm {
    #[serde(rename = "use", default)]
    side: String,
}

/// `POST /admin/integrations/metakocka/conflicts/{id}/resolve` with `use=crm|metakocka`.
pub async fn resolve(
    State(state): State<AppState>,
    Path(id): Path<String>,
    AdminForm(form): AdminForm<ResolveForm>,
) -> Result<Response, AdminError> {
    let session = &form.session;
    let Some(side) = Side::parse(&form.form.side) else {
        return Err(AdminError::BadRequest(
            "Choose which side to keep: crm-mind or Metakocka.".into(),
        ));
    };
    let resolved = state
        .metakocka_sync
        .resolve_conflict(session.company(), Some(&session.session.user_id), &id, side)
        .await;
    let note = match resolved {
        Ok(c) => Note::ok(format!(
            "Resolved: the {} now has {}'s values on both sides.",
            nouns(c.kind).0,
            if side == Side::Crm {
                "crm-mind"
            } else {
                "Metakocka"
            }
        )),
        Err(SyncError::NotFound(_)) => {
            return Err(AdminError::NotFound("No such conflict.".into()));
        }
        Err(e) => Note::problem(sync_problem(e)?),
    };
    Ok(see_other(&format!(
        "/admin{}/conflicts{}",
        super::BASE,
        note.query()
    )))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn side_by_side_lists_every_field_and_marks_the_differences() {
        let rows = super::side_by_side(
            &json!({"name": "Oil", "price": "9.90"}),
            &json!({"name": "Olive oil", "price": "9.90", "unit": "l"}),
        );
        let shown: Vec<(String, bool)> = rows
            .iter()
            .map(|r| {
                let name = r.get_attr("name").unwrap().to_string();
                (name, r.get_attr("differs").unwrap().is_true())
            })
            .collect();
        assert_eq!(
            shown,
            [
                ("name".to_owned(), true),
                ("price".to_owned(), false),
                ("unit".to_owned(), true)
            ]
        );
    }
}

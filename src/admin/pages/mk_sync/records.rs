//! A kind's sync page: the CRM's products, contacts or sales documents, each with its
//! mapping (status, Metakocka id and count code, last synced, last error), the per-record
//! and bulk sync buttons, the count of Metakocka records not mapped yet, and the progress
//! of the latest run.

use super::progress::{context_of, latest_run};
use super::{kind_of_segment, nouns, segment, sync_problem, when};
use crate::admin::error::AdminError;
use crate::admin::render::Rendered;
use crate::admin::session::{AdminSession, page};
use crate::domain::CompanyId;
use crate::http::AppState;
use crate::metakocka::sync::entity::RunFilter;
use crate::metakocka::sync::model::{EntityKind, Mapping};
use crate::records::RecordQuery;
use crate::records::sales_document::SalesDocumentQuery;
use axum::extract::{Path, Query, State};
use minijinja::context;
use serde::Deserialize;
use std::collections::HashMap;

/// Records per page: enough to bulk-select a screenful.
const PAGE_SIZE: u32 = 50;

#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    offset: Option<u32>,
    flash: Option<String>,
    problem: Option<String>,
}

/// One CRM record as the table shows it: its id, what people call it, and a detail line.
struct Row {
    crm_id: String,
    title: String,
    detail: String,
}

/// `GET /admin/integrations/metakocka/sync/{kind}`.
pub async fn show(
    State(state): State<AppState>,
    session: AdminSession,
    Path(kind): Path<String>,
    Query(query): Query<ListQuery>,
) -> Result<Rendered, AdminError> {
    let kind = kind_of_segment(&kind)?;
    let company = session.company();
    // The run is read before the mappings: a run that has ended wrote its mappings before
    // it was marked so, and one still going makes the page poll and reload when it ends.
    // Read the other way, a run that ends in between shows "done" over stale statuses.
    let run = latest_run(&state, company, kind).await?;
    let records = RecordQuery::new(query.q.as_deref(), Some(PAGE_SIZE), query.offset);
    let offset = records.offset;
    let (rows, total) = rows(&state, company, kind, records).await?;
    let mappings: HashMap<String, Mapping> = state
        .store
        .list_mappings(company, kind)
        .await?
        .into_iter()
        .map(|m| (m.crm_id.clone(), m))
        .collect();
    let rows: Vec<_> = rows
        .into_iter()
        .map(|row| {
            let mapping = mappings.get(&row.crm_id);
            context! {
                crm_id => &row.crm_id,
                title => &row.title,
                detail => &row.detail,
                status => mapping.map_or("not_synced", |m| m.status.as_str()),
                mk_id => mapping.map(|m| &m.mk_id),
                count_code => mapping.and_then(|m| m.count_code.as_ref()),
                last_synced_at => mapping.and_then(|m| m.last_synced_at).map(when),
                last_error => mapping.and_then(|m| m.last_error.as_ref()),
            }
        })
        .collect();
    let unsynced = unsynced_count(&state, &session, kind).await?;
    let (one, many) = nouns(kind);
    let search = query.q.clone().unwrap_or_default();
    let href = |at: u32| {
        let q: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("q", &search)
            .append_pair("offset", &at.to_string())
            .finish();
        format!("?{q}")
    };
    let has_next = u64::from(offset) + u64::from(PAGE_SIZE) < total;
    page(
        &session,
        "mk_records.html",
        "metakocka",
        context! {
            mk_active => segment(kind),
            kind => kind.as_str(),
            segment => segment(kind),
            one => one,
            many => many,
            rows => rows,
            total => total,
            q => query.q.unwrap_or_default(),
            offset => offset,
            next_href => has_next.then(|| href(offset + PAGE_SIZE)),
            prev_href => (offset > 0).then(|| href(offset.saturating_sub(PAGE_SIZE))),
            unsynced => unsynced,
            progress => context_of(&session, kind, run.as_ref()),
            flash => query.flash,
            problem => query.problem,
        },
    )
}

/// How many of Metakocka's records no mapping names yet, or why that is not known.
async fn unsynced_count(
    state: &AppState,
    session: &AdminSession,
    kind: EntityKind,
) -> Result<minijinja::Value, AdminError> {
    let found = state
        .metakocka_sync
        .unsynced(
            session.company(),
            Some(&session.session.user_id),
            kind,
            &RunFilter::default(),
        )
        .await;
    Ok(match found {
        Ok(records) => context! { count => records.len() },
        Err(e) => context! { problem => sync_problem(e)? },
    })
}

async fn rows(
    state: &AppState,
    company: &CompanyId,
    kind: EntityKind,
    query: RecordQuery,
) -> Result<(Vec<Row>, u64), AdminError> {
    let store = &state.store;
    Ok(match kind {
        EntityKind::Product => {
            let page = store.list_products(company, &query).await?;
            let rows = page.items.into_iter().map(|p| Row {
                title: format!("{} · {}", p.code, p.name),
                detail: format!("{} {}", p.price, p.currency),
                crm_id: p.id,
            });
            (rows.collect(), page.total)
        }
        EntityKind::Contact => {
            let page = store.list_contacts(company, &query).await?;
            let rows = page.items.into_iter().map(|c| Row {
                title: c.name,
                detail: c.email.map(|e| e.to_string()).unwrap_or_default(),
                crm_id: c.id,
            });
            (rows.collect(), page.total)
        }
        EntityKind::SalesDocument => {
            let page = store
                .list_sales_documents(company, &SalesDocumentQuery::all(query))
                .await?;
            let rows = page.items.into_iter().map(|d| Row {
                title: format!(
                    "{} {}",
                    d.doc_type.as_str().replace('_', " "),
                    d.number.as_deref().unwrap_or("(no number)")
                ),
                detail: format!("{} · {} {}", d.doc_date, d.totals.gross, d.currency),
                crm_id: d.id,
            });
            (rows.collect(), page.total)
        }
    })
}

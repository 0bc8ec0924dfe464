//! The dashboard: Metakocka sync status per entity type, sync status of every CRM link, open
//! integration errors by category and new errors per day, and replies per day with their p95
//! latency — charts drawn on the server as inline SVG.

use crate::admin::chart;
use crate::admin::error::AdminError;
use crate::admin::render::Rendered;
use crate::admin::session::{AdminSession, page};
use crate::domain::reply::ReplyStatus;
use crate::http::AppState;
use crate::metakocka::error_log::{ErrorLogFilter, ErrorStatus};
use crate::store::ReplyQuery;
use axum::extract::State;
use chrono::{Duration, Utc};
use minijinja::{Value, context};
use std::collections::BTreeMap;

/// Days the reply charts cover.
const DAYS: i64 = 14;
/// The most recent replies the charts are computed from.
const REPLIES_SAMPLED: u32 = 500;

/// `GET /admin`.
pub async fn show(
    State(state): State<AppState>,
    session: AdminSession,
) -> Result<Rendered, AdminError> {
    let company = session.company();
    let mut links = Vec::new();
    for p in state.dashboard.list_pages(company).await? {
        let Some(retrieval) = &state.retrieval else {
            break;
        };
        for doc in retrieval.link_documents(company, &p).await? {
            links.push(context! {
                page_id => p.page_id.to_string(),
                page_name => &p.page_name,
                name => doc.name,
                status => doc.status,
                chunk_count => doc.chunk_count,
                last_run => doc.last_run.as_ref().map(|r| r.finished_at.format("%Y-%m-%d %H:%M UTC").to_string()),
                last_error => doc.last_run.as_ref().and_then(|r| r.error.clone()),
            });
        }
    }
    let open = ErrorLogFilter {
        status: Some(ErrorStatus::Open),
        ..ErrorLogFilter::default()
    };
    let stats = state.metakocka_errors.stats(company, &open).await?;
    let by_category: Vec<(String, f64)> = stats
        .by_category
        .iter()
        .map(|(c, n)| (c.as_str().replace('_', " "), *n as f64))
        .collect();
    let errors_per_day = errors_per_day(&state, &session).await?;
    // The same rows as the sync-health report, so the dashboard and the report never disagree.
    let entities = crate::reports::sync_health::per_kind(state.store.as_ref(), company).await?;
    let (per_day, p95) = reply_charts(&state, &session).await?;
    page(
        &session,
        "dashboard.html",
        "dashboard",
        context! {
            links => links,
            retrieval_on => state.retrieval.is_some(),
            open_errors => stats.total,
            entities => entities,
            errors_chart => Value::from_safe_string(chart::bars("Open errors by category", &by_category, "")),
            errors_per_day_chart => Value::from_safe_string(chart::bars("New errors per day", &errors_per_day, "")),
            replies_chart => Value::from_safe_string(chart::bars("Replies sent per day", &per_day, "")),
            latency_chart => Value::from_safe_string(chart::bars("p95 reply latency per day (ms)", &p95, " ms")),
        },
    )
}

type Series = Vec<(String, f64)>;

/// New Metakocka errors (any status) per day over the last [`DAYS`] days, days without any
/// included, so the trend reads at a glance.
async fn errors_per_day(state: &AppState, session: &AdminSession) -> Result<Series, AdminError> {
    let today = Utc::now().date_naive();
    let first = today - Duration::days(DAYS - 1);
    let recent = ErrorLogFilter {
        from: first.and_hms_opt(0, 0, 0).map(|t| t.and_utc()),
        ..ErrorLogFilter::default()
    };
    let stats = state
        .metakocka_errors
        .stats(session.company(), &recent)
        .await?;
    Ok((0..DAYS)
        .map(|i| {
            let day = first + Duration::days(i);
            let key = day.format("%Y-%m-%d").to_string();
            let n = stats.by_day.get(&key).copied().unwrap_or(0);
            (day.format("%d.%m.").to_string(), n as f64)
        })
        .collect())
}

/// Sent replies per day and the p95 of their total time, over the last [`DAYS`] days.
async fn reply_charts(
    state: &AppState,
    session: &AdminSession,
) -> Result<(Series, Series), AdminError> {
    let replies = state
        .store
        .list_replies(&ReplyQuery {
            company_id: session.company().clone(),
            page_id: None,
            status: Some(ReplyStatus::Sent),
            limit: REPLIES_SAMPLED,
        })
        .await?;
    let since = Utc::now() - Duration::days(DAYS);
    let mut by_day: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for reply in replies.iter().filter(|r| r.created_at >= since) {
        by_day
            .entry(reply.created_at.format("%m-%d").to_string())
            .or_default()
            .push(reply.timings.total_ms);
    }
    let per_day = by_day
        .iter()
        .map(|(d, v)| (d.clone(), v.len() as f64))
        .collect();
    let p95 = by_day
        .iter_mut()
        .filter_map(|(d, v)| chart::percentile(v, 95.0).map(|p| (d.clone(), p as f64)))
        .collect();
    Ok((per_day, p95))
}

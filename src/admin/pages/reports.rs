//! The reports pages: an index of the reports and the company's schedules, and one page per
//! report with its parameter form, a server-drawn SVG chart ([`crate::admin::chart`]), the
//! table and a CSV download of the same figures. Agents may read every one.

use crate::admin::chart;
use crate::admin::error::AdminError;
use crate::admin::render::Rendered;
use crate::admin::session::{AdminSession, page};
use crate::http::AppState;
use crate::records::sales_document::DocType;
use crate::reports::output::{Report, columns};
use crate::reports::params::{ReportParams, ReportQuery};
use crate::reports::{ReportError, ReportKind};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use minijinja::context;
use std::collections::BTreeMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports", get(index))
        .route("/reports/{report}", get(show))
        .route("/reports/{report}/export.csv", get(export))
}

/// Which form fields each report has: (name, label, input type).
fn fields(kind: ReportKind) -> Vec<(&'static str, &'static str, &'static str)> {
    let range = [("from", "From day", "date"), ("to", "To day", "date")];
    match kind {
        ReportKind::SalesByMonth => {
            [range.as_slice(), &[("doc_type", "Document type", "select")]].concat()
        }
        ReportKind::TopProducts | ReportKind::TopCustomers => [
            range.as_slice(),
            &[
                ("doc_type", "Document type", "select"),
                ("by", "Rank by", "select"),
                ("limit", "How many", "number"),
            ],
        ]
        .concat(),
        ReportKind::LowStock => vec![
            ("threshold", "Free stock below", "text"),
            ("warehouse", "Warehouse (id or mark)", "text"),
        ],
        ReportKind::SyncHealth => Vec::new(),
    }
}

/// The choices of a select field.
fn choices(kind: ReportKind, field: &str) -> Vec<&'static str> {
    match field {
        "doc_type" => DocType::ALL.iter().map(|t| t.as_str()).collect(),
        "by" if kind == ReportKind::TopProducts => vec!["revenue", "quantity"],
        "by" => vec!["revenue", "orders"],
        _ => Vec::new(),
    }
}

fn kind_of(segment: &str) -> Result<ReportKind, AdminError> {
    ReportKind::parse(segment).ok_or_else(|| AdminError::NotFound("No such report.".into()))
}

/// `GET /admin/reports`.
pub async fn index(
    State(state): State<AppState>,
    session: AdminSession,
) -> Result<Rendered, AdminError> {
    let schedules = state
        .reports
        .list_schedules(session.company())
        .await
        .map_err(admin_error)?;
    let reports: Vec<_> = ReportKind::ALL
        .iter()
        .map(|k| context! { slug => k.as_str(), title => k.title() })
        .collect();
    let schedules: Vec<_> = schedules
        .iter()
        .map(|s| {
            context! {
                report => s.report.title(),
                cadence => s.cadence.as_str(),
                destination => &s.destination_hint,
                next_due_at => s.next_due_at.format("%Y-%m-%d %H:%M UTC").to_string(),
                last => s.last_delivery.as_ref().map(|o| context! {
                    ok => o.ok,
                    detail => &o.detail,
                    at => o.at.format("%Y-%m-%d %H:%M UTC").to_string(),
                }),
            }
        })
        .collect();
    page(
        &session,
        "reports.html",
        "reports",
        context! { reports => reports, schedules => schedules },
    )
}

/// `GET /admin/reports/{report}`: the form, the chart and the table.
pub async fn show(
    State(state): State<AppState>,
    session: AdminSession,
    Path(segment): Path<String>,
    Query(query): Query<BTreeMap<String, String>>,
) -> Result<Rendered, AdminError> {
    let kind = kind_of(&segment)?;
    let query = report_query(&query);
    let mut errors: BTreeMap<&str, String> = BTreeMap::new();
    let params = query.parse(kind).unwrap_or_else(|e| {
        errors.insert(e.field, e.message);
        ReportQuery::default()
            .parse(kind)
            .expect("the defaults are valid")
    });
    let report = run(&state, &session, kind, &params).await?;
    let (chart_title, points) = report.chart();
    let values: BTreeMap<&str, String> = [
        ("from", &query.from),
        ("to", &query.to),
        ("doc_type", &query.doc_type),
        ("limit", &query.limit),
        ("by", &query.by),
        ("threshold", &query.threshold),
        ("warehouse", &query.warehouse),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.clone().unwrap_or_default()))
    .collect();
    let form: Vec<_> = fields(kind)
        .into_iter()
        .map(|(name, label, input)| {
            context! { name => name, label => label, input => input, choices => choices(kind, name) }
        })
        .collect();
    let export_query = query.to_query_string();
    page(
        &session,
        "report.html",
        "reports",
        context! {
            slug => kind.as_str(),
            title => kind.title(),
            form => form,
            values => values,
            errors => errors,
            chart => minijinja::Value::from_safe_string(chart::bars(&chart_title, &points, "")),
            columns => columns(kind),
            rows => report.cells(),
            snapshot_refreshed_at => report.snapshot_refreshed_at.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string()),
            no_snapshot => kind == ReportKind::LowStock && report.snapshot_refreshed_at.is_none(),
            export_query => export_query,
        },
    )
}

/// `GET /admin/reports/{report}/export.csv`: the same figures as the API's CSV.
pub async fn export(
    State(state): State<AppState>,
    session: AdminSession,
    Path(segment): Path<String>,
    Query(query): Query<BTreeMap<String, String>>,
) -> Result<Response, AdminError> {
    let kind = kind_of(&segment)?;
    let params = report_query(&query)
        .parse(kind)
        .map_err(|e| AdminError::BadRequest(format!("{}: {}", e.field, e.message)))?;
    let report = run(&state, &session, kind, &params).await?;
    let bytes = report
        .to_csv()
        .map_err(|e| AdminError::internal(e.to_string()))?;
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}.csv\"", kind.as_str()),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The report parameters among a form's fields (others, such as a flash, are ignored).
fn report_query(fields: &BTreeMap<String, String>) -> ReportQuery {
    let field = |name: &str| fields.get(name).cloned();
    ReportQuery {
        from: field("from"),
        to: field("to"),
        doc_type: field("doc_type"),
        limit: field("limit"),
        by: field("by"),
        threshold: field("threshold"),
        warehouse: field("warehouse"),
        format: None,
    }
}

async fn run(
    state: &AppState,
    session: &AdminSession,
    kind: ReportKind,
    params: &ReportParams,
) -> Result<Report, AdminError> {
    state
        .reports
        .run(session.company(), kind, params, crate::records::now())
        .await
        .map_err(admin_error)
}

fn admin_error(e: ReportError) -> AdminError {
    match e {
        ReportError::Store(e) => e.into(),
        other => AdminError::BadRequest(other.to_string()),
    }
}

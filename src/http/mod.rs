//! The HTTP surface: one axum router over a cheap-to-clone [`AppState`].
//!
//! One file per resource. Handlers stay thin: they parse the request into domain values,
//! call [`crate::dashboard`], [`crate::accounts`], [`crate::intake`] or [`crate::rag`], and
//! shape the answer.

mod auth;
mod crm_links;
mod emails;
pub mod error;
mod extract;
mod metakocka;
mod ops;
mod pages;
mod rag;
mod records;
mod replies;
mod reports;
mod webhook;

use crate::accounts::Accounts;
use crate::dashboard::Dashboard;
use crate::intake::Intake;
use crate::rag::Retrieval;
use crate::reply::ReplyService;
use crate::store::DynStore;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::{MatchedPath, Request};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{delete, get, post, put};
use metrics_exporter_prometheus::PrometheusHandle;
use secrecy::SecretString;
use std::time::Instant;
use tower_http::trace::TraceLayer;

pub use webhook::MAX_WEBHOOK_BODY;

/// What Facebook's webhook needs: the app secret that signs deliveries and the token of the
/// verification handshake. Either may be unset; then that part refuses every request.
#[derive(Clone, Default)]
pub struct WebhookSecrets {
    pub app_secret: Option<SecretString>,
    pub verify_token: Option<SecretString>,
}

#[derive(Clone)]
pub struct AppState {
    pub store: DynStore,
    pub accounts: Accounts,
    pub dashboard: Dashboard,
    pub intake: Intake,
    pub webhook: WebhookSecrets,
    pub metrics: PrometheusHandle,
    /// `None` when the embedding model could not be loaded: retrieval routes answer 503.
    pub retrieval: Option<Retrieval>,
    /// The reply worker, when this instance answers (`CRM_MIND_REPLY_ENABLED`).
    pub replies: Option<ReplyService>,
    pub metakocka_credentials: crate::metakocka::credentials::Credentials,
    pub metakocka_errors: crate::metakocka::error_log::ErrorLog,
    pub metakocka_inventory: crate::metakocka::inventory::Inventory,
    /// Metakocka's records in retrieval; `None` when retrieval is off.
    pub metakocka_knowledge: Option<crate::metakocka::knowledge::MetakockaKnowledge>,
    pub metakocka_sync: crate::metakocka::sync::MetakockaSync,
    /// Customer emails: ingest, enrichment, context, templates, drafts.
    pub emails: crate::email::Emails,
    /// Reports and their scheduled delivery.
    pub reports: crate::reports::Reports,
}

pub fn router(state: AppState) -> Router {
    let dashboard = Router::new()
        .route("/pages", get(pages::list).post(pages::register))
        .route("/pages/{page_id}", delete(pages::remove))
        .route(
            "/crm-links",
            get(crm_links::list)
                .post(crm_links::add)
                .delete(crm_links::remove),
        )
        .route("/crm-links/status", put(crm_links::set_status))
        .route("/crm-links/all", get(crm_links::all))
        .route("/crm-links/sync", post(rag::sync_now))
        .route("/crm-links/runs", get(rag::runs))
        .route("/rag/search", get(rag::search))
        .route("/rag/documents/details", get(rag::documents))
        .route(
            "/pages/{page_id}/reply-settings",
            put(replies::update_settings),
        )
        .route("/replies", get(replies::list))
        .route("/replies/{id}/retry", post(replies::retry))
        .route("/conversations", get(replies::conversations))
        .route(
            "/conversations/{page_id}/{psid}/pause",
            post(replies::pause),
        )
        .route(
            "/conversations/{page_id}/{psid}/resume",
            post(replies::resume),
        );
    Router::new()
        .route("/webhook", get(webhook::verify).post(webhook::receive))
        .route("/api/auth/login", post(auth::login))
        .nest("/api/dashboard", dashboard)
        .route(
            "/api/crm-links/webhook/{link_id}",
            post(rag::push).layer(DefaultBodyLimit::max(rag::MAX_PUSH_BODY)),
        )
        .merge(metakocka::routes())
        .merge(records::routes())
        .nest(crate::admin::BASE, crate::admin::router())
        .merge(emails::routes())
        .merge(reports::routes())
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .fallback(ops::not_found)
        .layer(middleware::from_fn(record_request))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request| {
                let route = request
                    .extensions()
                    .get::<MatchedPath>()
                    .map_or("unmatched", MatchedPath::as_str);
                tracing::info_span!("request", method = %request.method(), route)
            }),
        )
        .with_state(state)
}

/// Counts requests by route and status and times them. The route is the matched pattern, not
/// the path, so ids in paths do not explode the label set.
async fn record_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

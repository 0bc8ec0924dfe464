//! The HTTP surface: one axum router over a cheap-to-clone [`AppState`].
//!
//! One file per resource. Handlers stay thin: they parse the request into domain values,
//! call [`crate::dashboard`], [`crate::accounts`], [`crate::intake`] or [`crate::rag`], and
//! shape the answer.

mod auth;
pub mod body_budget;
mod crm_links;
mod emails;
pub mod error;
mod extract;
mod metakocka;
pub mod openapi;
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
use metrics_exporter_prometheus::PrometheusHandle;
use secrecy::SecretString;
use std::time::Instant;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use rag::MAX_PUSH_BODY;
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
    /// The bytes of request bodies held at once, across every route.
    pub body_budget: body_budget::BodyBudget,
}

pub fn router(state: AppState) -> Router {
    let (api, _contract) = api_routes().split_for_parts();
    let budget = state.body_budget.clone();
    api.nest(crate::admin::BASE, crate::admin::router())
        .fallback(ops::not_found)
        .layer(middleware::from_fn(move |request, next| {
            body_budget::admit(budget.clone(), request, next)
        }))
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

/// Every API route (all but the HTML console under [`crate::admin::BASE`]), registered only
/// through `routes!`: the router and the OpenAPI contract ([`openapi::spec`]) both come
/// from each handler's `#[utoipa::path]`, so neither can name a route the other lacks.
///
/// To add a route: give its handler `#[utoipa::path(method, path = "/api/...", tag, params,
/// request_body, responses, security(("bearer" = [])))]` and register it here (or in its
/// area's `routes()`) with `.routes(routes!(module::handler))`; handlers of one path and
/// different methods go in one `routes!`. A plain `.route(...)` for an API path fails
/// `tests/api/openapi.rs`. Spec-only or body-limit wrappers: merge a small `OpenApiRouter`
/// with its own `.layer(...)`, as `rag::push` does below.
pub fn api_routes() -> OpenApiRouter<AppState> {
    let dashboard = OpenApiRouter::new()
        .routes(routes!(pages::list, pages::register))
        .routes(routes!(pages::remove))
        .routes(routes!(crm_links::list, crm_links::add, crm_links::remove))
        .routes(routes!(crm_links::set_status))
        .routes(routes!(crm_links::all))
        .routes(routes!(rag::sync_now))
        .routes(routes!(rag::runs))
        .routes(routes!(rag::search))
        .routes(routes!(rag::documents))
        .routes(routes!(replies::update_settings))
        .routes(routes!(replies::list))
        .routes(routes!(replies::retry))
        .routes(routes!(replies::conversations))
        .routes(routes!(replies::pause))
        .routes(routes!(replies::resume));
    let crm_push = OpenApiRouter::new()
        .routes(routes!(rag::push))
        .layer(DefaultBodyLimit::max(rag::MAX_PUSH_BODY));
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(webhook::verify, webhook::receive))
        .routes(routes!(auth::login))
        .merge(dashboard)
        .merge(crm_push)
        .merge(metakocka::routes())
        .merge(records::routes())
        .merge(emails::routes())
        .merge(reports::routes())
        .routes(routes!(ops::healthz))
        .routes(routes!(ops::readyz))
        .routes(routes!(ops::metrics))
        .routes(routes!(openapi::docs::openapi_json))
        .routes(routes!(openapi::docs::page))
        .routes(routes!(openapi::docs::bundle))
        .routes(routes!(openapi::docs::stylesheet))
        .routes(routes!(openapi::docs::init))
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

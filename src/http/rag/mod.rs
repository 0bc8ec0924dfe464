//! Retrieval routes: search a page's knowledge, see each link's documents and runs, sync
//! now, and the endpoint CRMs push webhook-type links' data to.

mod answers;

use super::AppState;
use super::error::ApiError;
use super::extract::{ApiJson, ApiQuery, Caller, RawBody};
use crate::crm::parse_body;
use crate::dashboard::parse_page_id;
use crate::domain::{Channel, FieldError, LinkId, SyncOutcome, SyncTrigger};
use crate::facebook::signature::verify_signature;
use crate::rag::Retrieval;
use crate::rag::index::{ChunkFilter, Source};
use crate::rag::search::SearchError;
use crate::rag::sync::StartError;
use crate::store::SyncRunQuery;
use answers::{DocumentsAnswer, PushAnswer, RunsAnswer, SearchAnswer, SyncAnswer};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use secrecy::ExposeSecret;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// The largest body a CRM may push to a webhook link (the fetch limit's default).
pub const MAX_PUSH_BODY: usize = 50 * 1024 * 1024;
const DEFAULT_K: usize = 5;
const DEFAULT_RUNS: u32 = 50;
const MAX_RUNS: u32 = 500;

fn retrieval(state: &AppState) -> Result<&Retrieval, ApiError> {
    state.retrieval.as_ref().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "retrieval_unavailable",
            "retrieval is not running: the embedding model could not be loaded at start-up \
             (run scripts/fetch-models or set CRM_MIND_MODELS_DIR, then restart)",
        )
    })
}

fn required<T>(value: Option<T>, field: &'static str) -> Result<T, FieldError> {
    value.ok_or_else(|| FieldError::new(field, "is required"))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    #[param(required = true, value_type = String, pattern = r"^[^\s\x00-\x1f\x7f-\x9f%/?#]{1,64}$")]
    page_id: Option<String>,
    /// `facebook` or `messenger`; both when left out or empty.
    #[param(pattern = "^(facebook|messenger)?$")]
    channel: Option<String>,
    /// What to look for.
    #[param(required = true, value_type = String, pattern = r"\S|[\x1c-\x1f\uFEFF]")]
    q: Option<String>,
    /// How many hits at most (default 5).
    #[param(value_type = Option<u32>, format = Int64, minimum = 0, maximum = 4294967295_u32)]
    k: Option<usize>,
}

/// `GET /api/dashboard/rag/search`: what the bot would find, best first.
#[utoipa::path(
    get,
    path = "/api/dashboard/rag/search",
    tag = "retrieval",
    params(
        SearchParams,
    ),
    responses(
        (status = 200, description = "the hits, best first", body = SearchAnswer),
        (status = 400, response = super::openapi::responses::BadRequest),
        (status = 404, response = super::openapi::responses::NotFound),
        (status = 503, description = "retrieval is not running, or the search failed (`retrieval_unavailable`)", body = super::error::ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn search(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> Result<Json<SearchAnswer>, ApiError> {
    let page_id = parse_page_id(&required(params.page_id, "page_id")?)?;
    let q = required(params.q, "q")?;
    if q.trim().is_empty() {
        return Err(FieldError::new("q", "must not be empty").into());
    }
    let mut filter = ChunkFilter::company(caller.company().clone()).page(page_id.clone());
    if let Some(channel) = params.channel.filter(|c| !c.is_empty()) {
        filter = filter.channel(Channel::parse("channel", &channel)?);
    }
    state.dashboard.page(caller.company(), &page_id).await?;
    let hits = retrieval(&state)?
        .search(filter, &q, params.k.unwrap_or(DEFAULT_K))
        .await?;
    Ok(Json(SearchAnswer { hits }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DetailsParams {
    #[param(required = true, value_type = String, pattern = r"^[^\s\x00-\x1f\x7f-\x9f%/?#]{1,64}$")]
    page_id: Option<String>,
    /// `crm`, the only source there is (the default).
    #[param(pattern = "^(crm)?$")]
    source: Option<String>,
}

/// `GET /api/dashboard/rag/documents/details`: each link's status, chunks and last run.
#[utoipa::path(
    get,
    path = "/api/dashboard/rag/documents/details",
    tag = "retrieval",
    params(
        DetailsParams,
    ),
    responses(
        (status = 200, description = "each link's status, chunks and last run", body = DocumentsAnswer),
        (status = 400, response = super::openapi::responses::BadRequest),
        (status = 404, response = super::openapi::responses::NotFound),
        (status = 503, description = "retrieval is not running, or the search failed (`retrieval_unavailable`)", body = super::error::ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn documents(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<DetailsParams>,
) -> Result<Json<DocumentsAnswer>, ApiError> {
    let page_id = parse_page_id(&required(params.page_id, "page_id")?)?;
    match params.source.as_deref() {
        None | Some("") | Some("crm") => {}
        Some(other) => {
            return Err(FieldError::new(
                "source",
                format!("unknown source {other:?}; expected \"crm\""),
            )
            .into());
        }
    }
    let page = state.dashboard.page(caller.company(), &page_id).await?;
    let links = retrieval(&state)?
        .link_documents(caller.company(), &page)
        .await?;
    let total: u64 = links.iter().map(|l| l.chunk_count).sum();
    Ok(Json(DocumentsAnswer {
        page_id,
        source: Source::Crm,
        total_chunks: total,
        links,
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RunsParams {
    #[param(required = true, value_type = String, pattern = r"^[^\s\x00-\x1f\x7f-\x9f%/?#]{1,64}$")]
    page_id: Option<String>,
    /// One link's runs; every link's when left out or empty.
    link_id: Option<String>,
    /// 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
}

/// `GET /api/dashboard/crm-links/runs`: the page's sync runs, newest first.
#[utoipa::path(
    get,
    path = "/api/dashboard/crm-links/runs",
    tag = "retrieval",
    params(
        RunsParams,
    ),
    responses(
        (status = 200, description = "the runs, newest first", body = RunsAnswer),
        (status = 400, response = super::openapi::responses::BadRequest),
        (status = 404, response = super::openapi::responses::NotFound),
    ),
    security(("bearer" = [])),
)]
pub async fn runs(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<RunsParams>,
) -> Result<Json<RunsAnswer>, ApiError> {
    let page_id = parse_page_id(&required(params.page_id, "page_id")?)?;
    state.dashboard.page(caller.company(), &page_id).await?;
    let limit = params.limit.unwrap_or(DEFAULT_RUNS);
    if !(1..=MAX_RUNS).contains(&limit) {
        return Err(FieldError::new("limit", format!("must be between 1 and {MAX_RUNS}")).into());
    }
    let runs = state
        .store
        .list_sync_runs(&SyncRunQuery {
            company_id: caller.company().clone(),
            page_id: Some(page_id.clone()),
            link_id: params.link_id.filter(|l| !l.is_empty()).map(LinkId::from),
            limit,
        })
        .await?;
    Ok(Json(RunsAnswer { page_id, runs }))
}

#[derive(Deserialize, ToSchema)]
#[schema(as = CrmSyncBody)]
pub struct SyncBody {
    #[schema(required = true, value_type = String, pattern = r"^[^\s\x00-\x1f\x7f-\x9f%/?#]{1,64}$")]
    page_id: Option<String>,
    /// One link's url; without it, every active link of the page.
    url: Option<String>,
}

/// `POST /api/dashboard/crm-links/sync`: runs now and answers with the runs' records.
#[utoipa::path(
    post,
    path = "/api/dashboard/crm-links/sync",
    tag = "retrieval",
    request_body = SyncBody,
    responses(
        (status = 200, description = "the runs it made", body = SyncAnswer),
        (status = 400, response = super::openapi::responses::BadRequest),
        (status = 403, response = super::openapi::responses::Forbidden),
        (status = 404, response = super::openapi::responses::NotFound),
        (status = 409, description = "a sync of the link runs already, the link is inactive or has nothing to fetch (`sync_in_progress`, `link_inactive`, `nothing_to_fetch`)", body = super::error::ErrorBody),
        (status = 415, response = super::openapi::responses::UnsupportedMediaType),
        (status = 503, description = "retrieval is not running, or the search failed (`retrieval_unavailable`)", body = super::error::ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn sync_now(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<SyncBody>,
) -> Result<Json<SyncAnswer>, ApiError> {
    caller.require_admin()?;
    let page_id = parse_page_id(&required(body.page_id, "page_id")?)?;
    let retrieval = retrieval(&state)?;
    let company = caller.company();
    let runs = match body.url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        None => {
            retrieval
                .sync_page(company, &page_id, SyncTrigger::Manual)
                .await?
        }
        Some(url) => {
            let page = state.dashboard.page(company, &page_id).await?;
            let link = page.all_links().find(|l| l.has_url(url)).ok_or_else(|| {
                ApiError::not_found(format!("no CRM link with the url {url} on this page"))
            })?;
            vec![
                retrieval
                    .sync_link(company, &page_id, &link.id, SyncTrigger::Manual)
                    .await?,
            ]
        }
    };
    let failed = runs
        .iter()
        .filter(|r| r.outcome != SyncOutcome::Succeeded)
        .count();
    Ok(Json(SyncAnswer {
        message: format!("{} link(s) synced, {failed} not", runs.len() - failed),
        page_id,
        runs,
    }))
}

/// `POST /api/crm-links/webhook/{link_id}`: a CRM pushes a webhook link's data, signed with
/// the link's secret (`X-CRM-Signature-256: sha256=<hex HMAC-SHA256 of the body>`).
#[utoipa::path(
    post,
    path = "/api/crm-links/webhook/{link_id}",
    tag = "retrieval",
    params(
        ("link_id" = String, Path, description = "the webhook CRM link's id"),
        ("X-CRM-Signature-256" = Option<String>, Header, description = "`sha256=<hex HMAC-SHA256 of the raw body, keyed with the link's secret>`"),
    ),
    request_body(content = super::openapi::JsonObject, description = "the CRM's data: JSON, or CSV/XML/text by Content-Type", content_type = "application/json"),
    responses(
        (status = 200, description = "ingested", body = PushAnswer),
        (status = 503, description = "`{run}` of a failed ingest, or retrieval is not running (then the error shape)", body = super::openapi::JsonObject),
        (status = 401, description = "missing or wrong `X-CRM-Signature-256`", body = super::error::ErrorBody),
        (status = 404, response = super::openapi::responses::NotFound),
        (status = 422, description = "the body could not be read as the content type says (`invalid_body`)", body = super::error::ErrorBody),
        (status = 500, response = super::openapi::responses::Internal),
    ),
)]
pub async fn push(
    State(state): State<AppState>,
    Path(link_id): Path<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<(StatusCode, Json<PushAnswer>), ApiError> {
    let link_id = LinkId::from(link_id);
    let unknown = || ApiError::not_found("no webhook CRM link with this id");
    let (company, page_id) = state
        .store
        .find_link_owner(&link_id)
        .await?
        .ok_or_else(unknown)?;
    let page = state.dashboard.page(&company, &page_id).await?;
    let link = page
        .all_links()
        .find(|l| l.id == link_id)
        .ok_or_else(unknown)?;
    let sealed = link.webhook_secret.as_ref().ok_or_else(unknown)?;
    let secret = state
        .dashboard
        .open_secret(sealed)
        .map_err(ApiError::internal)?;
    let signature = headers.get("x-crm-signature-256").map(|v| v.as_bytes());
    if let Err(e) = verify_signature(secret.expose_secret().as_bytes(), &body, signature) {
        tracing::warn!(link = %link_id, reason = e.label(), "CRM push refused: bad signature");
        return Err(ApiError::unauthorized(
            "X-CRM-Signature-256 must be sha256=<hex HMAC-SHA256 of the raw body, keyed with the link's secret>",
        ));
    }
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let parsed = parse_body(&body, content_type).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
            e.to_string(),
        )
    })?;
    let run = retrieval(&state)?
        .ingest_push(&company, &page_id, &link_id, parsed, body.len() as u64)
        .await?;
    let status = if run.outcome == SyncOutcome::Succeeded {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    Ok((status, Json(PushAnswer { run })))
}

impl From<StartError> for ApiError {
    fn from(e: StartError) -> Self {
        let message = e.to_string();
        match e {
            StartError::PageNotFound(_) | StartError::LinkNotFound(_) => {
                ApiError::not_found(message)
            }
            StartError::AlreadyRunning => {
                ApiError::new(StatusCode::CONFLICT, "sync_in_progress", message)
            }
            StartError::Inactive => ApiError::new(StatusCode::CONFLICT, "link_inactive", message),
            StartError::NothingToFetch(_) => {
                ApiError::new(StatusCode::CONFLICT, "nothing_to_fetch", message)
            }
            StartError::Store(e) => e.into(),
            StartError::Credentials(e) => ApiError::internal(e),
        }
    }
}

impl From<SearchError> for ApiError {
    fn from(e: SearchError) -> Self {
        match e {
            SearchError::Store(e) => e.into(),
            other => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "retrieval_unavailable",
                format!("search failed: {other}"),
            ),
        }
    }
}

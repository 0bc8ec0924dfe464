//! What the bot answered, and the hand-off controls:
//! `GET /api/dashboard/replies`, `POST /api/dashboard/replies/{id}/retry`,
//! `GET /api/dashboard/conversations`, `POST /api/dashboard/conversations/{page_id}/{psid}/pause`
//! and `/resume`, and `PUT /api/dashboard/pages/{page_id}/reply-settings`.

mod views;

use super::AppState;
use super::error::ApiError;
use super::extract::{ApiJson, ApiQuery, Caller};
use crate::domain::reply::{CommentPolicy, OutboxReply, ReplyStatus};
use crate::domain::{Channel, CompanyId, FieldError, PageId};
use crate::store::{ReplyQuery, Requeue};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use views::{ConversationList, ConversationView, ReplyList, ReplySettingsView};

const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 500;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReplyParams {
    /// One of the company's pages; all of them when left out.
    #[param(pattern = r"^[^\s\x00-\x1f\x7f-\x9f%/?#]{1,64}$")]
    page_id: Option<String>,
    #[param(value_type = Option<ReplyStatus>)]
    status: Option<String>,
    /// At most this many (default 50; 0 reads 1, more than 500 reads 500).
    #[param(value_type = Option<u32>, format = Int64, minimum = 0, maximum = 4294967295_u32)]
    limit: Option<u32>,
}

fn limit(value: Option<u32>) -> u32 {
    value.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)
}

/// A page id from a query or path, checked to be one of the caller's pages.
async fn own_page(
    state: &AppState,
    company: &CompanyId,
    page_id: &str,
) -> Result<PageId, ApiError> {
    let page_id = crate::dashboard::parse_page_id(page_id)?;
    match state.store.get_page(company, &page_id).await? {
        Some(_) => Ok(page_id),
        None => Err(ApiError::not_found(format!(
            "page {page_id} is not registered"
        ))),
    }
}

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    get,
    path = "/api/dashboard/replies",
    tag = "replies",
    params(
        ReplyParams,
    ),
    responses(
        (status = 200, description = "the replies, newest first", body = ReplyList),
        (status = 400, response = super::openapi::responses::BadRequest),
        (status = 404, response = super::openapi::responses::NotFound),
    ),
    security(("bearer" = [])),
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<ReplyParams>,
) -> Result<Json<ReplyList>, ApiError> {
    let status = params
        .status
        .as_deref()
        .map(|s| ReplyStatus::parse("status", s))
        .transpose()?;
    let page_id = match params.page_id.as_deref() {
        Some(page_id) => Some(own_page(&state, caller.company(), page_id).await?),
        None => None,
    };
    let replies = state
        .store
        .list_replies(&ReplyQuery {
            company_id: caller.company().clone(),
            page_id,
            status,
            limit: limit(params.limit),
        })
        .await?;
    Ok(Json(ReplyList {
        total: replies.len(),
        replies,
    }))
}

#[tracing::instrument(skip_all, fields(company = %caller.company(), reply = %id))]
#[utoipa::path(
    post,
    path = "/api/dashboard/replies/{id}/retry",
    tag = "replies",
    params(
        ("id" = String, Path, description = "the reply's id"),
    ),
    responses(
        (status = 202, description = "queued again: the reply", body = OutboxReply),
        (status = 404, response = super::openapi::responses::NotFound),
        (status = 409, description = "only failed and needs_review replies can be sent again (`not_retryable`)", body = super::error::ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn retry(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<OutboxReply>), ApiError> {
    match state
        .store
        .requeue_reply(caller.company(), &id, Utc::now())
        .await?
    {
        Requeue::Requeued(reply) => {
            if let Some(replies) = &state.replies {
                replies.waker().notify_one();
            }
            Ok((StatusCode::ACCEPTED, Json(*reply)))
        }
        Requeue::NotRetryable(status) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "not_retryable",
            format!(
                "the reply is {}; only failed and needs_review replies can be sent again",
                status.as_str()
            ),
        )),
        Requeue::NotFound => Err(ApiError::not_found(format!("reply {id} not found"))),
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConversationParams {
    /// One of the company's pages; all of them when left out.
    #[param(pattern = r"^[^\s\x00-\x1f\x7f-\x9f%/?#]{1,64}$")]
    page_id: Option<String>,
    /// At most this many (default 50; 0 reads 1, more than 500 reads 500).
    #[param(value_type = Option<u32>, format = Int64, minimum = 0, maximum = 4294967295_u32)]
    limit: Option<u32>,
}

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    get,
    path = "/api/dashboard/conversations",
    tag = "replies",
    params(
        ConversationParams,
    ),
    responses(
        (status = 200, description = "the conversations, each with `paused`", body = ConversationList),
        (status = 400, response = super::openapi::responses::BadRequest),
        (status = 404, response = super::openapi::responses::NotFound),
    ),
    security(("bearer" = [])),
)]
pub async fn conversations(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<ConversationParams>,
) -> Result<Json<ConversationList>, ApiError> {
    let page_id = match params.page_id.as_deref() {
        Some(page_id) => Some(own_page(&state, caller.company(), page_id).await?),
        None => None,
    };
    let now = Utc::now();
    let conversations = state
        .store
        .list_conversations(caller.company(), page_id.as_ref(), limit(params.limit))
        .await?;
    let conversations: Vec<ConversationView> = conversations
        .into_iter()
        .map(|c| ConversationView::new(c, now))
        .collect();
    Ok(Json(ConversationList {
        total: conversations.len(),
        conversations,
    }))
}

/// A dashboard pause lasts until someone resumes it: the last day every engine can store.
fn until_resumed() -> DateTime<Utc> {
    DateTime::from_timestamp(253_402_214_400, 0).expect("9999-12-31 is a valid time")
}

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    post,
    path = "/api/dashboard/conversations/{page_id}/{psid}/pause",
    tag = "replies",
    params(
        ("page_id" = String, Path, description = "the Facebook page id", pattern = r"^[^\s\x00-\x1f\x7f-\x9f%/?#]{1,64}$"),
        ("psid" = String, Path, description = "the page-scoped id of the person", max_length = 64, pattern = r"\S|[\x1c-\x1f\uFEFF]"),
    ),
    responses(
        (status = 200, description = "the conversation, `paused: true`: the bot stays silent until resumed", body = ConversationView),
        (status = 400, response = super::openapi::responses::BadRequest),
        (status = 404, response = super::openapi::responses::NotFound),
    ),
    security(("bearer" = [])),
)]
pub async fn pause(
    state: State<AppState>,
    caller: Caller,
    path: Path<(String, String)>,
) -> Result<Json<ConversationView>, ApiError> {
    set_pause(state, caller, path, Some(until_resumed())).await
}

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    post,
    path = "/api/dashboard/conversations/{page_id}/{psid}/resume",
    tag = "replies",
    params(
        ("page_id" = String, Path, description = "the Facebook page id", pattern = r"^[^\s\x00-\x1f\x7f-\x9f%/?#]{1,64}$"),
        ("psid" = String, Path, description = "the page-scoped id of the person", max_length = 64, pattern = r"\S|[\x1c-\x1f\uFEFF]"),
    ),
    responses(
        (status = 200, description = "the conversation, `paused: false`", body = ConversationView),
        (status = 400, response = super::openapi::responses::BadRequest),
        (status = 404, response = super::openapi::responses::NotFound),
    ),
    security(("bearer" = [])),
)]
pub async fn resume(
    state: State<AppState>,
    caller: Caller,
    path: Path<(String, String)>,
) -> Result<Json<ConversationView>, ApiError> {
    set_pause(state, caller, path, None).await
}

async fn set_pause(
    State(state): State<AppState>,
    caller: Caller,
    Path((page_id, psid)): Path<(String, String)>,
    until: Option<DateTime<Utc>>,
) -> Result<Json<ConversationView>, ApiError> {
    let page_id = own_page(&state, caller.company(), &page_id).await?;
    let psid = psid.trim();
    if psid.is_empty() || psid.chars().count() > 64 {
        return Err(
            FieldError::new("psid", "must be a page-scoped id of 1 to 64 characters").into(),
        );
    }
    let conversation = state
        .store
        .set_conversation_pause(
            caller.company(),
            &page_id,
            psid,
            Channel::Messenger,
            until,
            until.map(|_| "manual"),
        )
        .await?;
    Ok(Json(ConversationView::new(conversation, Utc::now())))
}

#[derive(Deserialize, ToSchema)]
pub struct ReplySettingsBody {
    /// Left as it is when left out.
    #[schema(value_type = Option<CommentPolicy>)]
    comment_policy: Option<String>,
    answer_comment_replies: Option<bool>,
}

#[tracing::instrument(skip_all, fields(company = %caller.company()))]
#[utoipa::path(
    put,
    path = "/api/dashboard/pages/{page_id}/reply-settings",
    tag = "replies",
    params(
        ("page_id" = String, Path, description = "the Facebook page id", pattern = r"^[^\s\x00-\x1f\x7f-\x9f%/?#]{1,64}$"),
    ),
    request_body = ReplySettingsBody,
    responses(
        (status = 200, description = "the page's reply settings", body = ReplySettingsView),
        (status = 400, response = super::openapi::responses::BadRequest),
        (status = 403, response = super::openapi::responses::Forbidden),
        (status = 404, response = super::openapi::responses::NotFound),
        (status = 409, description = "the page or link is taken, or another change to it ran at the same time (`conflict`, `contended`)", body = super::error::ErrorBody),
        (status = 415, response = super::openapi::responses::UnsupportedMediaType),
    ),
    security(("bearer" = [])),
)]
pub async fn update_settings(
    State(state): State<AppState>,
    caller: Caller,
    Path(page_id): Path<String>,
    ApiJson(body): ApiJson<ReplySettingsBody>,
) -> Result<Json<ReplySettingsView>, ApiError> {
    caller.require_admin()?;
    let policy = body
        .comment_policy
        .as_deref()
        .map(|p| CommentPolicy::parse("comment_policy", p))
        .transpose()?;
    let page_id = crate::dashboard::parse_page_id(&page_id)?;
    let page = state
        .dashboard
        .update_reply_settings(
            caller.company(),
            &page_id,
            policy,
            body.answer_comment_replies,
        )
        .await?;
    Ok(Json(ReplySettingsView {
        page_id: page.page_id,
        comment_policy: page.reply.comment_policy.as_str(),
        answer_comment_replies: page.reply.answer_comment_replies,
        token_status: if page.reply.token_invalid_at.is_some() {
            "invalid"
        } else {
            "valid"
        },
    }))
}

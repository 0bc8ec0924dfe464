//! What the bot answered and the hand-off controls: recent replies with the facts they used,
//! dead letters (failed, needs review) with "retry", and conversations with pause and resume.

use super::{flash_query, own_page, see_other};
use crate::admin::csrf::{AdminForm, Empty};
use crate::admin::error::AdminError;
use crate::admin::render::Rendered;
use crate::admin::session::{AdminSession, page};
use crate::domain::Channel;
use crate::domain::reply::{OutboxReply, ReplyStatus};
use crate::http::AppState;
use crate::store::{ReplyQuery, Requeue};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use minijinja::context;
use serde::Deserialize;

const SHOWN: u32 = 50;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/replies", get(list))
        .route("/replies/{id}/retry", post(retry))
        .route("/conversations", get(conversations))
        .route(
            "/conversations/{page_id}/{channel}/{psid}/pause",
            post(pause),
        )
        .route(
            "/conversations/{page_id}/{channel}/{psid}/resume",
            post(resume),
        )
}

#[derive(Deserialize)]
pub struct Flash {
    flash: Option<String>,
}

fn when(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

fn reply_view(reply: &OutboxReply) -> minijinja::Value {
    context! {
        id => &reply.id,
        page_id => reply.page_id.to_string(),
        channel => reply.channel.as_str(),
        conversation => &reply.conversation,
        question => &reply.question,
        answer => &reply.answer,
        facts => &reply.facts,
        status => reply.status.as_str(),
        retryable => reply.status.retryable(),
        reason => &reply.reason,
        attempts => reply.attempts,
        total_ms => reply.timings.total_ms,
        created_at => when(reply.created_at),
    }
}

async fn replies_with(
    state: &AppState,
    session: &AdminSession,
    status: Option<ReplyStatus>,
) -> Result<Vec<OutboxReply>, AdminError> {
    Ok(state
        .store
        .list_replies(&ReplyQuery {
            company_id: session.company().clone(),
            page_id: None,
            status,
            limit: SHOWN,
        })
        .await?)
}

/// `GET /admin/replies`.
pub async fn list(
    State(state): State<AppState>,
    session: AdminSession,
    Query(flash): Query<Flash>,
) -> Result<Rendered, AdminError> {
    let recent = replies_with(&state, &session, None).await?;
    let mut dead = replies_with(&state, &session, Some(ReplyStatus::Failed)).await?;
    dead.extend(replies_with(&state, &session, Some(ReplyStatus::NeedsReview)).await?);
    dead.sort_by_key(|reply| std::cmp::Reverse(reply.created_at));
    page(
        &session,
        "replies.html",
        "replies",
        context! {
            recent => recent.iter().map(reply_view).collect::<Vec<_>>(),
            dead => dead.iter().map(reply_view).collect::<Vec<_>>(),
            flash => flash.flash,
        },
    )
}

/// `POST /admin/replies/{id}/retry`: sends a dead letter again.
pub async fn retry(
    State(state): State<AppState>,
    Path(id): Path<String>,
    AdminForm(form): AdminForm<Empty>,
) -> Result<Response, AdminError> {
    let note = match state
        .store
        .requeue_reply(form.session.company(), &id, Utc::now())
        .await?
    {
        Requeue::Requeued(_) => {
            if let Some(replies) = &state.replies {
                replies.waker().notify_one();
            }
            "The reply is queued and will be sent again.".to_owned()
        }
        Requeue::NotRetryable(status) => {
            return Err(AdminError::Conflict(format!(
                "This reply is {}; only failed and needs-review replies can be sent again.",
                status.as_str()
            )));
        }
        Requeue::NotFound => return Err(AdminError::NotFound("No such reply.".into())),
    };
    Ok(see_other(&format!("/admin/replies?{}", flash_query(&note))))
}

/// `GET /admin/conversations`.
pub async fn conversations(
    State(state): State<AppState>,
    session: AdminSession,
    Query(flash): Query<Flash>,
) -> Result<Rendered, AdminError> {
    let now = Utc::now();
    let list = state
        .store
        .list_conversations(session.company(), None, SHOWN)
        .await?;
    let rows: Vec<_> = list
        .iter()
        .map(|c| {
            context! {
                page_id => c.page_id.to_string(),
                channel => c.channel.as_str(),
                conversation => &c.conversation,
                turns => c.turns,
                last_message_at => c.last_message_at.map(when),
                paused => c.is_paused(now),
                pause_reason => &c.pause_reason,
            }
        })
        .collect();
    page(
        &session,
        "conversations.html",
        "conversations",
        context! { conversations => rows, flash => flash.flash },
    )
}

/// A dashboard pause lasts until someone resumes it: the last day every engine can store.
fn until_resumed() -> DateTime<Utc> {
    DateTime::from_timestamp(253_402_214_400, 0).expect("9999-12-31 is a valid time")
}

pub async fn pause(
    state: State<AppState>,
    path: Path<(String, String, String)>,
    form: AdminForm<Empty>,
) -> Result<Response, AdminError> {
    set_pause(state, path, form, Some(until_resumed())).await
}

pub async fn resume(
    state: State<AppState>,
    path: Path<(String, String, String)>,
    form: AdminForm<Empty>,
) -> Result<Response, AdminError> {
    set_pause(state, path, form, None).await
}

async fn set_pause(
    State(state): State<AppState>,
    Path((page_id, channel, psid)): Path<(String, String, String)>,
    AdminForm(form): AdminForm<Empty>,
    until: Option<DateTime<Utc>>,
) -> Result<Response, AdminError> {
    let company = form.session.company();
    let target = own_page(&state, company, &page_id).await?;
    let channel =
        Channel::parse("channel", &channel).map_err(|e| AdminError::NotFound(e.message))?;
    let known = state
        .store
        .list_conversations(company, Some(&target.page_id), 500)
        .await?
        .into_iter()
        .any(|c| c.conversation == psid && c.channel == channel);
    if !known {
        return Err(AdminError::NotFound("No such conversation.".into()));
    }
    state
        .store
        .set_conversation_pause(
            company,
            &target.page_id,
            &psid,
            channel,
            until,
            until.map(|_| "manual"),
        )
        .await?;
    let note = if until.is_some() {
        "The bot is paused in this conversation."
    } else {
        "The bot answers in this conversation again."
    };
    Ok(see_other(&format!(
        "/admin/conversations?{}",
        flash_query(note)
    )))
}

//! Answering one inbox event, from the customer's turn to the recorded outcome.
//!
//! The order of the steps is what keeps the promises of issue 4:
//! 1. the customer's turn is recorded (idempotent), so history and the 24-hour window see it;
//! 2. an existing reply record wins: `sent`, `failed`, `skipped` mean the event was handled
//!    (a redelivery or a second worker); `sending` means a worker died mid-send, so the
//!    reply goes to `needs_review` instead of out again;
//! 3. the reasons not to answer (token invalid, paused, policy, already answered, window:
//!    [`super::context`]);
//! 4. the answer is written, then recorded as `sending` by a compare-and-set that only one
//!    worker can win, and only then sent;
//! 5. the Graph API's answer decides the status (see [`super::deliver`]).

use super::compose::{ComposeError, Question};
use super::deliver::{Delivered, Outcome};
use super::worker::ReplyService;
use crate::domain::conversation::{ConversationTurn, TurnAuthor, conversation_key};
use crate::domain::events::{InboxEvent, InboxMessage, InboxStatus};
use crate::domain::reply::{DeliveryKind, OutboxReply, ReplyStatus};
use crate::domain::{Channel, Page};
use crate::metakocka::error_log::{EntityType, ErrorCategory, NewError};
use crate::store::{BeginReply, StoreError};
use chrono::{DateTime, Utc};

/// What became of the event.
enum Handled {
    /// The event is finished with this inbox status.
    Finished(InboxStatus),
    /// Not now: give it back, due at this time.
    Deferred(DateTime<Utc>),
}

pub(super) const CRASHED_WHILE_SENDING: &str = "a worker stopped while sending this reply; it may have reached the customer, so it was not sent again";

impl ReplyService {
    /// Answers `event` and ends `owner`'s lease on it. A store failure leaves the lease to
    /// run out, and the event is tried again.
    pub(super) async fn handle(&self, event: InboxEvent, owner: &str) {
        let store = &self.inner.store;
        let outcome = match self.answer(&event).await {
            Ok(Handled::Finished(status)) => {
                store.finish_inbox_event(&event.id, owner, status).await
            }
            Ok(Handled::Deferred(until)) => store.defer_inbox_event(&event.id, owner, until).await,
            Err(e) => Err(e),
        };
        match outcome {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(event_id = %event.id, "the event's lease ran out before it was answered; another worker had it")
            }
            Err(e) => {
                tracing::warn!(event_id = %event.id, error = %e, "answering an event failed on the store; it will be tried again")
            }
        }
    }

    async fn answer(&self, event: &InboxEvent) -> Result<Handled, StoreError> {
        let store = &self.inner.store;
        let now = Utc::now();
        let conversation = conversation_key(event);
        let question = question_text(&event.message);
        let asked_at = event.occurred_at.unwrap_or(event.received_at);
        store
            .record_turn(&ConversationTurn {
                id: event.natural_key.clone(),
                company_id: event.company_id.clone(),
                page_id: event.page_id.clone(),
                conversation: conversation.clone(),
                channel: event.channel,
                author: TurnAuthor::Customer,
                text: question.clone(),
                at: asked_at,
            })
            .await?;
        if let Some(existing) = store.get_reply(&event.company_id, &event.id).await?
            && existing.status != ReplyStatus::Queued
        {
            return self.settle_existing(existing).await;
        }
        let mut reply = OutboxReply::for_event(event, &question, now);
        let Some(page) = store.get_page(&event.company_id, &event.page_id).await? else {
            return self
                .record_without_sending(
                    reply,
                    ReplyStatus::Skipped,
                    "the page is no longer registered",
                )
                .await;
        };
        let state = store
            .get_conversation(&event.company_id, &event.page_id, &conversation)
            .await?;
        if let Some((status, reason)) = self
            .reason_not_to_answer(event, &page, state.as_ref(), now)
            .await?
        {
            return self.record_without_sending(reply, status, &reason).await;
        }
        if let Some(until) = self.resting_until(&page, now) {
            return Ok(Handled::Deferred(until));
        }

        let history = self.history(event, &conversation).await?;
        // The feed webhook does not carry the post's text; a parent comment's text is known
        // when crm-mind saw that comment (it is a turn of the same thread).
        let parent = self.parent_comment(event, &conversation).await?;
        let post = None;
        let composed = self
            .inner
            .composer
            .compose(&Question {
                company: &event.company_id,
                page: &page,
                channel: event.channel,
                text: &question,
                history: &history,
                post,
                parent: parent.as_deref(),
            })
            .await;
        let composed = match composed {
            Ok(composed) => composed,
            Err(e) => {
                let reason = match &e {
                    ComposeError::Model(e) => format!("no answer was written: {e}"),
                    ComposeError::Prompt(e) => format!("no answer was written: {e}"),
                };
                return self
                    .record_without_sending(reply, ReplyStatus::Failed, &reason)
                    .await;
            }
        };
        reply.answer = Some(composed.text.clone());
        reply.facts = composed.facts;
        reply.model = Some(composed.model);
        reply.timings.retrieval_ms = composed.retrieval_ms;
        reply.timings.model_ms = composed.model_ms;

        match store.begin_reply(&reply).await? {
            BeginReply::Existing(existing) => return self.settle_existing(*existing).await,
            BeginReply::Started { attempt } => reply.attempts = attempt,
        }
        let sent = self.deliver(event, &page, &composed.text).await;
        self.record_delivery(event, &page, reply, sent).await
    }

    /// The event already has a reply record that is not waiting to be sent.
    async fn settle_existing(&self, mut existing: OutboxReply) -> Result<Handled, StoreError> {
        match existing.status {
            ReplyStatus::Sending => {
                existing.status = ReplyStatus::NeedsReview;
                existing.reason = Some(CRASHED_WHILE_SENDING.to_owned());
                existing.updated_at = Utc::now();
                self.inner.store.save_reply(&existing).await?;
                count_outcome(ReplyStatus::NeedsReview);
                Ok(Handled::Finished(InboxStatus::Failed))
            }
            ReplyStatus::Sent | ReplyStatus::Skipped => Ok(Handled::Finished(InboxStatus::Done)),
            _ => Ok(Handled::Finished(InboxStatus::Failed)),
        }
    }

    /// Records a reply that is not sent (skipped, refused, or no answer), unless a reply
    /// record appeared meanwhile.
    async fn record_without_sending(
        &self,
        mut reply: OutboxReply,
        status: ReplyStatus,
        reason: &str,
    ) -> Result<Handled, StoreError> {
        let store = &self.inner.store;
        match store.begin_reply(&reply).await? {
            BeginReply::Existing(existing) => return self.settle_existing(*existing).await,
            BeginReply::Started { attempt } => reply.attempts = attempt,
        }
        reply.status = status;
        reply.reason = Some(reason.to_owned());
        reply.updated_at = Utc::now();
        store.save_reply(&reply).await?;
        count_outcome(status);
        tracing::info!(reply_id = %reply.id, status = status.as_str(), reason, "not answered");
        Ok(Handled::Finished(inbox_status(status)))
    }

    /// Stores what the Graph API made of the send, and the bot's own turns.
    async fn record_delivery(
        &self,
        event: &InboxEvent,
        page: &Page,
        mut reply: OutboxReply,
        delivered: Delivered,
    ) -> Result<Handled, StoreError> {
        let store = &self.inner.store;
        let now = Utc::now();
        reply.timings.send_ms = delivered.send_ms;
        reply.timings.total_ms =
            u64::try_from((now - event.received_at).num_milliseconds()).unwrap_or_default();
        reply.deliveries = delivered.deliveries;
        reply.updated_at = now;
        let handled = match delivered.outcome {
            Outcome::Sent { note } => {
                reply.status = ReplyStatus::Sent;
                reply.reason = note;
                metrics::histogram!("reply_latency_seconds", "channel" => event.channel.as_str())
                    .record(reply.timings.total_ms as f64 / 1000.0);
                Handled::Finished(InboxStatus::Done)
            }
            Outcome::Throttled { reason, code } => {
                // Nothing went out: the reply waits for its turn again, and the page rests.
                let until = now + self.inner.settings.throttle_rest;
                self.inner
                    .resting
                    .lock()
                    .insert(page.page_id.clone(), until);
                reply.status = ReplyStatus::Queued;
                reply.reason = Some(reason);
                reply.error_code = code;
                store.save_reply(&reply).await?;
                return Ok(Handled::Deferred(until));
            }
            Outcome::TokenInvalid { reason, code } => {
                self.mark_token_invalid(page).await?;
                reply.status = ReplyStatus::Failed;
                reply.reason = Some(reason);
                reply.error_code = code;
                Handled::Finished(InboxStatus::Failed)
            }
            Outcome::Failed {
                status,
                reason,
                code,
            } => {
                reply.status = status;
                reply.reason = Some(reason);
                reply.error_code = code;
                Handled::Finished(inbox_status(status))
            }
        };
        // The bot's turns first: once the reply reads `sent`, the conversation shows it.
        let answer = reply.answer.clone().unwrap_or_default();
        for delivery in &reply.deliveries {
            let conversation = match delivery.kind {
                DeliveryKind::Message | DeliveryKind::PrivateReply => event.sender_id.clone(),
                DeliveryKind::PublicComment => reply.conversation.clone(),
            };
            store
                .record_turn(&ConversationTurn {
                    id: delivery.id.clone(),
                    company_id: event.company_id.clone(),
                    page_id: event.page_id.clone(),
                    conversation,
                    channel: match delivery.kind {
                        DeliveryKind::PublicComment => Channel::Facebook,
                        _ => Channel::Messenger,
                    },
                    author: TurnAuthor::Bot,
                    text: answer.clone(),
                    at: now,
                })
                .await?;
        }
        store.save_reply(&reply).await?;
        count_outcome(reply.status);
        Ok(handled)
    }

    /// Code 190: nothing more is sent for the page until an admin reconnects it.
    async fn mark_token_invalid(&self, page: &Page) -> Result<(), StoreError> {
        let store = &self.inner.store;
        for _ in 0..3 {
            let Some(mut fresh) = store.get_page(&page.company_id, &page.page_id).await? else {
                return Ok(());
            };
            if fresh.reply.token_invalid_at.is_some() {
                return Ok(());
            }
            fresh.reply.token_invalid_at = Some(Utc::now());
            if store.save_page(&fresh).await? {
                tracing::error!(page_id = %page.page_id, "the page's access token is invalid or expired; replies for the page are stopped until it is reconnected");
                if let Some(errors) = &self.inner.errors {
                    errors
                        .record(NewError {
                            company_id: page.company_id.clone(),
                            user_id: None,
                            category: ErrorCategory::Auth,
                            entity_type: EntityType::Page,
                            entity_id: Some(page.page_id.to_string()),
                            operation: "send_reply".into(),
                            message: format!(
                                "Facebook refused the access token of page {} ({}): replies are stopped; reconnect the page with a new token, then retry its failed replies",
                                page.page_name, page.page_id
                            ),
                            details: serde_json::json!({"graph_error_code": 190}),
                        })
                        .await;
                }
                return Ok(());
            }
        }
        Err(StoreError::Unavailable(
            "the page kept changing while marking its token invalid".into(),
        ))
    }
}

fn question_text(message: &InboxMessage) -> String {
    match message {
        InboxMessage::Text { text, .. } | InboxMessage::QuickReply { text, .. } => text.clone(),
        InboxMessage::Postback { title, payload, .. } => {
            title.clone().unwrap_or_else(|| payload.clone())
        }
        InboxMessage::Comment { text, .. } => text.clone(),
    }
}

fn inbox_status(status: ReplyStatus) -> InboxStatus {
    match status {
        ReplyStatus::Sent | ReplyStatus::Skipped => InboxStatus::Done,
        _ => InboxStatus::Failed,
    }
}

fn count_outcome(status: ReplyStatus) {
    metrics::counter!("replies_total", "outcome" => status.as_str()).increment(1);
}

//! Webhook intake: from parsed events to durable inbox records.
//!
//! Routes each event to the company that registered its page, keeps the ones that want an
//! answer, and stores them exactly once. The webhook handler answers 200 only after
//! [`Intake::accept`] returned, so an acknowledged event is never lost.
//!
//! What the page itself said (echoes of its messages, its comments) is recorded as a turn of
//! the conversation; a message a person sent by hand from the page inbox pauses the bot in
//! that conversation for a while (the hand-off rule of issue 4).

use crate::domain::conversation::{ConversationTurn, TurnAuthor};
use crate::domain::events::{InboxEvent, PageSpoke, WebhookEvent};
use crate::domain::{Channel, CompanyId, PageId};
use crate::facebook::WebhookPayload;
use crate::store::{DynStore, InsertOutcome, StoreError};
use chrono::{Duration, Utc};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::Notify;

/// What one delivery amounted to, for the response log line and metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IntakeReport {
    /// Typed events in the delivery.
    pub events: usize,
    /// New inbox records.
    pub queued: usize,
    /// Inbox records that were there already (a redelivery).
    pub duplicates: usize,
    /// Events that want no answer (echoes, deliveries, reads, reactions, edits, ...).
    pub not_queued: usize,
    /// Events for pages no company registered.
    pub unknown_page: usize,
}

#[derive(Clone)]
pub struct Intake {
    store: DynStore,
    /// Told when new events are stored, so the reply worker does not wait for its next poll.
    waker: Option<Arc<Notify>>,
    /// How long a person's hand-written message silences the bot in its conversation.
    echo_pause: Duration,
}

impl Intake {
    pub fn new(store: DynStore) -> Self {
        Self {
            store,
            waker: None,
            echo_pause: Duration::minutes(30),
        }
    }

    pub fn waking(mut self, waker: Arc<Notify>) -> Self {
        self.waker = Some(waker);
        self
    }

    pub fn pausing_for(mut self, echo_pause: Duration) -> Self {
        self.echo_pause = echo_pause;
        self
    }

    pub async fn accept(&self, payload: &WebhookPayload) -> Result<IntakeReport, StoreError> {
        let mut report = IntakeReport {
            events: payload.events.len(),
            ..IntakeReport::default()
        };
        for event in &payload.events {
            metrics::counter!("webhook_events_received_total", "kind" => event.label())
                .increment(1);
        }
        let candidates: Vec<_> = payload
            .events
            .iter()
            .filter_map(WebhookEvent::to_inbox)
            .collect();
        report.not_queued = payload.events.len() - candidates.len();
        let spoken: Vec<PageSpoke> = payload
            .events
            .iter()
            .filter_map(WebhookEvent::page_spoke)
            .collect();

        // One owner lookup per page in the delivery, not per event.
        let mut owners: HashMap<PageId, Option<CompanyId>> = HashMap::new();
        let pages = candidates
            .iter()
            .map(|c| &c.page_id)
            .chain(spoken.iter().map(|s| &s.page_id));
        for page_id in pages {
            if !owners.contains_key(page_id) {
                let owner = self.store.find_page_owner(page_id).await?;
                owners.insert(page_id.clone(), owner);
            }
        }
        for spoke in spoken {
            if let Some(company) = owners.get(&spoke.page_id).cloned().flatten() {
                self.record_page_turn(company, spoke).await?;
            }
        }
        let now = Utc::now();
        let mut events: Vec<InboxEvent> = Vec::with_capacity(candidates.len());
        for candidate in candidates {
            match owners.get(&candidate.page_id).cloned().flatten() {
                Some(company) => events.push(candidate.into_event(company, now)),
                None => {
                    tracing::info!(page_id = %candidate.page_id, "webhook event for a page no company registered; dropped");
                    report.unknown_page += 1;
                }
            }
        }
        for outcome in self.store.insert_inbox_events(&events).await? {
            match outcome {
                InsertOutcome::Inserted => report.queued += 1,
                InsertOutcome::Duplicate => report.duplicates += 1,
            }
        }
        if report.queued > 0
            && let Some(waker) = &self.waker
        {
            waker.notify_one();
        }
        metrics::counter!("webhook_events_queued_total").increment(report.queued as u64);
        metrics::counter!("webhook_events_duplicate_total").increment(report.duplicates as u64);
        metrics::counter!("webhook_events_unknown_page_total")
            .increment(report.unknown_page as u64);
        Ok(report)
    }

    /// Records what the page said; a Messenger message that crm-mind did not send is a
    /// person taking over, and pauses the bot there (never shortening a longer pause).
    async fn record_page_turn(
        &self,
        company: CompanyId,
        spoke: PageSpoke,
    ) -> Result<(), StoreError> {
        let now = Utc::now();
        let is_new = self
            .store
            .record_turn(&ConversationTurn {
                id: spoke.id.clone(),
                company_id: company.clone(),
                page_id: spoke.page_id.clone(),
                conversation: spoke.conversation.clone(),
                channel: spoke.channel,
                author: if spoke.by_bot {
                    TurnAuthor::Bot
                } else {
                    TurnAuthor::Agent
                },
                text: spoke.text,
                // A comment's `created_time` has whole seconds; its receipt orders it against
                // the comments it may answer (see reply::handle).
                at: match spoke.channel {
                    Channel::Facebook => now,
                    Channel::Messenger => spoke.at.unwrap_or(now),
                },
            })
            .await?;
        if !is_new
            || spoke.by_bot
            || spoke.channel != Channel::Messenger
            || spoke.conversation.is_empty()
        {
            return Ok(());
        }
        let until = now + self.echo_pause;
        let current = self
            .store
            .get_conversation(&company, &spoke.page_id, &spoke.conversation)
            .await?;
        if current.is_some_and(|c| c.paused_until.is_some_and(|u| u >= until)) {
            return Ok(());
        }
        self.store
            .set_conversation_pause(
                &company,
                &spoke.page_id,
                &spoke.conversation,
                Channel::Messenger,
                Some(until),
                Some("agent_reply"),
            )
            .await?;
        metrics::counter!("conversations_paused_total", "reason" => "agent_reply").increment(1);
        tracing::info!(page_id = %spoke.page_id, "a person answered by hand; the bot is paused in that conversation");
        Ok(())
    }
}

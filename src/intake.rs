//! Webhook intake: from parsed events to durable inbox records.
//!
//! Routes each event to the company that registered its page, keeps the ones that want an
//! answer, and stores them exactly once. The webhook handler answers 200 only after
//! [`Intake::accept`] returned, so an acknowledged event is never lost.

use crate::domain::events::{InboxEvent, WebhookEvent};
use crate::domain::{CompanyId, PageId};
use crate::facebook::WebhookPayload;
use crate::store::{DynStore, InsertOutcome, StoreError};
use chrono::Utc;
use std::collections::HashMap;

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
}

impl Intake {
    pub fn new(store: DynStore) -> Self {
        Self { store }
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

        // One owner lookup per page in the delivery, not per event.
        let mut owners: HashMap<PageId, Option<CompanyId>> = HashMap::new();
        for candidate in &candidates {
            if !owners.contains_key(&candidate.page_id) {
                let owner = self.store.find_page_owner(&candidate.page_id).await?;
                owners.insert(candidate.page_id.clone(), owner);
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
        metrics::counter!("webhook_events_queued_total").increment(report.queued as u64);
        metrics::counter!("webhook_events_duplicate_total").increment(report.duplicates as u64);
        metrics::counter!("webhook_events_unknown_page_total")
            .increment(report.unknown_page as u64);
        Ok(report)
    }
}

//! Telling operators about bursts of errors: when errors of one category for one company
//! reach a threshold within a window, a configured webhook receives one JSON summary.
//!
//! One summary per (company, category) per window, not one per further error (a delivery
//! that fails frees the slot for the next error): the last notification time is kept in memory, so after a restart (or on a second instance) a burst
//! can be reported once more. That is the cheap side to err on for an alert.

use super::entry::{ErrorCategory, ErrorLogEntry};
use crate::domain::CompanyId;
use chrono::{DateTime, Duration, Utc};
use parking_lot::Mutex;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

/// Where and when to notify (`metakocka_error_webhook_url`, `metakocka_error_threshold`,
/// `metakocka_error_window_minutes`).
#[derive(Debug, Clone)]
pub struct NotifySettings {
    pub webhook_url: String,
    /// Errors of one category within the window that trigger a summary (at least 1).
    pub threshold: u64,
    pub window_minutes: u32,
}

impl NotifySettings {
    pub fn window(&self) -> Duration {
        Duration::minutes(i64::from(self.window_minutes.max(1)))
    }
}

/// The body the webhook receives.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorSummary<'a> {
    pub company_id: &'a CompanyId,
    pub category: ErrorCategory,
    pub count: u64,
    pub window_minutes: u32,
    pub latest: LatestError<'a>,
}

/// The newest error of the burst, without its `details` (they can be large).
#[derive(Debug, Clone, Serialize)]
pub struct LatestError<'a> {
    pub id: &'a str,
    pub entity_type: &'a str,
    pub entity_id: Option<&'a str>,
    pub operation: &'a str,
    pub message: &'a str,
    pub created_at: DateTime<Utc>,
}

/// Sends summaries and remembers when it last did, per company and category.
#[derive(Clone)]
pub(super) struct Notifier {
    settings: NotifySettings,
    http: reqwest::Client,
    last_sent: Arc<Mutex<LastSent>>,
}

/// When a summary last went out, per company and category.
type LastSent = HashMap<(CompanyId, ErrorCategory), DateTime<Utc>>;

/// How long one delivery may take: the caller of `record` waits for it.
const DELIVERY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

impl Notifier {
    pub(super) fn new(settings: NotifySettings) -> Self {
        let http = reqwest::Client::builder()
            .timeout(DELIVERY_TIMEOUT)
            .build()
            .expect("a reqwest client with a timeout builds");
        Self {
            settings,
            http,
            last_sent: Arc::default(),
        }
    }

    pub(super) fn settings(&self) -> &NotifySettings {
        &self.settings
    }

    /// Claims the (company, category) slot for this window: `true` for exactly one caller
    /// per window, even when several errors arrive at once.
    pub(super) fn claim(
        &self,
        company: &CompanyId,
        category: ErrorCategory,
        now: DateTime<Utc>,
    ) -> bool {
        let mut last_sent = self.last_sent.lock();
        let key = (company.clone(), category);
        match last_sent.get(&key) {
            Some(sent) if now - *sent < self.settings.window() => false,
            _ => {
                last_sent.insert(key, now);
                true
            }
        }
    }

    /// Gives the slot back after a failed delivery.
    pub(super) fn release(&self, company: &CompanyId, category: ErrorCategory) {
        self.last_sent.lock().remove(&(company.clone(), category));
    }

    /// Posts the summary; whether the webhook took it. A failure is logged, not returned as
    /// an error: the operator's alerting must not fail the operation that reported the error.
    pub(super) async fn send(&self, count: u64, latest: &ErrorLogEntry) -> bool {
        let summary = ErrorSummary {
            company_id: &latest.company_id,
            category: latest.category,
            count,
            window_minutes: self.settings.window_minutes.max(1),
            latest: LatestError {
                id: &latest.id,
                entity_type: latest.entity_type.as_str(),
                entity_id: latest.entity_id.as_deref(),
                operation: &latest.operation,
                message: &latest.message,
                created_at: latest.created_at,
            },
        };
        let outcome = self
            .http
            .post(&self.settings.webhook_url)
            .json(&summary)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status);
        match outcome {
            Ok(_) => {
                tracing::info!(
                    company = %latest.company_id,
                    category = %latest.category,
                    count,
                    "Metakocka error summary sent"
                );
                true
            }
            Err(e) => {
                // Without the URL: it may carry a token of the receiving service.
                tracing::warn!(
                    company = %latest.company_id,
                    category = %latest.category,
                    error = %e.without_url(),
                    "the Metakocka error summary could not be delivered"
                );
                false
            }
        }
    }
}

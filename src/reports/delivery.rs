//! Delivering scheduled reports: each round takes the schedules that are due, claims each one
//! (a compare-and-set on its due time, so two instances never deliver the same period twice),
//! computes the report and POSTs it as JSON to the schedule's webhook, then records the
//! outcome. A failed delivery waits for the next period; its outcome says why.
//!
//! The loop shares [`crate::metakocka::inventory_schedule::spawn_rounds`]; tests call
//! [`Reports::deliver_due`] with the time they choose instead of waiting for it.

use super::schedule::{DeliveryOutcome, DestinationKind, ReportSchedule};
use super::{ReportError, Reports};
use crate::domain::CompanyId;
use chrono::{DateTime, Utc};
use secrecy::ExposeSecret;
use serde::Serialize;
use std::time::Duration;
use tokio::task::JoinHandle;

/// How long one webhook may take to answer.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(15);
/// Schedules delivered per round at most; the rest are due again next round.
const ROUND_LIMIT: u32 = 100;
/// How often the loop looks for due schedules.
const ROUND_MINUTES: u64 = 1;

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DeliveryRound {
    pub delivered: u32,
    pub failed: u32,
}

/// The body a webhook receives.
#[derive(Serialize)]
struct Delivery<'a> {
    schedule_id: &'a str,
    cadence: &'static str,
    delivered_at: DateTime<Utc>,
    report: &'a super::output::Report,
}

/// Starts the delivery loop (a round every minute).
pub fn spawn(reports: Reports) -> Option<JoinHandle<()>> {
    crate::metakocka::inventory_schedule::spawn_rounds(ROUND_MINUTES, move || {
        let reports = reports.clone();
        async move {
            let round = reports.deliver_due(crate::records::now()).await;
            if round.failed > 0 {
                tracing::warn!(
                    failed = round.failed,
                    "some scheduled reports were not delivered"
                );
            }
        }
    })
}

impl Reports {
    /// Delivers every schedule due at `now`, of every company.
    pub async fn deliver_due(&self, now: DateTime<Utc>) -> DeliveryRound {
        let mut round = DeliveryRound::default();
        let due = match self.store.due_report_schedules(now, ROUND_LIMIT).await {
            Ok(due) => due,
            Err(e) => {
                tracing::warn!(error = %e, "could not list the due report schedules");
                return round;
            }
        };
        for schedule in due {
            let next = now + schedule.cadence.period();
            let claimed = self
                .store
                .claim_report_schedule(
                    &schedule.company_id,
                    &schedule.id,
                    schedule.next_due_at,
                    next,
                )
                .await;
            match claimed {
                Ok(true) => {}
                // Another instance took it, or it was deleted meanwhile.
                Ok(false) => continue,
                Err(e) => {
                    tracing::warn!(error = %e, "could not claim a report schedule");
                    continue;
                }
            }
            let outcome = self.deliver(&schedule, now).await;
            if outcome.ok {
                round.delivered += 1;
            } else {
                round.failed += 1;
            }
        }
        round
    }

    /// Delivers one schedule of `company` now, whether due or not; its due time stays.
    pub async fn deliver_now(
        &self,
        company: &CompanyId,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<ReportSchedule, ReportError> {
        let mut schedule = self
            .store
            .get_report_schedule(company, id)
            .await?
            .ok_or_else(|| ReportError::NotFound(format!("report schedule {id}")))?;
        schedule.last_delivery = Some(self.deliver(&schedule, now).await);
        Ok(schedule)
    }

    /// Computes and sends the report, and records the outcome on the schedule.
    async fn deliver(&self, schedule: &ReportSchedule, now: DateTime<Utc>) -> DeliveryOutcome {
        let sent = self.send(schedule, now).await;
        let outcome = DeliveryOutcome {
            at: now,
            ok: sent.is_ok(),
            detail: sent.unwrap_or_else(|why| why),
        };
        if let Err(e) = self
            .store
            .record_report_delivery(&schedule.company_id, &schedule.id, &outcome)
            .await
        {
            tracing::warn!(error = %e, schedule = %schedule.id, "could not record a report delivery");
        }
        if !outcome.ok {
            tracing::warn!(
                company = %schedule.company_id,
                schedule = %schedule.id,
                detail = %outcome.detail,
                "a scheduled report was not delivered"
            );
        }
        outcome
    }

    /// One delivery attempt: `Ok` with the webhook's status, or what went wrong. Neither
    /// names the destination (it may carry a token).
    async fn send(&self, schedule: &ReportSchedule, now: DateTime<Utc>) -> Result<String, String> {
        if schedule.destination_kind == DestinationKind::Email {
            return Err(ReportError::SmtpNotConfigured.to_string());
        }
        let params = schedule
            .parameters
            .parse(schedule.report)
            .map_err(|e| format!("the saved parameters are no longer valid: {e}"))?;
        let report = self
            .run(&schedule.company_id, schedule.report, &params, now)
            .await
            .map_err(|e| {
                tracing::warn!(error = %e, "a scheduled report could not be computed");
                "the report could not be computed; see the server log".to_owned()
            })?;
        let url = self.cipher.open(&schedule.destination).map_err(|_| {
            "the webhook URL cannot be opened (was the secret key changed?); save the schedule again"
                .to_owned()
        })?;
        let body = Delivery {
            schedule_id: &schedule.id,
            cadence: schedule.cadence.as_str(),
            delivered_at: now,
            report: &report,
        };
        let response = self
            .http
            .post(url.expose_secret())
            .header(reqwest::header::USER_AGENT, "crm-mind report delivery")
            .json(&body)
            .send()
            .await
            .map_err(|e| format!("the webhook could not be reached: {}", e.without_url()))?;
        let status = response.status();
        if status.is_success() {
            Ok(format!("HTTP {}", status.as_u16()))
        } else {
            Err(format!("the webhook answered HTTP {}", status.as_u16()))
        }
    }
}

//! Delivering scheduled reports: each round takes the schedules that are due, claims each one
//! (a compare-and-set on its due time, so two instances never deliver the same period twice),
//! computes the report and POSTs it as JSON to the schedule's webhook (or mails it, with the
//! rows as a CSV attachment, through the SMTP relay), then records the outcome. A failed
//! delivery waits for the next period; its outcome says why.
//!
//! The loop shares [`crate::metakocka::inventory_schedule::spawn_rounds`]; tests call
//! [`Reports::deliver_due`] with the time they choose instead of waiting for it.

use super::schedule::{DeliveryOutcome, DestinationKind, ReportSchedule};
use super::{ReportError, Reports};
use crate::domain::CompanyId;
use crate::email::Mailbox;
use crate::email::smtp::{SmtpRelay, mailbox};
use chrono::{DateTime, Utc};
use lettre::Message;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, MultiPart, SinglePart};
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

    /// One delivery attempt: `Ok` with the webhook's status (or "sent by email"), or what
    /// went wrong. Neither names the destination (a URL may carry a token).
    async fn send(&self, schedule: &ReportSchedule, now: DateTime<Utc>) -> Result<String, String> {
        // Checked before computing: a relay removed from the settings fails at once.
        let relay = match schedule.destination_kind {
            DestinationKind::Email => Some(
                (self.smtp.as_ref()).ok_or_else(|| ReportError::SmtpNotConfigured.to_string())?,
            ),
            DestinationKind::Webhook => None,
        };
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
        let destination = self.cipher.open(&schedule.destination).map_err(|_| {
            "the destination cannot be opened (was the secret key changed?); save the schedule again"
                .to_owned()
        })?;
        match relay {
            Some(relay) => {
                let message = report_email(relay, destination.expose_secret(), schedule, &report)?;
                relay.send(message).await?;
                Ok("sent by email".to_owned())
            }
            None => {
                self.post(destination.expose_secret(), schedule, &report, now)
                    .await
            }
        }
    }

    /// POSTs the report to a webhook: `Ok` with its status.
    async fn post(
        &self,
        url: &str,
        schedule: &ReportSchedule,
        report: &super::output::Report,
        now: DateTime<Utc>,
    ) -> Result<String, String> {
        let body = Delivery {
            schedule_id: &schedule.id,
            cadence: schedule.cadence.as_str(),
            delivered_at: now,
            report,
        };
        let response = self
            .http
            .post(url)
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

/// The report as an email: a short text (what, when, how many rows) and the rows as a CSV
/// attachment named after the report, the same bytes `?format=csv` answers.
fn report_email(
    relay: &SmtpRelay,
    to: &str,
    schedule: &ReportSchedule,
    report: &super::output::Report,
) -> Result<Message, String> {
    let to = Mailbox::parse("email", to).map_err(|e| e.to_string())?;
    let csv = report
        .to_csv()
        .map_err(|e| format!("the report could not be written as CSV: {e}"))?;
    let title = schedule.report.title();
    let text = format!(
        "{title} ({} report), computed {}.\n\n{} rows; they are attached as CSV.\n",
        schedule.cadence.as_str(),
        report.generated_at.format("%Y-%m-%d %H:%M UTC"),
        report.cells().len(),
    );
    let attachment = Attachment::new(format!("{}.csv", schedule.report.as_str())).body(
        csv,
        ContentType::parse("text/csv").expect("a valid media type"),
    );
    Message::builder()
        .from(mailbox(&relay.from)?)
        .to(mailbox(&to)?)
        .subject(format!("{title} — crm-mind"))
        .multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain(text))
                .singlepart(attachment),
        )
        .map_err(|e| format!("the report email could not be built: {e}"))
}

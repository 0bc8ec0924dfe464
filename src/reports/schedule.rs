//! A report schedule: which report, with which parameters, how often, and where it goes.
//! Stored in `report_schedules` (see [`crate::store::ReportStore`]).
//!
//! The destination (a webhook URL often carries its own token) is sealed at rest with the
//! secrets cipher and never shown again; answers show a hint (the URL's scheme and host, or
//! the email address).

use super::params::ReportQuery;
use super::{ReportError, ReportKind, Reports};
use crate::domain::{CompanyId, FieldError, Sealed};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// How often a schedule delivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Cadence {
    Daily,
    Weekly,
}

impl Cadence {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Daily => "daily",
            Self::Weekly => "weekly",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Daily, Self::Weekly]
            .into_iter()
            .find(|c| c.as_str() == value.trim())
    }

    pub fn period(self) -> Duration {
        match self {
            Self::Daily => Duration::days(1),
            Self::Weekly => Duration::weeks(1),
        }
    }
}

/// Where a delivery goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DestinationKind {
    Webhook,
    Email,
}

impl DestinationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Webhook => "webhook",
            Self::Email => "email",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Webhook, Self::Email]
            .into_iter()
            .find(|d| d.as_str() == value)
    }
}

/// The last delivery attempt's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DeliveryOutcome {
    pub at: DateTime<Utc>,
    pub ok: bool,
    /// `HTTP 200`, or what went wrong (never the destination itself).
    pub detail: String,
}

/// A stored schedule.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReportSchedule {
    pub id: String,
    #[schema(value_type = String)]
    pub company_id: CompanyId,
    pub report: ReportKind,
    /// The report's parameters as given (validated when the schedule was saved).
    pub parameters: ReportQuery,
    pub cadence: Cadence,
    pub destination_kind: DestinationKind,
    /// The destination, sealed; never serialized.
    #[serde(skip)]
    #[schema(ignore)]
    pub destination: Sealed,
    /// What a person may see of the destination: `https://hooks.example.com/…` or the address.
    pub destination_hint: String,
    pub created_at: DateTime<Utc>,
    pub next_due_at: DateTime<Utc>,
    pub last_delivery: Option<DeliveryOutcome>,
}

/// The body of `POST /api/reports/schedules`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleInput {
    /// `sales-by-month`, `top-products`, `top-customers`, `low-stock` or `sync-health`.
    #[schema(pattern = "^(sales-by-month|top-products|top-customers|low-stock|sync-health)$")]
    pub report: String,
    /// The report's query parameters (`from`, `to`, `doc_type`, `limit`, `by`, `threshold`,
    /// `warehouse`), as strings.
    #[serde(default, deserialize_with = "object")]
    pub parameters: ReportQuery,
    /// `daily` or `weekly`.
    #[schema(pattern = "^(daily|weekly)$")]
    pub cadence: String,
    /// An `http`/`https` URL that receives each delivery as a JSON POST (this or `email`).
    #[serde(default)]
    #[schema(
        pattern = r"^https?://([A-Za-z0-9-]+\.)*[A-Za-z][A-Za-z0-9-]*(:[0-9]{1,4})?([/?#][!-~]*)?$"
    )]
    pub webhook_url: Option<String>,
    /// An email address (needs an SMTP relay).
    #[serde(default)]
    pub email: Option<String>,
}

/// A struct from a JSON object only: serde would also read it from an array of its fields'
/// values, which the contract does not allow.
fn object<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    use serde::Deserialize;
    let object = serde_json::Map::<String, serde_json::Value>::deserialize(deserializer)?;
    serde_json::from_value(serde_json::Value::Object(object)).map_err(serde::de::Error::custom)
}

/// The most schedules one company may keep: each costs a report computation per period.
pub const MAX_SCHEDULES: usize = 50;

/// `scheme://host/…` of a URL, so a token in its path or query is never shown.
fn url_hint(url: &url::Url) -> String {
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    format!(
        "{}://{}{port}/…",
        url.scheme(),
        url.host_str().unwrap_or_default()
    )
}

impl Reports {
    /// Validates and stores a schedule; it is first due one period from `now`.
    pub async fn create_schedule(
        &self,
        company: &CompanyId,
        input: &ScheduleInput,
        now: DateTime<Utc>,
    ) -> Result<ReportSchedule, ReportError> {
        let report = ReportKind::parse(&input.report).ok_or_else(|| {
            FieldError::new(
                "report",
                "must be sales-by-month, top-products, top-customers, low-stock or sync-health",
            )
        })?;
        // A schedule delivers JSON; a `format` it names must still be a real one.
        input.parameters.wants_csv()?;
        let parameters = input.parameters.without_format();
        parameters.parse(report)?;
        let cadence = Cadence::parse(&input.cadence)
            .ok_or_else(|| FieldError::new("cadence", "must be daily or weekly"))?;
        let given = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let (kind, destination, hint) = match (given(&input.webhook_url), given(&input.email)) {
            (Some(_), Some(_)) | (None, None) => {
                return Err(FieldError::new(
                    "webhook_url",
                    "give either webhook_url or email, not both",
                )
                .into());
            }
            (Some(text), None) => {
                let url = url::Url::parse(&text)
                    .ok()
                    .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
                    .ok_or_else(|| {
                        FieldError::new("webhook_url", "must be an http or https URL")
                    })?;
                (DestinationKind::Webhook, text, url_hint(&url))
            }
            (None, Some(address)) => {
                let address = crate::domain::Email::parse(&address)
                    .map_err(|_| FieldError::new("email", "must be an email address"))?;
                // Without a relay the schedule could never deliver: say so rather than keep it.
                if self.smtp.is_none() {
                    return Err(ReportError::SmtpNotConfigured);
                }
                let address = address.as_str().to_owned();
                (DestinationKind::Email, address.clone(), address)
            }
        };
        let existing = self.store.list_report_schedules(company).await?;
        if existing.len() >= MAX_SCHEDULES {
            return Err(FieldError::new(
                "report",
                format!("a company may keep at most {MAX_SCHEDULES} schedules"),
            )
            .into());
        }
        let schedule = ReportSchedule {
            id: crate::records::new_id(),
            company_id: company.clone(),
            report,
            parameters,
            cadence,
            destination_kind: kind,
            destination: self.cipher.seal(&destination),
            destination_hint: hint,
            created_at: now,
            next_due_at: now + cadence.period(),
            last_delivery: None,
        };
        self.store.insert_report_schedule(&schedule).await?;
        Ok(schedule)
    }

    pub async fn list_schedules(
        &self,
        company: &CompanyId,
    ) -> Result<Vec<ReportSchedule>, ReportError> {
        Ok(self.store.list_report_schedules(company).await?)
    }

    pub async fn delete_schedule(&self, company: &CompanyId, id: &str) -> Result<(), ReportError> {
        if self.store.delete_report_schedule(company, id).await? {
            Ok(())
        } else {
            Err(ReportError::NotFound(format!("report schedule {id}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hint_never_shows_the_path_or_query() {
        let url = url::Url::parse("https://hooks.example.com:8443/T0/B1/secret?token=x").unwrap();
        assert_eq!(url_hint(&url), "https://hooks.example.com:8443/…");
    }
}

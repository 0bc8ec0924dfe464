//! Reports (issue 7, scope 4): per company, sales per month, top products, top customers,
//! low-stock products and the Metakocka sync's health per entity kind, each as JSON, CSV
//! and a console page; and their scheduled delivery to a webhook.
//!
//! This module owns what a report computes and how it is laid out: [`params`] turns a query
//! string into validated [`params::ReportParams`] (each error names its field), [`sales`],
//! [`stock`] and [`sync_health`] compute the rows from the store, [`output`] is the report's
//! one shape for JSON, CSV, the console's table and its chart, and [`schedule`] with
//! [`delivery`] keep and deliver the schedules. Amounts stay [`rust_decimal::Decimal`]s;
//! only a chart's bar heights become floats.

pub mod delivery;
pub mod output;
pub mod params;
pub mod sales;
pub mod schedule;
pub mod stock;
pub mod sync_health;

use crate::domain::{CompanyId, FieldError};
use crate::secrets::Cipher;
use crate::store::{DynStore, StoreError};
use chrono::{DateTime, Utc};
use output::{Report, ReportRows};
use params::ReportParams;
use serde::{Deserialize, Serialize};

/// The reports there are; the kebab-case name is the URL segment (`/api/reports/low-stock`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ReportKind {
    SalesByMonth,
    TopProducts,
    TopCustomers,
    LowStock,
    SyncHealth,
}

impl ReportKind {
    pub const ALL: [Self; 5] = [
        Self::SalesByMonth,
        Self::TopProducts,
        Self::TopCustomers,
        Self::LowStock,
        Self::SyncHealth,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::SalesByMonth => "sales-by-month",
            Self::TopProducts => "top-products",
            Self::TopCustomers => "top-customers",
            Self::LowStock => "low-stock",
            Self::SyncHealth => "sync-health",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == value.trim())
    }

    /// The heading a person reads.
    pub fn title(self) -> &'static str {
        match self {
            Self::SalesByMonth => "Sales per month",
            Self::TopProducts => "Top products",
            Self::TopCustomers => "Top customers",
            Self::LowStock => "Low-stock products",
            Self::SyncHealth => "Sync health",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A parameter or schedule field a user has to fix.
    #[error(transparent)]
    Invalid(#[from] FieldError),
    #[error("{0} not found")]
    NotFound(String),
    /// Email delivery needs an SMTP relay, and none is configured.
    #[error("email delivery needs an SMTP relay; none is configured, so use a webhook URL")]
    SmtpNotConfigured,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The report service over the store. Cheap to clone.
#[derive(Clone)]
pub struct Reports {
    store: DynStore,
    cipher: Cipher,
    http: reqwest::Client,
    /// Sends schedules whose destination is an email address; `None`: they are refused.
    smtp: Option<crate::email::smtp::SmtpRelay>,
}

impl Reports {
    pub fn new(store: DynStore, cipher: Cipher) -> Self {
        let http = reqwest::Client::builder()
            .timeout(delivery::DELIVERY_TIMEOUT)
            // A webhook answers; it does not send us elsewhere with the report.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Self {
            store,
            cipher,
            http,
            smtp: None,
        }
    }

    /// Delivers by email through `smtp` too (the relay drafts are sent with).
    pub fn with_smtp(mut self, smtp: Option<crate::email::smtp::SmtpRelay>) -> Self {
        self.smtp = smtp;
        self
    }

    /// Computes one report of `company`.
    pub async fn run(
        &self,
        company: &CompanyId,
        kind: ReportKind,
        params: &ReportParams,
        now: DateTime<Utc>,
    ) -> Result<Report, ReportError> {
        let store = self.store.as_ref();
        let mut snapshot_refreshed_at = None;
        let rows = match kind {
            ReportKind::SalesByMonth => {
                ReportRows::SalesByMonth(sales::by_month(store, company, params).await?)
            }
            ReportKind::TopProducts => {
                ReportRows::TopProducts(sales::top_products(store, company, params).await?)
            }
            ReportKind::TopCustomers => {
                ReportRows::TopCustomers(sales::top_customers(store, company, params).await?)
            }
            ReportKind::LowStock => {
                let (refreshed_at, rows) = stock::low_stock(store, company, params).await?;
                snapshot_refreshed_at = refreshed_at;
                ReportRows::LowStock(rows)
            }
            ReportKind::SyncHealth => {
                ReportRows::SyncHealth(sync_health::per_kind(store, company).await?)
            }
        };
        Ok(Report {
            report: kind,
            generated_at: now,
            parameters: params.clone(),
            snapshot_refreshed_at,
            rows,
        })
    }
}

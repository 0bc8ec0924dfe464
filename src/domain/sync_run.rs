//! A sync run: one attempt to bring a CRM link's chunks up to date, as the dashboard shows it.
//!
//! A run is written once, when it ends, whether it succeeded or not: the run history is the
//! place an operator looks first when a link's facts are missing or stale.

use super::{CompanyId, LinkId, PageId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What started the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SyncTrigger {
    /// The link was added, or re-activated.
    LinkActivated,
    /// The periodic refresh.
    Schedule,
    /// `POST /api/dashboard/crm-links/sync` or `crm-mind sync`.
    Manual,
    /// The CRM pushed data to a webhook link.
    Push,
}

/// How the run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SyncOutcome {
    /// The chunks now match the source.
    Succeeded,
    /// Nothing changed in the index; `error` says why.
    Failed,
    /// The link's type cannot be synced (yet); never an error of the source.
    NotSupported,
}

/// The chunk counts of a run. `embedded` is how many chunks needed the model: new plus changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChunkCounts {
    pub total: u32,
    pub new: u32,
    pub changed: u32,
    pub unchanged: u32,
    pub deleted: u32,
    pub embedded: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SyncRun {
    pub id: String,
    pub company_id: CompanyId,
    pub page_id: PageId,
    pub link_id: LinkId,
    pub link_name: String,
    pub url: String,
    pub trigger: SyncTrigger,
    pub outcome: SyncOutcome,
    /// A stable word for the failure (`unauthorized`, `rate_limited`, `refused`, ...).
    pub error_kind: Option<String>,
    /// The CRM's HTTP status, when it answered.
    pub status_code: Option<u16>,
    /// A short reason for people, never holding a secret.
    pub error: Option<String>,
    pub bytes_fetched: u64,
    pub pages_fetched: u32,
    /// False when pagination stopped at the page limit: the data may be partial.
    pub complete: bool,
    pub chunks: ChunkCounts,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub duration_ms: u64,
}

impl SyncRun {
    /// A time-ordered id, so runs sort by start in both engines.
    pub fn new_id() -> String {
        uuid::Uuid::now_v7().to_string()
    }
}

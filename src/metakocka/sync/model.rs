//! The records of the two-way sync: a mapping per synced record (`metakocka_*_mappings`),
//! the sync settings per company and entity kind, the history of runs, and the conflicts
//! waiting for a person. Storage is behind [`crate::store::MetakockaMappingStore`] and
//! [`crate::store::MetakockaSyncStore`].

use crate::domain::CompanyId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What kind of record a mapping, run or conflict is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Product,
    Contact,
    SalesDocument,
}

impl EntityKind {
    pub const ALL: [Self; 3] = [Self::Product, Self::Contact, Self::SalesDocument];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Product => "product",
            Self::Contact => "contact",
            Self::SalesDocument => "sales_document",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == value)
    }
}

impl std::fmt::Display for EntityKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a mapping stands after its last sync step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MappingStatus {
    Synced,
    Pending,
    Conflict,
    Error,
}

impl MappingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Synced => "synced",
            Self::Pending => "pending",
            Self::Conflict => "conflict",
            Self::Error => "error",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Synced, Self::Pending, Self::Conflict, Self::Error]
            .into_iter()
            .find(|s| s.as_str() == value)
    }
}

/// One CRM record and the Metakocka record it is synced with. `(company, kind, crm_id)` and
/// `(company, kind, mk_id)` are each unique.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Mapping {
    pub company_id: CompanyId,
    pub kind: EntityKind,
    pub crm_id: String,
    pub mk_id: String,
    pub count_code: Option<String>,
    pub status: MappingStatus,
    pub last_synced_at: Option<DateTime<Utc>>,
    /// The content hash of each side when the two were last made equal.
    pub crm_hash: Option<String>,
    pub mk_hash: Option<String>,
    pub last_error: Option<String>,
}

/// A pulled record's local writes, batched a page at a time
/// ([`crate::store::MetakockaMappingStore::write_pulled_products`]): the CRM record made or
/// changed from Metakocka's (none when only the mapping is recorded) and its mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct PulledWrite<T> {
    pub record: Option<RecordWrite<T>>,
    pub mapping: Mapping,
}

/// A CRM record a pull writes: new, or replacing the stored one of its id.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordWrite<T> {
    Insert(T),
    Update(T),
}

/// What claiming a company's one-run slot for a kind came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlotClaim {
    /// The run holds the slot; `abandoned` names the run that held it before under a lease
    /// that ran out (its process stopped without finishing it).
    Claimed { abandoned: Option<String> },
    /// Another run holds it under a live lease.
    Held { run_id: String },
}

/// Which way a run moves data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// crm-mind → Metakocka.
    To,
    /// Metakocka → crm-mind.
    From,
    Both,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::To => "to",
            Self::From => "from",
            Self::Both => "both",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::To, Self::From, Self::Both]
            .into_iter()
            .find(|d| d.as_str() == value)
    }

    pub fn pushes(self) -> bool {
        matches!(self, Self::To | Self::Both)
    }

    pub fn pulls(self) -> bool {
        matches!(self, Self::From | Self::Both)
    }
}

/// What happens when both sides changed since the last sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConflictRule {
    CrmWins,
    MetakockaWins,
    /// The side changed last wins. Metakocka's product, partner and document answers carry
    /// no modification time, so for them this is `crm_wins` (see `plan.rs`).
    NewestWins,
    /// Record a conflict and leave both sides as they are.
    Manual,
}

impl ConflictRule {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CrmWins => "crm_wins",
            Self::MetakockaWins => "metakocka_wins",
            Self::NewestWins => "newest_wins",
            Self::Manual => "manual",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [
            Self::CrmWins,
            Self::MetakockaWins,
            Self::NewestWins,
            Self::Manual,
        ]
        .into_iter()
        .find(|r| r.as_str() == value)
    }
}

/// A company's sync settings for one entity kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncSettings {
    pub company_id: CompanyId,
    pub kind: EntityKind,
    /// Whether the schedule runs this kind's sync.
    pub auto: bool,
    pub interval_minutes: u32,
    pub direction: Direction,
    pub conflict_rule: ConflictRule,
    pub updated_at: DateTime<Utc>,
}

impl SyncSettings {
    /// What a company has before it saves any: no automatic sync, both ways, manual conflicts.
    pub fn default_for(company: &CompanyId, kind: EntityKind) -> Self {
        Self {
            company_id: company.clone(),
            kind,
            auto: false,
            interval_minutes: 60,
            direction: Direction::Both,
            conflict_rule: ConflictRule::Manual,
            updated_at: DateTime::UNIX_EPOCH,
        }
    }
}

/// What started a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RunTrigger {
    Manual,
    Bulk,
    Schedule,
    Cli,
}

impl RunTrigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Manual => "manual",
            Self::Bulk => "bulk",
            Self::Schedule => "schedule",
            Self::Cli => "cli",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Manual, Self::Bulk, Self::Schedule, Self::Cli]
            .into_iter()
            .find(|t| t.as_str() == value)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    Running,
    Done,
    Failed,
    Cancelled,
}

impl RunState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Running, Self::Done, Self::Failed, Self::Cancelled]
            .into_iter()
            .find(|s| s.as_str() == value)
    }
}

/// A run's counters; `processed` of `total` is its progress.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RunCounts {
    pub total: u64,
    pub processed: u64,
    pub created: u64,
    pub updated: u64,
    pub skipped: u64,
    pub failed: u64,
    pub conflicts: u64,
}

impl RunCounts {
    /// Whether the run changed anything on either side.
    pub fn changed_anything(&self) -> bool {
        self.created + self.updated > 0
    }
}

/// One sync run of one company and entity kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MetakockaSyncRun {
    pub id: String,
    pub company_id: CompanyId,
    pub kind: EntityKind,
    pub direction: Direction,
    pub trigger: RunTrigger,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub counts: RunCounts,
    pub state: RunState,
    /// For a cancelled run: the last record it processed ("stopped after ...").
    pub stopped_at: Option<String>,
    /// The first failures, one line each (entity id and message).
    pub errors: Vec<String>,
}

impl MetakockaSyncRun {
    /// Milliseconds from its start to its end, or to now while it runs.
    pub fn elapsed_ms(&self) -> i64 {
        let end = self.finished_at.unwrap_or_else(crate::records::now);
        (end - self.started_at).num_milliseconds()
    }
}

/// Which side a conflict was settled with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Crm,
    Metakocka,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Crm => "crm",
            Self::Metakocka => "metakocka",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Crm, Self::Metakocka]
            .into_iter()
            .find(|s| s.as_str() == value)
    }
}

/// Both sides changed since the last sync and the rule was `manual`: a person chooses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SyncConflict {
    pub id: String,
    pub company_id: CompanyId,
    pub kind: EntityKind,
    pub crm_id: String,
    pub mk_id: String,
    /// The synced fields of each side when the conflict was found.
    pub crm_snapshot: Value,
    pub mk_snapshot: Value,
    pub detected_at: DateTime<Utc>,
    pub resolved_with: Option<Side>,
    pub resolved_at: Option<DateTime<Utc>>,
}

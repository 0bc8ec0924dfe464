//! The answers of the sync routes as typed records. The handlers serialize these very types
//! and the routes' attributes name them, so the contract states every field and cannot
//! drift from what is sent. Fields that are `null` when absent are still always present
//! (`required`), which is also what keeps the one-of answers apart.

use crate::domain::CompanyId;
use crate::metakocka::sync::audit::AuditEntry;
use crate::metakocka::sync::model::{
    ConflictRule, Direction, EntityKind, Mapping, MetakockaSyncRun, SyncConflict, SyncSettings,
};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// A run over many records: the run as saved last.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunAnswer {
    pub run: MetakockaSyncRun,
}

/// One record synced: its crm-mind id, its mapping now, and the run that did it.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordSynced {
    /// The crm-mind record's id (`null` when the run named none).
    #[schema(required = true)]
    pub id: Option<String>,
    /// The record's mapping after the run (`null` when it has none).
    #[schema(required = true)]
    pub mapping: Option<Mapping>,
    pub run: MetakockaSyncRun,
}

/// `POST .../sync` with one record or many: which of the two it was decides the shape.
/// (For the contract only: the handler answers with one of the two types itself.)
#[derive(ToSchema)]
#[allow(dead_code, clippy::large_enum_variant)]
#[serde(untagged)]
pub enum RecordOrRun {
    Record(RecordSynced),
    Run(RunAnswer),
}

/// Metakocka's records of a kind that no mapping names yet.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnsyncedRecords {
    pub count: usize,
    /// Each record as Metakocka answers it (`product_list`, `partner_list`, `search`).
    pub records: Vec<Value>,
}

/// The mapping state of one record, or of every record of a kind.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum MappingState {
    One(RecordMapping),
    All(KindMappings),
}

/// One record's mapping.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordMapping {
    /// The mapping exists and its status is `synced`.
    pub synced: bool,
    #[schema(required = true)]
    pub mapping: Option<Mapping>,
}

/// Every mapping of a kind, with how many are in each status.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KindMappings {
    pub count: usize,
    /// Mappings per status (`synced`, `pending`, `conflict`, `error`); absent ones are 0.
    pub by_status: BTreeMap<String, u64>,
    pub mappings: Vec<Mapping>,
}

impl KindMappings {
    pub fn of(mappings: Vec<Mapping>) -> Self {
        let mut by_status = BTreeMap::new();
        for m in &mappings {
            *by_status.entry(m.status.as_str().to_owned()).or_default() += 1;
        }
        Self {
            count: mappings.len(),
            by_status,
            mappings,
        }
    }
}

/// A run with how long it took (so far, while it runs).
#[derive(Serialize, ToSchema)]
pub struct RunView {
    #[serde(flatten)]
    pub run: MetakockaSyncRun,
    /// Milliseconds from its start to its end, or to now while it runs.
    pub duration_ms: i64,
}

impl From<MetakockaSyncRun> for RunView {
    fn from(run: MetakockaSyncRun) -> Self {
        let duration_ms = run.elapsed_ms();
        Self { run, duration_ms }
    }
}

/// Runs, newest first.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunList {
    pub runs: Vec<RunView>,
}

/// One run.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunDetail {
    pub run: RunView,
}

/// A run asked to stop.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunCancelled {
    pub message: &'static str,
    pub run: MetakockaSyncRun,
}

/// One kind's sync settings.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KindSettings {
    /// Whether the scheduler runs this kind every `interval_minutes`.
    pub auto: bool,
    pub interval_minutes: u32,
    pub direction: Direction,
    pub conflict_rule: ConflictRule,
    /// When they were last changed (`null`: never, the defaults).
    #[schema(required = true)]
    pub updated_at: Option<DateTime<Utc>>,
}

impl From<&SyncSettings> for KindSettings {
    fn from(s: &SyncSettings) -> Self {
        Self {
            auto: s.auto,
            interval_minutes: s.interval_minutes,
            direction: s.direction,
            conflict_rule: s.conflict_rule,
            updated_at: (s.updated_at.timestamp() > 0).then_some(s.updated_at),
        }
    }
}

/// Every kind's settings.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsAnswer {
    pub settings: KindsSettings,
}

/// The settings of each kind.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KindsSettings {
    pub product: KindSettings,
    pub contact: KindSettings,
    pub sales_document: KindSettings,
}

impl SettingsAnswer {
    /// From the company's saved settings; a kind missing from them shows its defaults.
    pub fn of(company: &CompanyId, all: &[SyncSettings]) -> Self {
        let of_kind = |kind: EntityKind| match all.iter().find(|s| s.kind == kind) {
            Some(saved) => KindSettings::from(saved),
            None => KindSettings::from(&SyncSettings::default_for(company, kind)),
        };
        Self {
            settings: KindsSettings {
                product: of_kind(EntityKind::Product),
                contact: of_kind(EntityKind::Contact),
                sales_document: of_kind(EntityKind::SalesDocument),
            },
        }
    }
}

/// Conflicts waiting for a person (or all of them).
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConflictList {
    pub count: usize,
    pub conflicts: Vec<SyncConflict>,
}

/// A conflict, resolved.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConflictResolved {
    pub conflict: SyncConflict,
}

/// The mapping audit's findings.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditFindings {
    pub count: usize,
    pub findings: Vec<AuditEntry>,
}

/// A finding repaired or removed, and the mapping left (`null` once removed).
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MappingFixed {
    /// `repair` or `remove`.
    pub action: String,
    #[schema(required = true)]
    pub mapping: Option<Mapping>,
}

//! How the error log is asked for: the filter every list, export, bulk resolve and statistic
//! shares, paging, resolutions, and the statistics' shape.

use super::entry::{EntityType, ErrorCategory, ErrorLogEntry, ErrorStatus};
use crate::domain::UserId;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// Which entries of one company a query covers. Every field narrows; empty means all.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ErrorLogFilter {
    pub status: Option<ErrorStatus>,
    pub category: Option<ErrorCategory>,
    pub entity_type: Option<EntityType>,
    pub entity_id: Option<String>,
    /// Created at or after.
    pub from: Option<DateTime<Utc>>,
    /// Created before.
    pub to: Option<DateTime<Utc>>,
    /// Contained in the message, ignoring case.
    pub text: Option<String>,
}

impl ErrorLogFilter {
    /// Whether `entry` matches: the engines' queries must agree with this.
    pub fn matches(&self, entry: &ErrorLogEntry) -> bool {
        self.status.is_none_or(|s| s == entry.status)
            && self.category.is_none_or(|c| c == entry.category)
            && self.entity_type.is_none_or(|t| t == entry.entity_type)
            && self
                .entity_id
                .as_ref()
                .is_none_or(|id| entry.entity_id.as_ref() == Some(id))
            && self.from.is_none_or(|from| entry.created_at >= from)
            && self.to.is_none_or(|to| entry.created_at < to)
            && self
                .text
                .as_ref()
                .is_none_or(|text| entry.message.to_lowercase().contains(&text.to_lowercase()))
    }
}

/// One page of a list, newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub limit: u32,
    pub offset: u32,
}

impl Paging {
    pub const DEFAULT_LIMIT: u32 = 50;
    pub const MAX_LIMIT: u32 = 500;
}

/// A page of entries and how many match in all.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorLogPage {
    pub items: Vec<ErrorLogEntry>,
    pub total: u64,
}

/// Which entries a resolve covers: named ones, or every open one a filter matches.
#[derive(Debug, Clone, PartialEq)]
pub enum ResolveTarget {
    Ids(Vec<String>),
    Filter(ErrorLogFilter),
}

/// Who resolved entries, when, and what they noted.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolution {
    pub notes: Option<String>,
    pub resolved_by: UserId,
    pub resolved_at: DateTime<Utc>,
}

/// Counts of the entries a filter matches.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ErrorLogStats {
    pub total: u64,
    pub by_status: BTreeMap<ErrorStatus, u64>,
    pub by_category: BTreeMap<ErrorCategory, u64>,
    pub by_entity_type: BTreeMap<EntityType, u64>,
    /// Per UTC day (`YYYY-MM-DD`), oldest first.
    pub by_day: BTreeMap<String, u64>,
}

impl ErrorLogStats {
    /// Counts one entry's keys `count` times (engines that group in the database add groups).
    pub fn add(
        &mut self,
        status: ErrorStatus,
        category: ErrorCategory,
        entity_type: EntityType,
        day: String,
        count: u64,
    ) {
        self.total += count;
        *self.by_status.entry(status).or_default() += count;
        *self.by_category.entry(category).or_default() += count;
        *self.by_entity_type.entry(entity_type).or_default() += count;
        *self.by_day.entry(day).or_default() += count;
    }
}

/// The UTC day of a time, as stats group it.
pub fn day_of(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%d").to_string()
}

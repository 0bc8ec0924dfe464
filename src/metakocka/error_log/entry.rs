//! One entry of the integration error log (`metakocka_error_logs`) and its kinds: what
//! failed, for which record, and whether someone has dealt with it.

use crate::domain::{CompanyId, FieldError, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Why a call or sync step failed, as an operator sorts failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCategory {
    /// Metakocka refused the company id or secret key.
    Auth,
    /// A record was refused for its content (ours or Metakocka's rules).
    Validation,
    /// The record is gone on one side.
    NotFound,
    /// Metakocka asked us to slow down.
    RateLimit,
    /// Metakocka could not be reached, timed out or answered 5xx.
    Network,
    /// Any other business error Metakocka answered with (`opr_code` other than `"0"`).
    Api,
    /// Both sides changed a record since the last sync.
    Conflict,
}

/// Whether an operator has dealt with an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorStatus {
    Open,
    Resolved,
}

/// The kind of record a failure concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityType {
    Product,
    Contact,
    SalesDocument,
    Inventory,
    Warehouse,
    Credentials,
    Mapping,
    Settings,
    /// A Facebook page: the answering side records its token failures here too, so the admin
    /// finds every integration failure in one log.
    Page,
}

/// The stored text of each enum, shared by both engines and the query strings of the API.
macro_rules! text_form {
    ($type:ty, $what:literal, { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $type {
            pub const ALL: &'static [$type] = &[$(<$type>::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $(<$type>::$variant => $text),+ }
            }

            pub fn parse(value: &str) -> Result<Self, FieldError> {
                match value {
                    $($text => Ok(<$type>::$variant),)+
                    other => Err(FieldError::new(
                        $what,
                        format!(
                            "unknown value {other:?}; expected one of {}",
                            [$($text),+].join(", ")
                        ),
                    )),
                }
            }
        }

        impl std::fmt::Display for $type {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_form!(ErrorCategory, "category", {
    Auth => "auth", Validation => "validation", NotFound => "not_found",
    RateLimit => "rate_limit", Network => "network", Api => "api", Conflict => "conflict",
});
text_form!(ErrorStatus, "status", { Open => "open", Resolved => "resolved" });
text_form!(EntityType, "entity_type", {
    Product => "product", Contact => "contact", SalesDocument => "sales_document",
    Inventory => "inventory", Warehouse => "warehouse", Credentials => "credentials",
    Mapping => "mapping", Settings => "settings", Page => "page",
});

/// A stored entry. `details` is a JSON object of context (the request's record ids, Metakocka's
/// `opr_code`, ...); it never holds a secret key (see [`NewError`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ErrorLogEntry {
    /// A UUIDv7: it sorts by creation time.
    pub id: String,
    pub company_id: CompanyId,
    /// The user whose action failed; `None` for background jobs.
    pub user_id: Option<UserId>,
    /// `auth`, `validation`, `not_found`, `rate_limit`, `network`, `api` or `conflict`.
    #[schema(value_type = String)]
    pub category: ErrorCategory,
    /// `product`, `contact`, `sales_document`, `inventory`, `warehouse`, `credentials`,
    /// `mapping`, `settings` or `page`.
    #[schema(value_type = String)]
    pub entity_type: EntityType,
    pub entity_id: Option<String>,
    /// What was being done, e.g. `product_add` or `sync_products_from_metakocka`.
    pub operation: String,
    pub message: String,
    /// What went wrong, secrets redacted.
    pub details: Value,
    /// `open` or `resolved`.
    #[schema(value_type = String)]
    pub status: ErrorStatus,
    pub resolution_notes: Option<String>,
    pub resolved_by: Option<UserId>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// What a failing operation reports; [`super::ErrorLog::record`] turns it into an entry.
#[derive(Debug, Clone)]
pub struct NewError {
    pub company_id: CompanyId,
    pub user_id: Option<UserId>,
    pub category: ErrorCategory,
    pub entity_type: EntityType,
    pub entity_id: Option<String>,
    pub operation: String,
    /// For people; never a secret (Metakocka's error texts do not echo the key, and callers
    /// must not add it).
    pub message: String,
    /// Context as a JSON object; values under secret-looking keys are redacted on recording.
    pub details: Value,
}

/// Keys whose values never reach the log, at any depth of `details`: the Metakocka request
/// body carries `secret_key`, and a caller passing it along as context must not store it.
const SECRET_KEY_PARTS: &[&str] = &["secret", "password", "token", "api_key", "apikey"];
pub const REDACTED: &str = "***";

impl NewError {
    /// The entry as stored at `now`: open, with a fresh id and secret-looking values redacted.
    /// The time is cut to the millisecond, the precision both engines keep, so the entry
    /// returned equals the entry read back.
    pub fn into_entry(self, now: DateTime<Utc>) -> ErrorLogEntry {
        let now = DateTime::from_timestamp_millis(now.timestamp_millis()).unwrap_or(now);
        let mut details = match self.details {
            Value::Null => Value::Object(Default::default()),
            Value::Object(map) => Value::Object(map),
            // A bare value is kept under a key, so `details` is always an object.
            other => serde_json::json!({ "value": other }),
        };
        redact_secrets(&mut details);
        ErrorLogEntry {
            id: uuid::Uuid::now_v7().to_string(),
            company_id: self.company_id,
            user_id: self.user_id,
            category: self.category,
            entity_type: self.entity_type,
            entity_id: self.entity_id,
            operation: self.operation,
            message: self.message,
            details,
            status: ErrorStatus::Open,
            resolution_notes: None,
            resolved_by: None,
            resolved_at: None,
            created_at: now,
        }
    }
}

/// Replaces the value of every key that names a secret with [`REDACTED`].
pub fn redact_secrets(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                let key = key.to_ascii_lowercase();
                if SECRET_KEY_PARTS.iter().any(|part| key.contains(part)) {
                    *inner = Value::String(REDACTED.to_owned());
                } else {
                    redact_secrets(inner);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_secrets),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secret_values_are_redacted_at_any_depth() {
        let mut details = json!({
            "request": {"secret_key": "sk-123", "company_id": "42", "items": [{"Api_Key": "k"}]},
            "opr_code": "1"
        });
        redact_secrets(&mut details);
        assert_eq!(details["request"]["secret_key"], REDACTED);
        assert_eq!(details["request"]["items"][0]["Api_Key"], REDACTED);
        assert_eq!(details["request"]["company_id"], "42");
        assert_eq!(details["opr_code"], "1");
    }

    #[test]
    fn text_forms_round_trip_and_unknown_values_name_the_field() {
        for category in ErrorCategory::ALL {
            assert_eq!(ErrorCategory::parse(category.as_str()), Ok(*category));
            let json = serde_json::to_value(category).unwrap();
            assert_eq!(json, category.as_str());
        }
        for entity in EntityType::ALL {
            assert_eq!(EntityType::parse(entity.as_str()), Ok(*entity));
        }
        assert_eq!(ErrorStatus::parse("closed").unwrap_err().field, "status");
    }
}

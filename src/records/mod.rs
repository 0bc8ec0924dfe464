//! The CRM side's own records for the Metakocka sync (issue 5, item 3): [`product`]s,
//! [`contact`]s and [`sales_document`]s, each owned by one company. This module owns their rules: what a valid
//! record is, how a request body becomes one (parse at the edge; each error names its
//! field), and the paging and text filter of their lists. Storage is behind
//! [`crate::store::ProductStore`] and [`crate::store::ContactStore`].
//!
//! Updates are last-write-wins: a `PUT` replaces the whole record, whoever saved last.

pub mod contact;
pub mod product;
pub mod sales_document;
pub mod schema;

use crate::domain::FieldError;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::value::RawValue;

/// The largest page a list returns, so one request cannot read a whole catalogue.
pub const MAX_LIMIT: u32 = 200;
/// The page size when a request names none.
pub const DEFAULT_LIMIT: u32 = 50;

/// Which records a list returns: always one company's, `limit` from `offset`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordQuery {
    /// Case-insensitive "contains" over the name and code (products) or name and email
    /// (contacts); lower-cased here so both engines compare the same text.
    pub text: Option<String>,
    pub limit: u32,
    pub offset: u32,
}

impl RecordQuery {
    /// Clamps the limit to [`MAX_LIMIT`] and drops an empty filter.
    pub fn new(text: Option<&str>, limit: Option<u32>, offset: Option<u32>) -> Self {
        Self {
            text: text
                .map(|t| t.trim().to_lowercase())
                .filter(|t| !t.is_empty()),
            limit: limit.unwrap_or(DEFAULT_LIMIT).min(MAX_LIMIT),
            offset: offset.unwrap_or(0),
        }
    }
}

/// One page of a list, and how many records match in all.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordPage<T> {
    pub items: Vec<T>,
    pub total: u64,
}

/// Now, at the millisecond precision both store engines keep, so a record reads back equal
/// to what was written.
pub fn now() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(Utc::now().timestamp_millis()).unwrap_or_else(Utc::now)
}

/// A new record id: uuid v7, so ids sort by creation time.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A decimal from a JSON string (`"39.90"`) or number (`39.90`), read from the raw text so
/// it never passes through `f64` (where 0.1 + 0.2 is not 0.3).
pub fn parse_decimal(field: &'static str, raw: &RawValue) -> Result<Decimal, FieldError> {
    let text = raw.get().trim();
    let number = if text.starts_with('"') {
        serde_json::from_str::<String>(text)
            .map_err(|_| FieldError::new(field, "must be a decimal number"))?
    } else {
        text.to_owned()
    };
    let number = number.trim();
    let parsed = if number.contains(['e', 'E']) {
        Decimal::from_scientific(number)
    } else {
        Decimal::from_str_exact(number)
    };
    parsed.map_err(|_| FieldError::new(field, "must be a decimal number, as \"39.90\" or 39.90"))
}

/// At most `places` decimals, trailing zeros aside ("1.50000" is 1.5).
pub fn check_places(
    field: &'static str,
    value: Decimal,
    places: u32,
) -> Result<Decimal, FieldError> {
    if value.normalize().scale() > places {
        return Err(FieldError::new(
            field,
            format!("must have at most {places} decimal places"),
        ));
    }
    // Trailing zeros beyond `places` are dropped; the value is unchanged.
    Ok(if value.scale() > places {
        value.round_dp(places)
    } else {
        value
    })
}

/// A required text: trimmed, not empty, at most `max` characters.
pub fn required_text(field: &'static str, value: &str, max: usize) -> Result<String, FieldError> {
    match optional_text(field, Some(value), max)? {
        Some(text) => Ok(text),
        None => Err(FieldError::new(field, "is required")),
    }
}

/// An optional text: trimmed; empty means absent; at most `max` characters.
pub fn optional_text(
    field: &'static str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>, FieldError> {
    let Some(text) = value.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > max {
        return Err(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(Some(text.to_owned()))
}

/// `len` ASCII letters, upper-cased (a currency code, a country code).
pub fn letter_code(field: &'static str, value: &str, len: usize) -> Result<String, FieldError> {
    let value = value.trim();
    if value.len() == len && value.chars().all(|c| c.is_ascii_alphabetic()) {
        Ok(value.to_ascii_uppercase())
    } else {
        Err(FieldError::new(field, format!("must be {len} letters")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> Box<RawValue> {
        RawValue::from_string(text.to_owned()).unwrap()
    }

    #[test]
    fn decimals_from_strings_and_numbers_stay_exact() {
        let a = parse_decimal("price", &raw("\"0.1\"")).unwrap();
        let b = parse_decimal("price", &raw("0.2")).unwrap();
        assert_eq!((a + b).to_string(), "0.3");
        assert_eq!(
            parse_decimal("price", &raw("39.90")).unwrap().to_string(),
            "39.90"
        );
        assert_eq!(
            parse_decimal("price", &raw("1e2")).unwrap(),
            Decimal::from(100)
        );
        let err = parse_decimal("price", &raw("\"abc\"")).unwrap_err();
        assert_eq!(err.field, "price");
        assert!(parse_decimal("price", &raw("true")).is_err());
    }

    #[test]
    fn places_count_without_trailing_zeros() {
        let d = |t: &str| t.parse::<Decimal>().unwrap();
        assert_eq!(
            check_places("price", d("1.50000"), 4).unwrap().to_string(),
            "1.5000"
        );
        assert!(check_places("price", d("1.00001"), 4).is_err());
    }
}

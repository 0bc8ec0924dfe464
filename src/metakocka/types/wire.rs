//! Serde helpers for Metakocka's wire conventions.
//!
//! * [`one_or_many`]: a list that holds one record may come as that record, not an array
//!   (`product_list.md` §1.2: `"product_list": { ... }` when `product_list_count` is 1).
//! * [`decimal`]: numbers are strings, sometimes with a decimal comma (`"unit_factor":
//!   "10,52"`, `"gross_weight": "0,8"`); parsed into [`Decimal`], never a float, and written
//!   back as a string with a decimal point, as the request examples show.
//! * [`flag`]: booleans are the strings `"true"` and `"false"`.
//! * [`count`]: counts (`product_list_count`, `offset`, `limit`) are strings of digits.

use rust_decimal::Decimal;
use serde::de::{self, DeserializeOwned, Deserializer};
use serde::{Deserialize, Serializer};
use serde_json::Value;
use std::str::FromStr;

/// Reads a number as Metakocka writes it: `"863,75"`, `"12.23"`, `"-3"`, `"1.234,5"`, or
/// a JSON number. Blank text is no value. A comma is the decimal separator when it is the
/// last separator; a point before it then groups thousands.
pub fn parse_decimal(text: &str) -> Result<Option<Decimal>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let normalised = match (text.rfind(','), text.rfind('.')) {
        (Some(comma), Some(point)) if comma > point => text.replace('.', "").replace(',', "."),
        (Some(_), Some(_)) => text.replace(',', ""),
        (Some(_), None) => text.replace(',', "."),
        _ => text.to_owned(),
    };
    Decimal::from_str(&normalised)
        .or_else(|_| Decimal::from_scientific(&normalised))
        .map(Some)
        .map_err(|_| format!("{text:?} is not a number"))
}

/// `Option<Decimal>` fields: `#[serde(default, with = "wire::decimal", skip_serializing_if = "Option::is_none")]`.
pub mod decimal {
    use super::*;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        match Option::<Value>::deserialize(d)? {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => parse_decimal(&text).map_err(de::Error::custom),
            Some(Value::Number(number)) => {
                parse_decimal(&number.to_string()).map_err(de::Error::custom)
            }
            Some(other) => Err(de::Error::custom(format!("expected a number, got {other}"))),
        }
    }

    pub fn serialize<S: Serializer>(value: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(number) => s.serialize_str(&number.normalize().to_string()),
            None => s.serialize_none(),
        }
    }
}

/// `Option<bool>` fields written `"true"`/`"false"`.
pub mod flag {
    use super::*;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        match Option::<Value>::deserialize(d)? {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(b)),
            Some(Value::String(text)) => match text.trim() {
                "true" => Ok(Some(true)),
                "false" => Ok(Some(false)),
                "" => Ok(None),
                other => Err(de::Error::custom(format!("{other:?} is not true or false"))),
            },
            Some(other) => Err(de::Error::custom(format!("expected a flag, got {other}"))),
        }
    }

    pub fn serialize<S: Serializer>(value: &Option<bool>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(b) => s.serialize_str(if *b { "true" } else { "false" }),
            None => s.serialize_none(),
        }
    }
}

/// `Option<u64>` counts written as strings of digits.
pub mod count {
    use super::*;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        match Option::<Value>::deserialize(d)? {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n
                .as_u64()
                .map(Some)
                .ok_or_else(|| de::Error::custom(format!("{n} is not a count"))),
            Some(Value::String(text)) if text.trim().is_empty() => Ok(None),
            Some(Value::String(text)) => text
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| de::Error::custom(format!("{text:?} is not a count"))),
            Some(other) => Err(de::Error::custom(format!("expected a count, got {other}"))),
        }
    }
}

/// A list that may arrive as one bare object, or be missing: `#[serde(default, deserialize_with = "wire::one_or_many")]`.
pub fn one_or_many<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let items = match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(one) => vec![one],
    };
    items
        .into_iter()
        .map(|item| serde_json::from_value(item).map_err(de::Error::custom))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Option<Decimal> {
        Some(Decimal::from_str(text).unwrap())
    }

    #[test]
    fn numbers_with_a_decimal_comma_or_point_or_thousands_groups() {
        assert_eq!(parse_decimal("863,75"), Ok(d("863.75")));
        assert_eq!(parse_decimal("12.23"), Ok(d("12.23")));
        assert_eq!(parse_decimal("-3"), Ok(d("-3")));
        assert_eq!(parse_decimal("1.234,5"), Ok(d("1234.5")));
        assert_eq!(parse_decimal("1,234.5"), Ok(d("1234.5")));
        assert_eq!(parse_decimal(" "), Ok(None));
        assert!(parse_decimal("kos").is_err());
    }
}

//! The content hash of a record's synced fields: the same function for both sides, so a
//! CRM product and the Metakocka product it was pushed as hash alike, and "changed since the
//! last sync" is "hash differs from the one stored in the mapping".
//!
//! Fields are normalised before hashing (text trimmed, an empty text the same as none,
//! decimals without trailing zeros so `"39.90"`, `39.9` and Metakocka's `"39,9"` agree), so
//! a re-run over unchanged data sees no change and writes nothing.

use rust_decimal::Decimal;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// A record's synced fields by name, normalised; absent fields are left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields(BTreeMap<String, String>);

impl Fields {
    pub fn new() -> Self {
        Self::default()
    }

    /// A text field, trimmed; nothing when empty.
    pub fn text(mut self, name: &str, value: Option<&str>) -> Self {
        if let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) {
            self.0.insert(name.to_owned(), value.to_owned());
        }
        self
    }

    /// A decimal, normalised (`39.90` is `39.9`).
    pub fn decimal(mut self, name: &str, value: Option<Decimal>) -> Self {
        if let Some(value) = value {
            self.0
                .insert(name.to_owned(), value.normalize().to_string());
        }
        self
    }

    pub fn flag(mut self, name: &str, value: bool) -> Self {
        self.0.insert(name.to_owned(), value.to_string());
        self
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// Hex SHA-256 of `name=value` lines in name order.
    pub fn hash(&self) -> String {
        let mut hasher = Sha256::new();
        for (name, value) in &self.0 {
            hasher.update(name.as_bytes());
            hasher.update(b"=");
            // Length-prefixed, so no value can imitate a line break and another field.
            hasher.update(value.len().to_le_bytes());
            hasher.update(value.as_bytes());
            hasher.update(b"\n");
        }
        hex::encode(hasher.finalize())
    }

    /// The fields as a JSON object, for a conflict's snapshot and the audit.
    pub fn snapshot(&self) -> Value {
        Value::Object(
            (self.0.iter())
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect::<Map<_, _>>(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalised_values_hash_alike_and_changes_do_not() {
        let d = |t: &str| Some(t.parse::<Decimal>().unwrap());
        let crm = Fields::new()
            .text("name", Some(" Olive oil "))
            .text("unit", Some(""))
            .decimal("price", d("39.90"));
        let mk = Fields::new()
            .text("name", Some("Olive oil"))
            .text("unit", None)
            .decimal("price", d("39.9"));
        assert_eq!(crm.hash(), mk.hash());
        let changed = mk.clone().decimal("price", d("39.91"));
        assert_ne!(changed.hash(), crm.hash());
        let moved = Fields::new()
            .text("name", Some("Olive"))
            .text("unit", Some("oil"));
        assert_ne!(
            moved.hash(),
            Fields::new().text("name", Some("Olive\nunit=oil")).hash()
        );
        assert_eq!(crm.snapshot()["price"], "39.9");
    }
}

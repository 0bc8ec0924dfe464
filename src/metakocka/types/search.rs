//! `search`: documents of one type by a free-text `query` or `query_advance` conditions
//! (<https://github.com/metakocka/metakocka_api_base/blob/master/docs/search_concept.md>).

use super::OtherFields;
use super::document::Document;
use super::wire::{self, one_or_many};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SearchQuery {
    pub doc_type: String,
    /// What Metakocka's search box takes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub query_advance: Vec<SearchCondition>,
    /// `"doc"` returns whole documents instead of `mk_id` and `count_code` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    #[serde(flatten)]
    pub other: OtherFields,
}

/// One `query_advance` condition, e.g. `{"type": "partner_tax_num", "value": "TAX123"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchCondition {
    #[serde(rename = "type")]
    pub kind: String,
    pub value: String,
}

/// One answer of `search`. `result_all_records` counts every match, so paging stops there.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct SearchPage {
    #[serde(default, deserialize_with = "wire::count::deserialize")]
    pub result_all_records: Option<u64>,
    #[serde(default, deserialize_with = "wire::count::deserialize")]
    pub result_count: Option<u64>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub result: Vec<Document>,
}

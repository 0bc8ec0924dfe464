//! Sales documents (orders, offers, bills): `put_document`, `get_document`,
//! `update_document` (<https://github.com/metakocka/metakocka_api_base/blob/master/docs/documents_concept.md>,
//! `documents_put_document_sales_order.md`, `documents_get_document_sales_order.md`,
//! `documents_update_document_sales_order.md`).

use super::OtherFields;
use super::partner::Partner;
use super::wire::{self, one_or_many};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A document as `get_document` and `search` (with `"result": "doc"`) return it and
/// `put_document` takes it. `update_document` takes one too: `mk_id` (or `buyer_order`)
/// names the document, and only the fields set are changed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Document {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mk_id: Option<String>,
    /// `sales_order`, `sales_offer`, `sales_bill_domestic`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_type: Option<String>,
    /// The document's number (`"PP-18495"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count_code: Option<String>,
    /// A date with its offset, as Metakocka writes it (`"2015-05-08+02:00"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The buyer's own order number; also names a sales order in `update_document`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_order: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner: Option<Partner>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receiver: Option<Partner>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_code: Option<String>,
    /// The warehouse's mark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warehouse: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub product_list: Vec<DocumentLine>,
    /// Total without tax.
    #[serde(
        default,
        with = "wire::decimal",
        skip_serializing_if = "Option::is_none"
    )]
    pub sum_basic: Option<Decimal>,
    /// Total with tax.
    #[serde(
        default,
        with = "wire::decimal",
        skip_serializing_if = "Option::is_none"
    )]
    pub sum_all: Option<Decimal>,
    #[serde(
        default,
        with = "wire::decimal",
        skip_serializing_if = "Option::is_none"
    )]
    pub sum_paid: Option<Decimal>,
    #[serde(flatten)]
    pub other: OtherFields,
}

/// One line of a document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DocumentLine {
    /// The product's `mk_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mk_id: Option<String>,
    /// The line's own id, which `update_document` needs to change or remove it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mk_row_id: Option<String>,
    /// The product's code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(
        default,
        with = "wire::decimal",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount: Option<Decimal>,
    /// Price without tax; a line has this or `price_with_tax`.
    #[serde(
        default,
        with = "wire::decimal",
        skip_serializing_if = "Option::is_none"
    )]
    pub price: Option<Decimal>,
    #[serde(
        default,
        with = "wire::decimal",
        skip_serializing_if = "Option::is_none"
    )]
    pub price_with_tax: Option<Decimal>,
    #[serde(
        default,
        with = "wire::decimal",
        skip_serializing_if = "Option::is_none"
    )]
    pub discount: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax: Option<String>,
    #[serde(flatten)]
    pub other: OtherFields,
}

/// Which document `get_document` reads: its type, and its `mk_id` (sent as `doc_id`) or
/// its `count_code`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentKey {
    pub doc_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count_code: Option<String>,
}

impl DocumentKey {
    pub fn by_mk_id(doc_type: &str, mk_id: &str) -> Self {
        Self {
            doc_type: doc_type.to_owned(),
            doc_id: Some(mk_id.to_owned()),
            count_code: None,
        }
    }

    pub fn by_count_code(doc_type: &str, count_code: &str) -> Self {
        Self {
            doc_type: doc_type.to_owned(),
            doc_id: None,
            count_code: Some(count_code.to_owned()),
        }
    }
}

/// The answer of `put_document`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DocumentSaved {
    pub mk_id: String,
    #[serde(default)]
    pub count_code: Option<String>,
}

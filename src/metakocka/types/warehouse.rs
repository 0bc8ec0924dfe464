//! Warehouses and stock: `json/warehouse_list` and `json/warehouse_stock`
//! (<https://github.com/metakocka/metakocka_api_base/blob/master/docs/warehouse_list.md>,
//! `warehouse_stock.md`).

use super::OtherFields;
use super::wire::{self, one_or_many};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Warehouse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mk_id: Option<String>,
    /// The short mark documents name the warehouse by (`"oznaka1"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mark: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, with = "wire::flag", skip_serializing_if = "Option::is_none")]
    pub main_warehouse: Option<bool>,
    #[serde(default, with = "wire::flag", skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(flatten)]
    pub other: OtherFields,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct WarehouseListPage {
    #[serde(default, deserialize_with = "wire::count::deserialize")]
    pub warehouse_list_count: Option<u64>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub warehouse_list: Vec<Warehouse>,
}

/// Filters of `json/warehouse_stock`; lists are comma-separated, as documented.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StockQuery {
    /// Warehouse ids (`mk_id`), comma-separated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wh_id_list: Option<String>,
    /// Product codes (or webshop SKUs), comma-separated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_code_list: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_mk_id_list: Option<String>,
    #[serde(flatten)]
    pub other: OtherFields,
}

/// A product's stock in one warehouse (one line per microlocation). `reserved_amount` and
/// `free_amount` come only from companies that use reservations.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StockLine {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warehouse_id: Option<String>,
    /// The product's `mk_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mk_id: Option<String>,
    /// The product's `count_code`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(
        default,
        with = "wire::decimal",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount: Option<Decimal>,
    #[serde(
        default,
        with = "wire::decimal",
        skip_serializing_if = "Option::is_none"
    )]
    pub reserved_amount: Option<Decimal>,
    #[serde(
        default,
        with = "wire::decimal",
        skip_serializing_if = "Option::is_none"
    )]
    pub free_amount: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub microlocation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(flatten)]
    pub other: OtherFields,
}

/// One answer of `json/warehouse_stock`: no count field, so a page as long as the limit
/// asked for means there may be more.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct StockPage {
    #[serde(default, deserialize_with = "one_or_many")]
    pub stock_list: Vec<StockLine>,
}

//! Products: `json/product_list`, `json/product_add`, `json/product_update`
//! (<https://github.com/metakocka/metakocka_api_base/blob/master/docs/product_list.md>,
//! `product_add.md`, `product_update.md`).

use super::OtherFields;
use super::wire::{self, one_or_many};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One product, as listed and as sent to `product_add`/`product_update` (which select the
/// record to update by `mk_id` or `count_code`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Product {
    /// Metakocka's id of the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mk_id: Option<String>,
    /// The product's number in Metakocka ("Id artikla").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count_code: Option<String>,
    /// The product code ("Šifra artikla"), a webshop's SKU.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub barcode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_desc: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, with = "wire::flag", skip_serializing_if = "Option::is_none")]
    pub service: Option<bool>,
    #[serde(default, with = "wire::flag", skip_serializing_if = "Option::is_none")]
    pub sales: Option<bool>,
    #[serde(default, with = "wire::flag", skip_serializing_if = "Option::is_none")]
    pub purchasing: Option<bool>,
    #[serde(
        default,
        with = "wire::decimal",
        skip_serializing_if = "Option::is_none"
    )]
    pub height: Option<Decimal>,
    #[serde(
        default,
        with = "wire::decimal",
        skip_serializing_if = "Option::is_none"
    )]
    pub width: Option<Decimal>,
    #[serde(
        default,
        with = "wire::decimal",
        skip_serializing_if = "Option::is_none"
    )]
    pub depth: Option<Decimal>,
    #[serde(
        default,
        with = "wire::decimal",
        skip_serializing_if = "Option::is_none"
    )]
    pub weight: Option<Decimal>,
    #[serde(
        default,
        with = "wire::decimal",
        skip_serializing_if = "Option::is_none"
    )]
    pub gross_weight: Option<Decimal>,
    #[serde(
        default,
        with = "wire::decimal",
        skip_serializing_if = "Option::is_none"
    )]
    pub min_stock: Option<Decimal>,
    /// Units of `unit2` in one `unit`.
    #[serde(
        default,
        with = "wire::decimal",
        skip_serializing_if = "Option::is_none"
    )]
    pub unit_factor: Option<Decimal>,
    /// Stock over all warehouses; listed with `return_warehause_stock`.
    #[serde(
        default,
        with = "wire::decimal",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount: Option<Decimal>,
    /// Stock per warehouse (and serial number, expiry date, lot).
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub amount_detail: Vec<AmountDetail>,
    /// Prices; listed with `return_pricelist`.
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub pricelist: Vec<Pricelist>,
    #[serde(flatten)]
    pub other: OtherFields,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AmountDetail {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warehouse_mark: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warehouse_name: Option<String>,
    #[serde(
        default,
        with = "wire::decimal",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount: Option<Decimal>,
    #[serde(flatten)]
    pub other: OtherFields,
}

/// A product's entry in one price list; `price_def` holds one or more amount ranges.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Pricelist {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_code: Option<String>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub price_def: Vec<PriceDefinition>,
    #[serde(flatten)]
    pub other: OtherFields,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PriceDefinition {
    #[serde(
        default,
        with = "wire::decimal",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount_from: Option<Decimal>,
    #[serde(
        default,
        with = "wire::decimal",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount_to: Option<Decimal>,
    /// Price without tax.
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
    /// Percent.
    #[serde(
        default,
        with = "wire::decimal",
        skip_serializing_if = "Option::is_none"
    )]
    pub discount: Option<Decimal>,
    /// A tax code (`"EX4"`) or rate id (`"220"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax: Option<String>,
    #[serde(
        default,
        with = "wire::decimal",
        skip_serializing_if = "Option::is_none"
    )]
    pub tax_factor: Option<Decimal>,
    #[serde(flatten)]
    pub other: OtherFields,
}

/// Filters of `json/product_list` (paging is the client's business).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ProductListQuery {
    #[serde(with = "wire::flag", skip_serializing_if = "Option::is_none")]
    pub sales: Option<bool>,
    /// Metakocka's spelling. Each product then has `amount` (0 when never stocked).
    #[serde(with = "wire::flag", skip_serializing_if = "Option::is_none")]
    pub return_warehause_stock: Option<bool>,
    #[serde(with = "wire::flag", skip_serializing_if = "Option::is_none")]
    pub return_pricelist: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// A category name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(flatten)]
    pub other: OtherFields,
}

/// One answer of `json/product_list`. `product_list_count` is the records in this answer,
/// not in all: a full page means there may be more.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct ProductListPage {
    #[serde(default, deserialize_with = "wire::count::deserialize")]
    pub product_list_count: Option<u64>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub product_list: Vec<Product>,
}

/// The answer of `product_add` and `product_update`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ProductSaved {
    pub mk_id: String,
    #[serde(default)]
    pub count_code: Option<String>,
}

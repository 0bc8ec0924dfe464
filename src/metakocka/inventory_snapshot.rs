//! The inventory snapshot's records (`metakocka_inventory`) and how they are built from
//! Metakocka's answers: one [`StockEntry`] per product and warehouse.
//!
//! `json/warehouse_stock` answers one line per product, warehouse *and microlocation*, and
//! names the product only by `mk_id`, `count_code` and title; the product's own `code` (what
//! people search by) comes from `json/product_list`, the warehouse's mark and name from
//! `json/warehouse_list`. Amounts stay [`Decimal`]s end to end: stock is counted, never
//! approximated.

use super::types::{Product, StockLine, Warehouse};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};

/// A product's stock in one warehouse, as of the snapshot's `refreshed_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockEntry {
    /// Metakocka's id of the product.
    pub product_mk_id: String,
    /// The product's code (`code` of `json/product_list`), when Metakocka listed the product.
    pub product_code: Option<String>,
    /// Metakocka's `count_code` of the product.
    pub count_code: Option<String>,
    pub product_name: Option<String>,
    /// Metakocka's id of the warehouse.
    pub warehouse_id: String,
    pub warehouse_mark: Option<String>,
    pub warehouse_name: Option<String>,
    pub amount: Decimal,
    pub reserved: Decimal,
    pub free: Decimal,
}

/// How a reader names a product: Metakocka's id, or a code (the product's `code` or its
/// `count_code`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProductKey {
    MkId(String),
    Code(String),
}

impl ProductKey {
    pub fn matches(&self, entry: &StockEntry) -> bool {
        match self {
            ProductKey::MkId(id) => &entry.product_mk_id == id,
            ProductKey::Code(code) => {
                entry.product_code.as_deref() == Some(code)
                    || entry.count_code.as_deref() == Some(code)
            }
        }
    }
}

/// One product's entries of a company's snapshot, and when the snapshot was taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductInventory {
    pub refreshed_at: DateTime<Utc>,
    /// Empty when the snapshot does not know the product. Ordered by warehouse id.
    pub entries: Vec<StockEntry>,
}

/// The snapshot's entries from Metakocka's three lists: the stock lines of one product and
/// warehouse summed (microlocations), `free` taken from Metakocka when it sends it (companies
/// with reservations) and otherwise `amount - reserved`. Lines without a product or
/// warehouse id cannot be looked up and are left out. Ordered by product, then warehouse.
pub fn build_entries(
    products: &[Product],
    warehouses: &[Warehouse],
    stock: &[StockLine],
) -> Vec<StockEntry> {
    let products: HashMap<&str, &Product> = (products.iter())
        .filter_map(|p| Some((p.mk_id.as_deref()?, p)))
        .collect();
    let warehouses: HashMap<&str, &Warehouse> = (warehouses.iter())
        .filter_map(|w| Some((w.mk_id.as_deref()?, w)))
        .collect();
    let mut entries: BTreeMap<(String, String), StockEntry> = BTreeMap::new();
    for line in stock {
        let (Some(product_id), Some(warehouse_id)) = (&line.mk_id, &line.warehouse_id) else {
            continue;
        };
        let amount = line.amount.unwrap_or_default();
        let reserved = line.reserved_amount.unwrap_or_default();
        let free = line.free_amount.unwrap_or(amount - reserved);
        let entry = entries
            .entry((product_id.clone(), warehouse_id.clone()))
            .or_insert_with(|| {
                let product = products.get(product_id.as_str());
                let warehouse = warehouses.get(warehouse_id.as_str());
                StockEntry {
                    product_mk_id: product_id.clone(),
                    product_code: product.and_then(|p| p.code.clone()),
                    count_code: (line.count_code.clone())
                        .or_else(|| product.and_then(|p| p.count_code.clone())),
                    product_name: product
                        .and_then(|p| p.name.clone())
                        .or_else(|| line.title.clone()),
                    warehouse_id: warehouse_id.clone(),
                    warehouse_mark: warehouse.and_then(|w| w.mark.clone()),
                    warehouse_name: warehouse.and_then(|w| w.name.clone()),
                    amount: Decimal::ZERO,
                    reserved: Decimal::ZERO,
                    free: Decimal::ZERO,
                }
            });
        entry.amount += amount;
        entry.reserved += reserved;
        entry.free += free;
    }
    entries.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn line(product: &str, warehouse: &str, amount: Decimal) -> StockLine {
        StockLine {
            mk_id: Some(product.to_owned()),
            warehouse_id: Some(warehouse.to_owned()),
            count_code: Some(format!("PA_{product}")),
            amount: Some(amount),
            ..StockLine::default()
        }
    }

    #[test]
    fn microlocations_are_summed_and_free_is_derived_without_reservations() {
        let product = Product {
            mk_id: Some("7".into()),
            code: Some("P00001".into()),
            name: Some("Chair".into()),
            ..Product::default()
        };
        let warehouse = Warehouse {
            mk_id: Some("100".into()),
            mark: Some("MAIN".into()),
            ..Warehouse::default()
        };
        let mut reserved = line("7", "100", dec("2.5"));
        reserved.reserved_amount = Some(dec("1"));
        let stock = [
            line("7", "100", dec("10")),
            reserved,
            line("7", "200", dec("3")),
        ];
        let entries = build_entries(&[product], &[warehouse], &stock);
        assert_eq!(entries.len(), 2);
        let main = &entries[0];
        assert_eq!(main.product_code.as_deref(), Some("P00001"));
        assert_eq!(main.warehouse_mark.as_deref(), Some("MAIN"));
        assert_eq!(
            (main.amount, main.reserved, main.free),
            (dec("12.5"), dec("1"), dec("11.5"))
        );
        assert_eq!(entries[1].warehouse_id, "200");
        assert_eq!(entries[1].warehouse_mark, None);
    }

    #[test]
    fn a_code_matches_the_product_code_or_the_count_code() {
        let entry = build_entries(&[], &[], &[line("7", "100", dec("1"))]).remove(0);
        assert!(ProductKey::Code("PA_7".into()).matches(&entry));
        assert!(ProductKey::MkId("7".into()).matches(&entry));
        assert!(!ProductKey::Code("7".into()).matches(&entry));
        assert_eq!(entry.product_name, None);
    }
}

//! Metakocka's records as the retrieval guide's `path: value` lines, one [`Record`] per
//! Metakocka record, so a change to one product re-embeds that product alone.
//!
//! Each record is a small curated JSON object (the facts a customer asks about, not
//! Metakocka's bookkeeping ids and flags) flattened by [`crate::rag::flatten`], under a
//! prefix naming the record by Metakocka's `mk_id`: `products[1600000001].name: Trail shoe`.
//! Ids, not list positions: a product added or removed elsewhere in the list changes no other
//! record's text. Amounts are exact decimals written as text (`12.5`), never floats.

use crate::metakocka::inventory::StockEntry;
use crate::metakocka::types::{Document, Partner, Product};
use crate::rag::flatten::{self, Record};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};
use std::collections::{HashMap, HashSet};

/// Products with their price and their stock per warehouse (`entries` of the inventory
/// snapshot's shape; a product without entries has no stock anywhere).
pub fn product_records(products: &[Product], stock: &[StockEntry]) -> Vec<Record> {
    let mut by_product: HashMap<&str, Vec<&StockEntry>> = HashMap::new();
    for entry in stock {
        by_product
            .entry(entry.product_mk_id.as_str())
            .or_default()
            .push(entry);
    }
    let mut seen = HashSet::new();
    products
        .iter()
        .filter_map(|product| {
            let key = product.mk_id.as_deref().or(product.code.as_deref())?;
            if !seen.insert(key.to_owned()) {
                return None;
            }
            let entries = by_product.get(key).map(Vec::as_slice).unwrap_or_default();
            record(
                &format!("products[{key}]"),
                product_fields(product, entries),
            )
        })
        .collect()
}

fn product_fields(product: &Product, stock: &[&StockEntry]) -> Value {
    let mut fields = Map::new();
    put(&mut fields, "name", product.name.as_deref());
    put(&mut fields, "code", product.code.as_deref());
    put(&mut fields, "count_code", product.count_code.as_deref());
    put(&mut fields, "description", product.name_desc.as_deref());
    put(&mut fields, "unit", product.unit.as_deref());
    if let Some((price, currency)) = first_price(product) {
        fields.insert("price".into(), json!(price));
        put(&mut fields, "currency", currency);
    }
    let total: Decimal = stock.iter().map(|e| e.amount).sum();
    let free: Decimal = stock.iter().map(|e| e.free).sum();
    fields.insert(
        "in_stock".into(),
        json!(if free > Decimal::ZERO { "yes" } else { "no" }),
    );
    fields.insert("stock_total".into(), json!(number(total)));
    fields.insert("stock_available".into(), json!(number(free)));
    let warehouses: Vec<Value> = stock
        .iter()
        .map(|e| {
            let name = e.warehouse_name.as_deref().or(e.warehouse_mark.as_deref());
            json!({
                "warehouse": name.unwrap_or(&e.warehouse_id),
                "amount": number(e.amount),
                "reserved": number(e.reserved),
                "available": number(e.free),
            })
        })
        .collect();
    fields.insert("stock".into(), Value::Array(warehouses));
    Value::Object(fields)
}

/// The product's public price (with tax when Metakocka gives it) and its currency: from the
/// first sales price list that is not a particular buyer's (`product_list.md` lists purchase
/// price lists and buyer-specific ones beside the general ones).
fn first_price(product: &Product) -> Option<(String, Option<&str>)> {
    let field = |list: &crate::metakocka::types::Pricelist, key| {
        list.other
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    product
        .pricelist
        .iter()
        .filter(|list| field(list, "sales_purchase").is_none_or(|kind| kind != "purchase"))
        .filter(|list| field(list, "buyer").is_none_or(|buyer| buyer.trim().is_empty()))
        .find_map(|list| {
            let definition = list.price_def.first()?;
            let price = definition.price_with_tax.or(definition.price)?;
            Some((number(price), list.currency_code.as_deref()))
        })
}

/// Partners: who they are and how to reach them. Private: never in a public reply.
pub fn partner_records(partners: &[Partner]) -> Vec<Record> {
    let mut seen = HashSet::new();
    partners
        .iter()
        .filter_map(|partner| {
            let key = partner_key(partner)?;
            if !seen.insert(key.clone()) {
                return None;
            }
            record(&format!("partners[{key}]"), partner_fields(partner))
        })
        .collect()
}

/// How a partner is told apart: Metakocka's id, else its number, else its name.
pub fn partner_key(partner: &Partner) -> Option<String> {
    (partner.mk_id.as_deref())
        .or(partner.count_code.as_deref())
        .or(partner.customer.as_deref())
        .map(str::to_owned)
}

fn partner_fields(partner: &Partner) -> Value {
    let mut fields = Map::new();
    put(&mut fields, "name", partner.customer.as_deref());
    put(&mut fields, "count_code", partner.count_code.as_deref());
    put(
        &mut fields,
        "tax_id_number",
        partner.tax_id_number.as_deref(),
    );
    put(&mut fields, "street", partner.street.as_deref());
    put(&mut fields, "post_number", partner.post_number.as_deref());
    put(&mut fields, "place", partner.place.as_deref());
    put(&mut fields, "country", partner.country.as_deref());
    let contacts: Vec<Value> = (partner.partner_contact.iter())
        .chain(&partner.partner_contact_list)
        .map(|c| {
            json!({
                "name": c.name, "email": c.email, "gsm": c.gsm, "phone": c.phone,
            })
        })
        .collect();
    fields.insert("contacts".into(), Value::Array(contacts));
    let addresses: Vec<Value> = (partner.partner_delivery_address.iter())
        .chain(&partner.partner_delivery_address_list)
        .map(|a| {
            json!({
                "type": a.address_type, "street": a.street, "post_number": a.post_number,
                "city": a.city, "country": a.country,
            })
        })
        .collect();
    fields.insert("addresses".into(), Value::Array(addresses));
    Value::Object(fields)
}

/// Fields of a sales document worth answering from, beyond the typed ones.
const DOCUMENT_EXTRAS: [&str; 6] = [
    "status_desc",
    "delivery_type",
    "delivery_deadline",
    "method_of_payment",
    "shipped_date_expected_seller",
    "finish_date",
];

/// Sales documents: number, date, status, buyer, lines and totals. Private.
pub fn document_records(documents: &[Document]) -> Vec<Record> {
    let mut seen = HashSet::new();
    documents
        .iter()
        .filter_map(|document| {
            let key = document
                .mk_id
                .as_deref()
                .or(document.count_code.as_deref())?;
            if !seen.insert(key.to_owned()) {
                return None;
            }
            let kind = document.doc_type.as_deref().unwrap_or("sales_documents");
            record(&format!("{kind}s[{key}]"), document_fields(document))
        })
        .collect()
}

fn document_fields(document: &Document) -> Value {
    let mut fields = Map::new();
    put(&mut fields, "number", document.count_code.as_deref());
    put(&mut fields, "date", document.doc_date.as_deref());
    put(&mut fields, "title", document.title.as_deref());
    put(&mut fields, "buyer_order", document.buyer_order.as_deref());
    put(&mut fields, "status", document.status_code.as_deref());
    for extra in DOCUMENT_EXTRAS {
        put(
            &mut fields,
            extra,
            document.other.get(extra).and_then(Value::as_str),
        );
    }
    let partner = document
        .partner
        .as_ref()
        .and_then(|p| p.customer.as_deref());
    put(&mut fields, "partner", partner);
    let receiver = document
        .receiver
        .as_ref()
        .and_then(|p| p.customer.as_deref());
    if receiver != partner {
        put(&mut fields, "receiver", receiver);
    }
    let lines: Vec<Value> = document
        .product_list
        .iter()
        .map(|line| {
            json!({
                "code": line.code, "name": line.name, "amount": line.amount.map(number),
                "unit": line.unit,
                "price": line.price_with_tax.or(line.price).map(number),
            })
        })
        .collect();
    fields.insert("lines".into(), Value::Array(lines));
    put(
        &mut fields,
        "total",
        document
            .sum_all
            .or(document.sum_basic)
            .map(number)
            .as_deref(),
    );
    put(
        &mut fields,
        "paid",
        document.sum_paid.map(number).as_deref(),
    );
    put(&mut fields, "currency", document.currency_code.as_deref());
    // Tracking numbers and the like arrive as `extra_column` name/value pairs.
    if let Some(Value::Array(extras)) = document.other.get("extra_column") {
        for extra in extras {
            if let (Some(name), Some(value)) = (extra["name"].as_str(), extra["value"].as_str()) {
                fields.insert(name.to_owned(), json!(value));
            }
        }
    }
    Value::Object(fields)
}

/// Whether the document is dated on or after `since`. Metakocka writes dates with their
/// offset (`2015-05-08+02:00`); an undated or unreadable date counts as recent, since leaving
/// a document out loses a fact and keeping it costs one chunk.
pub fn is_recent(document: &Document, since: NaiveDate) -> bool {
    let Some(date) = document.doc_date.as_deref() else {
        return true;
    };
    match date.get(..10).and_then(|d| d.parse::<NaiveDate>().ok()) {
        Some(date) => date >= since,
        None => true,
    }
}

/// One record named `prefix` from `fields`: its lines are `prefix.field: value`.
fn record(prefix: &str, fields: Value) -> Option<Record> {
    flatten::records(&json!({ prefix: fields }))
        .into_iter()
        .next()
}

fn put(fields: &mut Map<String, Value>, key: &str, value: Option<&str>) {
    if let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) {
        fields.insert(key.to_owned(), json!(value));
    }
}

/// A decimal as people write it: `12.5`, not `12.500`.
fn number(value: Decimal) -> String {
    value.normalize().to_string()
}

#[cfg(test)]
mod tests;

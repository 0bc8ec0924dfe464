//! The fake's records of one Metakocka company and what each endpoint does with them,
//! answering in the documented shapes (`metakocka/metakocka_api_base`, `docs/*.md`):
//! string numbers, decimal commas where Metakocka writes them, a one-record list as a bare
//! object (`product_list`, `warehouse_list`, `warehouse_stock`), partner answers without
//! `opr_code`, and refusals as `opr_code` `"2"` with the documented texts.

use rust_decimal::Decimal;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::str::FromStr;

#[path = "documents.rs"]
mod documents;
#[path = "partners.rs"]
mod partners;

/// A refusal: `opr_code` and `opr_desc`.
pub type Refusal = (&'static str, String);
type Answer = Result<Value, Refusal>;

/// The document types the fake keeps, with the prefix of their numbers.
const DOC_TYPES: &[(&str, &str)] = &[
    ("sales_order", "PP-"),
    ("sales_offer", "PON-"),
    ("sales_bill_domestic", "RA-"),
    ("sales_bill_foreign", "RAT-"),
    ("purchase_order", "NN-"),
    ("warehouse_packing_list", "SK-"),
];
const MAX_LIST: usize = 1000;
const MAX_SEARCH: usize = 100;

#[derive(Default)]
pub struct Books {
    pub products: Vec<Map<String, Value>>,
    pub warehouses: Vec<Map<String, Value>>,
    pub stock: Vec<Map<String, Value>>,
    pub partners: Vec<Map<String, Value>>,
    pub documents: Vec<Map<String, Value>>,
    numbers: HashMap<&'static str, u64>,
    ids: u64,
}

fn text<'a>(body: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    body.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn missing(name: &str) -> Refusal {
    ("2", format!("Paramether '{name}' is missing"))
}

fn decimal(text: &str) -> Decimal {
    Decimal::from_str(&text.replace(',', ".")).unwrap_or_default()
}

/// Metakocka writes some numbers with a decimal comma (`"0,8"`, `"10,52"`).
fn with_comma(number: Decimal) -> String {
    number.normalize().to_string().replace('.', ",")
}

fn window(body: &Map<String, Value>, max: usize) -> (usize, usize) {
    let number = |key| {
        body.get(key)
            .and_then(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .or(v.as_u64().map(|n| n.to_string()))
            })
            .and_then(|s| s.parse::<usize>().ok())
    };
    (
        number("offset").unwrap_or(0),
        number("limit").unwrap_or(max).min(max),
    )
}

/// A list as Metakocka sends it: one record alone is the record, not an array.
fn list_quirk(items: Vec<Value>) -> Value {
    if items.len() == 1 {
        items.into_iter().next().unwrap()
    } else {
        Value::Array(items)
    }
}

fn ok(mut fields: Map<String, Value>) -> Value {
    let mut head = Map::new();
    head.insert("opr_code".into(), json!("0"));
    head.insert("opr_time_ms".into(), json!("12"));
    head.append(&mut fields);
    Value::Object(head)
}

fn without_credentials(body: &Map<String, Value>) -> Map<String, Value> {
    let mut record = body.clone();
    record.remove("secret_key");
    record.remove("company_id");
    record
}

fn merge(record: &mut Map<String, Value>, changes: &Map<String, Value>) {
    for (key, value) in changes {
        if !value.is_null() && key != "mk_id" {
            record.insert(key.clone(), value.clone());
        }
    }
}

impl Books {
    pub fn next_id(&mut self) -> String {
        self.ids += 1;
        format!("1600{:06}", self.ids)
    }

    pub fn product_list(&self, body: &Map<String, Value>) -> Answer {
        let (offset, limit) = window(body, MAX_LIST);
        let wants_stock = text(body, "return_warehause_stock") == Some("true");
        // Price lists are listed only when asked for (`product_list.md`).
        let wants_prices = text(body, "return_pricelist") == Some("true");
        let matches = |p: &&Map<String, Value>| {
            ["count_code", "code"]
                .iter()
                .all(|key| text(body, key).is_none_or(|want| text(p, key) == Some(want)))
                && text(body, "sales").is_none_or(|want| text(p, "sales").unwrap_or("true") == want)
        };
        let page: Vec<Value> = (self.products.iter().filter(matches))
            .skip(offset)
            .take(limit)
            .map(|product| {
                let mut product = product.clone();
                if !wants_prices {
                    product.remove("pricelist");
                }
                if wants_stock {
                    let amount: Decimal = (self.stock.iter())
                        .filter(|line| line.get("mk_id") == product.get("mk_id"))
                        .map(|line| decimal(text(line, "amount").unwrap_or("0")))
                        .sum();
                    product.insert("amount".into(), json!(with_comma(amount)));
                }
                Value::Object(product)
            })
            .collect();
        let mut head = Map::new();
        for echoed in ["sales", "return_warehause_stock", "count_code"] {
            if let Some(value) = body.get(echoed) {
                head.insert(echoed.into(), value.clone());
            }
        }
        head.insert("limit".into(), json!(limit.to_string()));
        head.insert("offset".into(), json!(offset.to_string()));
        head.insert("product_list_count".into(), json!(page.len().to_string()));
        head.insert("product_list".into(), list_quirk(page));
        Ok(ok(head))
    }

    pub fn product_add(&mut self, body: &Map<String, Value>) -> Answer {
        text(body, "name").ok_or_else(|| missing("name"))?;
        let mut product = without_credentials(body);
        let mk_id = self.next_id();
        let count_code = match text(body, "count_code") {
            Some(code) => code.to_owned(),
            None => format!("PA_{}_PA", self.products.len() + 1),
        };
        product.insert("mk_id".into(), json!(mk_id));
        product.insert("count_code".into(), json!(count_code));
        self.products.push(product);
        Ok(ok(Map::from_iter([
            ("mk_id".into(), json!(mk_id)),
            ("count_code".into(), json!(count_code)),
        ])))
    }

    pub fn product_update(&mut self, body: &Map<String, Value>) -> Answer {
        let key = ["mk_id", "count_code"]
            .into_iter()
            .find_map(|key| text(body, key).map(|value| (key, value.to_owned())))
            .ok_or_else(|| missing("count_code"))?;
        let product = (self.products.iter_mut())
            .find(|p| text(p, key.0) == Some(key.1.as_str()))
            .ok_or_else(|| ("2", format!("Product not found : {}", key.1)))?;
        merge(product, &without_credentials(body));
        Ok(ok(Map::from_iter([
            ("mk_id".into(), product["mk_id"].clone()),
            ("count_code".into(), product["count_code"].clone()),
        ])))
    }

    pub fn warehouse_list(&self, body: &Map<String, Value>) -> Answer {
        let (offset, limit) = window(body, MAX_LIST);
        let page: Vec<Value> = (self.warehouses.iter().skip(offset).take(limit))
            .map(|w| Value::Object(w.clone()))
            .collect();
        Ok(ok(Map::from_iter([
            ("offset".into(), json!(offset.to_string())),
            ("limit".into(), json!(limit.to_string())),
            ("warehouse_list_count".into(), json!(page.len().to_string())),
            ("warehouse_list".into(), list_quirk(page)),
        ])))
    }

    pub fn warehouse_stock(&self, body: &Map<String, Value>) -> Answer {
        let (offset, limit) = window(body, MAX_LIST);
        let listed = |key: &str| {
            text(body, key).map(|list| list.split(',').map(str::trim).collect::<Vec<_>>())
        };
        let (warehouses, codes, ids) = (
            listed("wh_id_list"),
            listed("product_code_list"),
            listed("product_mk_id_list"),
        );
        let page: Vec<Value> = (self.stock.iter())
            .filter(|line| {
                let within = |filter: &Option<Vec<&str>>, key| {
                    filter
                        .as_ref()
                        .is_none_or(|list| list.contains(&text(line, key).unwrap_or("")))
                };
                within(&warehouses, "warehouse_id")
                    && within(&codes, "code")
                    && within(&ids, "mk_id")
            })
            .skip(offset)
            .take(limit)
            .map(|line| {
                let mut line = line.clone();
                line.remove("code");
                Value::Object(line)
            })
            .collect();
        let mut head = Map::new();
        if let Some(list) = body.get("wh_id_list") {
            head.insert("wh_id_list".into(), list.clone());
        }
        head.insert("offset".into(), json!(offset.to_string()));
        head.insert("limit".into(), json!(limit.to_string()));
        head.insert("stock_list".into(), list_quirk(page));
        Ok(ok(head))
    }
}

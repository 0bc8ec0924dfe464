//! The fake's records of one Metakocka company and what each endpoint does with them,
//! answering in the documented shapes (`metakocka/metakocka_api_base`, `docs/*.md`):
//! string numbers, decimal commas where Metakocka writes them, a one-record list as a bare
//! object (`product_list`, `warehouse_list`, `warehouse_stock`), partner answers without
//! `opr_code`, and refusals as `opr_code` `"2"` with the documented texts.

use rust_decimal::Decimal;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::str::FromStr;

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

    /// Answers without `opr_code`, as documented.
    pub fn get_partner(&self, body: &Map<String, Value>) -> Answer {
        let name = text(body, "partner_name").map(str::to_lowercase);
        let email = text(body, "partner_email");
        let found: Vec<Value> = (self.partners.iter())
            .filter(|p| text(body, "partner_id").is_none_or(|id| text(p, "mk_id") == Some(id)))
            .filter(|p| {
                name.as_ref()
                    .is_none_or(|n| text(p, "customer").unwrap_or("").to_lowercase().contains(n))
            })
            .filter(|p| {
                text(body, "partner_tax_number").is_none_or(|t| text(p, "tax_id_number") == Some(t))
            })
            .filter(|p| {
                email.is_none_or(|e| {
                    p["partner_contact_list"]
                        .as_array()
                        .is_some_and(|contacts| {
                            contacts.iter().any(|c| c["email"].as_str() == Some(e))
                        })
                })
            })
            .map(|p| Value::Object(p.clone()))
            .collect();
        Ok(json!({"partner_list_count": found.len().to_string(), "partner_list": found}))
    }

    pub fn add_partner(&mut self, body: &Map<String, Value>) -> Answer {
        let given = body
            .get("partner")
            .and_then(Value::as_object)
            .ok_or_else(|| missing("partner"))?;
        text(given, "customer").ok_or_else(|| missing("customer"))?;
        let mut partner = given.clone();
        let (mk_id, main_address) = (self.next_id(), self.next_id());
        let mut addresses = vec![json!({
            "mk_id": main_address, "address_type": "Račun", "street": given.get("street"),
            "post_number": given.get("post_number"), "city": given.get("place"),
            "country": given.get("country"),
        })];
        if let Some(Value::Object(delivery)) = partner.remove("partner_delivery_address") {
            let mut delivery = delivery;
            delivery.insert("mk_id".into(), json!(self.next_id()));
            addresses.push(Value::Object(delivery));
        }
        let contact_id = self.next_id();
        let mut contacts = Vec::new();
        if let Some(Value::Object(mut contact)) = partner.remove("partner_contact") {
            contact.insert("mk_id".into(), json!(contact_id));
            contact.insert("mk_address_id".into(), json!(main_address));
            contacts.push(Value::Object(contact));
        }
        partner.insert("mk_id".into(), json!(mk_id));
        partner.insert(
            "count_code".into(),
            json!((self.partners.len() + 1).to_string()),
        );
        partner.insert("partner_contact_list".into(), Value::Array(contacts));
        partner.insert(
            "partner_delivery_address_list".into(),
            Value::Array(addresses.clone()),
        );
        self.partners.push(partner);
        let ids: Vec<Value> = addresses
            .iter()
            .map(|a| json!({"mk_id": a["mk_id"], "street": a["street"]}))
            .collect();
        Ok(json!({"mk_id": mk_id, "mk_contact_id": contact_id, "mk_address_id_list": ids}))
    }

    /// Answers the partner as it now is, without `opr_code`.
    pub fn update_partner(&mut self, body: &Map<String, Value>) -> Answer {
        let changes = body
            .get("partner")
            .and_then(Value::as_object)
            .ok_or_else(|| missing("partner"))?;
        let mk_id = text(changes, "mk_id")
            .ok_or_else(|| missing("mk_id"))?
            .to_owned();
        let mut new_ids = Vec::new();
        for list in ["partner_contact_list", "partner_delivery_address_list"] {
            for _ in changes
                .get(list)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                new_ids.push(self.next_id());
            }
        }
        let partner = (self.partners.iter_mut())
            .find(|p| text(p, "mk_id") == Some(mk_id.as_str()))
            .ok_or_else(|| ("2", format!("Partner not found : {mk_id}")))?;
        let mut new_ids = new_ids.into_iter();
        for (key, value) in changes {
            match (key.as_str(), value) {
                ("mk_id", _) => {}
                (
                    list @ ("partner_contact_list" | "partner_delivery_address_list"),
                    Value::Array(items),
                ) => {
                    let id_key = if list == "partner_contact_list" {
                        "mk_address_id"
                    } else {
                        "mk_id"
                    };
                    let existing = partner[list].as_array_mut().expect("kept as a list");
                    for item in items.iter().filter_map(Value::as_object) {
                        let id = item.get(id_key).cloned();
                        match existing
                            .iter_mut()
                            .find(|e| id.is_some() && e.get(id_key) == id.as_ref())
                        {
                            Some(Value::Object(found))
                                if list == "partner_delivery_address_list" =>
                            {
                                merge(found, item)
                            }
                            _ => {
                                let mut added = item.clone();
                                added.insert("mk_id".into(), json!(new_ids.next()));
                                existing.push(Value::Object(added));
                            }
                        }
                    }
                }
                (key, value) => {
                    partner.insert(key.to_owned(), value.clone());
                }
            }
        }
        Ok(json!({"partner_list_count": "1", "partner_list": [partner.clone()]}))
    }

    fn doc_type(body: &Map<String, Value>) -> Result<(&'static str, &'static str), Refusal> {
        let wanted = text(body, "doc_type").ok_or_else(|| missing("doc_type"))?;
        (DOC_TYPES.iter().copied())
            .find(|(name, _)| *name == wanted)
            .ok_or_else(|| ("2", format!("Unknown document type : {wanted}")))
    }

    pub fn put_document(&mut self, body: &Map<String, Value>) -> Answer {
        let (doc_type, prefix) = Self::doc_type(body)?;
        let mut document = without_credentials(body);
        let mk_id = self.next_id();
        let count_code = match text(body, "count_code") {
            Some(code) => code.to_owned(),
            None => {
                let number = self.numbers.entry(doc_type).or_insert(0);
                *number += 1;
                format!("{prefix}{number}")
            }
        };
        let mut sum = Decimal::ZERO;
        if let Some(Value::Array(lines)) = document.get_mut("product_list") {
            for line in lines.iter_mut().filter_map(Value::as_object_mut) {
                let amount = decimal(text(line, "amount").unwrap_or("0"));
                sum += amount * decimal(text(line, "price").unwrap_or("0"));
                self.ids += 1;
                line.insert("mk_row_id".into(), json!(format!("1700{:06}", self.ids)));
            }
        }
        document.insert("mk_id".into(), json!(mk_id));
        document.insert("count_code".into(), json!(count_code));
        document.insert("sum_basic".into(), json!(sum.normalize().to_string()));
        self.documents.push(document);
        Ok(ok(Map::from_iter([
            ("mk_id".into(), json!(mk_id)),
            ("count_code".into(), json!(count_code)),
        ])))
    }

    fn find_document(
        &mut self,
        body: &Map<String, Value>,
        id_key: &str,
    ) -> Result<&mut Map<String, Value>, Refusal> {
        let (doc_type, _) = Self::doc_type(body)?;
        let by = [
            (id_key, "mk_id"),
            ("count_code", "count_code"),
            ("buyer_order", "buyer_order"),
        ]
        .into_iter()
        .find_map(|(asked, kept)| text(body, asked).map(|v| (kept, v.to_owned())))
        .ok_or_else(|| missing(id_key))?;
        (self.documents.iter_mut())
            .find(|d| text(d, "doc_type") == Some(doc_type) && text(d, by.0) == Some(by.1.as_str()))
            .ok_or_else(|| ("2", format!("Document not found : {}", by.1)))
    }

    pub fn get_document(&mut self, body: &Map<String, Value>) -> Answer {
        let document = self.find_document(body, "doc_id")?;
        Ok(ok(document.clone()))
    }

    pub fn update_document(&mut self, body: &Map<String, Value>) -> Answer {
        let document = self.find_document(body, "mk_id")?;
        let mut changes = without_credentials(body);
        changes.remove("doc_type");
        merge(document, &changes);
        Ok(ok(Map::new()))
    }

    pub fn search(&self, body: &Map<String, Value>) -> Answer {
        let (doc_type, _) = Self::doc_type(body)?;
        let (offset, limit) = window(body, MAX_SEARCH);
        let query = text(body, "query").map(str::to_lowercase);
        let whole = text(body, "result") == Some("doc");
        let found: Vec<&Map<String, Value>> = (self.documents.iter())
            .filter(|d| text(d, "doc_type") == Some(doc_type))
            .filter(|d| {
                query.as_ref().is_none_or(|q| {
                    let partner = d
                        .get("partner")
                        .and_then(|p| p.get("customer"))
                        .and_then(Value::as_str);
                    [
                        text(d, "count_code"),
                        text(d, "title"),
                        text(d, "buyer_order"),
                        partner,
                    ]
                    .into_iter()
                    .flatten()
                    .any(|field| field.to_lowercase().contains(q))
                })
            })
            .collect();
        let page: Vec<Value> = (found.iter().skip(offset).take(limit))
            .map(|d| match whole {
                true => ok((*d).clone()),
                false => {
                    json!({"mk_id": d["mk_id"], "opr_code": "0", "count_code": d["count_code"]})
                }
            })
            .collect();
        Ok(ok(Map::from_iter([
            ("result_all_records".into(), json!(found.len().to_string())),
            ("result_count".into(), json!(page.len().to_string())),
            ("offset".into(), json!(offset.to_string())),
            ("limit".into(), json!(limit.to_string())),
            ("result".into(), Value::Array(page)),
        ])))
    }
}

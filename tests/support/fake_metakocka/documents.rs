//! Documents in the fake: `put_document` (numbered per type, `PP-1`, `PP-2`, ...),
//! `get_document`, `update_document` and `search` (at most 100 a call, `result_all_records`
//! counting every match), refusing an unknown type with Metakocka's own text.

use super::{
    Answer, Books, DOC_TYPES, MAX_SEARCH, Refusal, decimal, merge, missing, ok, text, window,
    without_credentials,
};
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

impl Books {
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

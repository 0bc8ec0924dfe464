//! Partners in the fake: `get_partner`, `add_partner`, `update_partner`, which answer
//! without `opr_code` when they succeed (`get_partner.md`, `add_partner.md`,
//! `update_partner.md`).

use super::{Answer, Books, merge, missing, text};
use serde_json::{Map, Value, json};

impl Books {
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
}

//! Issue 8 §6: every operation of the served OpenAPI spec, called by company B's admin with
//! company A's ids and markers in its path, query and body. Nothing of A's may come back
//! and nothing of A's may change.
//!
//! Each call has a control: company C's admin makes the same call with ghost values (the same
//! shape, existing nowhere). B and C start alike and make the same calls, so B's answer must
//! have C's status: a different one would tell B that A's id exists. A leak is any A value in
//! B's answer that B did not send itself, or a status that differs from the control's.

mod world;

use crate::helpers::{TestApp, engines, spawn_app_with};
use crate::openapi::operations;
use reqwest::Method;
use serde_json::{Map, Value, json};
use world::{Values, seed_company_a};

/// A's own view of its data, read before and after the sweep.
const A_VIEWS: [&str; 14] = [
    "/api/dashboard/pages",
    "/api/dashboard/crm-links/all",
    "/api/products",
    "/api/contacts",
    "/api/sales-documents",
    "/api/emails",
    "/api/emails/templates",
    "/api/metakocka/credentials",
    "/api/integrations/metakocka/logs",
    "/api/dashboard/replies",
    "/api/dashboard/conversations",
    "/api/integrations/metakocka/settings",
    "/api/integrations/metakocka/sync/runs",
    "/api/integrations/metakocka/conflicts",
];

async fn snapshot(app: &TestApp, token: &str) -> Vec<(String, u16, Value)> {
    let mut views = Vec::new();
    for path in A_VIEWS {
        let response = app.get(path, token).await;
        let status = response.status().as_u16();
        views.push((path.to_owned(), status, response.json().await.unwrap()));
    }
    views
}

/// The value a parameter or body field of this name gets in a run.
fn value_for(name: &str, path: &str, v: &Values) -> Option<Value> {
    let text = |s: &String| Some(json!(s));
    match name {
        "page_id" => text(&v.page),
        "page_name" => text(&v.page_name),
        "access_token" => Some(json!("sweep-page-token")),
        "url" => text(&v.link_url),
        "name" => text(&v.link_name),
        "api_key" => text(&v.link_key),
        "channels" => Some(json!(["messenger"])),
        "channel" => Some(json!("messenger")),
        "is_active" => Some(json!(false)),
        "link_id" => text(&v.link_id),
        "product_id" | "crm_id" | "entity_id" | "mk_id" => text(&v.product),
        "product_ids" => Some(json!([v.product])),
        "contact_id" | "partner_id" => text(&v.contact),
        "contact_ids" => Some(json!([v.contact])),
        "document_id" => text(&v.document),
        "document_ids" => Some(json!([v.document])),
        "email_id" => text(&v.email),
        "template_id" => text(&v.template),
        "ids" => Some(json!([v.error_id])),
        "filter" => Some(json!({"entity_id": v.product})),
        "company_id" => text(&v.mk_company),
        "secret_key" => text(&v.mk_secret),
        "email" => text(&v.admin_email),
        "password" => Some(json!("not the password")),
        "q" | "search" => text(&v.product_code),
        "psid" => Some(json!("psid-1")),
        "kind" => Some(json!("product")),
        "action" => Some(json!("repair")),
        "use" => Some(json!("crm")),
        "id" => Some(json!(id_in(path, v))),
        _ => None,
    }
}

/// Which of A's records an `{id}` of this path names.
fn id_in(path: &str, v: &Values) -> String {
    let by_prefix = [
        ("/api/products/", &v.product),
        ("/api/contacts/", &v.contact),
        ("/api/sales-documents/", &v.document),
        ("/api/emails/templates/", &v.template),
        ("/api/emails/", &v.email),
        ("/api/integrations/metakocka/contacts/", &v.contact),
        ("/api/integrations/metakocka/sales-documents/", &v.document),
        ("/api/integrations/metakocka/logs/", &v.error_id),
        ("/api/dashboard/replies/", &v.reply),
    ];
    by_prefix
        .iter()
        .find(|(prefix, _)| path.starts_with(prefix))
        // Runs and conflicts: A has none, so any of A's ids stands in.
        .map_or(&v.product, |(_, id)| id)
        .to_string()
}

/// The JSON schema at `schema`, following `$ref`s and the first alternative of a `oneOf`.
fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    if let Some(target) = schema["$ref"].as_str() {
        return resolve(spec, spec.pointer(target.trim_start_matches('#')).unwrap());
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(first) = schema[key].as_array().and_then(|alternatives| {
            alternatives
                .iter()
                .find(|s| s["type"] != "null" && s.get("$ref").or(s.get("properties")).is_some())
        }) {
            return resolve(spec, first);
        }
    }
    schema
}

/// A request body for the operation: the schema's fields filled from `v`, or (for records
/// the spec shows as a plain object) the whole record as A created it.
fn body_for(spec: &Value, operation: &Value, path: &str, v: &Values) -> Option<Value> {
    let content = operation["requestBody"]["content"].as_object()?;
    let (content_type, media) = content.iter().next()?;
    if content_type != "application/json" {
        return None;
    }
    let schema = resolve(spec, &media["schema"]);
    if let Some(properties) = schema["properties"].as_object() {
        let fields: Map<String, Value> = properties
            .keys()
            .filter_map(|name| value_for(name, path, v).map(|value| (name.clone(), value)))
            .collect();
        return Some(Value::Object(fields));
    }
    let record = [
        ("/api/products", v.product_body()),
        ("/api/contacts", v.contact_body()),
        ("/api/sales-documents", v.document_body()),
        ("/api/emails/templates", v.template_body()),
        ("/api/emails", v.email_body()),
        ("/api/dashboard/crm-links", v.link_body()),
        (
            "/api/integrations/metakocka/settings",
            json!({"product": {"auto": true}}),
        ),
    ];
    record
        .into_iter()
        .find(|(prefix, _)| path.starts_with(prefix))
        .map(|(_, body)| body)
        .or(Some(json!({})))
}

/// The concrete request of an operation in one run.
struct Call {
    method: Method,
    url: String,
    body: Option<Value>,
}

fn call_for(spec: &Value, method: &str, path: &str, v: &Values) -> Call {
    let operation = &spec["paths"][path][method];
    let mut url = path.to_owned();
    let mut query = Vec::new();
    for parameter in operation["parameters"].as_array().into_iter().flatten() {
        let name = parameter["name"].as_str().unwrap();
        let Some(value) = value_for(name, path, v) else {
            continue;
        };
        let text = match &value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        match parameter["in"].as_str() {
            Some("path") => url = url.replace(&format!("{{{name}}}"), &text),
            Some("query") => query.push(format!("{name}={}", urlencode(&text))),
            _ => {}
        }
    }
    if !query.is_empty() {
        url = format!("{url}?{}", query.join("&"));
    }
    Call {
        method: Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(),
        url,
        body: body_for(spec, operation, path, v),
    }
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn send(app: &TestApp, token: &str, call: &Call) -> (u16, String) {
    let response = app
        .request(
            call.method.clone(),
            &call.url,
            Some(token),
            call.body.clone(),
        )
        .await;
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

#[tokio::test]
async fn company_b_reaches_nothing_of_company_a_through_any_route_of_the_spec() {
    for engine in engines() {
        let app = spawn_app_with(engine, |settings| {
            // Nothing in the sweep may reach the internet, and nothing runs on a timer.
            settings.metakocka_base_url = "http://127.0.0.1:9".into();
            settings.graph_api_base_url = "http://127.0.0.1:9".into();
            settings.llm_base_url = None;
            settings.metakocka_inventory_refresh_minutes = 0;
            settings.metakocka_sync_schedule = false;
        })
        .await;
        let (a, a_token) = seed_company_a(&app).await;
        let (_, b_token) = app.company_with_admin("Company B").await;
        let (_, c_token) = app.company_with_admin("Company C").await;
        // Page ids are Facebook's and so global: registering one that another company has
        // answers 409 by design. C's control registers such a page, like B does.
        let (_, z_token) = app.company_with_admin("Company Z").await;
        assert_eq!(app.register_page(&z_token, "799999555").await.status(), 201);
        let ghost = Values::ghost();
        let before = snapshot(&app, &a_token).await;

        let spec: Value = app
            .request(Method::GET, "/api/openapi.json", None, None)
            .await
            .json()
            .await
            .unwrap();
        let operations = operations(&spec);
        let mut leaks = Vec::new();
        // The positive control: A's own reads with the same values do find A's data, so the
        // fills aim at real records and the leak check can see them.
        let mut a_reads_finding_a = 0;
        let mut b_statuses = std::collections::BTreeMap::<u16, usize>::new();
        for (method, path) in &operations {
            let b_call = call_for(&spec, method, path, &a);
            let mut c_call = call_for(&spec, method, path, &ghost);
            if (method.as_str(), path.as_str()) == ("post", "/api/dashboard/pages") {
                let mut z_values = ghost.clone();
                z_values.page = "799999555".into();
                c_call = call_for(&spec, method, path, &z_values);
            }
            let (b_status, b_body) = send(&app, &b_token, &b_call).await;
            let (c_status, _) = send(&app, &c_token, &c_call).await;
            *b_statuses.entry(b_status).or_default() += 1;
            let sent = format!("{} {}", b_call.url, b_call.body.clone().unwrap_or_default());
            if method == "get" {
                let (_, a_body) = send(&app, &a_token, &b_call).await;
                let unsent = |value: &&str| !sent.contains(*value) && a_body.contains(*value);
                if a.distinctive().iter().any(unsent) {
                    a_reads_finding_a += 1;
                }
            }
            for value in a.distinctive() {
                if !sent.contains(value) && b_body.contains(value) {
                    leaks.push(format!("{method} {path}: the answer holds A's {value:?}"));
                }
            }
            let documented = &spec["paths"][path][method]["responses"];
            for status in [b_status, c_status] {
                assert!(
                    documented.get(status.to_string()).is_some(),
                    "{engine:?}: {method} {path} answered {status}, which the spec does not list"
                );
            }
            if b_status != c_status {
                leaks.push(format!(
                    "{method} {path}: {b_status} with A's values, {c_status} with ghost values"
                ));
            }
        }
        let after = snapshot(&app, &a_token).await;
        for (old, new) in before.iter().zip(&after) {
            assert_eq!(old, new, "{engine:?}: A's {} changed", old.0);
        }
        println!(
            "isolation sweep ({engine:?}): {} routes × 1 attempt with A's values (+1 ghost control each) = {} attempts, {} leaks; B's statuses {b_statuses:?}; A's own reads finding A's data: {a_reads_finding_a}",
            operations.len(),
            operations.len(),
            leaks.len()
        );
        assert!(
            a_reads_finding_a >= 15,
            "{engine:?}: only {a_reads_finding_a} of A's own reads found A's data"
        );
        assert!(
            leaks.is_empty(),
            "{engine:?}: {} leaks:\n{}",
            leaks.len(),
            leaks.join("\n")
        );
    }
}

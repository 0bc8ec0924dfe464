//! Finding the next page, and merging pages into one document (the rule is in the [`crate::crm`]
//! module doc).
//!
//! Next-page URLs come from, in order:
//! * an RFC 8288 `Link` header with `rel="next"` (GitHub, Shopify, many REST APIs);
//! * a body field: `next` (Django REST framework), `next_page_url` (Laravel), `nextRecordsUrl`
//!   (Salesforce), `paging.next.link` (HubSpot), `paging.next` as a string (Facebook Graph),
//!   `links.next` as a string or `{"href": ..}` (JSON:API, Laravel resources).
//!
//! Relative URLs are resolved against the page's own URL. A body field must look like a URL
//! (absolute http(s), or starting with `/` or `?`) since some APIs put an opaque cursor in
//! `next`, which resolving would turn into a nonsense URL.

use super::Body;
use serde_json::{Map, Value};
use url::Url;

/// The next page's URL, if the page names one.
pub fn next_page(link_headers: &[&str], body: &Body, page_url: &Url) -> Option<Url> {
    link_headers
        .iter()
        .find_map(|header| next_in_link_header(header))
        .and_then(|target| page_url.join(&target).ok())
        .or_else(|| match body {
            Body::Json(Value::Object(fields)) => next_in_body(fields, page_url),
            _ => None,
        })
}

/// The target of the first link with relation type `next` in one `Link` header value.
fn next_in_link_header(header: &str) -> Option<String> {
    let mut rest = header;
    loop {
        let start = rest.find('<')?;
        let end = start + rest[start..].find('>')?;
        let target = &rest[start + 1..end];
        let params_end = link_value_end(&rest[end + 1..]);
        let params = &rest[end + 1..end + 1 + params_end];
        if params.split(';').any(is_rel_next) {
            return Some(target.trim().to_owned());
        }
        rest = rest.get(end + 1 + params_end + 1..)?;
    }
}

/// The length of one link-value's parameters: up to the first comma outside quotes.
fn link_value_end(params: &str) -> usize {
    let mut quoted = false;
    for (i, c) in params.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => return i,
            _ => {}
        }
    }
    params.len()
}

/// `rel="next"`, `rel=next` or `rel="next last"`: relation types are space-separated and
/// compared case-insensitively (RFC 8288, section 3.3).
fn is_rel_next(param: &str) -> bool {
    let Some((name, value)) = param.split_once('=') else {
        return false;
    };
    name.trim().eq_ignore_ascii_case("rel")
        && value
            .trim()
            .trim_matches('"')
            .split_ascii_whitespace()
            .any(|relation| relation.eq_ignore_ascii_case("next"))
}

fn next_in_body(fields: &Map<String, Value>, page_url: &Url) -> Option<Url> {
    let candidates = [
        fields.get("next"),
        fields.get("next_page_url"),
        fields.get("nextRecordsUrl"),
        fields.get("paging").and_then(|p| p.get("next")),
        fields
            .get("paging")
            .and_then(|p| p.get("next"))
            .and_then(|n| n.get("link")),
        fields.get("links").and_then(|l| l.get("next")),
        fields
            .get("links")
            .and_then(|l| l.get("next"))
            .and_then(|n| n.get("href")),
    ];
    candidates
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .find_map(|text| url_like(text, page_url))
}

fn url_like(text: &str, page_url: &Url) -> Option<Url> {
    let text = text.trim();
    if text.starts_with('/') || text.starts_with('?') {
        return page_url.join(text).ok();
    }
    Url::parse(text)
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https"))
}

/// Fields that say where the next page is: removed from every document when they have that
/// shape, since "next: https://..." is no fact about a customer.
const NAVIGATION_FIELDS: [&str; 5] = ["next", "next_page_url", "nextRecordsUrl", "paging", "links"];

/// Per-page fields, removed once more than one page was merged, because the first page's
/// values would be wrong for the whole. (`total` and `count` stay: they describe the whole.)
const PAGE_FIELDS: [&str; 15] = [
    "meta",
    "page",
    "current_page",
    "per_page",
    "page_size",
    "last_page",
    "first_page_url",
    "last_page_url",
    "prev_page_url",
    "previous",
    "prev",
    "from",
    "to",
    "has_more",
    "path",
];

fn is_navigation(value: &Value) -> bool {
    match value {
        // A URL, a cursor, or null on the last page.
        Value::Null | Value::String(_) => true,
        Value::Object(fields) => ["next", "previous", "prev", "first", "last", "cursors"]
            .iter()
            .any(|key| fields.contains_key(*key)),
        // Laravel's page list: [{"url": .., "label": "Next &raquo;", "active": false}, ..].
        Value::Array(items) => {
            !items.is_empty()
                && items
                    .iter()
                    .all(|item| item.get("url").is_some() && item.get("label").is_some())
        }
        _ => false,
    }
}

/// Merges pages one by one into the document the rest of the pipeline sees.
#[derive(Debug, Default)]
pub struct PageMerger {
    merged: Option<Body>,
    pages: u32,
}

/// A page whose shape differs from the first: it cannot be merged without guessing.
#[derive(Debug, PartialEq, Eq)]
pub struct ShapeMismatch;

impl PageMerger {
    pub fn push(&mut self, page: Body) -> Result<(), ShapeMismatch> {
        let merged = match (self.merged.take(), page) {
            (None, first) => first,
            (Some(Body::Json(Value::Array(mut all))), Body::Json(Value::Array(more))) => {
                all.extend(more);
                Body::Json(Value::Array(all))
            }
            (Some(Body::Json(Value::Object(mut all))), Body::Json(Value::Object(more))) => {
                append_record_arrays(&mut all, more);
                Body::Json(Value::Object(all))
            }
            (Some(Body::Text(mut all)), Body::Text(more)) => {
                all.push('\n');
                all.push_str(&more);
                Body::Text(all)
            }
            (Some(first), _) => {
                self.merged = Some(first);
                return Err(ShapeMismatch);
            }
        };
        self.merged = Some(merged);
        self.pages += 1;
        Ok(())
    }

    /// The merged document, without its pagination fields.
    pub fn finish(self) -> Option<Body> {
        let pages = self.pages;
        self.merged.map(|body| match body {
            Body::Json(Value::Object(mut fields)) => {
                fields.retain(|key, value| {
                    let key = key.as_str();
                    let navigation = NAVIGATION_FIELDS.contains(&key);
                    let drop = if pages > 1 {
                        navigation || PAGE_FIELDS.contains(&key)
                    } else {
                        // One page: the names are common words, so look at the shape too.
                        navigation && is_navigation(value)
                    };
                    !drop
                });
                Body::Json(Value::Object(fields))
            }
            other => other,
        })
    }
}

fn append_record_arrays(all: &mut Map<String, Value>, more: Map<String, Value>) {
    for (key, value) in more {
        let Value::Array(records) = value else {
            continue;
        };
        if NAVIGATION_FIELDS.contains(&key.as_str()) || PAGE_FIELDS.contains(&key.as_str()) {
            continue;
        }
        match all.get_mut(&key) {
            Some(Value::Array(existing)) => existing.extend(records),
            Some(_) => {}
            None => {
                all.insert(key, Value::Array(records));
            }
        }
    }
}

#[cfg(test)]
mod tests;

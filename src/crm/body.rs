//! Bodies: reading one within the size budget, and deciding whether it is JSON or text.
//!
//! The budget covers all pages of a fetch together and is enforced while streaming: a chunk
//! that would cross it is never appended, so a CRM that sends gigabytes costs at most the limit
//! in memory. `Content-Length`, when given, fails the page before any byte is read.

use super::FetchError;
use serde_json::Value;

/// A fetched or pushed document.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    Json(Value),
    Text(String),
}

/// Parses a pushed or fetched body. A JSON content type (`application/json`, `text/json`,
/// `application/*+json`) must hold valid JSON; without one, a body that starts like a JSON
/// object or array and parses is JSON, and anything else is text. Sniffing is limited to
/// objects and arrays so that a text body of `42` or `true` stays text. A UTF-8 byte-order
/// mark, which some CRMs send, is skipped.
pub fn parse_body(bytes: &[u8], content_type: Option<&str>) -> Result<Body, FetchError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if content_type.is_some_and(is_json_content_type) {
        return serde_json::from_slice(bytes).map(Body::Json).map_err(|e| {
            FetchError::InvalidJson {
                line: e.line(),
                column: e.column(),
                detail: e.to_string(),
            }
        });
    }
    let looks_like_json = bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| matches!(b, b'{' | b'['));
    if looks_like_json {
        if let Ok(value) = serde_json::from_slice(bytes) {
            return Ok(Body::Json(value));
        }
    }
    // Lossy: one stray byte in a CSV export should not cost the whole file.
    Ok(Body::Text(String::from_utf8_lossy(bytes).into_owned()))
}

fn is_json_content_type(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json" || essence == "text/json" || essence.ends_with("+json")
}

/// How many body bytes a fetch may still read, over all its pages.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub limit: u64,
    pub used: u64,
}

impl Budget {
    pub fn new(limit: u64) -> Self {
        Self { limit, used: 0 }
    }

    fn take(&mut self, bytes: u64) -> Result<(), FetchError> {
        let used = self.used.saturating_add(bytes);
        if used > self.limit {
            return Err(FetchError::TooLarge { limit: self.limit });
        }
        self.used = used;
        Ok(())
    }

    fn remaining(&self) -> u64 {
        self.limit - self.used
    }
}

/// Reads a response body, charging every byte to `budget`.
pub async fn read_within(
    mut response: reqwest::Response,
    budget: &mut Budget,
    on_error: impl Fn(reqwest::Error) -> FetchError,
) -> Result<Vec<u8>, FetchError> {
    if response
        .content_length()
        .is_some_and(|declared| declared > budget.remaining())
    {
        return Err(FetchError::TooLarge {
            limit: budget.limit,
        });
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(&on_error)? {
        budget.take(chunk.len() as u64)?;
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// Reads at most what the budget allows from a file, for `file://` links.
pub async fn read_file_within(
    path: &std::path::Path,
    budget: &mut Budget,
) -> Result<Vec<u8>, FetchError> {
    use tokio::io::AsyncReadExt;
    let file = tokio::fs::File::open(path)
        .await
        .map_err(|e| FetchError::file(format!("cannot open {}: {e}", path.display())))?;
    // One byte past the budget tells "exactly at the limit" from "over it".
    let mut bytes = Vec::new();
    file.take(budget.remaining().saturating_add(1))
        .read_to_end(&mut bytes)
        .await
        .map_err(|e| FetchError::file(format!("cannot read {}: {e}", path.display())))?;
    budget.take(bytes.len() as u64)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_content_types_must_hold_json() {
        for content_type in [
            "application/json",
            "application/json; charset=utf-8",
            "Application/JSON",
            "application/vnd.api+json",
            "text/json",
        ] {
            assert_eq!(
                parse_body(br#"{"a": 1}"#, Some(content_type)).unwrap(),
                Body::Json(json!({"a": 1})),
                "{content_type}"
            );
        }
        let err = parse_body(b"{\n  \"a\": 1,\n  oops\n}", Some("application/json")).unwrap_err();
        let FetchError::InvalidJson { line, column, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!((*line, *column), (3, 3));
        assert_eq!(err.kind(), "invalid_json");
        assert!(err.to_string().contains("line 3 column 3"), "{err}");
    }

    #[test]
    fn bodies_without_a_json_type_are_sniffed() {
        assert_eq!(
            parse_body(b"  [1, 2]", Some("text/plain")).unwrap(),
            Body::Json(json!([1, 2]))
        );
        assert_eq!(
            parse_body(br#"{"a": "b"}"#, None).unwrap(),
            Body::Json(json!({"a": "b"}))
        );
        assert_eq!(
            parse_body(b"{not json", None).unwrap(),
            Body::Text("{not json".into())
        );
        assert_eq!(parse_body(b"42", None).unwrap(), Body::Text("42".into()));
        assert_eq!(
            parse_body(
                "Opening hours: 8-16\nČetrtek zaprto".as_bytes(),
                Some("text/plain")
            )
            .unwrap(),
            Body::Text("Opening hours: 8-16\nČetrtek zaprto".into())
        );
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        assert_eq!(
            parse_body(b"\xEF\xBB\xBF{\"a\": 1}", Some("application/json")).unwrap(),
            Body::Json(json!({"a": 1}))
        );
    }

    #[test]
    fn the_budget_counts_over_all_pages() {
        let mut budget = Budget::new(10);
        budget.take(6).unwrap();
        budget.take(4).unwrap();
        assert_eq!(
            budget.take(1).unwrap_err(),
            FetchError::TooLarge { limit: 10 }
        );
    }
}

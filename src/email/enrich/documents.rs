//! Document numbers in an email (`2024-00123`, `PO-1234`, Metakocka's own `PP-18495`),
//! confirmed through Metakocka's `search`: a number is only a document when Metakocka has
//! one with that `count_code` (or that `buyer_order`, the customer's own number).
//! Numbers in the new text count more than numbers in a quoted or forwarded thread.

use super::{DocumentMatch, Enricher, MatchedBy};
use crate::email::StoredEmail;
use crate::metakocka::error_log::EntityType;
use crate::metakocka::types::{Document, SearchQuery};
use regex::Regex;

/// The patterns used when `CRM_MIND_EMAIL_DOCUMENT_PATTERNS` is unset: year-numbered
/// documents, purchase orders, and Metakocka's default numbering of orders, offers and bills.
pub const DEFAULT_PATTERNS: &[&str] = &[
    r"\b\d{4}-\d{5}\b",
    r"\bPO-\d+\b",
    r"\b(?:PP|PON|RA|RAT)-\d+\b",
];

/// The sales document types a number is looked up in, most asked-about first.
const DOC_TYPES: &[&str] = &[
    "sales_order",
    "sales_bill_domestic",
    "sales_bill_foreign",
    "sales_offer",
];

/// Numbers looked up per email at most, so a long thread cannot start a search storm.
const MAX_NUMBERS: usize = 6;

/// The company's document number patterns, compiled.
#[derive(Debug, Clone)]
pub struct DocumentPatterns(Vec<Regex>);

impl DocumentPatterns {
    /// `source` holds patterns separated by whitespace; `None` takes [`DEFAULT_PATTERNS`].
    pub fn parse(source: Option<&str>) -> Result<Self, regex::Error> {
        let patterns: Vec<&str> = match source {
            Some(text) if !text.trim().is_empty() => text.split_whitespace().collect(),
            _ => DEFAULT_PATTERNS.to_vec(),
        };
        patterns
            .into_iter()
            .map(Regex::new)
            .collect::<Result<_, _>>()
            .map(Self)
    }

    /// These patterns (a company's own, each whole, spaces and all).
    pub fn from_patterns(patterns: &[String]) -> Result<Self, regex::Error> {
        (patterns.iter())
            .map(|p| Regex::new(p))
            .collect::<Result<_, _>>()
            .map(Self)
    }

    /// The patterns, as written.
    pub fn sources(&self) -> Vec<String> {
        self.0.iter().map(|re| re.as_str().to_owned()).collect()
    }

    /// The distinct numbers in `text`, in order of appearance.
    pub fn numbers(&self, text: &str) -> Vec<String> {
        let mut found: Vec<(usize, String)> = self
            .0
            .iter()
            .flat_map(|re| {
                re.find_iter(text)
                    .map(|m| (m.start(), m.as_str().to_owned()))
            })
            .collect();
        found.sort();
        let mut numbers: Vec<String> = Vec::new();
        for (_, number) in found {
            if !numbers.contains(&number) {
                numbers.push(number);
            }
        }
        numbers
    }
}

pub(super) async fn find(
    enricher: &mut Enricher<'_>,
    email: &StoredEmail,
) -> (Vec<DocumentMatch>, Vec<String>) {
    let own = enricher.patterns.numbers(&email.analysed_text());
    let quoted = email
        .body
        .quoted
        .as_deref()
        .map(|q| enricher.patterns.numbers(q))
        .unwrap_or_default();
    let mut candidates: Vec<(String, bool)> = own.into_iter().map(|n| (n, true)).collect();
    for number in quoted {
        if !candidates.iter().any(|(n, _)| *n == number) {
            candidates.push((number, false));
        }
    }
    candidates.truncate(MAX_NUMBERS);
    let (mut found, mut unconfirmed) = (Vec::new(), Vec::new());
    for (number, in_new_text) in candidates {
        match confirm(enricher, &number).await {
            Some((document, matched_by)) => {
                found.push(document_match(document, &number, matched_by, in_new_text));
            }
            None => unconfirmed.push(number),
        }
    }
    (found, unconfirmed)
}

/// The document Metakocka has under `number`, searching each sales type in turn.
async fn confirm(enricher: &mut Enricher<'_>, number: &str) -> Option<(Document, MatchedBy)> {
    let (client, credentials) = enricher.metakocka?;
    for doc_type in DOC_TYPES {
        let query = SearchQuery {
            doc_type: (*doc_type).to_owned(),
            query: Some(number.to_owned()),
            result: Some("doc".to_owned()),
            ..SearchQuery::default()
        };
        let documents = match client.search_all(credentials, &query).await {
            Ok(documents) => documents,
            Err(e) => {
                let what = format!("document {number}");
                enricher
                    .metakocka_failed(EntityType::SalesDocument, &what, e)
                    .await;
                return None;
            }
        };
        let same = |field: &Option<String>| {
            field
                .as_deref()
                .is_some_and(|v| v.eq_ignore_ascii_case(number))
        };
        for mut document in documents {
            document
                .doc_type
                .get_or_insert_with(|| (*doc_type).to_owned());
            if same(&document.count_code) {
                return Some((document, MatchedBy::DocumentNumber));
            }
            if same(&document.buyer_order) {
                return Some((document, MatchedBy::BuyerOrder));
            }
        }
    }
    None
}

fn document_match(
    document: Document,
    number: &str,
    matched_by: MatchedBy,
    in_new_text: bool,
) -> DocumentMatch {
    let field = match matched_by {
        MatchedBy::BuyerOrder => "the customer's order number",
        _ => "the number",
    };
    let place = if in_new_text {
        "the email"
    } else {
        "the quoted thread"
    };
    DocumentMatch {
        doc_type: document.doc_type.unwrap_or_default(),
        mk_id: document.mk_id.unwrap_or_default(),
        count_code: document.count_code.unwrap_or_else(|| number.to_owned()),
        mentioned_as: number.to_owned(),
        title: document.title,
        status: document.status_code,
        doc_date: document.doc_date,
        total: document.sum_all.or(document.sum_basic),
        currency: document.currency_code,
        partner_name: document.partner.and_then(|p| p.customer),
        reason: format!("{number} in {place} is {field} of a Metakocka document"),
        matched_by,
        confidence: match (matched_by, in_new_text) {
            (MatchedBy::DocumentNumber, true) => 0.95,
            (_, true) => 0.9,
            (_, false) => 0.75,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_patterns_find_numbers_in_order_once() {
        let patterns = DocumentPatterns::parse(None).unwrap();
        let text =
            "Order 2024-00123 (PO-77) and invoice RA-12; again 2024-00123, not 12024-001234.";
        assert_eq!(patterns.numbers(text), ["2024-00123", "PO-77", "RA-12"]);
    }

    #[test]
    fn configured_patterns_replace_the_defaults() {
        let patterns = DocumentPatterns::parse(Some(r"\bNAR\d{6}\b")).unwrap();
        assert_eq!(patterns.numbers("NAR000123 and 2024-00123"), ["NAR000123"]);
        assert!(DocumentPatterns::parse(Some("(")).is_err());
    }
}

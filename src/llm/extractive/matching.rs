//! Which facts answer the question: the fact lines are read back into records, the question
//! into meaningful words, and the record that shares most with the question is picked, with
//! the fields the question asks about.
//!
//! Facts are flattened CRM chunks (see [`crate::rag::flatten`]), one `path: value` line per
//! scalar, e.g. `products[3].name: Pohodni čevlji Alpina`. A record is the set of lines with
//! the same top-level prefix (`products[3]`) from the same source. Matching uses the terms of
//! [`crate::rag::lexical::terms`], so it shares retrieval's view of text: diacritics folded,
//! codes kept whole, longer words also matched by their stem (`čevljev` ~ `čevlji`).
//!
//! Question words play one of two parts:
//! * **attribute words** name a field (`price`, `cena`, `stock`, `zaloga`, with a small table
//!   of synonyms across both languages): they choose which lines to show;
//! * **subject words** are everything else (`Alpina`, `SKU-12-B`, `boots`): they choose the
//!   record, and must match one of its values. A question whose subject matches nothing
//!   ("the price of a Ferrari") picks nothing, rather than the price of something else.

use super::super::Fact;
use super::language::is_stop_word;
use crate::rag::lexical::terms;
use std::collections::HashSet;

/// At most this many lines of a record are shown: a reply, not a data dump.
pub const MAX_LINES: usize = 8;

/// Field words that mean the same thing, folded; a question word in a group matches a field
/// named by any word of it.
const FIELD_SYNONYMS: &[&[&str]] = &[
    &[
        "price", "prices", "cost", "costs", "cena", "cene", "ceno", "stane", "stanejo", "amount",
        "total", "znesek",
    ],
    &[
        "stock",
        "zaloga",
        "zalogi",
        "zalogo",
        "available",
        "availability",
        "inventory",
        "quantity",
        "qty",
        "kolicina",
    ],
    &["status", "stanje", "state"],
    &[
        "delivery", "shipping", "shipment", "tracking", "dostava", "dostave", "dostavo",
        "posiljka", "sledenje",
    ],
    &["address", "naslov", "naslova"],
    &["phone", "telefon", "tel", "gsm", "mobile"],
    &["email", "mail", "eposta"],
    &["size", "velikost", "velikosti"],
    &["color", "colour", "barva", "barve"],
];

/// A record's identity: the fact's source and the top-level path prefix.
type RecordKey<'a> = (&'a str, &'a str);

/// How well a record matches: subject score, then attribute hits.
type Score = (u32, usize);

/// One line of a fact, read back.
#[derive(Debug)]
pub struct Line<'a> {
    /// The source and top-level path prefix the line belongs to.
    record: RecordKey<'a>,
    /// What the reply shows: the line without its record prefix (`price: 129.9`), or the
    /// whole line when it has no path.
    pub shown: &'a str,
    value_terms: HashSet<String>,
    field_terms: HashSet<String>,
}

/// A meaningful word of the question.
#[derive(Debug)]
struct Word {
    /// The word as one term (a code stays whole).
    whole: String,
    /// Its stem or the parts of a code: weaker evidence.
    others: Vec<String>,
    synonyms: &'static [&'static str],
}

impl Word {
    /// 2 for the word itself among the value's terms, 1 for its stem or a part, else 0.
    fn value_weight(&self, line: &Line) -> u32 {
        if line.value_terms.contains(&self.whole) {
            2
        } else if self.others.iter().any(|t| line.value_terms.contains(t)) {
            1
        } else {
            0
        }
    }

    fn names_field_of(&self, line: &Line) -> bool {
        line.field_terms.contains(&self.whole)
            || self.others.iter().any(|t| line.field_terms.contains(t))
            || self.synonyms.iter().any(|t| line.field_terms.contains(*t))
    }
}

/// The lines to answer with, in the record's order; empty when nothing answers the question.
pub fn best_lines<'a>(question: &str, facts: &'a [Fact]) -> Vec<&'a str> {
    let words = meaningful_words(question);
    let lines: Vec<Line> = facts.iter().flat_map(read_lines).collect();
    if words.is_empty() || lines.is_empty() {
        return Vec::new();
    }
    let (attributes, subjects): (Vec<&Word>, Vec<&Word>) = words
        .iter()
        .partition(|word| lines.iter().any(|line| word.names_field_of(line)));

    let mut best: Option<(Score, RecordKey)> = None;
    for record in records_in_order(&lines) {
        let members = || lines.iter().filter(move |line| line.record == record);
        let subject_score: u32 = subjects
            .iter()
            .map(|word| {
                members()
                    .map(|line| word.value_weight(line))
                    .max()
                    .unwrap_or(0)
            })
            .sum();
        let attribute_hits = attributes
            .iter()
            .filter(|word| members().any(|line| word.names_field_of(line)))
            .count();
        let qualifies = if subjects.is_empty() {
            attribute_hits > 0
        } else {
            subject_score > 0
        };
        let score = (subject_score, attribute_hits);
        // Facts come best first, so on a tie the earlier record stays.
        if qualifies && best.is_none_or(|(best_score, _)| score > best_score) {
            best = Some((score, record));
        }
    }
    let Some((_, record)) = best else {
        return Vec::new();
    };

    let members: Vec<&Line> = lines.iter().filter(|line| line.record == record).collect();
    let asked = |line: &Line| attributes.iter().any(|word| word.names_field_of(line));
    let identifies = |line: &Line| subjects.iter().any(|word| word.value_weight(line) > 0);
    let any_asked = members.iter().any(|line| asked(line));
    let any_identifying = members.iter().any(|line| identifies(line));
    let mut shown: Vec<&str> = Vec::new();
    for (index, line) in members.iter().enumerate() {
        let wanted = !any_asked
            || asked(line)
            || identifies(line)
            // Without a matching value, the record's first line (its id or name) says whose
            // field it is.
            || (!any_identifying && index == 0);
        if wanted && !shown.contains(&line.shown) {
            shown.push(line.shown);
        }
    }
    shown.truncate(MAX_LINES);
    shown
}

fn meaningful_words(question: &str) -> Vec<Word> {
    let mut words: Vec<Word> = Vec::new();
    for raw in question.split_whitespace() {
        let mut terms = terms(raw).into_iter();
        let Some(whole) = terms.next() else { continue };
        if is_stop_word(&whole) || words.iter().any(|w| w.whole == whole) {
            continue;
        }
        let synonyms = FIELD_SYNONYMS
            .iter()
            .find(|group| group.contains(&whole.as_str()))
            .copied()
            .unwrap_or(&[]);
        words.push(Word {
            whole,
            others: terms.collect(),
            synonyms,
        });
    }
    words
}

fn read_lines(fact: &Fact) -> impl Iterator<Item = Line<'_>> {
    fact.text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(move |text| match text.split_once(": ") {
            Some((path, value)) if !path.is_empty() && !value.trim().is_empty() => {
                let prefix = record_prefix(path);
                // `products[3].price: 129.9` shows as `price: 129.9`; a top-level scalar
                // (`total_count: 5`) keeps its whole path, its only name.
                let shown = match text[prefix.len()..].strip_prefix('.') {
                    Some(rest) if !rest.starts_with(": ") => rest,
                    _ => text,
                };
                let field = shown.split_once(": ").map_or("", |(field, _)| field);
                Line {
                    record: (fact.source.as_str(), prefix),
                    shown,
                    value_terms: terms(value).into_iter().collect(),
                    field_terms: terms(field)
                        .into_iter()
                        .filter(|t| !t.chars().all(|c| c.is_ascii_digit()))
                        .collect(),
                }
            }
            // Plain text (a text body's chunk): each line is its own record.
            _ => Line {
                record: (fact.source.as_str(), text),
                shown: text,
                value_terms: terms(text).into_iter().collect(),
                field_terms: HashSet::new(),
            },
        })
}

/// The top-level record a path belongs to, as [`crate::rag::flatten::records`] groups them:
/// `products[3].name` -> `products[3]`, `[0].id` -> `[0]`, `company.address.city` ->
/// `company`.
fn record_prefix(path: &str) -> &str {
    if path.starts_with('[') {
        return path.find(']').map_or(path, |close| &path[..=close]);
    }
    let end = path.find(['.', '[']).unwrap_or(path.len());
    if path[end..].starts_with('[') {
        if let Some(close) = path[end..].find(']') {
            return &path[..end + close + 1];
        }
    }
    &path[..end]
}

fn records_in_order<'a>(lines: &[Line<'a>]) -> Vec<RecordKey<'a>> {
    let mut records = Vec::new();
    for line in lines {
        if !records.contains(&line.record) {
            records.push(line.record);
        }
    }
    records
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_prefix_follows_the_flattened_paths() {
        assert_eq!(record_prefix("products[3].name"), "products[3]");
        assert_eq!(record_prefix("products[3].variants[0].size"), "products[3]");
        assert_eq!(record_prefix("[0].id"), "[0]");
        assert_eq!(record_prefix("company.address.city"), "company");
        assert_eq!(record_prefix("total_count"), "total_count");
    }

    fn fact(text: &str) -> Fact {
        Fact {
            text: text.to_owned(),
            source: "shop".to_owned(),
        }
    }

    #[test]
    fn a_named_field_of_the_matching_record_is_shown_with_its_name() {
        let facts = [fact(
            "products[0].name: Sandals Riva\nproducts[0].price: 39.9\n\
             products[1].name: Alpina hiking boots\nproducts[1].price: 129.9\nproducts[1].stock: 14",
        )];
        assert_eq!(
            best_lines("What is the price of the Alpina boots?", &facts),
            ["name: Alpina hiking boots", "price: 129.9"]
        );
        assert_eq!(
            best_lines("Do you have Alpina boots?", &facts),
            ["name: Alpina hiking boots", "price: 129.9", "stock: 14"]
        );
        assert!(best_lines("What is the price of a Ferrari?", &facts).is_empty());
    }
}

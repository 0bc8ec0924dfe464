//! Flattening: a CRM's JSON response becomes the product guide's text format, one
//! `path: value` line per scalar, grouped by top-level record for the chunker.
//!
//! The format (guide, "Data Processing" → "Data Format Handling"):
//! * object keys are joined with `.`, array elements are written `[i]`:
//!   `customers[0].address.city: Ljubljana`;
//! * strings are written unquoted, numbers and booleans as JSON writes them (`42`, `19.9`, `true`);
//! * `null`, empty or blank strings, empty arrays and empty objects are skipped, so a line
//!   always carries a fact; an array keeps the original index of every element it writes, so a
//!   record's path does not depend on whether its neighbours were empty;
//! * keys keep the order the CRM sent them in (serde_json's `preserve_order`).
//!
//! One line per scalar must hold for every value, so a line break inside a key or a string is
//! written as the two characters `\n` (and a carriage return as `\r`). The text is for reading by
//! the embedding model and the reply writer, never parsed back, so this need not be reversible.

use serde_json::Value;

/// One top-level record: `customers[3]` with its lines `customers[3].id: cust-123`, ...
///
/// Records are the unit the chunker keeps together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The path every line of the record starts with: `customers[3]`, `company`, `[0]`.
    pub prefix: String,
    /// The record's `path: value` lines, in the order the CRM sent the fields.
    pub lines: Vec<String>,
}

impl Record {
    /// The record's text as the guide writes it: its lines joined with `\n`.
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }
}

/// The guide's format for a whole response: every `path: value` line, joined with `\n`.
///
/// A bare scalar at the top (a JSON string or number as the whole body) is written as its value
/// alone, since there is no path to name it.
pub fn flatten(value: &Value) -> String {
    let mut lines = Vec::new();
    write_lines(value, &mut String::new(), &mut lines);
    lines.join("\n")
}

/// The same lines as [`flatten`], grouped by top-level record.
///
/// * Top-level object: each element of an array field is a record (`customers[0]`); every other
///   field, scalar or object, is one record named by its key (`company`, `total_count`).
/// * Top-level array: each element is a record (`[0]`).
/// * A top-level scalar is one record with an empty prefix.
///
/// Records with no lines (null or empty) are left out. Concatenating every record's lines gives
/// exactly the lines of [`flatten`], in the same order.
pub fn records(value: &Value) -> Vec<Record> {
    let mut records = Vec::new();
    match value {
        Value::Object(fields) => {
            for (key, field) in fields {
                let key = escape_line_breaks(key);
                match field {
                    Value::Array(elements) => push_elements(&key, elements, &mut records),
                    _ => push_record(key.into_owned(), field, &mut records),
                }
            }
        }
        Value::Array(elements) => push_elements("", elements, &mut records),
        scalar => push_record(String::new(), scalar, &mut records),
    }
    records
}

fn push_elements(array_path: &str, elements: &[Value], records: &mut Vec<Record>) {
    for (index, element) in elements.iter().enumerate() {
        push_record(format!("{array_path}[{index}]"), element, records);
    }
}

fn push_record(prefix: String, value: &Value, records: &mut Vec<Record>) {
    let mut lines = Vec::new();
    let mut path = prefix.clone();
    write_lines(value, &mut path, &mut lines);
    if !lines.is_empty() {
        records.push(Record { prefix, lines });
    }
}

/// Appends the lines of `value`, found at `path`, to `lines`.
///
/// `path` is one buffer extended and truncated on the way down, so a deep document costs one
/// allocation per line rather than one per level.
fn write_lines(value: &Value, path: &mut String, lines: &mut Vec<String>) {
    match value {
        Value::Null => {}
        Value::Object(fields) => {
            for (key, field) in fields {
                let parent_len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(&escape_line_breaks(key));
                write_lines(field, path, lines);
                path.truncate(parent_len);
            }
        }
        Value::Array(elements) => {
            for (index, element) in elements.iter().enumerate() {
                let parent_len = path.len();
                path.push('[');
                path.push_str(&index.to_string());
                path.push(']');
                write_lines(element, path, lines);
                path.truncate(parent_len);
            }
        }
        Value::String(text) if text.trim().is_empty() => {}
        Value::String(text) => lines.push(line(path, &escape_line_breaks(text))),
        Value::Number(number) => lines.push(line(path, &number.to_string())),
        Value::Bool(flag) => lines.push(line(path, if *flag { "true" } else { "false" })),
    }
}

fn line(path: &str, value: &str) -> String {
    if path.is_empty() {
        value.to_owned()
    } else {
        format!("{path}: {value}")
    }
}

/// Keeps one scalar on one line: `\n` and `\r` become the two characters `\n` and `\r`.
fn escape_line_breaks(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains(['\n', '\r']) {
        text.replace('\n', "\\n").replace('\r', "\\r").into()
    } else {
        text.into()
    }
}

#[cfg(test)]
mod tests;

//! Splitting one record that is larger than a chunk.
//!
//! Every piece starts with the record's *header*, so a piece read alone still says whose facts
//! it holds: the record's first line (usually its id or name, `customers[7].id: cust-123`) when
//! that line is short (at most a quarter of the budget), else the bare prefix (`customers[7]`).
//! The rest of the record is cut by text-splitter at line boundaries; a single line longer than a
//! piece is cut inside its value first, each part written with the line's own path
//! (`customers[7].notes: ...`), so no piece holds a value without its path.

use super::{Chunk, Chunker};
use crate::rag::flatten::Record;
use text_splitter::{ChunkConfig, TextSplitter};

/// Pieces of `record` with paths `prefix#0`, `prefix#1`, ..., each within the chunker's budget.
pub(super) fn split_record(chunker: &Chunker, record: &Record) -> Vec<Chunk> {
    let counter = &chunker.counter;
    let budget = chunker.budget();
    let join = counter.join_cost();

    let first_line = record.lines.first().map(String::as_str).unwrap_or_default();
    let first_tokens = counter.count(first_line);
    let (header, body_lines) = if first_tokens <= budget / 4 {
        (Some((first_line, first_tokens)), &record.lines[1..])
    } else {
        let prefix_tokens = counter.count(&record.prefix);
        // A prefix too long to repeat (a pathological key) is left out rather than crowding
        // out the facts.
        let header =
            (prefix_tokens <= budget / 4).then_some((record.prefix.as_str(), prefix_tokens));
        (header, &record.lines[..])
    };
    let body_budget = match header {
        Some((_, tokens)) => budget - tokens - join,
        None => budget,
    };

    let mut body = String::new();
    for line in body_lines {
        for part in split_line(chunker, line, body_budget) {
            if !body.is_empty() {
                body.push('\n');
            }
            body.push_str(&part);
        }
    }

    let splitter = TextSplitter::new(ChunkConfig::new(body_budget).with_sizer(counter.sizer()));
    splitter
        .chunks(&body)
        .enumerate()
        .map(|(index, piece)| Chunk {
            path: format!("{}#{index}", record.prefix),
            text: match header {
                Some((header, _)) => format!("{header}\n{piece}"),
                None => piece.to_owned(),
            },
        })
        .collect()
}

/// `line` as it is when it fits `budget`, else cut inside its value into `path: part` lines.
fn split_line(chunker: &Chunker, line: &str, budget: usize) -> Vec<String> {
    let counter = &chunker.counter;
    if counter.count(line) <= budget {
        return vec![line.to_owned()];
    }
    let (path, value) = match line.split_once(": ") {
        Some((path, value)) => (format!("{path}: "), value),
        None => (String::new(), line),
    };
    let path_tokens = counter.count(&path);
    if path_tokens > budget / 2 {
        // Repeating a path this long would leave little room for the value: cut the line as is.
        return cut(chunker, line, budget)
            .into_iter()
            .map(str::to_owned)
            .collect();
    }
    cut(chunker, value, budget - path_tokens)
        .into_iter()
        .map(|part| format!("{path}{part}"))
        .collect()
}

fn cut<'text>(chunker: &Chunker, text: &'text str, budget: usize) -> Vec<&'text str> {
    let splitter = TextSplitter::new(ChunkConfig::new(budget).with_sizer(chunker.counter.sizer()));
    splitter.chunks(text).collect()
}

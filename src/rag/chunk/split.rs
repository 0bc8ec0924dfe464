//! Splitting one record that is larger than a chunk.
//!
//! Every piece starts with the record's *header*, so a piece read alone still says whose facts
//! it holds: the record's first line (usually its id or name, `customers[7].id: cust-123`) when
//! that line is short (at most a quarter of the budget), else the bare prefix (`customers[7]`).
//! The rest of the record is packed line by line into pieces; a single line longer than a piece
//! is cut inside its value by text-splitter first, each part written with the line's own path
//! (`customers[7].notes: ...`), so no piece holds a value without its path.

use super::{Chunk, Chunker};
use crate::rag::flatten::Record;
use text_splitter::{ChunkConfig, TextSplitter};

/// Pieces of `record` with paths `prefix#0`, `prefix#1`, ..., each within the chunker's budget.
/// `line_sizes` are the tokens of each line when the caller has counted them already.
pub(super) fn split_record(
    chunker: &Chunker,
    record: &Record,
    line_sizes: Option<&[usize]>,
) -> Vec<Chunk> {
    let counter = &chunker.counter;
    let budget = chunker.budget();
    let join = counter.join_cost();

    let first_line = record.lines.first().map(String::as_str).unwrap_or_default();
    let first_tokens = match line_sizes {
        Some(sizes) => sizes.first().copied().unwrap_or_default(),
        None => counter.count(first_line),
    };
    let (header, body_lines, body_sizes) = if first_tokens <= budget / 4 {
        let body_sizes = line_sizes.map(|sizes| &sizes[1..]);
        (
            Some((first_line, first_tokens)),
            &record.lines[1..],
            body_sizes,
        )
    } else {
        let prefix_tokens = counter.count(&record.prefix);
        // A prefix too long to repeat (a pathological key) is left out rather than crowding
        // out the facts.
        let header =
            (prefix_tokens <= budget / 4).then_some((record.prefix.as_str(), prefix_tokens));
        (header, &record.lines[..], line_sizes)
    };
    let body_budget = match header {
        Some((_, tokens)) => budget - tokens - join,
        None => budget,
    };

    // Lines are counted in one batch (spread over the cores) and packed greedily: tokenizing
    // each candidate piece again, as a general splitter must, made large records the slowest
    // part of chunking.
    let sizes = match body_sizes {
        Some(sizes) => sizes.to_vec(),
        None => counter.count_all(body_lines),
    };
    let mut pieces: Vec<String> = Vec::new();
    let mut open = String::new();
    let mut open_tokens = 0;
    for (line, size) in body_lines.iter().zip(sizes) {
        let parts = if size <= body_budget {
            vec![(line.clone(), size)]
        } else {
            split_line(chunker, line, body_budget)
        };
        for (part, tokens) in parts {
            if !open.is_empty() && open_tokens + join + tokens > body_budget {
                pieces.push(std::mem::take(&mut open));
                open_tokens = 0;
            }
            if !open.is_empty() {
                open.push('\n');
                open_tokens += join;
            }
            open.push_str(&part);
            open_tokens += tokens;
        }
    }
    if !open.is_empty() {
        pieces.push(open);
    }

    pieces
        .into_iter()
        .enumerate()
        .map(|(index, piece)| Chunk {
            path: format!("{}#{index}", record.prefix),
            text: match header {
                Some((header, _)) => format!("{header}\n{piece}"),
                None => piece,
            },
        })
        .collect()
}

/// A line longer than `budget`, cut inside its value into `path: part` lines by text-splitter,
/// each with its token count.
fn split_line(chunker: &Chunker, line: &str, budget: usize) -> Vec<(String, usize)> {
    let counter = &chunker.counter;
    let (path, value) = match line.split_once(": ") {
        Some((path, value)) => (format!("{path}: "), value),
        None => (String::new(), line),
    };
    let path_tokens = counter.count(&path);
    let parts: Vec<String> = if path_tokens > budget / 2 {
        // Repeating a path this long would leave little room for the value: cut the line as is.
        cut(chunker, line, budget)
            .into_iter()
            .map(str::to_owned)
            .collect()
    } else {
        cut(chunker, value, budget - path_tokens)
            .into_iter()
            .map(|part| format!("{path}{part}"))
            .collect()
    };
    parts
        .into_iter()
        .map(|part| {
            let tokens = counter.count(&part);
            (part, tokens)
        })
        .collect()
}

fn cut<'text>(chunker: &Chunker, text: &'text str, budget: usize) -> Vec<&'text str> {
    let splitter = TextSplitter::new(ChunkConfig::new(budget).with_sizer(chunker.counter.sizer()));
    splitter.chunks(text).collect()
}

//! Chunking: flattened records and plain-text bodies become chunks no longer than the
//! embedding model's budget, counted in the model's own tokens.
//!
//! Records ([`Record`]) are the unit: the lines of one record stay together, small records are
//! packed into one chunk, and only a record larger than a chunk is split (see [`split`]), each
//! piece starting with the record's identifying line so it still says whose facts it holds.
//!
//! # Packing rule, and why it keeps re-syncs cheap
//! Records are taken in order; the open chunk is closed
//! * before a record that would make it exceed `max_tokens`, or
//! * after a record whose prefix is a *boundary*: the first 8 bytes of sha256(prefix), read as
//!   a big-endian integer, are divisible by [`BOUNDARY_EVERY`].
//!
//! A chunk depends only on the records since the previous close, so appending or removing a
//! record at the end changes at most the last chunk. The boundary rule is content-defined: when
//! one record grows or shrinks, greedy packing alone would shift every later chunk; with
//! boundaries fixed by prefixes, the chunks realign at the next boundary and the rest keep their
//! text, hence their `content_hash`, and are not re-embedded. (A record inserted in the middle
//! of an array renumbers every later path, `customers[8]` becoming `customers[9]`, so their text
//! changes whatever the packing; that cost belongs to the guide's format.)
//!
//! # Chunk paths
//! Unique within one document: `customers[3]` for one record, `customers[0]..customers[4]` for
//! packed records, `customers[7]#2` for the third piece of a split record, `text#0` for the
//! chunks of a plain-text body.

mod sizes;
mod split;
mod tokens;

use crate::rag::flatten::Record;
use sha2::{Digest, Sha256};
use std::ops::Range;
use std::path::Path;
use text_splitter::{ChunkConfig, TextSplitter};
use tokens::TokenCounter;

/// About one record in this many closes a chunk early (see the module's packing rule).
///
/// Small enough that a size change is absorbed within a few records, large enough that chunks
/// of small records are still well filled.
pub const BOUNDARY_EVERY: u64 = 4;

/// The default chunk budget in tokens, special tokens not included.
pub const DEFAULT_MAX_TOKENS: usize = 256;

/// A piece of a document to embed and index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Chunk {
    /// Which records (or which part of a text body) the chunk holds; unique within a document.
    pub path: String,
    pub text: String,
}

/// Cuts documents into chunks of at most [`Chunker::max_tokens`] tokens.
pub struct Chunker {
    counter: TokenCounter,
    max_tokens: usize,
}

impl Chunker {
    /// A chunker counting with the `tokenizer.json` at `path` (the embedding model's own).
    pub fn from_tokenizer_file(path: &Path, max_tokens: usize) -> anyhow::Result<Self> {
        anyhow::ensure!(
            max_tokens >= 16,
            "a chunk needs at least 16 tokens, not {max_tokens}"
        );
        Ok(Self {
            counter: TokenCounter::from_file(path)?,
            max_tokens,
        })
    }

    pub fn max_tokens(&self) -> usize {
        self.max_tokens
    }

    /// The tokens a chunk may really use: the budget less the tokenizer's safety margin.
    fn budget(&self) -> usize {
        self.max_tokens - self.counter.slack()
    }

    /// Chunks for a flattened JSON document, records kept whole where they fit (module docs).
    pub fn chunk_records(&self, records: &[Record]) -> Vec<Chunk> {
        let mut sizes = sizes::Sizes::measure(self, records);
        let budget = self.budget();
        let join = self.counter.join_cost();
        let mut chunks = Vec::new();
        let mut open: Option<Pack> = None;

        for (index, record) in records.iter().enumerate() {
            if sizes.bound(index) > budget && sizes.exact(index) > budget {
                chunks.extend(open.take().map(Pack::into_chunk));
                chunks.extend(split::split_record(self, record, sizes.lines(index)));
                continue;
            }
            // Closed when the exact sizes overflow; the byte bounds (never below the exact sizes)
            // settle most cases without counting.
            if let Some(pack) = open.take_if(|pack| {
                pack.bound
                    .saturating_add(sizes.bound(index).saturating_add(join))
                    > budget
                    && sizes.exact_sum(pack.records.clone()) + join + sizes.exact(index) > budget
            }) {
                chunks.push(pack.into_chunk());
            }
            match &mut open {
                Some(pack) => pack.push(record, index, sizes.bound(index).saturating_add(join)),
                None => open = Some(Pack::new(record, index, sizes.bound(index))),
            }
            if is_boundary(&record.prefix) {
                chunks.extend(open.take().map(Pack::into_chunk));
            }
        }
        chunks.extend(open.map(Pack::into_chunk));
        chunks
    }

    /// Chunks for a plain-text body, split by text-splitter at the highest semantic boundary
    /// (blank lines, lines, sentences, words) that fits; paths `text#0`, `text#1`, ...
    pub fn chunk_text(&self, text: &str) -> Vec<Chunk> {
        let splitter =
            TextSplitter::new(ChunkConfig::new(self.budget()).with_sizer(self.counter.sizer()));
        splitter
            .chunks(text)
            .enumerate()
            .map(|(index, piece)| Chunk {
                path: format!("text#{index}"),
                text: piece.to_owned(),
            })
            .collect()
    }
}

/// Whether a chunk closes after the record with this prefix (module docs, packing rule).
fn is_boundary(prefix: &str) -> bool {
    let digest = Sha256::digest(prefix.as_bytes());
    let head = u64::from_be_bytes(digest[..8].try_into().expect("sha256 has 32 bytes"));
    head % BOUNDARY_EVERY == 0
}

/// The chunk being filled with whole records.
struct Pack {
    first_prefix: String,
    last_prefix: String,
    text: String,
    /// Which records it holds, for their exact sizes when the bound does not settle a close.
    records: Range<usize>,
    /// An upper bound of its tokens: its records' bounds plus the joins.
    bound: usize,
}

impl Pack {
    fn new(record: &Record, index: usize, bound: usize) -> Self {
        Self {
            first_prefix: record.prefix.clone(),
            last_prefix: record.prefix.clone(),
            text: record.text(),
            records: index..index + 1,
            bound,
        }
    }

    fn push(&mut self, record: &Record, index: usize, added_bound: usize) {
        for line in &record.lines {
            self.text.push('\n');
            self.text.push_str(line);
        }
        self.records.end = index + 1;
        // Saturates: a tokenizer without a byte bound gives every record `usize::MAX`.
        self.bound = self.bound.saturating_add(added_bound);
        self.last_prefix.clone_from(&record.prefix);
    }

    fn into_chunk(self) -> Chunk {
        let path = if self.first_prefix == self.last_prefix {
            self.first_prefix
        } else {
            format!("{}..{}", self.first_prefix, self.last_prefix)
        };
        Chunk {
            path,
            text: self.text,
        }
    }
}

#[cfg(test)]
mod shortcut_tests;
#[cfg(test)]
mod tests;

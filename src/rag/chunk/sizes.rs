//! The token sizes packing needs, counted as little as the tokenizer allows.
//!
//! Every record has an upper bound: its byte length for a BERT-style tokenizer (tokens ≤ bytes,
//! see `tokens.rs`), else "unknown". Packing decides by the bounds whenever they settle the
//! question, and asks for exact counts only when they do not, so the chunks are exactly those of
//! counting everything:
//! * a record whose bound is far under the budget (a quarter of it or less) is counted only if
//!   a decision needs it, one at a time (such records are short);
//! * every other record is counted up front, in batches spread over the cores; a record whose
//!   bound exceeds the budget may be split, so with a BERT-style tokenizer its lines are
//!   counted instead and the record's count is their sum (additive, see `tokens.rs`), which
//!   saves counting its text twice.

use super::Chunker;
use super::tokens::TokenCounter;
use crate::rag::flatten::Record;
use std::ops::Range;

/// Records counted per tokenizer batch: enough to keep every core busy, few enough to keep the
/// batch's encodings small.
const RECORDS_PER_BATCH: usize = 2048;

pub(super) struct Sizes<'a> {
    counter: &'a TokenCounter,
    records: &'a [Record],
    bounds: Vec<usize>,
    exact: Vec<Option<usize>>,
    /// Per-line counts of records that may be split, when counted by lines.
    lines: Vec<Option<Vec<usize>>>,
}

impl<'a> Sizes<'a> {
    pub fn measure(chunker: &'a Chunker, records: &'a [Record]) -> Self {
        let counter = &chunker.counter;
        let budget = chunker.budget();
        let by_lines = counter.is_bert_family();
        let bounds: Vec<usize> = records
            .iter()
            .map(|record| {
                if by_lines {
                    text_bytes(record)
                } else {
                    usize::MAX
                }
            })
            .collect();
        let mut sizes = Self {
            counter,
            records,
            exact: vec![None; records.len()],
            lines: vec![None; records.len()],
            bounds,
        };
        let far_under = budget / 4;
        let mut start = 0;
        while start < records.len() {
            let end = (start + RECORDS_PER_BATCH).min(records.len());
            let (may_split, may_not): (Vec<usize>, Vec<usize>) = (start..end)
                .filter(|&i| sizes.bounds[i] > far_under)
                .partition(|&i| by_lines && sizes.bounds[i] > budget);
            sizes.count_texts(&may_not);
            sizes.count_lines(&may_split);
            start = end;
        }
        sizes
    }

    /// Never below the record's exact count.
    pub fn bound(&self, index: usize) -> usize {
        self.bounds[index]
    }

    pub fn exact(&mut self, index: usize) -> usize {
        *self.exact[index].get_or_insert_with(|| self.counter.count(&self.records[index].text()))
    }

    /// The exact tokens of the records of `range` joined by line breaks.
    pub fn exact_sum(&mut self, range: Range<usize>) -> usize {
        let joins = range.len().saturating_sub(1) * self.counter.join_cost();
        range.map(|index| self.exact(index)).sum::<usize>() + joins
    }

    /// The record's per-line counts, when they were counted.
    pub fn lines(&self, index: usize) -> Option<&[usize]> {
        self.lines[index].as_deref()
    }

    fn count_texts(&mut self, indices: &[usize]) {
        let texts: Vec<String> = indices.iter().map(|&i| self.records[i].text()).collect();
        for (&index, count) in indices.iter().zip(self.counter.count_all(&texts)) {
            self.exact[index] = Some(count);
        }
    }

    fn count_lines(&mut self, indices: &[usize]) {
        let lines: Vec<&str> = indices
            .iter()
            .flat_map(|&i| self.records[i].lines.iter().map(String::as_str))
            .collect();
        let mut counts = self.counter.count_all(&lines).into_iter();
        for &index in indices {
            let record_lines: Vec<usize> = counts
                .by_ref()
                .take(self.records[index].lines.len())
                .collect();
            let joins = record_lines.len().saturating_sub(1) * self.counter.join_cost();
            self.exact[index] = Some(record_lines.iter().sum::<usize>() + joins);
            self.lines[index] = Some(record_lines);
        }
    }
}

/// The byte length of the record's text (its lines joined by `\n`), without building it.
fn text_bytes(record: &Record) -> usize {
    record.lines.iter().map(String::len).sum::<usize>() + record.lines.len().saturating_sub(1)
}

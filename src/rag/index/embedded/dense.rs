//! The dense side of a search: cosine between the query and every row that passes the filter.
//!
//! Two passes, so a search reads an eighth of the bytes an exact scan reads (`quantize.rs`):
//! 1. every passing row is scored by its 4-bit copy, and the best [`rescored`] rows are kept;
//! 2. those rows are scored exactly with their `f32` vectors, and the best `take` of them are
//!    the ranking.
//!
//! The ranking equals the exact scan's whenever each row of the exact top `take` is among the
//! approximate top [`rescored`] (at least a thousand rows, twenty times `take`); the rounding
//! error (about 0.01 of a cosine) is far smaller than the cosine gap between the exact top
//! rows and the thousandth, so that practically always holds; `tests/vector_index/recall.rs`
//! checks it against an exact scan on random data.

use super::group::{DEAD, Group};
use super::quantize::{Query, dot, kernel};
use super::search::{RowRef, TopK, passing_links};
use super::state::State;
use crate::rag::index::SearchQuery;
use rayon::prelude::*;

/// Rows per rayon task in the first pass: large enough that scheduling costs nothing.
const ROWS_PER_TASK: usize = 8192;

/// How many rows of the approximate ranking are rescored exactly to rank `take`.
pub(super) fn rescored(take: usize) -> usize {
    (take * 20).max(1000)
}

pub(super) fn dense_ranking(
    state: &State,
    groups: &[usize],
    query: &SearchQuery,
    take: usize,
) -> Vec<RowRef> {
    let norm = query.vector.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm == 0.0 || state.dims != Some(query.vector.len()) {
        return Vec::new();
    }
    let unit: Vec<f32> = query.vector.iter().map(|x| x / norm).collect();
    let quantized_query = Query::new(&unit);

    let shortlist = rescored(take);
    let mut approximate: Vec<(f32, RowRef)> = Vec::new();
    for &index in groups {
        approximate.extend(first_pass(state, index, query, &quantized_query, shortlist));
    }
    keep_best(&mut approximate, shortlist);

    let mut exact = TopK::new(take);
    for (_, (group, row)) in approximate {
        exact.offer(dot(state.groups[group].vector(row), &unit), (group, row));
    }
    exact
        .into_sorted()
        .into_iter()
        .map(|(_, row)| row)
        .collect()
}

/// The group's best `keep` passing rows by their 4-bit score, over the cores.
fn first_pass(
    state: &State,
    index: usize,
    query: &SearchQuery,
    quantized_query: &Query,
    keep: usize,
) -> Vec<(f32, RowRef)> {
    let group: &Group = &state.groups[index];
    let passing = passing_links(group, query);
    let score_of = kernel();
    let rows = group.rows.len();
    let partial: Vec<Vec<(f32, RowRef)>> = (0..rows.div_ceil(ROWS_PER_TASK))
        .into_par_iter()
        .map(|task| {
            let start = task * ROWS_PER_TASK;
            let end = (start + ROWS_PER_TASK).min(rows);
            // Every passing row's score, then one selection: cheaper than a heap of a
            // thousand that most rows of random order would enter.
            let mut scored = Vec::with_capacity(end - start);
            for row in start..end {
                let link = group.row_links[row];
                if link != DEAD && passing[link as usize] {
                    let score = score_of(group.quantized(row), quantized_query) as f32;
                    scored.push((score * group.scales[row], (index, row)));
                }
            }
            keep_best(&mut scored, keep);
            scored
        })
        .collect();
    partial.into_iter().flatten().collect()
}

/// Keeps the `keep` best entries (higher score, then lower row), in no particular order.
fn keep_best(scored: &mut Vec<(f32, RowRef)>, keep: usize) {
    if scored.len() > keep {
        scored.select_nth_unstable_by(keep, |a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.truncate(keep);
    }
}

//! Hybrid search over the embedded index: an exact cosine ranking and a BM25 ranking over the
//! rows that pass the filter, fused by reciprocal rank fusion exactly as Qdrant fuses prefetches.
//!
//! * Each side contributes its best `max(limit * 4, 50)` rows ([`candidates`]), like the two
//!   prefetch limits the Qdrant engine sends.
//! * RRF follows Qdrant's source (`score_fusion.rs`): a row at 0-based position `p` of a ranking
//!   earns `1 / (RRF_K + p)`, summed over both rankings; so the best row of one side earns
//!   `1 / 60`.
//! * BM25 uses k1 = 1.2 and b = 0.75, with IDF `ln(1 + (N - df + 0.5) / (df + 0.5))` and the
//!   document statistics of the row's own page group (dead rows awaiting compaction still count
//!   in N and df: at most a quarter of a group, a small and temporary bias). A query term
//!   repeated in the query counts as often as it is repeated, as in Qdrant's sparse dot product.

use super::group::{DEAD, Group, unpack};
use super::state::State;
use crate::rag::index::{Hit, RRF_K, SearchQuery};
use crate::rag::lexical;
use rayon::prelude::*;
use std::collections::HashMap;

const K1: f32 = 1.2;
const B: f32 = 0.75;
/// Rows per rayon task in the dense scan: large enough that scheduling costs nothing.
const ROWS_PER_TASK: usize = 4096;

/// How many rows each side hands to the fusion.
pub(super) fn candidates(limit: usize) -> usize {
    (limit * 4).max(50)
}

/// A candidate row: (group index, row).
type RowRef = (usize, usize);

pub(super) fn search(state: &State, query: &SearchQuery) -> Vec<Hit> {
    if query.limit == 0 {
        return Vec::new();
    }
    let groups = state.matching_groups(&query.filter);
    let take = candidates(query.limit);
    let dense = dense_ranking(state, &groups, query, take);
    let lexical = lexical_ranking(state, &groups, query, take);

    let mut fused: HashMap<RowRef, f32> = HashMap::with_capacity(dense.len() + lexical.len());
    for ranking in [&dense, &lexical] {
        for (position, row) in ranking.iter().enumerate() {
            *fused.entry(*row).or_default() += 1.0 / (RRF_K + position as f32);
        }
    }
    let mut fused: Vec<(RowRef, f32)> = fused.into_iter().collect();
    fused.sort_by(|(a_row, a), (b_row, b)| {
        b.total_cmp(a).then_with(|| {
            let id = |(group, row): &RowRef| state.groups[*group].rows[*row].id;
            id(a_row).cmp(&id(b_row))
        })
    });
    fused.truncate(query.limit);
    fused
        .into_iter()
        .map(|((group, row), score)| {
            let group = &state.groups[group];
            Hit {
                id: group.rows[row].id,
                score,
                payload: group.payload(row),
            }
        })
        .collect()
}

/// Whether each interned link of the group passes the filter, indexed like `group.links`.
fn passing_links(group: &Group, query: &SearchQuery) -> Vec<bool> {
    group
        .links
        .iter()
        .map(|l| l.passes(&query.filter))
        .collect()
}

fn dense_ranking(state: &State, groups: &[usize], query: &SearchQuery, take: usize) -> Vec<RowRef> {
    let norm = query.vector.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm == 0.0 || state.dims != Some(query.vector.len()) {
        return Vec::new();
    }
    let unit: Vec<f32> = query.vector.iter().map(|x| x / norm).collect();
    let mut scored: Vec<(f32, RowRef)> = Vec::new();
    for &index in groups {
        let group = &state.groups[index];
        let passing = passing_links(group, query);
        let dims = group.dims;
        let rows = group.rows.len();
        let partial: Vec<Vec<(f32, RowRef)>> = (0..rows.div_ceil(ROWS_PER_TASK))
            .into_par_iter()
            .map(|task| {
                let start = task * ROWS_PER_TASK;
                let end = (start + ROWS_PER_TASK).min(rows);
                let mut best = Vec::new();
                for row in start..end {
                    let link = group.row_links[row];
                    if link != DEAD && passing[link as usize] {
                        let vector = &group.vectors[row * dims..(row + 1) * dims];
                        best.push((dot(vector, &unit), (index, row)));
                    }
                }
                keep_best(&mut best, take);
                best
            })
            .collect();
        scored.extend(partial.into_iter().flatten());
    }
    keep_best(&mut scored, take);
    scored.into_iter().map(|(_, row)| row).collect()
}

fn lexical_ranking(
    state: &State,
    groups: &[usize],
    query: &SearchQuery,
    take: usize,
) -> Vec<RowRef> {
    let mut query_terms: HashMap<u32, f32> = HashMap::new();
    for term in lexical::terms(&query.text) {
        *query_terms.entry(lexical::term_id(&term)).or_default() += 1.0;
    }
    if query_terms.is_empty() {
        return Vec::new();
    }
    let mut scored: Vec<(f32, RowRef)> = Vec::new();
    for &index in groups {
        let group = &state.groups[index];
        let documents = group.rows.len() as f32;
        if group.live_rows() == 0 {
            continue;
        }
        let average_terms = (group.total_terms as f32 / documents).max(1.0);
        let passing = passing_links(group, query);
        // A dense accumulator: a common term touches most rows, where a map would be slower.
        let mut scores = vec![0.0f32; group.rows.len()];
        for (term, query_tf) in &query_terms {
            let Some(postings) = group.postings.get(term) else {
                continue;
            };
            let df = postings.len() as f32;
            let idf = (1.0 + (documents - df + 0.5) / (df + 0.5)).ln();
            for &posting in postings {
                let (row, tf) = unpack(posting);
                let length = group.row_terms[row] as f32 / average_terms;
                let saturated = tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * length));
                scores[row] += query_tf * idf * saturated;
            }
        }
        scored.extend(scores.into_iter().enumerate().filter_map(|(row, score)| {
            let link = group.row_links[row];
            (score > 0.0 && link != DEAD && passing[link as usize]).then_some((score, (index, row)))
        }));
    }
    keep_best(&mut scored, take);
    scored.into_iter().map(|(_, row)| row).collect()
}

/// Keeps the `take` best entries, best first.
fn keep_best(scored: &mut Vec<(f32, RowRef)>, take: usize) {
    let order = |a: &(f32, RowRef), b: &(f32, RowRef)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    if scored.len() > take {
        scored.select_nth_unstable_by(take, order);
        scored.truncate(take);
    }
    scored.sort_unstable_by(order);
}

/// A dot product written as eight independent lanes so the compiler vectorises it.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let (a_chunks, a_rest) = a.split_at(a.len() - a.len() % 8);
    let (b_chunks, b_rest) = b.split_at(a_chunks.len());
    for (x, y) in a_chunks.chunks_exact(8).zip(b_chunks.chunks_exact(8)) {
        for lane in 0..8 {
            lanes[lane] += x[lane] * y[lane];
        }
    }
    let tail: f32 = a_rest.iter().zip(b_rest).map(|(x, y)| x * y).sum();
    lanes.iter().sum::<f32>() + tail
}

//! The lexical side of a search: BM25 over the rows that pass the filter.
//!
//! BM25 uses k1 = 1.2 and b = 0.75, with IDF `ln(1 + (N - df + 0.5) / (df + 0.5))` and the
//! document statistics of the row's own page group (dead rows awaiting compaction still count in
//! N and df: at most a quarter of a group, a small and temporary bias). A query term repeated in
//! the query counts as often as it is repeated, as in Qdrant's sparse dot product.
//!
//! Cost at 100,000 rows: a term present in every row (`po` of `PO-1234`) touches every row, so
//! scores go to a dense per-row accumulator, reused between searches of a thread (a fresh one
//! was 400 KB of page faults per query), and the best rows are kept in a bounded heap instead
//! of collecting and selecting every scored row.

use super::group::{DEAD, unpack};
use super::search::{RowRef, TopK, passing_links};
use super::state::State;
use crate::rag::index::SearchQuery;
use crate::rag::lexical;
use std::cell::RefCell;
use std::collections::HashMap;

const K1: f32 = 1.2;
const B: f32 = 0.75;

thread_local! {
    /// The per-row score accumulator of this thread's last search, kept for its capacity.
    static SCORES: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

pub(super) fn lexical_ranking(
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
    let mut best = TopK::new(take);
    SCORES.with_borrow_mut(|scores| {
        for &index in groups {
            let group = &state.groups[index];
            let documents = group.rows.len() as f32;
            if group.live_rows() == 0 {
                continue;
            }
            let average_terms = (group.total_terms as f32 / documents).max(1.0);
            let passing = passing_links(group, query);
            scores.clear();
            scores.resize(group.rows.len(), 0.0);
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
            for (row, &score) in scores.iter().enumerate() {
                let link = group.row_links[row];
                if score > 0.0 && link != DEAD && passing[link as usize] {
                    best.offer(score, (index, row));
                }
            }
        }
    });
    best.into_sorted().into_iter().map(|(_, row)| row).collect()
}

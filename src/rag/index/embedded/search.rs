//! Hybrid search over the embedded index: a cosine ranking (exact, over a 4-bit shortlist) and
//! a BM25 ranking over the rows that pass the filter, fused by reciprocal rank fusion exactly as Qdrant fuses prefetches.
//!
//! * Each side contributes its best `max(limit * 4, 50)` rows ([`candidates`]), like the two
//!   prefetch limits the Qdrant engine sends.
//! * RRF follows Qdrant's source (`score_fusion.rs`): a row at 0-based position `p` of a ranking
//!   earns `1 / (RRF_K + p)`, summed over both rankings; so the best row of one side earns
//!   `1 / 60`.
//! * The sides are [`super::dense`] (4-bit first pass, exact `f32` rescoring) and
//!   [`super::bm25`]; they run at the same time on rayon's pool.

use super::bm25::lexical_ranking;
use super::dense::dense_ranking;
use super::group::Group;
use super::state::State;
use crate::rag::index::{Hit, RRF_K, SearchQuery};
use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

/// How many rows each side hands to the fusion.
pub(super) fn candidates(limit: usize) -> usize {
    (limit * 4).max(50)
}

/// A candidate row: (group index, row).
pub(super) type RowRef = (usize, usize);

pub(super) fn search(state: &State, query: &SearchQuery) -> Vec<Hit> {
    if query.limit == 0 {
        return Vec::new();
    }
    let groups = state.matching_groups(&query.filter);
    let take = candidates(query.limit);
    let (dense, lexical) = rayon::join(
        || dense_ranking(state, &groups, query, take),
        || lexical_ranking(state, &groups, query, take),
    );

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
pub(super) fn passing_links(group: &Group, query: &SearchQuery) -> Vec<bool> {
    group
        .links
        .iter()
        .map(|l| l.passes(&query.filter))
        .collect()
}

/// The best `take` of the rows offered: higher score first, the lower row first on a tie, so a
/// ranking never depends on the order rows were offered in.
pub(super) struct TopK {
    take: usize,
    /// The worst kept entry on top, to be pushed out by a better one.
    heap: BinaryHeap<Ranked>,
}

impl TopK {
    pub fn new(take: usize) -> Self {
        Self {
            take,
            heap: BinaryHeap::with_capacity(take.min(1 << 12) + 1),
        }
    }

    pub fn offer(&mut self, score: f32, row: RowRef) {
        let entry = Ranked(score, row);
        if self.heap.len() < self.take {
            self.heap.push(entry);
        } else if let Some(mut worst) = self.heap.peek_mut()
            && entry < *worst
        {
            *worst = entry;
        }
    }

    /// The kept entries, best first.
    pub fn into_sorted(self) -> Vec<(f32, RowRef)> {
        self.heap
            .into_sorted_vec()
            .into_iter()
            .map(|Ranked(score, row)| (score, row))
            .collect()
    }
}

/// Ordered so that the better entry is the smaller: higher score, then lower row.
struct Ranked(f32, RowRef);

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        other.0.total_cmp(&self.0).then(self.1.cmp(&other.1))
    }
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Ranked {}

#[cfg(test)]
mod tests {
    use super::TopK;

    #[test]
    fn top_k_keeps_the_best_in_order_whatever_the_offer_order() {
        let entries = [
            (0.5, (0, 4)),
            (0.9, (0, 1)),
            (0.1, (0, 2)),
            (0.9, (0, 0)),
            (0.7, (1, 0)),
        ];
        for rotation in 0..entries.len() {
            let mut top = TopK::new(3);
            for (score, row) in entries.iter().cycle().skip(rotation).take(entries.len()) {
                top.offer(*score, *row);
            }
            assert_eq!(
                top.into_sorted(),
                vec![(0.9, (0, 0)), (0.9, (0, 1)), (0.7, (1, 0))]
            );
        }
    }

    #[test]
    fn top_k_of_zero_keeps_nothing() {
        let mut top = TopK::new(0);
        top.offer(1.0, (0, 0));
        assert!(top.into_sorted().is_empty());
    }
}

//! The embedded index's dense side scans a 4-bit copy of the rows first and rescores a
//! shortlist of a thousand rows exactly (`src/rag/index/embedded/dense.rs`). Here its top 10 is
//! compared with an exact cosine scan done by the test itself, on random data sets of 12,000
//! rows (so the shortlist is a twelfth of them):
//! uniform random vectors (scores close together everywhere) and clustered ones (many
//! near-duplicates, the hard case for rounding).

use crate::harness::{Chunk, DIMS};
use crm_mind::domain::CompanyId;
use crm_mind::rag::index::embedded::EmbeddedIndex;
use crm_mind::rag::index::{ChunkFilter, IndexedChunk, SearchQuery, VectorIndex};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashSet;
use uuid::Uuid;

const ROWS: usize = 12_000;
const QUERIES: usize = 40;
const TOP: usize = 10;

fn random_vector(rng: &mut StdRng) -> Vec<f32> {
    (0..DIMS).map(|_| rng.gen_range(-1.0f32..1.0)).collect()
}

fn normalised(mut vector: Vec<f32>) -> Vec<f32> {
    let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
    vector.iter_mut().for_each(|x| *x /= norm);
    vector
}

/// `centre` plus noise of relative size `spread`.
fn near(rng: &mut StdRng, centre: &[f32], spread: f32) -> Vec<f32> {
    let noise = normalised(random_vector(rng));
    normalised(
        centre
            .iter()
            .zip(noise)
            .map(|(c, n)| c + spread * n)
            .collect(),
    )
}

/// The exact top ids by cosine, computed in f64.
fn exact_top(rows: &[(Uuid, Vec<f32>)], query: &[f32]) -> Vec<Uuid> {
    let query = normalised(query.to_vec());
    let mut scored: Vec<(f64, Uuid)> = rows
        .iter()
        .map(|(id, vector)| {
            let dot: f64 = vector
                .iter()
                .zip(&query)
                .map(|(a, b)| f64::from(*a) * f64::from(*b))
                .sum();
            (dot, *id)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored.into_iter().take(TOP).map(|(_, id)| id).collect()
}

async fn dense_top(index: &EmbeddedIndex, filter: &ChunkFilter, vector: &[f32]) -> Vec<Uuid> {
    // No query text: the lexical side is empty and the fused order is the dense order.
    let query = SearchQuery {
        filter: filter.clone(),
        text: String::new(),
        vector: vector.to_vec(),
        limit: TOP,
    };
    let hits = index.search(&query).await.expect("search works");
    hits.into_iter().map(|hit| hit.id).collect()
}

/// Loads `rows`, then returns the mean recall@10 of `queries` against the exact scan, and
/// whether every query ranked the same ids after reopening the index from disk.
async fn recall(rows: Vec<(Uuid, Vec<f32>)>, queries: Vec<Vec<f32>>) -> (f64, bool) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let company = CompanyId::generate();
    let index = EmbeddedIndex::open(dir.path()).expect("opens");
    index.ensure_ready(DIMS).await.expect("ready");
    let chunks: Vec<IndexedChunk> = rows
        .iter()
        .enumerate()
        .map(|(i, (id, vector))| IndexedChunk {
            vector: vector.clone(),
            ..Chunk::new(&company, &format!("rows[{i}]"), &format!("row {i}"))
                .with_id(*id)
                .indexed()
        })
        .collect();
    for batch in chunks.chunks(2000) {
        index.upsert(batch.to_vec()).await.expect("upsert works");
    }
    let filter = ChunkFilter::company(company);

    let mut found = 0;
    let mut before_restart = Vec::new();
    for query in &queries {
        let expected: HashSet<Uuid> = exact_top(&rows, query).into_iter().collect();
        let got = dense_top(&index, &filter, query).await;
        assert_eq!(got.len(), TOP);
        found += got.iter().filter(|id| expected.contains(id)).count();
        before_restart.push(got);
    }

    drop(index);
    let reopened = EmbeddedIndex::open(dir.path()).expect("reopens");
    let mut same = true;
    for (query, before) in queries.iter().zip(&before_restart) {
        same &= &dense_top(&reopened, &filter, query).await == before;
    }
    (found as f64 / (queries.len() * TOP) as f64, same)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uniform_random_rows_rank_as_an_exact_scan() {
    let mut rng = StdRng::seed_from_u64(11);
    let rows = (0..ROWS)
        .map(|_| (Uuid::new_v4(), normalised(random_vector(&mut rng))))
        .collect();
    let queries = (0..QUERIES).map(|_| random_vector(&mut rng)).collect();

    let (recall, same_after_restart) = recall(rows, queries).await;

    println!("uniform rows: recall@{TOP} {recall:.4}");
    assert!(recall >= 0.99, "recall@{TOP} {recall}");
    assert!(same_after_restart, "the 4-bit copy is rebuilt on open");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clustered_near_duplicate_rows_rank_as_an_exact_scan() {
    let mut rng = StdRng::seed_from_u64(12);
    let centres: Vec<Vec<f32>> = (0..20)
        .map(|_| normalised(random_vector(&mut rng)))
        .collect();
    let rows = (0..ROWS)
        .map(|i| {
            (
                Uuid::new_v4(),
                near(&mut rng, &centres[i % centres.len()], 0.2),
            )
        })
        .collect();
    let queries = (0..QUERIES)
        .map(|i| near(&mut rng, &centres[i % centres.len()], 0.3))
        .collect();

    let (recall, same_after_restart) = recall(rows, queries).await;

    println!("clustered rows: recall@{TOP} {recall:.4}");
    assert!(recall >= 0.99, "recall@{TOP} {recall}");
    assert!(same_after_restart, "the 4-bit copy is rebuilt on open");
}

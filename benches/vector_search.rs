//! Hybrid search on the embedded index over 100,000 chunks of one page (issue 3, Benchmarks):
//! p50 and p99 per query without the query embedding, resident bytes per indexed chunk against
//! the raw vector and text bytes, and the time to reopen the index from disk.
//!
//! Run: `cargo bench --bench vector_search` (CHUNKS and QUERIES override the sizes; SIDE=dense
//! or SIDE=lexical times one side of the hybrid search alone).
//! Inputs are synthetic but shaped like real ones: ~300-byte flattened CRM records with names,
//! emails, order numbers and product codes, and random unit vectors of 384 dimensions.

use chrono::Utc;
use crm_mind::domain::{Channel, CompanyId, LinkId, PageId};
use crm_mind::rag::index::embedded::EmbeddedIndex;
use crm_mind::rag::index::{
    ChunkFilter, ChunkPayload, IndexedChunk, SearchQuery, Source, VectorIndex,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::time::{Duration, Instant};

const DIMS: usize = 384;
const BATCH: usize = 1000;
const WORDS: &[&str] = &[
    "čevlji",
    "torba",
    "jakna",
    "majica",
    "hlače",
    "zimski",
    "usnjeni",
    "modra",
    "rdeča",
    "velikost",
    "boots",
    "jacket",
    "leather",
    "winter",
    "summer",
    "delivery",
    "invoice",
    "paid",
    "pending",
    "Maribor",
    "Ljubljana",
    "Celje",
    "Koper",
    "Kranj",
    "naročilo",
    "dostava",
    "plačano",
    "vrnitev",
];
const NAMES: &[&str] = &[
    "Ana", "Marko", "Petra", "Luka", "Maja", "Nina", "Jure", "Eva",
];
const SURNAMES: &[&str] = &[
    "Novak",
    "Horvat",
    "Kovačič",
    "Krajnc",
    "Zupančič",
    "Potočnik",
];

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|kb| kb.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

fn unit_vector(rng: &mut StdRng) -> Vec<f32> {
    let mut v: Vec<f32> = (0..DIMS).map(|_| rng.r#gen::<f32>() - 0.5).collect();
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.iter_mut().for_each(|x| *x /= norm);
    v
}

/// A flattened customer record of roughly 300 bytes.
fn record_text(rng: &mut StdRng, i: usize) -> String {
    let name = NAMES[rng.gen_range(0..NAMES.len())];
    let surname = SURNAMES[rng.gen_range(0..SURNAMES.len())];
    let mut words = String::new();
    for _ in 0..8 {
        words.push_str(WORDS[rng.gen_range(0..WORDS.len())]);
        words.push(' ');
    }
    format!(
        "customers[{i}].name: {name} {surname}\ncustomers[{i}].email: {}.{}{i}@example.si\n\
         customers[{i}].orders[0].id: PO-{}\ncustomers[{i}].orders[0].sku: SKU-{}-{}\n\
         customers[{i}].orders[0].total: {},{:02}\ncustomers[{i}].note: {words}",
        name.to_lowercase(),
        surname.to_lowercase(),
        rng.gen_range(1000..99999),
        rng.gen_range(1..99),
        ["A", "B", "C"][rng.gen_range(0..3)],
        rng.gen_range(1..2000),
        rng.gen_range(0..100),
    )
}

fn chunk(rng: &mut StdRng, company: &CompanyId, i: usize) -> IndexedChunk {
    IndexedChunk {
        id: uuid::Uuid::new_v4(),
        vector: unit_vector(rng),
        payload: ChunkPayload {
            company_id: company.clone(),
            page_id: PageId::from("1234567890"),
            channels: Channel::ALL.to_vec(),
            source: Source::Crm,
            source_url: "https://crm.example.si/api/customers".into(),
            link_id: LinkId::from("bench-link"),
            link_name: "Customers".into(),
            path: format!("customers[{i}]"),
            text: record_text(rng, i),
            content_hash: format!("{:064x}", i),
            fetched_at: Utc::now(),
            private: false,
        },
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn main() {
    let chunks = env_usize("CHUNKS", 100_000);
    let queries = env_usize("QUERIES", 300);
    let side = std::env::var("SIDE").unwrap_or_default();
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let company = CompanyId::from("bench-company");
    let mut rng = StdRng::seed_from_u64(7);

    let rss_before = resident_bytes();
    let index = EmbeddedIndex::open(dir.path()).expect("opens");
    let mut raw_bytes = 0u64;
    let started = Instant::now();
    runtime.block_on(async {
        index.ensure_ready(DIMS).await.unwrap();
        let mut next = 0;
        while next < chunks {
            let batch: Vec<IndexedChunk> = (next..(next + BATCH).min(chunks))
                .map(|i| chunk(&mut rng, &company, i))
                .collect();
            raw_bytes += batch
                .iter()
                .map(|c| (c.vector.len() * 4 + c.payload.text.len()) as u64)
                .sum::<u64>();
            next += batch.len();
            index.upsert(batch).await.unwrap();
        }
    });
    let load = started.elapsed();
    let rss_after = resident_bytes();
    let per_chunk = (rss_after.saturating_sub(rss_before)) as f64 / chunks as f64;
    let raw_per_chunk = raw_bytes as f64 / chunks as f64;

    let filter = ChunkFilter::company(company.clone())
        .page(PageId::from("1234567890"))
        .channel(Channel::Messenger);
    let mut timings = Vec::with_capacity(queries);
    runtime.block_on(async {
        for q in 0..queries + 20 {
            let mut query = SearchQuery {
                filter: filter.clone(),
                text: format!(
                    "{} naročilo PO-{} čevlji",
                    NAMES[q % NAMES.len()],
                    1000 + q * 7
                ),
                vector: unit_vector(&mut rng),
                limit: 5,
            };
            // SIDE=dense or SIDE=lexical times one side alone (an empty text, a zero vector).
            match side.as_str() {
                "dense" => query.text.clear(),
                "lexical" => query.vector.iter_mut().for_each(|x| *x = 0.0),
                _ => {}
            }
            let started = Instant::now();
            let hits = index.search(&query).await.unwrap();
            let elapsed = started.elapsed();
            assert!(!hits.is_empty());
            if q >= 20 {
                timings.push(elapsed); // the first 20 warm the caches up
            }
        }
    });
    timings.sort();

    drop(index);
    let started = Instant::now();
    let reopened = EmbeddedIndex::open(dir.path()).expect("reopens");
    let reopen = started.elapsed();
    let count = runtime
        .block_on(reopened.count(&ChunkFilter::company(company)))
        .unwrap();
    assert_eq!(count, chunks as u64);
    let on_disk: u64 = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();

    let side = if side.is_empty() {
        "both"
    } else {
        side.as_str()
    };
    println!("chunks: {chunks}, dims: {DIMS}, queries: {queries} (limit 5, page + channel filter)");
    println!("sides searched: {side}");
    println!(
        "load (upsert in batches of {BATCH}, fsynced): {:.2} s",
        load.as_secs_f64()
    );
    println!(
        "hybrid search per query: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        percentile(&timings, 0.50).as_secs_f64() * 1e3,
        percentile(&timings, 0.99).as_secs_f64() * 1e3,
        timings.last().unwrap().as_secs_f64() * 1e3,
    );
    println!(
        "resident bytes per chunk: {per_chunk:.0} vs raw vector + text {raw_per_chunk:.0} = {:.2}x",
        per_chunk / raw_per_chunk
    );
    println!(
        "reopen from disk: {:.2} s ({:.0} MiB on disk)",
        reopen.as_secs_f64(),
        on_disk as f64 / (1 << 20) as f64
    );
}

//! Re-sync of an unchanged 10,000-record CRM source: how many embeddings it computes (must be
//! 0) and how long it takes end to end (aim: under 3 s).
//!
//! A fake CRM on 127.0.0.1 serves one JSON response of `RECORDS` customers (default 10,000).
//! The first sync indexes everything into an embedded index in a temporary directory; the
//! measured syncs then fetch, flatten, chunk, hash and compare again, through the same
//! [`Pipeline::apply`] the service runs. The first sync's embeddings come from a hashing
//! embedder (the model would take minutes and is not what this measures: an unchanged
//! re-sync must not call it at all, and the counts prove it did not).
//!
//!     cargo bench --bench resync            # RECORDS=10000 RUNS=5 by default
//!
//! Needs the tokenizer of the default model (`scripts/fetch-models`, `CRM_MIND_MODELS_DIR`).

use chrono::Utc;
use crm_mind::crm::{CrmFetcher, FetchSettings};
use crm_mind::domain::{Channel, CompanyId, CrmLink, CrmLinkType, LinkId, PageId};
use crm_mind::rag::chunk::Chunker;
use crm_mind::rag::embed::Embedder;
use crm_mind::rag::embed::files::ModelFiles;
use crm_mind::rag::index::VectorIndex;
use crm_mind::rag::index::embedded::EmbeddedIndex;
use crm_mind::rag::sync::pipeline::{LinkTarget, Pipeline};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// Deterministic vectors from the text's bytes; counts its calls.
struct HashingEmbedder {
    calls: AtomicUsize,
}

impl Embedder for HashingEmbedder {
    fn model_id(&self) -> &str {
        "hashing-384"
    }
    fn dims(&self) -> usize {
        384
    }
    fn embed(&self, texts: &[&str]) -> anyhow::Result<Vec<Vec<f32>>> {
        self.calls.fetch_add(texts.len(), Ordering::Relaxed);
        Ok(texts
            .iter()
            .map(|text| {
                let mut v = vec![0.0f32; 384];
                for (i, b) in text.bytes().enumerate() {
                    v[(i * 31 + b as usize) % 384] += 1.0;
                }
                let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-6);
                v.iter().map(|x| x / norm).collect()
            })
            .collect())
    }
}

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn source(records: usize) -> String {
    let customers: Vec<serde_json::Value> = (0..records)
        .map(|i| {
            let city = ["Ljubljana", "Maribor", "Celje", "Koper"][i % 4];
            let tier = ["gold", "silver", "bronze"][i % 3];
            serde_json::json!({
                "id": format!("cust-{i}"),
                "name": format!("Customer {i}"),
                "email": format!("customer{i}@example.si"),
                "city": city,
                "tier": tier,
                "last_order": format!("2024-{:05}", i),
                "note": "Prefers delivery to a parcel locker; ordered hiking boots SKU-12-B."
            })
        })
        .collect();
    serde_json::json!({ "customers": customers }).to_string()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (records, runs) = (env_or("RECORDS", 10_000), env_or("RUNS", 5));
    let body = source(records);
    let bytes = body.len();
    let app = axum::Router::new().route(
        "/customers",
        axum::routing::get(move || {
            let body = body.clone();
            async move { ([("content-type", "application/json")], body) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/customers", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });

    let models = std::env::var("CRM_MIND_MODELS_DIR").unwrap_or_else(|_| "models".into());
    let files = ModelFiles::locate(std::path::Path::new(&models))?;
    let dir = tempfile::tempdir()?;
    let index = Arc::new(EmbeddedIndex::open(dir.path())?);
    index.ensure_ready(384).await?;
    let embedder = Arc::new(HashingEmbedder {
        calls: AtomicUsize::new(0),
    });
    let pipeline = Pipeline {
        fetcher: CrmFetcher::new(FetchSettings {
            allow_private_networks: true,
            ..FetchSettings::default()
        })?,
        chunker: Arc::new(Chunker::from_tokenizer_file(&files.tokenizer, 256)?),
        embedder: embedder.clone(),
        index,
    };
    let now = Utc::now();
    let target = LinkTarget {
        company_id: CompanyId::from("company"),
        page_id: PageId::from("1001"),
        link: CrmLink {
            id: LinkId::from("link"),
            name: "Customers".into(),
            url,
            link_type: CrmLinkType::Api,
            channels: vec![Channel::Messenger],
            api_key: None,
            headers: Vec::new(),
            description: None,
            is_active: true,
            created_at: now,
            updated_at: now,
            webhook_secret: None,
            refresh_minutes: None,
        },
        channels: vec![Channel::Messenger],
        api_key: None,
        headers: Vec::new(),
    };

    let sync = || async {
        let started = Instant::now();
        let fetched = pipeline.fetch(&target).await?;
        let counts = pipeline
            .apply(&target, fetched.body, fetched.complete, Utc::now())
            .await?;
        anyhow::Ok((started.elapsed(), counts))
    };
    let (first, counts) = sync().await?;
    println!(
        "first sync: {records} records, {bytes} bytes, {} chunks, {} embedded, {:.2} s",
        counts.total,
        counts.embedded,
        first.as_secs_f64()
    );
    let before = embedder.calls.load(Ordering::Relaxed);
    let mut times = Vec::new();
    for _ in 0..runs {
        let (elapsed, counts) = sync().await?;
        assert_eq!(
            counts.embedded, 0,
            "an unchanged source embedded {counts:?}"
        );
        assert_eq!(counts.unchanged, counts.total);
        times.push(elapsed.as_secs_f64());
    }
    let calls = embedder.calls.load(Ordering::Relaxed) - before;
    times.sort_by(f64::total_cmp);
    println!(
        "RESULT records={records} runs={runs} embeddings={calls} resync_median_s={:.3} resync_max_s={:.3}",
        times[times.len() / 2],
        times[times.len() - 1]
    );
    Ok(())
}

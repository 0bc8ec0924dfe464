//! Throughput of the text pipeline, on a generated 50 MB CRM response (customers, orders and
//! products in English and Slovenian):
//!
//! * parse + flatten + chunk, in MB of JSON per second (the default 256-token chunks, counted
//!   with the default model's tokenizer);
//! * embedding with the default model, in chunks per second and chunks per CPU-second (process
//!   CPU time, every ONNX Runtime thread included), on chunks from that response;
//! * the same embedding through Python's onnxruntime and `tokenizers` on the same files and the
//!   same inputs (`scripts/bench-embedding-python`), run right after, so both see the same load.
//!
//! Run with `CRM_MIND_MODELS_DIR=./models cargo bench --bench text_pipeline` after
//! `scripts/fetch-models`. `CRM_MIND_BENCH_MB` changes the size (default 50),
//! `CRM_MIND_BENCH_CHUNKS` the number of chunks embedded (default 512), and
//! `CRM_MIND_BENCH_SKIP_PYTHON=1` leaves Python out. Linux only (CPU time from /proc).
//! Figures are in docs/benchmarks.md.

#[path = "text_pipeline/crm_data.rs"]
mod crm_data;

use crm_mind::rag::chunk::{Chunk, Chunker, DEFAULT_MAX_TOKENS};
use crm_mind::rag::embed::Embedder;
use crm_mind::rag::embed::fast::{DEFAULT_MODEL, load_embedder};
use crm_mind::rag::flatten::records;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Embedding batch size, the same as the service's and the Python side's.
const BATCH: usize = 32;

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn models_dir() -> PathBuf {
    std::env::var_os("CRM_MIND_MODELS_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("models"),
        PathBuf::from,
    )
}

/// CPU time of this process so far (user + system, all threads), from /proc/self/stat.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat (Linux only)");
    // The command name may hold spaces; the fields after it are space-separated.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .expect("stat format")
        .1
        .split_whitespace()
        .collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    // USER_HZ is 100 on every Linux platform Rust targets.
    Duration::from_millis(ticks * 10)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .trim()
        .to_owned()
}

fn mb_per_s(bytes: usize, elapsed: Duration) -> f64 {
    bytes as f64 / 1e6 / elapsed.as_secs_f64()
}

fn bench_flatten_and_chunk(chunker: &Chunker, body: &[u8]) -> Vec<Chunk> {
    let mut chunks = Vec::new();
    for run in 1..=3 {
        let start = Instant::now();
        let value: serde_json::Value = serde_json::from_slice(body).expect("JSON");
        let parsed = start.elapsed();
        let grouped = records(&value);
        let flattened = start.elapsed();
        chunks = chunker.chunk_records(&grouped);
        let total = start.elapsed();
        println!(
            "flatten+chunk run {run}: {:.1} MB/s end to end ({:.2} s: parse {:.2} s, flatten {:.2} s, chunk {:.2} s); {} records, {} chunks, digest {}",
            mb_per_s(body.len(), total),
            total.as_secs_f64(),
            parsed.as_secs_f64(),
            (flattened - parsed).as_secs_f64(),
            (total - flattened).as_secs_f64(),
            grouped.len(),
            chunks.len(),
            digest(&chunks)
        );
        black_box(&chunks);
    }
    chunks
}

/// The first 16 hex digits of sha256 over every chunk's path and text: equal digests before
/// and after a change to chunking mean the same chunks.
fn digest(chunks: &[Chunk]) -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for chunk in chunks {
        for part in [&chunk.path, &chunk.text] {
            hash.update((part.len() as u64).to_le_bytes());
            hash.update(part.as_bytes());
        }
    }
    hash.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `count` chunks spread evenly over the document, so customers, orders and products all count.
fn sample(chunks: &[Chunk], count: usize) -> Vec<String> {
    let step = (chunks.len() / count.max(1)).max(1);
    chunks
        .iter()
        .step_by(step)
        .take(count)
        .map(|c| c.text.clone())
        .collect()
}

fn bench_embedding(embedder: &dyn Embedder, texts: &[String]) {
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    embedder
        .embed(&refs[..BATCH.min(refs.len())])
        .expect("warm-up");
    for run in 1..=2 {
        let (wall, cpu) = (Instant::now(), cpu_time());
        for batch in refs.chunks(BATCH) {
            black_box(embedder.embed(batch).expect("embed"));
        }
        let (wall, cpu) = (wall.elapsed(), cpu_time() - cpu);
        println!(
            "embedding run {run} (Rust, fastembed): {:.1} chunks/s, {:.1} chunks per CPU-second ({} chunks, {:.2} s wall, {:.2} s CPU)",
            texts.len() as f64 / wall.as_secs_f64(),
            texts.len() as f64 / cpu.as_secs_f64(),
            texts.len(),
            wall.as_secs_f64(),
            cpu.as_secs_f64()
        );
    }
}

fn main() {
    let models = models_dir();
    let target_mb = env_number("CRM_MIND_BENCH_MB", 50);
    println!(
        "machine: {} CPUs, load average before: {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_average()
    );

    let body = crm_data::response(target_mb * 1_000_000);
    println!("input: {:.1} MB of CRM JSON", body.len() as f64 / 1e6);
    let chunker = Chunker::from_tokenizer_file(&models.join("tokenizer.json"), DEFAULT_MAX_TOKENS)
        .unwrap_or_else(|e| panic!("{e:#}"));
    let chunks = bench_flatten_and_chunk(&chunker, &body);
    drop(body);

    let texts = sample(&chunks, env_number("CRM_MIND_BENCH_CHUNKS", 512));
    let inputs = Path::new(env!("CARGO_TARGET_TMPDIR")).join("embedding-inputs.json");
    std::fs::write(&inputs, serde_json::to_vec(&texts).expect("JSON")).expect("writing the inputs");
    println!(
        "embedding inputs: {} chunks, written to {}",
        texts.len(),
        inputs.display()
    );

    let embedder = load_embedder(&models, DEFAULT_MODEL).unwrap_or_else(|e| panic!("{e:#}"));
    bench_embedding(embedder.as_ref(), &texts);
    drop(embedder);

    if std::env::var_os("CRM_MIND_BENCH_SKIP_PYTHON").is_none() {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/bench-embedding-python");
        let status = Command::new(&script)
            .arg(&inputs)
            .env("CRM_MIND_MODELS_DIR", &models)
            .status();
        if !matches!(status, Ok(s) if s.success()) {
            println!(
                "the Python side did not run ({status:?}); run {} {} by hand",
                script.display(),
                inputs.display()
            );
        }
    }
    println!("load average after: {}", load_average());
}

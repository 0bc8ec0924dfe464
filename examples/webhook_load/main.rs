//! A load generator for `POST /webhook`: signed Messenger deliveries with distinct message ids,
//! at a fixed concurrency, for a bounded number of requests or seconds, to a server on this
//! machine. It reports acknowledged events per second and the acknowledgement latency.
//!
//! ```text
//! cargo run --release --example webhook_load -- \
//!     --url http://127.0.0.1:8080/webhook --secret APP_SECRET --page PAGE_ID \
//!     --concurrency 64 --requests 100000 --duration 30
//! ```
//!
//! Each worker keeps one HTTP/1.1 keep-alive connection and sends its next request when the
//! answer to the previous one is in (a closed loop); latency is from the first byte written to
//! the last byte of the answer read, and the clock starts once every connection is open. The
//! default client is a minimal HTTP/1.1 client over a TCP socket, so the generator takes as
//! little of the machine's CPU as it can; `--client reqwest` uses reqwest instead, for
//! comparison (its connections open during the run). With `--server-pid` (and `--db-pid`) it
//! also reads the server's CPU time from `/proc`, per thread name, and the whole machine's, so
//! a run on a busy machine shows as one.
//!
//! The last line is `RESULT key=value ...` for scripts (see `scripts/bench-webhook-load`).
//!
//! This file holds the command line and the run; the deliveries and tally ([`plan`]), the
//! workers and their HTTP client, the CPU readings and the report are modules of their own.

mod cpu;
mod plan;
mod raw_http;
mod report;
mod target;
mod workers;

use anyhow::ensure;
use clap::{Parser, ValueEnum};
use cpu::CpuSample;
use plan::{Bodies, Plan, Tally};
use report::report;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use target::target;
use tokio::sync::Barrier;
use workers::{raw_worker, reqwest_worker};

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ClientKind {
    /// A minimal HTTP/1.1 client over a TCP socket (cheapest).
    Raw,
    /// reqwest 0.12.
    Reqwest,
}

#[derive(Debug, Parser)]
#[command(about = "Sends signed webhook deliveries to a local crm-mind and measures the answers")]
struct Args {
    /// The webhook URL; the host must be a loopback address.
    #[arg(long, default_value = "http://127.0.0.1:8080/webhook")]
    url: String,
    /// The app secret deliveries are signed with (X-Hub-Signature-256).
    #[arg(long, env = "CRM_MIND_FACEBOOK_APP_SECRET", hide_env_values = true)]
    secret: String,
    /// A registered page id; repeat to spread deliveries over several pages.
    #[arg(long = "page", required = true)]
    pages: Vec<String>,
    /// Requests in flight at once (one connection each).
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Stop after this many requests...
    #[arg(long, default_value_t = 100_000)]
    requests: u64,
    /// ...or after this many seconds, whichever comes first.
    #[arg(long, default_value_t = 30.0)]
    duration: f64,
    /// Text messages per delivery (Facebook batches several under load).
    #[arg(long, default_value_t = 1)]
    events_per_request: u32,
    /// Makes message ids unique across runs against the same data (default: the start time).
    #[arg(long)]
    run_id: Option<String>,
    /// Runtime threads of the generator.
    #[arg(long, default_value_t = 1)]
    threads: usize,
    #[arg(long, value_enum, default_value_t = ClientKind::Raw)]
    client: ClientKind,
    /// The server's process id, to report its CPU time by thread name (Linux /proc).
    #[arg(long)]
    server_pid: Option<u32>,
    /// The database server's process id (e.g. a local MongoDB), to report its CPU time too.
    #[arg(long)]
    db_pid: Option<u32>,
    /// Seconds one request may take before it counts as an error.
    #[arg(long, default_value_t = 10.0)]
    timeout: f64,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    ensure!(args.concurrency > 0, "--concurrency must be at least 1");
    ensure!(
        args.events_per_request > 0,
        "--events-per-request must be at least 1"
    );
    ensure!(
        args.duration > 0.0 && args.timeout > 0.0,
        "--duration and --timeout must be positive"
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.threads.max(1))
        .enable_all()
        .build()?;
    runtime.block_on(run(args))
}

async fn run(args: Args) -> anyhow::Result<()> {
    let target = Arc::new(target(&args.url)?);
    let run_id = args
        .run_id
        .clone()
        .unwrap_or_else(|| chrono::Utc::now().timestamp_millis().to_string());
    eprintln!(
        "webhook_load: {} client, {} connections, up to {} requests or {}s, {} event(s) per request, {} page(s), run id {run_id}",
        match args.client {
            ClientKind::Raw => "raw HTTP/1.1",
            ClientKind::Reqwest => "reqwest",
        },
        args.concurrency,
        args.requests,
        args.duration,
        args.events_per_request,
        args.pages.len(),
    );
    let plan = Arc::new(Plan {
        bodies: Bodies {
            secret: args.secret.clone().into_bytes(),
            pages: args.pages.clone(),
            run_id,
            events: args.events_per_request,
        },
        next: AtomicU64::new(0),
        requests: args.requests,
        deadline: OnceLock::new(),
        timeout: Duration::from_secs_f64(args.timeout),
        ready: Barrier::new(args.concurrency + 1),
        go: Barrier::new(args.concurrency + 1),
    });
    let reqwest_client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .tcp_nodelay(true)
        .build()?;
    let mut workers = Vec::with_capacity(args.concurrency);
    for _ in 0..args.concurrency {
        let (plan, target) = (plan.clone(), target.clone());
        workers.push(match args.client {
            ClientKind::Raw => tokio::spawn(raw_worker(plan, target)),
            ClientKind::Reqwest => {
                tokio::spawn(reqwest_worker(plan, target, reqwest_client.clone()))
            }
        });
    }
    // Connections are opened before the clock starts, so their set-up is not measured.
    plan.ready.wait().await;
    let cpu_before = CpuSample::take(args.server_pid, args.db_pid);
    let started = Instant::now();
    let _ = plan
        .deadline
        .set(started + Duration::from_secs_f64(args.duration));
    plan.go.wait().await;
    let mut tally = Tally::default();
    for worker in workers {
        tally.merge(worker.await?);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu_after = CpuSample::take(args.server_pid, args.db_pid);
    report(&args, &tally, elapsed, cpu_before, cpu_after);
    Ok(())
}

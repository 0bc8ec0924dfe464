//! Memory under a flood of large request bodies (issue 8, item 8): the real `crm-mind serve`
//! binary on the embedded defaults takes many connections at once, each sending bodies at its
//! route's limit, and the server's peak resident memory is read from `/proc` (VmHWM, reset
//! before each phase through `/proc/PID/clear_refs`).
//!
//!     cargo bench --profile dev --bench body_flood
//!     CONNECTIONS=128 cargo bench --profile dev --bench body_flood
//!     BODY_BUDGET_MIB=100000 cargo bench --profile dev --bench body_flood   # budget off
//!     cargo bench --profile dev --bench body_flood -- --check               # exit 1 past the bound
//!
//! Phases, each with `CONNECTIONS` (64) senders at once:
//! * `webhook`: 1 MiB bodies (the webhook's limit) with a wrong `X-Hub-Signature-256`, 8 per
//!   sender; the signature covers the body, so each is read in full before it is refused;
//! * `crm_push`: 50 MiB bodies (a CRM push's limit) to a link id that does not exist, 2 per
//!   sender; also read before the link is looked up, since the signature covers the body;
//! * `api_json`: 2 MiB JSON bodies (the default limit) from a signed-in admin to
//!   `POST /api/products`, 4 per sender.
//!
//! The phases run `ROUNDS` (2) times. The bound (`--check`, exit 1 when passed):
//! * a phase's peak passes the resident memory it started from by at most twice the body
//!   budget (`CRM_MIND_HTTP_MAX_BODY_BYTES_IN_FLIGHT`, 256 MiB unless `BODY_BUDGET_MIB` says
//!   otherwise: the budget counts a body's chunks as they arrive, and while axum collects them
//!   into one buffer both exist) plus 128 MiB for connection buffers;
//! * the last round's highest peak passes the first round's by at most 128 MiB: memory the
//!   allocator kept after a flood is reused by the next, not added to.
//!
//! Needs the model files (`scripts/fetch-models`, `CRM_MIND_MODELS_DIR`). Figures are in
//! `docs/benchmarks.md`.

#[path = "../tests/support/binary.rs"]
#[allow(dead_code)]
mod binary;

use binary::{Engine, Installation};
use bytes::Bytes;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

const MIB: u64 = 1024 * 1024;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A `kB` field of `/proc/PID/status`, in bytes.
fn status_bytes(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map_or(0, |kb| kb * 1024)
}

/// Starts a new peak: writing 5 to `clear_refs` resets VmHWM to the current RSS.
fn reset_peak(pid: u32) {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").expect("clear_refs");
}

/// One phase's requests: where they go and what they carry.
struct Phase {
    name: &'static str,
    url: String,
    body: Bytes,
    headers: Vec<(&'static str, String)>,
    per_sender: usize,
}

struct Outcome {
    name: &'static str,
    /// Resident memory when the phase began.
    start: u64,
    sent_bytes: u64,
    statuses: BTreeMap<String, usize>,
    peak: u64,
    settled: u64,
    seconds: f64,
}

async fn flood(client: &reqwest::Client, pid: u32, phase: Phase, senders: usize) -> Outcome {
    let start = status_bytes(pid, "VmRSS:");
    reset_peak(pid);
    let started = Instant::now();
    let phase = Arc::new(phase);
    let tasks: Vec<_> = (0..senders)
        .map(|_| {
            let (client, phase) = (client.clone(), Arc::clone(&phase));
            tokio::spawn(async move {
                let mut statuses = Vec::new();
                for _ in 0..phase.per_sender {
                    let mut request = client.post(&phase.url).body(phase.body.clone());
                    for (name, value) in &phase.headers {
                        request = request.header(*name, value);
                    }
                    // A refused body may end the connection before the answer is read.
                    statuses.push(match request.send().await {
                        Ok(response) => response.status().as_u16().to_string(),
                        Err(_) => "connection closed".to_owned(),
                    });
                }
                statuses
            })
        })
        .collect();
    let mut statuses = BTreeMap::new();
    for task in tasks {
        for status in task.await.expect("sender") {
            *statuses.entry(status).or_insert(0) += 1;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let peak = status_bytes(pid, "VmHWM:");
    tokio::time::sleep(Duration::from_secs(2)).await;
    Outcome {
        name: phase.name,
        start,
        sent_bytes: (phase.body.len() * phase.per_sender * senders) as u64,
        statuses,
        peak,
        settled: status_bytes(pid, "VmRSS:"),
        seconds,
    }
}

fn padded_json(len: usize) -> Bytes {
    let mut body = br#"{"padding":""#.to_vec();
    body.resize(len - 2, b'a');
    body.extend_from_slice(br#""}"#);
    Bytes::from(body)
}

fn phases(base: &str, token: &str) -> Vec<Phase> {
    vec![
        Phase {
            name: "webhook",
            url: format!("{base}/webhook"),
            body: padded_json(crm_mind::http::MAX_WEBHOOK_BODY),
            headers: vec![
                ("content-type", "application/json".into()),
                ("x-hub-signature-256", format!("sha256={}", "0".repeat(64))),
            ],
            per_sender: 8,
        },
        Phase {
            name: "crm_push",
            url: format!("{base}/api/crm-links/webhook/00000000-0000-0000-0000-000000000000"),
            body: padded_json(crm_mind::http::MAX_PUSH_BODY),
            headers: vec![
                ("content-type", "application/json".into()),
                ("x-crm-signature-256", format!("sha256={}", "0".repeat(64))),
            ],
            per_sender: 2,
        },
        Phase {
            name: "api_json",
            url: format!("{base}/api/products"),
            body: padded_json(2 * MIB as usize),
            headers: vec![
                ("content-type", "application/json".into()),
                ("authorization", format!("Bearer {token}")),
            ],
            per_sender: 4,
        },
    ]
}

#[tokio::main]
async fn main() {
    let check = std::env::args().any(|a| a == "--check");
    let senders = env_u64("CONNECTIONS", 64) as usize;
    let budget = env_u64("BODY_BUDGET_MIB", 256) * MIB;

    let install = Installation::new(Engine::Sqlite)
        .env("CRM_MIND_REPLY_ENABLED", "false")
        .env("CRM_MIND_METAKOCKA_SYNC_SCHEDULE", "false")
        .env("CRM_MIND_METAKOCKA_INVENTORY_REFRESH_MINUTES", "0")
        .env(
            "CRM_MIND_HTTP_MAX_BODY_BYTES_IN_FLIGHT",
            &budget.to_string(),
        )
        .env("RUST_LOG", "error");
    let (_, token) = install.company_with_admin("flood@example.com", "a long passphrase");
    let service = install.start(0).await;
    let pid = service.child.id();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(senders)
        .build()
        .unwrap();
    // Warm the paths once, so the idle figure includes what the first requests allocate.
    for _ in 0..3 {
        let _ = client
            .get(format!("{}/api/products", service.base))
            .bearer_auth(&token)
            .send()
            .await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = status_bytes(pid, "VmRSS:");

    let rounds = env_u64("ROUNDS", 2) as usize;
    let allowed_growth = 2 * budget + 128 * MIB;
    println!(
        "body flood: {senders} connections, body budget {} MiB, idle RSS {} MiB; \
         a phase may add {} MiB to the memory it started from",
        budget / MIB,
        idle / MIB,
        allowed_growth / MIB
    );
    println!(
        "| round | phase | sent | seconds | answers | RSS at start | peak RSS | RSS 2 s after |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let mut over = Vec::new();
    let mut round_peaks = Vec::new();
    for round in 1..=rounds {
        let mut round_peak = 0;
        for phase in phases(&service.base, &token) {
            let outcome = flood(&client, pid, phase, senders).await;
            let answers: Vec<String> = outcome
                .statuses
                .iter()
                .map(|(status, n)| format!("{n}× {status}"))
                .collect();
            println!(
                "| {round} | `{}` | {} MiB | {:.1} | {} | {} MiB | {} MiB | {} MiB |",
                outcome.name,
                outcome.sent_bytes / MIB,
                outcome.seconds,
                answers.join(", "),
                outcome.start / MIB,
                outcome.peak / MIB,
                outcome.settled / MIB
            );
            if outcome.peak > outcome.start + allowed_growth {
                over.push(format!(
                    "round {round} {} grew past the budget",
                    outcome.name
                ));
            }
            round_peak = round_peak.max(outcome.peak);
        }
        round_peaks.push(round_peak);
    }
    if let (Some(first), Some(last)) = (round_peaks.first(), round_peaks.last())
        && *last > first + 128 * MIB
    {
        over.push(format!(
            "the last round's peak ({} MiB) passed the first's ({} MiB)",
            last / MIB,
            first / MIB
        ));
    }
    service.kill();
    if check && !over.is_empty() {
        eprintln!("body flood: memory not bounded: {}", over.join("; "));
        std::process::exit(1);
    }
}

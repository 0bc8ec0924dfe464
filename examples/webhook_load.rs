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

use anyhow::{Context, bail, ensure};
use clap::{Parser, ValueEnum};
use crm_mind::facebook::signature::sign;
use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Barrier;

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

/// Where to send, checked to be this machine.
struct Target {
    addr: SocketAddr,
    host_header: String,
    path: String,
    url: String,
}

fn target(url: &str) -> anyhow::Result<Target> {
    let parsed = url::Url::parse(url).with_context(|| format!("--url {url}"))?;
    ensure!(
        parsed.scheme() == "http",
        "--url must be http:// (loopback only)"
    );
    let host = parsed.host_str().context("--url has no host")?;
    let port = parsed.port_or_known_default().unwrap_or(80);
    let addr = (host.trim_matches(['[', ']']), port)
        .to_socket_addrs()
        .with_context(|| format!("resolving {host}"))?
        .next()
        .context("the host resolves to nothing")?;
    if !is_loopback(addr.ip()) {
        bail!("{host} is not a loopback address: this tool only loads a server on this machine");
    }
    let mut path = parsed.path().to_owned();
    if let Some(query) = parsed.query() {
        path = format!("{path}?{query}");
    }
    Ok(Target {
        addr,
        host_header: format!("{host}:{port}"),
        path,
        url: url.to_owned(),
    })
}

fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// Builds delivery number `n`: `events` text messages with ids unique to the run.
struct Bodies {
    secret: Vec<u8>,
    pages: Vec<String>,
    run_id: String,
    events: u32,
}

impl Bodies {
    fn body(&self, n: u64) -> Vec<u8> {
        let page = &self.pages[(n % self.pages.len() as u64) as usize];
        let now = chrono::Utc::now().timestamp_millis();
        let mut messaging = String::with_capacity(256 * self.events as usize);
        for e in 0..self.events {
            if e > 0 {
                messaging.push(',');
            }
            messaging.push_str(&format!(
                r#"{{"sender":{{"id":"psid-{sender}"}},"recipient":{{"id":"{page}"}},"timestamp":{now},"message":{{"mid":"m_{run}_{n}_{e}","text":"Hello, is the blue one in stock? ({n}/{e})"}}}}"#,
                sender = n % 1000,
                run = self.run_id,
            ));
        }
        format!(
            r#"{{"object":"page","entry":[{{"id":"{page}","time":{now},"messaging":[{messaging}]}}]}}"#
        )
        .into_bytes()
    }

    fn signature(&self, body: &[u8]) -> String {
        sign(&self.secret, body)
    }
}

/// What each worker brings back.
#[derive(Default)]
struct Tally {
    /// Acknowledgement latencies of the 200 answers, in microseconds.
    latencies_us: Vec<u32>,
    statuses: BTreeMap<u16, u64>,
    errors: u64,
    first_error: Option<String>,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        self.latencies_us.extend(other.latencies_us);
        for (status, count) in other.statuses {
            *self.statuses.entry(status).or_default() += count;
        }
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }
}

struct Plan {
    bodies: Bodies,
    next: AtomicU64,
    requests: u64,
    /// Set once every worker has connected, just before they start.
    deadline: OnceLock<Instant>,
    timeout: Duration,
    /// Workers wait here once connected, then again until the clock has started.
    ready: Barrier,
    go: Barrier,
}

impl Plan {
    /// The number of the next request to send, or `None` when the run is over.
    fn claim(&self) -> Option<u64> {
        if self.deadline.get().is_none_or(|d| Instant::now() >= *d) {
            return None;
        }
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        (n < self.requests).then_some(n)
    }
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

fn report(args: &Args, tally: &Tally, elapsed: f64, before: CpuSample, after: CpuSample) {
    let mut latencies = tally.latencies_us.clone();
    latencies.sort_unstable();
    let acked = latencies.len() as u64;
    let events = acked * u64::from(args.events_per_request);
    let non_200: u64 = tally
        .statuses
        .iter()
        .filter(|(status, _)| **status != 200)
        .map(|(_, count)| count)
        .sum();
    let quantile = |q: f64| -> f64 {
        if latencies.is_empty() {
            return 0.0;
        }
        let rank = ((q * latencies.len() as f64).ceil() as usize).clamp(1, latencies.len());
        f64::from(latencies[rank - 1]) / 1000.0
    };
    let (p50, p90, p99, p999, max) = (
        quantile(0.50),
        quantile(0.90),
        quantile(0.99),
        quantile(0.999),
        quantile(1.0),
    );
    println!("target            {}", args.url);
    println!("concurrency       {}", args.concurrency);
    println!("elapsed           {elapsed:.2} s");
    println!("acknowledged      {acked} requests, {events} events");
    println!(
        "rate              {:.0} requests/s, {:.0} events/s",
        acked as f64 / elapsed,
        events as f64 / elapsed
    );
    println!(
        "latency (200s)    p50 {p50:.2} ms  p90 {p90:.2} ms  p99 {p99:.2} ms  p99.9 {p999:.2} ms  max {max:.2} ms"
    );
    println!("non-200 answers   {non_200} {:?}", tally.statuses);
    println!("transport errors  {}", tally.errors);
    if let Some(error) = &tally.first_error {
        println!("first error       {error}");
    }
    let ticks = clock_ticks_per_second();
    let share = |t: u64| t as f64 / ticks / elapsed * 100.0;
    let generator_ticks = after.own.saturating_sub(before.own);
    println!(
        "generator CPU     {:.0}% of one core",
        share(generator_ticks)
    );
    let mut server_total = 0;
    if !after.server.is_empty() {
        let mut by_name: BTreeMap<&str, u64> = BTreeMap::new();
        for (name, t) in &after.server {
            let was = before.server.get(name).copied().unwrap_or(0);
            *by_name.entry(name.as_str()).or_default() += t.saturating_sub(was);
        }
        server_total = after.server_total.saturating_sub(before.server_total);
        println!("server CPU        {:.0}% of one core", share(server_total));
        for (name, t) in by_name.iter().filter(|(_, t)| **t > 0) {
            println!("  {name:<16}{:.0}%", share(*t));
        }
    }
    let machine_busy = after.machine.0.saturating_sub(before.machine.0);
    let machine_all = after.machine.1.saturating_sub(before.machine.1);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    let machine_pct = if machine_all == 0 {
        0.0
    } else {
        machine_busy as f64 / machine_all as f64 * cores * 100.0
    };
    let db_ticks = after.db_total.saturating_sub(before.db_total);
    if args.db_pid.is_some() {
        println!("database CPU      {:.0}% of one core", share(db_ticks));
    }
    let others_pct =
        (machine_pct - share(server_total) - share(generator_ticks) - share(db_ticks)).max(0.0);
    println!(
        "machine CPU       {machine_pct:.0}% of {:.0}% ({cores} cores), {others_pct:.0}% of it by other processes",
        cores * 100.0
    );
    println!(
        "RESULT acked_requests={acked} acked_events={events} non_200={non_200} errors={} elapsed_s={elapsed:.3} events_per_s={:.0} p50_ms={p50:.3} p90_ms={p90:.3} p99_ms={p99:.3} p999_ms={p999:.3} max_ms={max:.3} generator_cpu_pct={:.0} server_cpu_pct={:.0} db_cpu_pct={:.0} others_cpu_pct={others_pct:.0}",
        tally.errors,
        events as f64 / elapsed,
        share(generator_ticks),
        share(server_total),
        share(db_ticks),
    );
}

async fn raw_worker(plan: Arc<Plan>, target: Arc<Target>) -> Tally {
    let mut tally = Tally::default();
    let mut conn = match RawConn::connect(target.addr).await {
        Ok(conn) => Some(conn),
        Err(e) => {
            tally.errors += 1;
            tally.first_error = Some(format!("{e:#}"));
            None
        }
    };
    plan.ready.wait().await;
    plan.go.wait().await;
    let mut request = Vec::with_capacity(1024);
    while let Some(n) = plan.claim() {
        let body = plan.bodies.body(n);
        let signature = plan.bodies.signature(&body);
        request.clear();
        request.extend_from_slice(
            format!(
                "POST {} HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nx-hub-signature-256: {signature}\r\n\r\n",
                target.path,
                target.host_header,
                body.len()
            )
            .as_bytes(),
        );
        request.extend_from_slice(&body);
        let sent = Instant::now();
        let outcome = tokio::time::timeout(plan.timeout, async {
            let c = match conn.as_mut() {
                Some(c) => c,
                None => conn.insert(RawConn::connect(target.addr).await?),
            };
            c.round_trip(&request).await
        })
        .await
        .unwrap_or_else(|_| Err(anyhow::anyhow!("timed out after {:?}", plan.timeout)));
        match outcome {
            Ok((status, keep_alive)) => {
                record(&mut tally, status, sent);
                if !keep_alive {
                    conn = None;
                }
            }
            Err(e) => {
                tally.errors += 1;
                tally.first_error.get_or_insert_with(|| format!("{e:#}"));
                conn = None;
            }
        }
    }
    tally
}

async fn reqwest_worker(plan: Arc<Plan>, target: Arc<Target>, client: reqwest::Client) -> Tally {
    let mut tally = Tally::default();
    // reqwest connects on the first request; that set-up is measured.
    plan.ready.wait().await;
    plan.go.wait().await;
    while let Some(n) = plan.claim() {
        let body = plan.bodies.body(n);
        let signature = plan.bodies.signature(&body);
        let sent = Instant::now();
        let outcome = client
            .post(&target.url)
            .header("content-type", "application/json")
            .header("x-hub-signature-256", signature)
            .timeout(plan.timeout)
            .body(body)
            .send()
            .await;
        match outcome {
            Ok(response) => {
                let status = response.status().as_u16();
                match response.bytes().await {
                    Ok(_) => record(&mut tally, status, sent),
                    Err(e) => {
                        tally.errors += 1;
                        tally.first_error.get_or_insert_with(|| e.to_string());
                    }
                }
            }
            Err(e) => {
                tally.errors += 1;
                tally.first_error.get_or_insert_with(|| e.to_string());
            }
        }
    }
    tally
}

fn record(tally: &mut Tally, status: u16, sent: Instant) {
    *tally.statuses.entry(status).or_default() += 1;
    if status == 200 {
        let us = sent.elapsed().as_micros().min(u128::from(u32::MAX)) as u32;
        tally.latencies_us.push(us);
    }
}

/// One keep-alive HTTP/1.1 connection: enough of the protocol for axum's answers, which all
/// carry a Content-Length.
struct RawConn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl RawConn {
    async fn connect(addr: SocketAddr) -> anyhow::Result<Self> {
        let stream = TcpStream::connect(addr)
            .await
            .with_context(|| format!("connecting to {addr}"))?;
        stream.set_nodelay(true)?;
        Ok(Self {
            stream,
            buf: Vec::with_capacity(4096),
        })
    }

    /// Sends `request` and reads the answer; returns its status and whether the connection stays open.
    async fn round_trip(&mut self, request: &[u8]) -> anyhow::Result<(u16, bool)> {
        self.stream.write_all(request).await?;
        self.buf.clear();
        let header_end = loop {
            if let Some(i) = find(&self.buf, b"\r\n\r\n") {
                break i + 4;
            }
            ensure!(self.buf.len() < 64 * 1024, "the response head is too long");
            self.fill().await?;
        };
        let head =
            std::str::from_utf8(&self.buf[..header_end]).context("a non-UTF-8 response head")?;
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap_or_default();
        let status: u16 = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .with_context(|| format!("a bad status line {status_line:?}"))?;
        let mut content_length = None;
        let mut keep_alive = true;
        for line in lines {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                content_length = Some(value.parse::<usize>().context("a bad content-length")?);
            } else if name.eq_ignore_ascii_case("connection") && value.eq_ignore_ascii_case("close")
            {
                keep_alive = false;
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                bail!("a chunked answer; this client reads Content-Length answers only");
            }
        }
        let total = header_end + content_length.context("an answer without content-length")?;
        while self.buf.len() < total {
            self.fill().await?;
        }
        ensure!(
            self.buf.len() == total,
            "the server answered more than was asked"
        );
        Ok((status, keep_alive))
    }

    async fn fill(&mut self) -> anyhow::Result<()> {
        let mut chunk = [0u8; 4096];
        let read = self.stream.read(&mut chunk).await?;
        ensure!(read > 0, "the server closed the connection");
        self.buf.extend_from_slice(&chunk[..read]);
        Ok(())
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// CPU time in clock ticks: this process, and the server's threads by name.
struct CpuSample {
    own: u64,
    /// The whole server process, threads that ended included.
    server_total: u64,
    /// The database server process, if one was named.
    db_total: u64,
    /// The server's live threads, by name.
    server: BTreeMap<String, u64>,
    /// The whole machine: (busy, all) ticks from `/proc/stat`, to tell a quiet machine from a shared one.
    machine: (u64, u64),
}

impl CpuSample {
    fn take(server_pid: Option<u32>, db_pid: Option<u32>) -> Self {
        let process = |path: String| {
            std::fs::read_to_string(path)
                .ok()
                .and_then(|s| stat_ticks(&s).map(|(_, t)| t))
                .unwrap_or(0)
        };
        let own = process("/proc/self/stat".to_owned());
        let server_total = server_pid.map_or(0, |pid| process(format!("/proc/{pid}/stat")));
        let db_total = db_pid.map_or(0, |pid| process(format!("/proc/{pid}/stat")));
        let mut server = BTreeMap::new();
        if let Some(pid) = server_pid
            && let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task"))
        {
            for task in tasks.flatten() {
                let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else {
                    continue;
                };
                if let Some((name, t)) = stat_ticks(&stat) {
                    // tokio numbers nothing, but a thread name can end in digits; group those.
                    let name = name
                        .trim_end_matches(|c: char| c.is_ascii_digit())
                        .to_owned();
                    *server.entry(name).or_default() += t;
                }
            }
        }
        let machine = std::fs::read_to_string("/proc/stat")
            .ok()
            .and_then(|s| {
                let fields: Vec<u64> = s
                    .lines()
                    .next()?
                    .split_whitespace()
                    .skip(1)
                    .filter_map(|f| f.parse().ok())
                    .collect();
                // user nice system idle iowait irq softirq steal ...
                let all: u64 = fields.iter().take(8).sum();
                let idle = fields.get(3)? + fields.get(4)?;
                Some((all - idle, all))
            })
            .unwrap_or((0, 0));
        Self {
            own,
            server_total,
            db_total,
            server,
            machine,
        }
    }
}

/// `(comm, utime + stime)` from a `/proc/.../stat` line.
fn stat_ticks(stat: &str) -> Option<(String, u64)> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let name = stat[open + 1..close].to_owned();
    let fields: Vec<&str> = stat[close + 2..].split(' ').collect();
    // After the name: state is field 3, utime field 14, stime field 15 (1-based over the whole line).
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((name, utime + stime))
}

fn clock_ticks_per_second() -> f64 {
    // USER_HZ is 100 on every Linux architecture crm-mind targets.
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

//! What a run sends and what it brings back: the signed deliveries, the shared plan the
//! workers claim request numbers from, and the tally of answers.

use crm_mind::facebook::signature::sign;
use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Barrier;

/// Builds delivery number `n`: `events` text messages with ids unique to the run.
pub struct Bodies {
    pub secret: Vec<u8>,
    pub pages: Vec<String>,
    pub run_id: String,
    pub events: u32,
}

impl Bodies {
    pub fn body(&self, n: u64) -> Vec<u8> {
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

    pub fn signature(&self, body: &[u8]) -> String {
        sign(&self.secret, body)
    }
}

/// What each worker brings back.
#[derive(Default)]
pub struct Tally {
    /// Acknowledgement latencies of the 200 answers, in microseconds.
    pub latencies_us: Vec<u32>,
    pub statuses: BTreeMap<u16, u64>,
    pub errors: u64,
    pub first_error: Option<String>,
}

impl Tally {
    pub fn merge(&mut self, other: Tally) {
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

pub struct Plan {
    pub bodies: Bodies,
    pub next: AtomicU64,
    pub requests: u64,
    /// Set once every worker has connected, just before they start.
    pub deadline: OnceLock<Instant>,
    pub timeout: Duration,
    /// Workers wait here once connected, then again until the clock has started.
    pub ready: Barrier,
    pub go: Barrier,
}

impl Plan {
    /// The number of the next request to send, or `None` when the run is over.
    pub fn claim(&self) -> Option<u64> {
        if self.deadline.get().is_none_or(|d| Instant::now() >= *d) {
            return None;
        }
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        (n < self.requests).then_some(n)
    }
}

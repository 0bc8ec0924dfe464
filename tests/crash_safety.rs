//! Crash safety (issue 8, item 4): the real `crm-mind serve` binary takes a burst of signed
//! Messenger events, is killed with SIGKILL in the middle, and is started again on the same
//! data. Facebook redelivers whatever was not acknowledged, so the harness does the same.
//! Afterwards, on each store engine and for 20 kill points:
//! * every event is in the inbox once (one reply record per event, however often it came);
//! * the fake Graph API never received two messages for one event;
//! * each event was answered (`sent`), or, when the kill fell between "sending" and "sent",
//!   it waits for a person (`needs_review`) instead of being sent a second time blindly;
//! * the SQLite store, the vector index and the MongoDB database open cleanly again.

#[path = "graph_api/fake_graph.rs"]
#[allow(dead_code)]
mod fake_graph;

#[path = "support/binary.rs"]
#[allow(dead_code)]
mod binary;

use binary::{Engine, Installation, mongo_engine, mongo_uri, sign};
use fake_graph::{FakeGraph, PAGE_ID, PAGE_TOKEN};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const ROUNDS: usize = 20;
const EVENTS_PER_ROUND: usize = 40;
/// Requests in flight at once, so the kill lands while some are half-way.
const SENDERS: usize = 8;

/// One Messenger message from its own customer (one conversation per event, so the worker
/// may answer them in any order and every send is attributable to one event).
fn event(round: usize, index: usize) -> (String, Vec<u8>) {
    let psid = format!("9{round:03}{index:05}");
    let now = chrono::Utc::now().timestamp_millis();
    let body = json!({"object": "page", "entry": [{"id": PAGE_ID, "time": now, "messaging": [{
        "sender": {"id": psid},
        "recipient": {"id": PAGE_ID},
        "timestamp": now,
        "message": {"mid": format!("m_crash_{round}_{index}"), "text": "Do you ship to Ljubljana?"}
    }]}]});
    (psid, serde_json::to_vec(&body).unwrap())
}

/// Posts every event not yet acknowledged, `SENDERS` at a time; returns when all were tried
/// or the service went away. `acked` counts acknowledgements as they arrive.
async fn post_events(
    base: &str,
    events: &[(String, Vec<u8>)],
    pending: &[usize],
    acked: Arc<AtomicUsize>,
) -> HashSet<usize> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let queue = Arc::new(parking_lot::Mutex::new(pending.to_vec()));
    let mut tasks = Vec::new();
    for _ in 0..SENDERS {
        let (client, queue, acked) = (client.clone(), Arc::clone(&queue), Arc::clone(&acked));
        let url = format!("{base}/webhook");
        let events = events.to_vec();
        tasks.push(tokio::spawn(async move {
            let mut done = Vec::new();
            loop {
                let Some(index) = queue.lock().pop() else {
                    break;
                };
                let body = events[index].1.clone();
                let response = client
                    .post(&url)
                    .header("Content-Type", "application/json")
                    .header("X-Hub-Signature-256", sign(&body))
                    .body(body)
                    .send()
                    .await;
                match response {
                    Ok(response) if response.status() == 200 => {
                        done.push(index);
                        acked.fetch_add(1, Ordering::SeqCst);
                    }
                    // A refused connection or a reset: the service is down; Facebook would
                    // deliver it again later, and so will the harness.
                    _ => break,
                }
            }
            done
        }));
    }
    let mut acknowledged = HashSet::new();
    for task in tasks {
        acknowledged.extend(task.await.unwrap());
    }
    acknowledged
}

async fn replies(base: &str, token: &str) -> Vec<Value> {
    let response = reqwest::Client::new()
        .get(format!("{base}/api/dashboard/replies?limit=500"))
        .bearer_auth(token)
        .send()
        .await
        .expect("replies");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["replies"].as_array().unwrap().clone()
}

/// One round: set up, burst, kill after `kill_after` acknowledgements, restart, redeliver,
/// wait until every event has its outcome, and check what Facebook and the operator see.
async fn round(engine: Engine, number: usize, kill_after: usize) -> RoundOutcome {
    let graph = FakeGraph::start().await;
    let round = Installation::new(engine)
        .env("CRM_MIND_GRAPH_API_BASE_URL", &graph.base_url)
        .env("CRM_MIND_GRAPH_RETRY_BASE_MS", "1")
        .env("CRM_MIND_REPLY_WORKERS", "4")
        // A short lease, so events a killed worker held are taken again soon.
        .env("CRM_MIND_REPLY_LEASE_SECS", "2");
    let (_, token) = round.company_with_admin("ops@example.com", "a long passphrase");

    let mut service = round.start(0).await;
    let registered = reqwest::Client::new()
        .post(format!("{}/api/dashboard/pages", service.base))
        .bearer_auth(&token)
        .json(&json!({"page_id": PAGE_ID, "page_name": "Crash Shop", "access_token": PAGE_TOKEN}))
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status(), 201);

    let events: Vec<_> = (0..EVENTS_PER_ROUND).map(|i| event(number, i)).collect();
    let all: Vec<usize> = (0..EVENTS_PER_ROUND).collect();
    let acked = Arc::new(AtomicUsize::new(0));
    let burst = tokio::spawn({
        let (base, events, all, acked) = (
            service.base.clone(),
            events.clone(),
            all.clone(),
            Arc::clone(&acked),
        );
        async move { post_events(&base, &events, &all, acked).await }
    });
    while acked.load(Ordering::SeqCst) < kill_after && !burst.is_finished() {
        tokio::time::sleep(Duration::from_micros(200)).await;
    }
    service.kill();
    let first_acks = burst.await.unwrap();

    // Started again on the same data; the unacknowledged events come again.
    service = round.start(1).await;
    let rest: Vec<usize> = all
        .iter()
        .copied()
        .filter(|i| !first_acks.contains(i))
        .collect();
    let second_acks =
        post_events(&service.base, &events, &rest, Arc::new(AtomicUsize::new(0))).await;
    assert_eq!(
        first_acks.len() + second_acks.len(),
        EVENTS_PER_ROUND,
        "every redelivered event is acknowledged by the restarted service"
    );

    // Wait for every event's outcome.
    let started = Instant::now();
    let settled = loop {
        let replies = replies(&service.base, &token).await;
        let settled = replies
            .iter()
            .filter(|r| matches!(r["status"].as_str(), Some("sent" | "needs_review")))
            .count();
        if settled >= EVENTS_PER_ROUND {
            break replies;
        }
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "round {number}: only {settled} of {EVENTS_PER_ROUND} events settled: {replies:#?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };

    // What Facebook saw: at most one message per customer, and one for every `sent`.
    let mut sends: HashMap<String, usize> = HashMap::new();
    for seen in graph.requests() {
        let recipient = seen.body["recipient"]["id"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        *sends.entry(recipient).or_default() += 1;
    }
    let twice: Vec<_> = sends.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "round {number}: sent twice: {twice:?}");
    let expected: HashSet<String> = events.iter().map(|(psid, _)| psid.clone()).collect();
    let mut recorded = HashSet::new();
    let mut needs_review = 0;
    for reply in &settled {
        let recipient = reply["recipient_id"].as_str().unwrap().to_owned();
        assert!(
            expected.contains(&recipient),
            "a reply to an unknown sender"
        );
        assert!(
            recorded.insert(recipient.clone()),
            "round {number}: two reply records for {recipient}"
        );
        match reply["status"].as_str() {
            Some("sent") => assert_eq!(
                sends.get(&recipient),
                Some(&1),
                "round {number}: {recipient} is `sent` but Facebook saw no message"
            ),
            _ => needs_review += 1,
        }
    }
    assert_eq!(
        recorded, expected,
        "round {number}: every event has its reply record"
    );

    // A clean stop, and the data opens once more (store and vector index).
    service.kill();
    let service = round.start(2).await;
    assert_eq!(replies(&service.base, &token).await.len(), EVENTS_PER_ROUND);
    service.kill();
    RoundOutcome {
        acked_before_kill: first_acks.len(),
        needs_review,
    }
}

struct RoundOutcome {
    acked_before_kill: usize,
    needs_review: usize,
}

async fn rounds(make_engine: impl Fn(usize) -> Engine, label: &str) {
    let mut report = Vec::new();
    for number in 0..ROUNDS {
        // Kill points spread over the burst: early, middle and late.
        let kill_after = 1 + (number * 13) % (EVENTS_PER_ROUND - 2);
        let outcome = round(make_engine(number), number, kill_after).await;
        report.push((kill_after, outcome.acked_before_kill, outcome.needs_review));
    }
    // The figures docs/reliability.md quotes: where each kill fell and what it left.
    eprintln!("{label}: (kill after, acknowledged before the kill, needs_review) = {report:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_mid_burst_loses_nothing_and_sends_nothing_twice_on_sqlite() {
    rounds(|_| Engine::Sqlite, "sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_mid_burst_loses_nothing_and_sends_nothing_twice_on_mongodb() {
    let Some(uri) = mongo_uri() else {
        return;
    };
    rounds(|_| mongo_engine(&uri, "crash"), "mongodb").await;
}

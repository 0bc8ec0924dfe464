//! The CPU cost of a webhook delivery before it reaches the store: the `X-Hub-Signature-256`
//! check, parsing the body into typed events, and `to_inbox`, for three bodies:
//!
//! * `messenger_text`: a typical delivery, one page, one text message;
//! * `feed_two_pages`: `fixtures/external/feed/bottender-facebook_comment_add.webhook.json`,
//!   a new comment on each of two pages;
//! * `messenger_two_pages`: `fixtures/external/messenger/bottender-facebook_batch_two_pages.webhook.json`,
//!   a text message on each of two pages.
//!
//! Run with `cargo bench --bench webhook`; figures are in `docs/benchmarks.md`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use crm_mind::domain::events::WebhookEvent;
use crm_mind::facebook::signature::sign;
use crm_mind::facebook::{parse_webhook, verify_signature};
use std::hint::black_box;

const APP_SECRET: &[u8] = b"bench-app-secret";

fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/fixtures/external/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("reading {full}: {e}"))
}

/// What Facebook sends for one text message, compact as on the wire.
fn messenger_text() -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "object": "page",
        "entry": [{"id": "1895382890692545", "time": 1_700_000_000_000i64, "messaging": [{
            "sender": {"id": "1412611362105802"},
            "recipient": {"id": "1895382890692545"},
            "timestamp": 1_700_000_000_000i64,
            "message": {"mid": "m_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", "text": "Hello, is the blue one in stock?"}
        }]}]
    }))
    .expect("JSON")
}

fn bodies() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("messenger_text", messenger_text()),
        (
            "feed_two_pages",
            fixture("feed/bottender-facebook_comment_add.webhook.json"),
        ),
        (
            "messenger_two_pages",
            fixture("messenger/bottender-facebook_batch_two_pages.webhook.json"),
        ),
    ]
}

fn webhook(c: &mut Criterion) {
    let bodies = bodies();
    for (name, body) in &bodies {
        let parsed = parse_webhook(body).expect("the body parses");
        let wanted = parsed
            .events
            .iter()
            .filter_map(WebhookEvent::to_inbox)
            .count();
        assert!(wanted > 0, "{name}: no event wants a reply");
        eprintln!(
            "{name}: {} bytes, {} events, {wanted} for the inbox",
            body.len(),
            parsed.events.len()
        );
    }

    let mut group = c.benchmark_group("webhook");
    for (name, body) in &bodies {
        let header = sign(APP_SECRET, body);
        let payload = parse_webhook(body).expect("the body parses");
        group.throughput(Throughput::Bytes(body.len() as u64));

        group.bench_with_input(
            BenchmarkId::new("verify_signature", name),
            body,
            |b, body| {
                b.iter(|| verify_signature(APP_SECRET, black_box(body), Some(header.as_bytes())))
            },
        );
        group.bench_with_input(BenchmarkId::new("parse_webhook", name), body, |b, body| {
            b.iter(|| parse_webhook(black_box(body)))
        });
        group.bench_with_input(
            BenchmarkId::new("to_inbox", name),
            &payload,
            |b, payload| {
                b.iter(|| {
                    black_box(payload)
                        .events
                        .iter()
                        .filter_map(WebhookEvent::to_inbox)
                        .collect::<Vec<_>>()
                })
            },
        );
        // What the handler does before the store: check, parse, pick the inbox candidates.
        group.bench_with_input(
            BenchmarkId::new("verify_parse_to_inbox", name),
            body,
            |b, body| {
                b.iter(|| {
                    let body = black_box(body);
                    verify_signature(APP_SECRET, body, Some(header.as_bytes())).expect("signed");
                    let payload = parse_webhook(body).expect("parses");
                    payload
                        .events
                        .iter()
                        .filter_map(WebhookEvent::to_inbox)
                        .collect::<Vec<_>>()
                })
            },
        );
    }
    group.finish();

    // The signature alone, for a typical body: what signing costs the load generator too.
    c.bench_function("sign/messenger_text", |b| {
        let body = messenger_text();
        b.iter(|| sign(APP_SECRET, black_box(&body)))
    });
}

criterion_group!(benches, webhook);
criterion_main!(benches);

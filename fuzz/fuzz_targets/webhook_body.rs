//! The webhook body parser: raw bytes as Facebook (or anyone) might POST them. Whatever comes
//! in — a BOM, deep nesting, wrong types, huge numbers — parsing returns an error or events,
//! never a panic, and every parsed event turns into an inbox candidate without one either.
#![no_main]

use crm_mind::facebook::webhook::parse_webhook;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    if let Ok(payload) = parse_webhook(body) {
        for event in &payload.events {
            let _ = event.to_inbox();
        }
    }
});

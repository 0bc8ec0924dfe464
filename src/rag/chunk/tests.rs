//! The chunker on realistic CRM records, counted with the default model's real tokenizer.
//!
//! The tokenizer comes from the models directory (`CRM_MIND_MODELS_DIR`, default `./models`),
//! which `scripts/fetch-models` fills; without it these tests fail and say so.

use super::{BOUNDARY_EVERY, Chunk, Chunker, is_boundary};
use crate::rag::flatten::{Record, records};
use serde_json::json;
use std::collections::HashSet;
use std::path::PathBuf;

const MAX_TOKENS: usize = 128;

pub(super) fn tokenizer_path() -> PathBuf {
    let dir = std::env::var_os("CRM_MIND_MODELS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models"));
    let path = dir.join("tokenizer.json");
    assert!(
        path.is_file(),
        "{} is missing: run scripts/fetch-models (or set CRM_MIND_MODELS_DIR)",
        path.display()
    );
    path
}

fn chunker(max_tokens: usize) -> Chunker {
    Chunker::from_tokenizer_file(&tokenizer_path(), max_tokens).expect("chunker")
}

/// Tokens as the model sees them, special tokens left out, no truncation.
fn real_token_count(text: &str) -> usize {
    let mut tokenizer = tokenizers::Tokenizer::from_file(tokenizer_path()).expect("tokenizer");
    tokenizer.with_truncation(None).expect("no truncation");
    tokenizer.with_padding(None);
    tokenizer.encode(text, false).expect("encode").len()
}

/// `count` customer records of a few lines each, alternating English and Slovenian notes.
fn customers(count: usize) -> Vec<Record> {
    let customers: Vec<_> = (0..count)
        .map(|i| {
            let note = if i % 2 == 0 { "prefers delivery on Fridays" } else { "želi dostavo ob petkih" };
            json!({"id": format!("cust-{i:04}"), "name": format!("Customer {i}"), "email": format!("c{i}@example.com"), "note": note})
        })
        .collect();
    records(&json!({ "customers": customers }))
}

fn assert_within_budget(chunks: &[Chunk], max_tokens: usize) {
    for chunk in chunks {
        let tokens = real_token_count(&chunk.text);
        assert!(
            tokens <= max_tokens,
            "{} has {tokens} tokens > {max_tokens}:\n{}",
            chunk.path,
            chunk.text
        );
    }
}

#[test]
fn small_records_are_packed_whole_and_in_order() {
    let records = customers(30);

    let chunks = chunker(MAX_TOKENS).chunk_records(&records);

    assert!(
        chunks.len() < records.len(),
        "{} chunks for {} small records",
        chunks.len(),
        records.len()
    );
    let rejoined: Vec<&str> = chunks.iter().flat_map(|c| c.text.lines()).collect();
    let original: Vec<&str> = records
        .iter()
        .flat_map(|r| r.lines.iter().map(String::as_str))
        .collect();
    assert_eq!(rejoined, original, "every line once, in order");
    for record in &records {
        let holders = chunks
            .iter()
            .filter(|c| c.text.contains(&format!("{}.", record.prefix)))
            .count();
        assert_eq!(
            holders, 1,
            "{} is spread over {holders} chunks",
            record.prefix
        );
    }
    assert_eq!(chunks[0].path.split("..").next(), Some("customers[0]"));
    assert_within_budget(&chunks, MAX_TOKENS);
}

#[test]
fn chunk_paths_name_their_records_and_are_unique() {
    let chunks = chunker(MAX_TOKENS).chunk_records(&customers(40));

    let unique: HashSet<&str> = chunks.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(unique.len(), chunks.len());
    for chunk in &chunks {
        let first_line = chunk.text.lines().next().unwrap();
        let last_line = chunk.text.lines().last().unwrap();
        let (first, last) = chunk
            .path
            .split_once("..")
            .unwrap_or((&chunk.path, &chunk.path));
        assert!(
            first_line.starts_with(&format!("{first}.")),
            "{} starts with {first_line}",
            chunk.path
        );
        assert!(
            last_line.starts_with(&format!("{last}.")),
            "{} ends with {last_line}",
            chunk.path
        );
    }
}

#[test]
fn a_record_larger_than_a_chunk_is_split_and_each_piece_names_the_record() {
    let history: Vec<_> = (0..60)
        .map(|i| json!({"order": format!("2024-{i:05}"), "item": "zimski čevlji SKU-12-B", "total": 89.9}))
        .collect();
    let body = json!({"customers": [
        {"id": "cust-1", "name": "Ana"},
        {"id": "cust-big", "name": "Marko Horvat", "orders": history},
        {"id": "cust-3", "name": "Eva"}
    ]});
    let records = records(&body);

    let chunks = chunker(MAX_TOKENS).chunk_records(&records);

    let pieces: Vec<&Chunk> = chunks
        .iter()
        .filter(|c| c.path.starts_with("customers[1]#"))
        .collect();
    assert!(pieces.len() > 2, "split into {} pieces", pieces.len());
    for (index, piece) in pieces.iter().enumerate() {
        assert_eq!(piece.path, format!("customers[1]#{index}"));
        assert!(
            piece.text.starts_with("customers[1].id: cust-big\n"),
            "piece {index}: {}",
            piece.text
        );
        assert!(!piece.text.contains("customers[0].") && !piece.text.contains("customers[2]."));
    }
    let split_lines: Vec<&str> = pieces.iter().flat_map(|p| p.text.lines().skip(1)).collect();
    assert_eq!(
        split_lines,
        records[1].lines[1..],
        "every other line once, in order"
    );
    assert_within_budget(&chunks, MAX_TOKENS);
}

#[test]
fn a_value_longer_than_a_chunk_is_cut_with_its_path_repeated() {
    let notes =
        "Stranka je poklicala glede reklamacije. The customer called about a return. ".repeat(40);
    let records = records(&json!({"tickets": [{"id": "T-77", "notes": notes}]}));

    let chunks = chunker(MAX_TOKENS).chunk_records(&records);

    assert!(chunks.len() > 2);
    for chunk in &chunks {
        let mut lines = chunk.text.lines();
        assert_eq!(lines.next(), Some("tickets[0].id: T-77"));
        assert!(
            lines.all(|line| line.starts_with("tickets[0].notes: ")),
            "{}",
            chunk.text
        );
    }
    assert_within_budget(&chunks, MAX_TOKENS);
}

#[test]
fn appending_or_removing_the_last_record_keeps_every_earlier_chunk() {
    let chunker = chunker(MAX_TOKENS);
    let all = customers(41);

    let before = chunker.chunk_records(&all[..40]);
    let appended = chunker.chunk_records(&all);
    let removed = chunker.chunk_records(&all[..39]);

    let settled = &before[..before.len() - 1];
    assert_eq!(&appended[..settled.len()], settled);
    assert_eq!(&removed[..removed.len() - 1], &before[..removed.len() - 1]);
}

#[test]
fn a_record_that_grows_changes_only_the_chunks_up_to_the_next_boundary() {
    let chunker = chunker(MAX_TOKENS);
    let original = customers(80);
    let mut grown = original.clone();
    let changed = 10;
    let extra = format!("{}.vip_note: ", grown[changed].prefix)
        + "loyal customer since 2015, always pays on time";
    grown[changed].lines.push(extra);

    let before = chunker.chunk_records(&original);
    let after = chunker.chunk_records(&grown);

    let kept: HashSet<&Chunk> = before.iter().collect();
    let re_embedded = after.iter().filter(|c| !kept.contains(c)).count();
    let next_boundary = (changed..original.len())
        .find(|&i| is_boundary(&original[i].prefix))
        .unwrap();
    assert!(
        next_boundary < changed + 4 * BOUNDARY_EVERY as usize,
        "test data lacks a nearby boundary"
    );
    assert!(
        // The chunks from the grown record to the boundary, plus the one before it when the
        // grown record no longer fits after its neighbours.
        re_embedded <= next_boundary - changed + 2,
        "{re_embedded} of {} chunks changed after growing one record",
        after.len()
    );
    assert_eq!(after.last(), before.last());
}

#[test]
fn plain_text_is_chunked_in_tokens() {
    let paragraph = "Our shop in Ljubljana is open Monday to Friday from 9 to 17. Trgovina v Ljubljani je odprta od ponedeljka do petka od 9. do 17. ure.\n\n";
    let text = paragraph.repeat(12);

    let chunks = chunker(MAX_TOKENS).chunk_text(&text);

    assert!(chunks.len() > 1);
    let paths: Vec<String> = chunks.iter().map(|c| c.path.clone()).collect();
    let expected: Vec<String> = (0..chunks.len()).map(|i| format!("text#{i}")).collect();
    assert_eq!(paths, expected);
    let words = |s: &str| s.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
    assert_eq!(
        chunks
            .iter()
            .flat_map(|c| words(&c.text))
            .collect::<Vec<_>>(),
        words(&text)
    );
    assert_within_budget(&chunks, MAX_TOKENS);
    assert!(chunker(MAX_TOKENS).chunk_text("  \n ").is_empty());
}

#[test]
fn the_default_budget_holds_for_a_mixed_document() {
    let mut body = json!({"company": {"name": "Trgovina Novak d.o.o.", "vat": "SI12345678"}});
    body["products"] = json!((0..25).map(|i| json!({"sku": format!("SKU-{i}-B"), "name": "Pohodni čevlji", "price": 79.5 + f64::from(i)})).collect::<Vec<_>>());
    let chunker = chunker(super::DEFAULT_MAX_TOKENS);

    let chunks = chunker.chunk_records(&records(&body));

    assert_eq!(chunker.max_tokens(), 256);
    assert!(chunks[0].path.starts_with("company"), "{}", chunks[0].path);
    assert_within_budget(&chunks, 256);
}

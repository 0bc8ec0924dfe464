//! The counting shortcuts of `sizes.rs` and `tokens.rs` change how often the tokenizer runs,
//! never the chunks: checked against counting every text exactly, and the two facts they rest
//! on (tokens ≤ bytes, counts add up over lines) checked on the default model's tokenizer with
//! text chosen to break them.

use super::tests::tokenizer_path;
use super::tokens::TokenCounter;
use super::{Chunk, Chunker};
use crate::rag::flatten::records;
use serde_json::{Value, json};

fn chunkers(max_tokens: usize) -> (Chunker, Chunker) {
    let fast = Chunker::from_tokenizer_file(&tokenizer_path(), max_tokens).expect("chunker");
    let exact = Chunker {
        counter: TokenCounter::from_file(&tokenizer_path())
            .expect("tokenizer")
            .without_shortcuts(),
        max_tokens,
    };
    (fast, exact)
}

/// Text that stresses normalisation: accents, Slovenian, CJK, Hangul, Greek with several marks,
/// a dotted capital I, ligatures, emoji, control characters, right-to-left script.
const AWKWARD: &[&str] = &[
    "Čevlji Škofja Loka đ ŽŠČĆ",
    "İstanbul İİİ ǕǖǗ ᾂᾂᾂ",
    "中文字符测试 日本語のテキスト",
    "한국어 텍스트 처리",
    "ﬁnance ﬂow ㍱ ½",
    "🙂👍🏽 family 👨‍👩‍👧",
    "tab\there\u{0}nul\u{7}bell\u{200b}zero-width",
    "مرحبا بالعالم שלום",
    "ෝෝ ශ්‍රී ලංකා",
    "a\u{0301}\u{0302}\u{0303}combining",
    "SKU-12-B 2024-00123 ana.novak@example.si 863,75",
];

#[test]
fn the_default_tokenizer_takes_the_shortcuts() {
    let (fast, exact) = chunkers(128);
    assert!(fast.counter.is_bert_family());
    assert!(!exact.counter.is_bert_family());
}

#[test]
fn a_text_never_has_more_tokens_than_bytes() {
    let (fast, _) = chunkers(128);
    for text in AWKWARD {
        let tokens = fast.counter.count(text);
        assert!(
            tokens <= text.len(),
            "{text:?}: {tokens} tokens, {} bytes",
            text.len()
        );
        for c in text.chars() {
            let one = c.to_string();
            assert!(fast.counter.count(&one) <= one.len(), "{c:?}");
        }
    }
}

#[test]
fn counts_add_up_over_lines() {
    let (fast, _) = chunkers(128);
    let counter = &fast.counter;
    for pair in AWKWARD.windows(2) {
        let joined = pair.join("\n");
        let apart = counter.count(pair[0]) + counter.count(pair[1]) + counter.join_cost();
        assert_eq!(counter.count(&joined), apart, "{joined:?}");
    }
}

/// Records of very different sizes: tiny ones that pack many to a chunk without counting,
/// middling ones, ones just over a budget, and large ones that are split.
fn varied_document() -> Value {
    let tags: Vec<Value> = (0..60).map(|i| json!(format!("t{i}"))).collect();
    let products: Vec<Value> = (0..40)
        .map(|i| json!({"sku": format!("SKU-{i}-B"), "name": AWKWARD[i % AWKWARD.len()]}))
        .collect();
    let customers: Vec<Value> = (0..30)
        .map(|i| {
            let orders: Vec<Value> = (0..(i % 7) * 6)
                .map(|o| json!({"id": format!("2024-{o:05}"), "item": "zimski čevlji", "total": 89.9}))
                .collect();
            json!({"id": format!("cust-{i}"), "note": AWKWARD[(i * 3) % AWKWARD.len()].repeat(i % 5 + 1), "orders": orders})
        })
        .collect();
    let long = "Stranka je poklicala glede reklamacije. ".repeat(60);
    json!({"tags": tags, "products": products, "customers": customers, "tickets": [{"id": "T-1", "notes": long}]})
}

#[test]
fn chunks_are_the_same_as_with_every_text_counted_exactly() {
    let records = records(&varied_document());
    for max_tokens in [16, 32, 64, 128, 256] {
        let (fast, exact) = chunkers(max_tokens);

        let with_shortcuts: Vec<Chunk> = fast.chunk_records(&records);
        let counted: Vec<Chunk> = exact.chunk_records(&records);

        assert!(counted.len() > 3, "{max_tokens}: {} chunks", counted.len());
        assert_eq!(with_shortcuts, counted, "budget {max_tokens}");
    }
}

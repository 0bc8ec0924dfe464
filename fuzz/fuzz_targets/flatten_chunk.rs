//! The retrieval pipeline's text side: any JSON a CRM returns is flattened into `path: value`
//! lines and packed into chunks with the embedding model's tokenizer. Nothing may panic, no
//! chunk may exceed the token budget, and no flattened line may be lost from the chunks.
#![no_main]

use crm_mind::rag::chunk::Chunker;
use crm_mind::rag::flatten;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// The tokenizer of the model in `CRM_MIND_MODELS_DIR` (scripts/fetch-models), loaded once.
fn chunker() -> &'static Chunker {
    static CHUNKER: OnceLock<Chunker> = OnceLock::new();
    CHUNKER.get_or_init(|| {
        let dir = std::env::var("CRM_MIND_MODELS_DIR").expect("CRM_MIND_MODELS_DIR is set");
        Chunker::from_tokenizer_file(&std::path::Path::new(&dir).join("tokenizer.json"), 64)
            .expect("the tokenizer loads")
    })
}

fuzz_target!(|body: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        // A plain-text body is chunked as it is.
        if let Ok(text) = std::str::from_utf8(body) {
            let _ = chunker().chunk_text(text);
        }
        return;
    };
    let records = flatten::records(&value);
    let chunks = chunker().chunk_records(&records);
    let lines: usize = records
        .iter()
        .map(|r| r.text().lines().filter(|l| !l.is_empty()).count())
        .sum();
    let chunked: usize = chunks
        .iter()
        .map(|c| c.text.lines().filter(|l| !l.is_empty()).count())
        .sum();
    assert!(chunked >= lines, "lines lost: {lines} flattened, {chunked} chunked");
});

//! The default embedding model, loaded from the models directory the way the service loads it.
//!
//! Needs the files `scripts/fetch-models` installs into `CRM_MIND_MODELS_DIR` (default
//! `./models`); without them every test here fails with that fix, never skips.

use crm_mind::rag::embed::Embedder;
use crm_mind::rag::embed::fast::{DEFAULT_MODEL, FastEmbedder, load_embedder};
use crm_mind::rag::embed::files::ModelFiles;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

fn models_dir() -> PathBuf {
    std::env::var_os("CRM_MIND_MODELS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models"))
}

/// One model for the whole file: loading takes a second or two and every test reads only.
fn embedder() -> Arc<dyn Embedder> {
    static EMBEDDER: OnceLock<Arc<dyn Embedder>> = OnceLock::new();
    EMBEDDER
        .get_or_init(|| {
            load_embedder(&models_dir(), DEFAULT_MODEL).unwrap_or_else(|e| panic!("{e:#}"))
        })
        .clone()
}

fn embed_one(text: &str) -> Vec<f32> {
    embedder().embed(&[text]).expect("embed").remove(0)
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn norm(v: &[f32]) -> f32 {
    v.iter().map(|x| x * x).sum::<f32>().sqrt()
}

#[test]
fn the_default_model_gives_384_unit_length_dimensions() {
    let embedder = embedder();
    let texts = ["customers[0].name: John Doe", "Kje je moje naročilo?", ""];

    let vectors = embedder.embed(&texts).expect("embed");

    assert_eq!(embedder.model_id(), "all-MiniLM-L6-v2-int8");
    assert_eq!(embedder.dims(), 384);
    assert_eq!(vectors.len(), texts.len());
    for vector in &vectors {
        assert_eq!(vector.len(), 384);
        assert!((norm(vector) - 1.0).abs() < 1e-3, "norm {}", norm(vector));
    }
}

#[test]
fn a_sentence_is_closer_to_its_paraphrase_than_to_an_unrelated_one() {
    let question = embed_one("When will my order be delivered?");
    let paraphrase = embed_one("What is the shipping date of my purchase?");
    let unrelated = embed_one("The museum exhibits paintings from the 18th century.");

    let near = cosine(&question, &paraphrase);
    let far = cosine(&question, &unrelated);

    assert!(near > far + 0.2, "paraphrase {near:.3}, unrelated {far:.3}");
}

#[test]
fn a_crm_record_is_found_by_a_question_about_it() {
    let question = embed_one("What support level does John Doe have?");
    let john = embed_one("customers[0].name: John Doe\ncustomers[0].support_level: Gold");
    let product = embed_one("products[4].name: Garden hose\nproducts[4].price: 19.9");

    assert!(cosine(&question, &john) > cosine(&question, &product));
}

#[test]
fn the_same_text_gives_the_same_vector_alone_or_in_any_batch() {
    let text = "orders[12].status: shipped on 2024-03-02";
    let alone = embed_one(text);
    let long_neighbour =
        "products[1].description: ".to_owned() + &"waterproof hiking boots ".repeat(40);

    let batched = embedder()
        .embed(&["short", text, &long_neighbour])
        .expect("embed");

    let again = embed_one(text);
    assert_eq!(alone, again, "the same call twice");
    let difference = alone
        .iter()
        .zip(&batched[1])
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f32::max);
    assert!(
        difference < 1e-4,
        "padding to a longer neighbour moved the vector by {difference}"
    );
}

#[test]
fn slovenian_text_is_embedded_meaningfully() {
    let question = embed_one("Koliko stanejo zimski čevlji?");
    let answer = embed_one("izdelki[3].ime: Zimski čevlji\nizdelki[3].cena: 89.90 EUR");
    let unrelated = embed_one("stranke[7].naslov: Prešernova cesta 10, Ljubljana");

    assert!(cosine(&question, &answer) > cosine(&question, &unrelated));
    let without_diacritics = embed_one("Koliko stanejo zimski cevlji?");
    assert!(
        cosine(&question, &without_diacritics) > 0.95,
        "diacritics should barely matter"
    );
}

#[test]
fn an_empty_batch_costs_nothing() {
    assert!(embedder().embed(&[]).expect("embed").is_empty());
}

#[test]
fn missing_model_files_are_one_line_errors_naming_the_file_and_the_fix() {
    let empty = tempfile::tempdir().expect("temp dir");

    let located = ModelFiles::locate(empty.path()).expect_err("nothing there");
    let loaded = load_embedder(empty.path(), DEFAULT_MODEL)
        .err()
        .expect("nothing there");
    let named = FastEmbedder::load_named(empty.path(), "MultilingualE5Small")
        .err()
        .expect("no runtime");

    for error in [located, loaded, named] {
        let message = format!("{error:#}");
        assert!(message.contains("libonnxruntime.so.1.31.1"), "{message}");
        assert!(
            message.contains("run scripts/fetch-models (or set CRM_MIND_MODELS_DIR)"),
            "{message}"
        );
        assert!(!message.contains('\n'), "{message}");
    }
}

#[test]
fn a_missing_tokenizer_is_named_too() {
    let partial = tempfile::tempdir().expect("temp dir");
    let files = ModelFiles::locate(&models_dir()).unwrap_or_else(|e| panic!("{e:#}"));
    for source in [&files.onnxruntime, &files.model, &files.config] {
        std::fs::copy(source, partial.path().join(source.file_name().unwrap())).expect("copy");
    }

    let message = format!(
        "{:#}",
        load_embedder(partial.path(), DEFAULT_MODEL)
            .err()
            .expect("no tokenizer")
    );

    assert!(
        message.contains("tokenizer.json") && message.contains("scripts/fetch-models"),
        "{message}"
    );
}

#[test]
fn a_local_model_directory_loads_by_path() {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = ModelFiles::locate(&models_dir()).unwrap_or_else(|e| panic!("{e:#}"));
    let local = dir.path().join("my-minilm");
    std::fs::create_dir(&local).expect("mkdir");
    for source in [
        &files.model,
        &files.tokenizer,
        &files.config,
        &files.special_tokens_map,
        &files.tokenizer_config,
    ] {
        std::fs::copy(source, local.join(source.file_name().unwrap())).expect("copy");
    }

    let embedder = FastEmbedder::load_named(&models_dir(), local.to_str().unwrap()).expect("load");

    assert_eq!(embedder.model_id(), "my-minilm");
    assert_eq!(embedder.dims(), 384);
    let text = "customers[0].email: john@example.com";
    let reference = embed_one(text);
    let vector = embedder.embed(&[text]).expect("embed").remove(0);
    assert!(
        cosine(&reference, &vector) > 0.999,
        "same files, same vector"
    );
}

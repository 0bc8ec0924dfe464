//! The text some embedding models expect before a query and before a passage.
//!
//! E5 models (`intfloat/e5-*`, `intfloat/multilingual-e5-*`, fastembed's `MultilingualE5Small`,
//! `...Base`, `...Large`) were trained with `"query: "` before every query and `"passage: "`
//! before every indexed text; their model cards warn that results degrade without them, and
//! fastembed leaves adding them to the caller. Models without such a convention (the default
//! all-MiniLM-L6-v2) get none.
//!
//! A model is recognised by its name (the configured fastembed name, or a local directory's
//! name), or for a local ONNX directory by what its files say: the `prompts` of a
//! sentence-transformers export's `config_sentence_transformers.json` (`query` and `passage` or
//! `document`), else an E5 model named by `_name_or_path` in its `config.json`.

use std::borrow::Cow;
use std::path::Path;

/// What goes before a query and before a passage; both empty for most models.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prefixes {
    pub query: String,
    pub passage: String,
}

impl Prefixes {
    /// No prefixes, as for all-MiniLM-L6-v2.
    pub fn none() -> Self {
        Self::default()
    }

    /// E5's `"query: "` and `"passage: "`.
    pub fn e5() -> Self {
        Self {
            query: "query: ".into(),
            passage: "passage: ".into(),
        }
    }

    /// The prefixes of a model known by name only (a fastembed model name or id).
    pub fn for_model_name(name: &str) -> Self {
        if is_e5_name(name) {
            Self::e5()
        } else {
            Self::none()
        }
    }

    /// The prefixes of a local model directory: declared prompts first, then the model name its
    /// `config.json` records, then the directory's own name.
    pub fn for_directory(dir: &Path) -> Self {
        if let Some(declared) = declared_prompts(dir) {
            return declared;
        }
        let recorded_name = read_json(&dir.join("config.json")).and_then(|config| {
            config["_name_or_path"]
                .as_str()
                .or(config["name_or_path"].as_str())
                .map(str::to_owned)
        });
        if recorded_name.as_deref().is_some_and(is_e5_name) {
            return Self::e5();
        }
        let dir_name = dir.file_name().map(|n| n.to_string_lossy().into_owned());
        Self::for_model_name(dir_name.as_deref().unwrap_or_default())
    }

    pub fn is_none(&self) -> bool {
        self.query.is_empty() && self.passage.is_empty()
    }

    /// `texts` with the passage prefix, borrowed as they are when there is none.
    pub fn passages<'a>(&self, texts: &[&'a str]) -> Vec<Cow<'a, str>> {
        texts
            .iter()
            .map(|text| with_prefix(&self.passage, text))
            .collect()
    }

    /// `text` with the query prefix.
    pub fn query<'a>(&self, text: &'a str) -> Cow<'a, str> {
        with_prefix(&self.query, text)
    }
}

fn with_prefix<'a>(prefix: &str, text: &'a str) -> Cow<'a, str> {
    if prefix.is_empty() {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(format!("{prefix}{text}"))
    }
}

/// Whether a model name names an E5 model: one of its words is `e5`, where words are split at
/// `-`, `_`, `/`, `.`, spaces and camel-case humps (`MultilingualE5Small`, `multilingual-e5-small`,
/// `intfloat/e5-base-v2`), so names that merely contain the letters (`bge5`) do not count.
fn is_e5_name(name: &str) -> bool {
    // fastembed takes its model names in any case (`multilinguale5small`), which hides the
    // humps: its own spelling of the model it parses the name to has them back.
    let canonical = name
        .parse::<fastembed::EmbeddingModel>()
        .map(|model| format!("{model:?}"));
    [Some(name), canonical.as_deref().ok()]
        .into_iter()
        .flatten()
        .any(|name| {
            words(name)
                .iter()
                .any(|word| word.eq_ignore_ascii_case("e5"))
        })
}

fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut previous: Option<char> = None;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            words.extend((!word.is_empty()).then(|| std::mem::take(&mut word)));
            previous = None;
            continue;
        }
        let hump = c.is_uppercase() && previous.is_some_and(|p| p.is_lowercase() || p.is_numeric());
        if hump && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        word.push(c);
        previous = Some(c);
    }
    words.extend((!word.is_empty()).then_some(word));
    words
}

/// The query and passage prompts a sentence-transformers export declares, when it declares any.
fn declared_prompts(dir: &Path) -> Option<Prefixes> {
    let config = read_json(&dir.join("config_sentence_transformers.json"))?;
    let prompts = config.get("prompts")?.as_object()?;
    let prompt = |name: &str| {
        prompts
            .get(name)
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    let query = prompt("query");
    let passage = prompt("passage").or_else(|| prompt("document"));
    (query.is_some() || passage.is_some()).then(|| Prefixes {
        query: query.unwrap_or_default(),
        passage: passage.unwrap_or_default(),
    })
}

fn read_json(path: &Path) -> Option<serde_json::Value> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e5_models_are_known_by_every_spelling_of_their_name() {
        for name in [
            "MultilingualE5Small",
            "multilinguale5base",
            "MultilingualE5Large",
            "intfloat/multilingual-e5-small",
            "intfloat/e5-base-v2",
            "Qdrant/multilingual-e5-large-onnx",
            "e5_small",
        ] {
            assert_eq!(Prefixes::for_model_name(name), Prefixes::e5(), "{name}");
        }
    }

    #[test]
    fn other_models_get_no_prefix() {
        for name in [
            "all-MiniLM-L6-v2",
            "AllMiniLML6V2Q",
            "BGESmallENV15",
            "bge5-model",
            "nomic-embed-text-v1.5",
            "",
        ] {
            assert!(Prefixes::for_model_name(name).is_none(), "{name}");
        }
    }

    #[test]
    fn e5_prefixes_go_before_queries_and_passages_only_when_set() {
        let e5 = Prefixes::e5();
        assert_eq!(
            e5.query("kje je moje naročilo?"),
            "query: kje je moje naročilo?"
        );
        assert_eq!(
            e5.passages(&["orders[0].id: 2024-00123", "b"]),
            vec!["passage: orders[0].id: 2024-00123", "passage: b"]
        );
        let none = Prefixes::none();
        assert_eq!(none.query("where is my order?"), "where is my order?");
        assert!(matches!(none.passages(&["a"])[0], Cow::Borrowed("a")));
    }

    fn model_dir(name: &str, files: &[(&str, &str)]) -> (tempfile::TempDir, std::path::PathBuf) {
        let root = tempfile::tempdir().expect("temp dir");
        let dir = root.path().join(name);
        std::fs::create_dir(&dir).expect("mkdir");
        for (file, content) in files {
            std::fs::write(dir.join(file), content).expect("write");
        }
        (root, dir)
    }

    #[test]
    fn a_local_directory_is_e5_when_its_config_names_an_e5_model() {
        let config = r#"{"_name_or_path": "intfloat/multilingual-e5-small", "model_type": "bert"}"#;
        let (_root, dir) = model_dir("my-model", &[("config.json", config)]);
        assert_eq!(Prefixes::for_directory(&dir), Prefixes::e5());
    }

    #[test]
    fn a_local_directory_uses_the_prompts_it_declares() {
        let declared = r#"{"prompts": {"query": "Query: ", "document": "Doc: "}}"#;
        let config = r#"{"_name_or_path": "intfloat/multilingual-e5-small"}"#;
        let (_root, dir) = model_dir(
            "exported",
            &[
                ("config_sentence_transformers.json", declared),
                ("config.json", config),
            ],
        );
        assert_eq!(
            Prefixes::for_directory(&dir),
            Prefixes {
                query: "Query: ".into(),
                passage: "Doc: ".into()
            }
        );
    }

    #[test]
    fn a_local_directory_falls_back_to_its_own_name() {
        let (_root, e5) = model_dir("multilingual-e5-small", &[("config.json", "{}")]);
        assert_eq!(Prefixes::for_directory(&e5), Prefixes::e5());
        let minilm_config = r#"{"_name_or_path": "sentence-transformers/all-MiniLM-L6-v2"}"#;
        let (_root, minilm) = model_dir("models", &[("config.json", minilm_config)]);
        assert!(Prefixes::for_directory(&minilm).is_none());
    }
}

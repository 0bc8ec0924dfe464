//! fastembed behind [`super::Embedder`]: the default all-MiniLM-L6-v2 (int8) from local files,
//! any other fastembed model by name, or a local ONNX model directory.
//!
//! fastembed runs ONNX Runtime through `ort` with `load-dynamic`: the library is opened on
//! first use from `ORT_DYLIB_PATH`. That variable is set here, once per process, to the library
//! in the models directory, so the service runs the pinned runtime and nothing else; `ort`
//! loads one library per process, so every later model uses the same one.
//!
//! E5 models get their `"query: "` and `"passage: "` prefixes here ([`Prefixes`]); the default
//! model gets none.

use super::Embedder;
use super::files::{self, ModelFiles};
use super::prefix::Prefixes;
use anyhow::{Context, anyhow, bail};
use fastembed::{
    EmbeddingModel, InitOptionsUserDefined, Pooling, TextEmbedding, TextInitOptions,
    TokenizerFiles, UserDefinedEmbeddingModel,
};
use parking_lot::Mutex;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// The configuration name of the default model.
pub const DEFAULT_MODEL: &str = "all-MiniLM-L6-v2";
/// The default model's id in `content_hash`es: its name and its int8 variant.
const DEFAULT_MODEL_ID: &str = "all-MiniLM-L6-v2-int8";

/// Texts per ONNX Runtime call. Padding is to the longest text of a batch, so moderate batches
/// waste little on padding while still amortising the per-call cost.
const BATCH_SIZE: usize = 32;

/// A fastembed model, ready to embed.
pub struct FastEmbedder {
    /// fastembed's `embed` takes `&mut self` (it reuses buffers), so calls take turns; each call
    /// already spreads its work over every core through ONNX Runtime's own threads.
    model: Mutex<TextEmbedding>,
    model_id: String,
    dims: usize,
    prefixes: Prefixes,
}

impl FastEmbedder {
    /// Loads the pinned default model from files [`ModelFiles::locate`] found.
    pub fn load(files: &ModelFiles) -> anyhow::Result<Self> {
        use_onnxruntime(&files.onnxruntime)?;
        let model =
            UserDefinedEmbeddingModel::new(read(&files.model)?, tokenizer_files(&files.dir)?)
                .with_pooling(Pooling::Mean);
        let embedding = with_ort(&files.onnxruntime, || {
            TextEmbedding::try_new_from_user_defined(model, InitOptionsUserDefined::new())
        })?;
        Self::ready(embedding, DEFAULT_MODEL_ID.to_owned(), Prefixes::none())
    }

    /// Any other model: a directory holding `model.onnx` and the four tokenizer files (a path,
    /// or a directory name inside `models_dir`), else a fastembed model name such as
    /// `MultilingualE5Small`, which fastembed downloads into `models_dir/fastembed` when the
    /// network allows.
    pub fn load_named(models_dir: &Path, model: &str) -> anyhow::Result<Self> {
        let library = files::onnxruntime_library(models_dir)?;
        use_onnxruntime(&library)?;
        let local = [PathBuf::from(model), models_dir.join(model)]
            .into_iter()
            .find(|dir| dir.join(files::MODEL).is_file());
        match local {
            Some(dir) => Self::load_directory(&library, &dir),
            None => Self::load_fastembed_model(&library, models_dir, model),
        }
    }

    fn load_directory(library: &Path, dir: &Path) -> anyhow::Result<Self> {
        let onnx = read(&files::existing(dir, files::MODEL)?)?;
        let model = UserDefinedEmbeddingModel::new(onnx, tokenizer_files(dir)?)
            .with_pooling(pooling_of(dir));
        let embedding = with_ort(library, || {
            TextEmbedding::try_new_from_user_defined(model, InitOptionsUserDefined::new())
        })?;
        let name = dir.file_name().map_or_else(
            || dir.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        Self::ready(embedding, name, Prefixes::for_directory(dir))
    }

    fn load_fastembed_model(library: &Path, models_dir: &Path, name: &str) -> anyhow::Result<Self> {
        let model: EmbeddingModel = name.parse().map_err(|_| {
            anyhow!("unknown embedding model {name:?}: neither a fastembed model name nor a directory with {}", files::MODEL)
        })?;
        let options = TextInitOptions::new(model.clone())
            .with_cache_dir(models_dir.join("fastembed"))
            .with_show_download_progress(false);
        let embedding =
            with_ort(library, || TextEmbedding::try_new(options)).with_context(|| {
                format!("loading the fastembed model {name} (downloaded on first use)")
            })?;
        Self::ready(embedding, model.to_string(), Prefixes::for_model_name(name))
    }

    /// Wraps a loaded model, learning its dimensions from one embedding.
    fn ready(
        mut embedding: TextEmbedding,
        model_id: String,
        prefixes: Prefixes,
    ) -> anyhow::Result<Self> {
        let probe = embedding
            .embed(["dimension probe"], None)
            .context("embedding a probe text")?;
        let dims = probe.first().map_or(0, Vec::len);
        if dims == 0 {
            bail!("the model {model_id} returned an empty embedding");
        }
        Ok(Self {
            model: Mutex::new(embedding),
            model_id,
            dims,
            prefixes,
        })
    }
}

impl Embedder for FastEmbedder {
    fn model_id(&self) -> &str {
        &self.model_id
    }

    fn dims(&self) -> usize {
        self.dims
    }

    fn embed(&self, texts: &[&str]) -> anyhow::Result<Vec<Vec<f32>>> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        // fastembed L2-normalises after pooling, which the trait promises.
        self.model
            .lock()
            .embed(self.prefixes.passages(texts), Some(BATCH_SIZE))
            .with_context(|| format!("embedding {} texts with {}", texts.len(), self.model_id))
    }

    fn embed_query(&self, query: &str) -> anyhow::Result<Vec<f32>> {
        self.model
            .lock()
            .embed([self.prefixes.query(query)], None)
            .with_context(|| format!("embedding a query with {}", self.model_id))?
            .pop()
            .ok_or_else(|| anyhow!("{} returned no vector for the query", self.model_id))
    }
}

/// What start-up calls: the default model when `model` is [`DEFAULT_MODEL`], else
/// [`FastEmbedder::load_named`]. Call it before serving (see [`use_onnxruntime`]).
pub fn load_embedder(models_dir: &Path, model: &str) -> anyhow::Result<Arc<dyn Embedder>> {
    let embedder = if model == DEFAULT_MODEL {
        FastEmbedder::load(&ModelFiles::locate(models_dir)?)?
    } else {
        FastEmbedder::load_named(models_dir, model)?
    };
    tracing::info!(
        model = embedder.model_id(),
        dims = embedder.dims(),
        "embedding model loaded"
    );
    Ok(Arc::new(embedder))
}

/// Points `ort` at `library` before it loads ONNX Runtime; the first library named wins.
fn use_onnxruntime(library: &Path) -> anyhow::Result<()> {
    static CHOSEN: OnceLock<PathBuf> = OnceLock::new();
    // Absolute, because `ort` resolves a relative path against the executable's directory.
    let library =
        std::path::absolute(library).with_context(|| format!("resolving {}", library.display()))?;
    let chosen = CHOSEN.get_or_init(|| {
        // SAFETY: `set_var` races with any other thread reading or writing the environment.
        // This runs once, during start-up's model loading, before the server, the scheduler or
        // any sync job runs; nothing else of ours touches the environment then.
        unsafe { std::env::set_var("ORT_DYLIB_PATH", &library) };
        library.clone()
    });
    if *chosen != library {
        tracing::warn!(
            loaded = %chosen.display(),
            requested = %library.display(),
            "ONNX Runtime is already loaded from another file; a process uses one library"
        );
    }
    Ok(())
}

/// Runs a fastembed load, turning `ort`'s panic on a library it cannot open (corrupt, wrong
/// platform) into an error that names the library and the fix.
fn with_ort<T>(library: &Path, load: impl FnOnce() -> fastembed::Result<T>) -> anyhow::Result<T> {
    match catch_unwind(AssertUnwindSafe(load)) {
        Ok(loaded) => loaded.map_err(|e| anyhow!("loading the embedding model: {e}")),
        Err(panic) => {
            let reason = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("unknown reason")
                .replace('\n', " ");
            bail!(
                "ONNX Runtime could not be loaded from {} ({reason}): {}",
                library.display(),
                files::FIX
            )
        }
    }
}

fn tokenizer_files(dir: &Path) -> anyhow::Result<TokenizerFiles> {
    Ok(TokenizerFiles {
        tokenizer_file: read(&files::existing(dir, files::TOKENIZER)?)?,
        config_file: read(&files::existing(dir, files::CONFIG)?)?,
        special_tokens_map_file: read(&files::existing(dir, files::SPECIAL_TOKENS_MAP)?)?,
        tokenizer_config_file: read(&files::existing(dir, files::TOKENIZER_CONFIG)?)?,
    })
}

/// The pooling a sentence-transformers export declares in `1_Pooling/config.json`; mean when
/// it says nothing else, as for the MiniLM family.
fn pooling_of(dir: &Path) -> Pooling {
    let declared = std::fs::read(dir.join("1_Pooling/config.json"))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok());
    match declared {
        Some(config) if config["pooling_mode_cls_token"] == true => Pooling::Cls,
        _ => Pooling::Mean,
    }
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

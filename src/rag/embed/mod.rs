//! Embeddings: turning chunk and query text into vectors, behind the [`Embedder`] trait.
//!
//! The default is [`fast::FastEmbedder`]: fastembed running all-MiniLM-L6-v2 (int8 ONNX, 384
//! dimensions, mean pooling) from local files that `scripts/fetch-models` installs, with ONNX
//! Runtime loaded at run time from the same directory. [`files::ModelFiles`] finds and checks
//! those files before anything is loaded, so a missing file is a one-line error naming the fix.
//! Models trained with query and passage prefixes (E5) get them from [`prefix::Prefixes`].

pub mod fast;
pub mod files;
pub mod prefix;

/// Turns texts into vectors of [`Embedder::dims`] floats, L2-normalised.
///
/// Synchronous and CPU-bound: async callers run it in `spawn_blocking`.
pub trait Embedder: Send + Sync {
    /// Names the model and its variant; part of every chunk's `content_hash`, so changing the
    /// model re-embeds everything.
    fn model_id(&self) -> &str;
    fn dims(&self) -> usize;
    /// Embeds texts to be indexed (passages).
    fn embed(&self, texts: &[&str]) -> anyhow::Result<Vec<Vec<f32>>>;

    /// Embeds one search query. Differs from [`Embedder::embed`] for models trained with
    /// distinct query and passage prefixes (E5); the same for every other model.
    fn embed_query(&self, query: &str) -> anyhow::Result<Vec<f32>> {
        self.embed(&[query])?
            .pop()
            .ok_or_else(|| anyhow::anyhow!("the model returned no vector for the query"))
    }
}

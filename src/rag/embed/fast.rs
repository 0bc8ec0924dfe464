//! fastembed behind [`super::Embedder`] (to be written).

//! The Qdrant vector index (to be written).

//! The embedded vector index (to be written).

//! Locating and checking the local model files (to be written).

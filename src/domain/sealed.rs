//! A secret as it is stored: encrypted, never the plain text.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Ciphertext produced by [`crate::secrets::Cipher::seal`]. It can be stored and logged
/// safely; only the cipher can open it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Sealed(String);

impl Sealed {
    pub fn from_stored(value: String) -> Self {
        Self(value)
    }

    pub fn as_stored(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Sealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sealed(..)")
    }
}

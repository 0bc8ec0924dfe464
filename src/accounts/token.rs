//! Bearer tokens: 256 random bits, shown once, stored as their SHA-256.
//!
//! A fast hash is right here (unlike passwords): the token is random and long, so there is
//! nothing to guess, and every API request looks one up.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};
use std::fmt;

const PREFIX: &str = "cmm_";

/// The plain token. Its `Debug` hides it; [`BearerToken::expose`] is the one way to read it.
pub struct BearerToken(String);

impl BearerToken {
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        Self(format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes)))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BearerToken(..)")
    }
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hidden_in_debug() {
        let a = BearerToken::generate();
        let b = BearerToken::generate();
        assert_ne!(a.expose(), b.expose());
        assert!(a.expose().len() >= PREFIX.len() + 43);
        assert!(!format!("{a:?}").contains(a.expose()));
        assert_eq!(hash_token(a.expose()).len(), 64);
    }
}

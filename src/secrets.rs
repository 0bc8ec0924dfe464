//! Secrets at rest: AES-256-GCM with a fresh random nonce per value, and the loading (or
//! one-time generation) of the key.
//!
//! A sealed value is `v1:` followed by base64 of nonce ‖ ciphertext ‖ tag. The version prefix
//! leaves room for key rotation without guessing what an old value was.

use crate::domain::Sealed;
use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::path::Path;

const PREFIX: &str = "v1:";
const NONCE_LEN: usize = 12;

#[derive(Debug, thiserror::Error)]
pub enum CipherError {
    #[error("a sealed value could not be opened: it is damaged or was sealed with another key")]
    Open,
}

/// Seals and opens secrets. Cheap to clone; its `Debug` never shows the key.
#[derive(Clone)]
pub struct Cipher {
    aead: Aes256Gcm,
}

impl fmt::Debug for Cipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cipher(..)")
    }
}

impl Cipher {
    pub fn new(key: &[u8; 32]) -> Self {
        Self {
            aead: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key)),
        }
    }

    /// A key from its base64 text (the form of `CRM_MIND_SECRET_KEY` and `secret.key`).
    pub fn from_base64(encoded: &SecretString) -> anyhow::Result<Self> {
        let bytes = BASE64
            .decode(encoded.expose_secret().trim())
            .context("the secret key is not valid base64")?;
        let key: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
            anyhow::anyhow!("the secret key must be 32 bytes, found {}", bytes.len())
        })?;
        Ok(Self::new(&key))
    }

    /// Reads the key file, or creates it (mode 0600) with a new random key the first time.
    pub fn load_or_create_key_file(path: &Path) -> anyhow::Result<Self> {
        if path.exists() {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading the secret key file {}", path.display()))?;
            return Self::from_base64(&SecretString::from(text))
                .with_context(|| format!("the secret key file {} is damaged", path.display()));
        }
        let mut key = [0u8; 32];
        OsRng.fill_bytes(&mut key);
        write_private_file(path, BASE64.encode(key).as_bytes())
            .with_context(|| format!("creating the secret key file {}", path.display()))?;
        Ok(Self::new(&key))
    }

    pub fn seal(&self, plain: &str) -> Sealed {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let ciphertext = self
            .aead
            .encrypt(&nonce, plain.as_bytes())
            .expect("AES-GCM encryption of an in-memory buffer cannot fail");
        let mut bytes = Vec::with_capacity(NONCE_LEN + ciphertext.len());
        bytes.extend_from_slice(&nonce);
        bytes.extend_from_slice(&ciphertext);
        Sealed::from_stored(format!("{PREFIX}{}", BASE64.encode(bytes)))
    }

    pub fn open(&self, sealed: &Sealed) -> Result<SecretString, CipherError> {
        let encoded = sealed
            .as_stored()
            .strip_prefix(PREFIX)
            .ok_or(CipherError::Open)?;
        let bytes = BASE64.decode(encoded).map_err(|_| CipherError::Open)?;
        if bytes.len() < NONCE_LEN {
            return Err(CipherError::Open);
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let plain = self
            .aead
            .decrypt(Nonce::from_slice(nonce), ciphertext)
            .map_err(|_| CipherError::Open)?;
        String::from_utf8(plain)
            .map(SecretString::from)
            .map_err(|_| CipherError::Open)
    }
}

#[cfg(unix)]
fn write_private_file(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    // create_new: two processes starting at once must not both write a key.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents)?;
    file.sync_all()?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private_file(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    if path.exists() {
        bail!("{} already exists", path.display());
    }
    std::fs::write(path, contents)?;
    Ok(())
}

/// Checks that a key is usable before the service starts with it.
pub fn require_key(key: Option<&SecretString>, why: &str) -> anyhow::Result<Cipher> {
    match key {
        Some(key) => Cipher::from_base64(key).context("CRM_MIND_SECRET_KEY is invalid"),
        None => bail!(
            "CRM_MIND_SECRET_KEY is required {why}: set it to 32 random bytes in base64 (for example `openssl rand -base64 32`)"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_with_the_same_key_only() {
        let cipher = Cipher::new(&[7; 32]);
        let sealed = cipher.seal("page-token-123");
        assert!(!sealed.as_stored().contains("page-token-123"));
        assert_eq!(
            cipher.open(&sealed).unwrap().expose_secret(),
            "page-token-123"
        );
        assert_ne!(
            cipher.seal("page-token-123"),
            sealed,
            "a fresh nonce each time"
        );
        assert!(Cipher::new(&[8; 32]).open(&sealed).is_err());
    }

    #[test]
    fn the_key_file_is_created_once_with_private_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.key");
        let first = Cipher::load_or_create_key_file(&path).unwrap();
        let sealed = first.seal("x");
        let again = Cipher::load_or_create_key_file(&path).unwrap();
        assert_eq!(again.open(&sealed).unwrap().expose_secret(), "x");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn keys_of_the_wrong_size_are_refused() {
        let short = SecretString::from(BASE64.encode([1u8; 16]));
        assert!(Cipher::from_base64(&short).is_err());
        assert!(require_key(None, "with MongoDB").is_err());
    }
}

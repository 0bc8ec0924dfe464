//! Password hashing with argon2id (the crate's defaults follow OWASP's recommendation).
//! Hashing is deliberately slow, so it runs on tokio's blocking threads.

use super::AccountError;
use crate::domain::FieldError;
use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use secrecy::{ExposeSecret, SecretString};
use std::sync::LazyLock;

const MIN_CHARS: usize = 8;

/// Verified against when the user does not exist, so that case costs the same time.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    Argon2::default()
        .hash_password(b"not-a-real-password", &SaltString::generate(&mut OsRng))
        .expect("hashing a constant cannot fail")
        .to_string()
});

pub(super) fn check_strength(password: &SecretString) -> Result<(), FieldError> {
    if password.expose_secret().chars().count() < MIN_CHARS {
        return Err(FieldError::new(
            "password",
            format!("must be at least {MIN_CHARS} characters"),
        ));
    }
    Ok(())
}

pub(super) async fn hash(password: SecretString) -> Result<String, AccountError> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(
                password.expose_secret().as_bytes(),
                &SaltString::generate(&mut OsRng),
            )
            .map(|hash| hash.to_string())
            .map_err(|e| FieldError::new("password", format!("cannot be hashed: {e}")).into())
    })
    .await
    .expect("the hashing task does not panic")
}

/// Whether `password` matches `stored`; with no stored hash, does the same work and says no.
pub(super) async fn verify(
    password: SecretString,
    stored: Option<String>,
) -> Result<bool, AccountError> {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.clone());
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return Ok(false);
        };
        let matches = Argon2::default()
            .verify_password(password.expose_secret().as_bytes(), &parsed)
            .is_ok();
        Ok(known && matches)
    })
    .await
    .expect("the verification task does not panic")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_only_the_right_password() {
        let hash = hash(SecretString::from("correct horse")).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(
            verify(SecretString::from("correct horse"), Some(hash.clone()))
                .await
                .unwrap()
        );
        assert!(
            !verify(SecretString::from("wrong horse"), Some(hash))
                .await
                .unwrap()
        );
        assert!(!verify(SecretString::from("anything"), None).await.unwrap());
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(check_strength(&SecretString::from("short")).is_err());
        assert!(check_strength(&SecretString::from("long enough")).is_ok());
    }
}

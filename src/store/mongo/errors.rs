//! How driver errors become [`StoreError`]s.
//!
//! Only a failure to decode a stored document is `Corrupt`; everything else the driver
//! reports (no server, a timeout, a refused command) is `Unavailable`. A duplicate key is
//! never passed on as text: the server's message quotes the key (an email address), and the
//! caller gets a `Conflict` with a message of our own instead.

use crate::store::StoreError;
use mongodb::error::{Error, ErrorKind, WriteFailure};

/// The server's code for a unique index violation.
pub(super) const DUPLICATE_KEY: i32 = 11000;

pub(super) fn store_error(e: Error) -> StoreError {
    match *e.kind {
        ErrorKind::BsonDeserialization(ref inner) => {
            StoreError::Corrupt(format!("a stored document does not decode: {inner}"))
        }
        _ => StoreError::Unavailable(format!("MongoDB: {e}")),
    }
}

/// Whether `e` is a unique index violation of a single-document write.
pub(super) fn is_duplicate_key(e: &Error) -> bool {
    match e.kind.as_ref() {
        ErrorKind::Write(WriteFailure::WriteError(w)) => w.code == DUPLICATE_KEY,
        ErrorKind::Command(c) => c.code == DUPLICATE_KEY,
        _ => false,
    }
}

/// `Conflict` with `message` for a duplicate key, else as [`store_error`].
pub(super) fn conflict_or(e: Error, message: &str) -> StoreError {
    if is_duplicate_key(&e) {
        StoreError::Conflict(message.to_owned())
    } else {
        store_error(e)
    }
}

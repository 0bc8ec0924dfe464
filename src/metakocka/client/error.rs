//! Why a Metakocka call failed, and the error-log category it belongs to.
//!
//! Metakocka answers HTTP 200 with `opr_code` other than `"0"` for a refused call and puts
//! the reason in `opr_desc` (some endpoints use `error_desc`, some `opr_desc_app`). The codes
//! are not documented one by one (the examples show `"1"` and `"2"` for different kinds), so
//! [`MetakockaError::category`] reads the description, then the HTTP status:
//!
//! | category | when |
//! |---|---|
//! | `auth` | the description names the secret key, the company id, an API key, access or authorisation; HTTP 401/403 |
//! | `rate_limit` | "too many" requests, a limit exceeded; HTTP 429 |
//! | `not_found` | "not found", "does not exist", "no record"; HTTP 404 with a JSON body |
//! | `validation` | a parameter that is missing, invalid, unknown or required ("Paramether 'status_code' has invalid value", "Unknown document type") |
//! | `network` | no answer, a timeout, HTTP 5xx, or an HTML page where the API should be (a wrong base URL) |
//! | `api` | anything else Metakocka refused, or an answer that could not be read |
//!
//! No variant holds the secret key: the client removes it from Metakocka's own text too.

use serde::Serialize;
use std::fmt;

/// The error log's categories (issue 5, scope 7) that a client call can produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCategory {
    Auth,
    Validation,
    NotFound,
    RateLimit,
    Network,
    Api,
}

impl ErrorCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auth => "auth",
            Self::Validation => "validation",
            Self::NotFound => "not_found",
            Self::RateLimit => "rate_limit",
            Self::Network => "network",
            Self::Api => "api",
        }
    }
}

impl fmt::Display for ErrorCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failed Metakocka call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetakockaError {
    /// Metakocka refused the call (`opr_code` other than `"0"`): a business error, never
    /// retried.
    #[error("Metakocka refused {endpoint} (opr_code {opr_code}): {message}")]
    Refused {
        endpoint: &'static str,
        opr_code: String,
        message: String,
    },
    /// The base URL answered a web page instead of the API's JSON.
    #[error(
        "the Metakocka base URL answered HTML, not JSON, for {endpoint} (HTTP {status}): check CRM_MIND_METAKOCKA_BASE_URL"
    )]
    NotTheApi { endpoint: &'static str, status: u16 },
    /// The base URL itself is unusable.
    #[error(
        "the Metakocka base URL {base_url:?} is invalid: {reason}; check CRM_MIND_METAKOCKA_BASE_URL"
    )]
    BadBaseUrl { base_url: String, reason: String },
    /// An error status without Metakocka's error fields (a proxy's 502, say).
    #[error("Metakocka answered HTTP {status} for {endpoint}")]
    Http { endpoint: &'static str, status: u16 },
    #[error("Metakocka did not answer {endpoint} within {secs} s")]
    Timeout { endpoint: &'static str, secs: u64 },
    #[error("could not reach Metakocka for {endpoint}: {reason}")]
    Network {
        endpoint: &'static str,
        reason: String,
    },
    /// The request could not be written as a JSON object (a bug in the caller's value).
    #[error("the request to {endpoint} could not be written: {detail}")]
    InvalidRequest {
        endpoint: &'static str,
        detail: String,
    },
    /// A success that is not the documented answer.
    #[error("Metakocka's answer to {endpoint} could not be read: {detail}")]
    InvalidResponse {
        endpoint: &'static str,
        detail: String,
    },
}

impl MetakockaError {
    pub fn category(&self) -> ErrorCategory {
        match self {
            Self::Refused { message, .. } => categorise_refusal(message),
            Self::NotTheApi { .. } | Self::BadBaseUrl { .. } => ErrorCategory::Network,
            Self::Http { status, .. } => match status {
                401 | 403 => ErrorCategory::Auth,
                404 => ErrorCategory::NotFound,
                429 => ErrorCategory::RateLimit,
                500..=599 => ErrorCategory::Network,
                _ => ErrorCategory::Api,
            },
            Self::Timeout { .. } | Self::Network { .. } => ErrorCategory::Network,
            Self::InvalidRequest { .. } | Self::InvalidResponse { .. } => ErrorCategory::Api,
        }
    }

    /// Metakocka's own text for a refusal (what the credentials test shows an admin).
    pub fn metakocka_message(&self) -> Option<&str> {
        match self {
            Self::Refused { message, .. } => Some(message),
            _ => None,
        }
    }

    /// Whether the client tries again: a lost connection, a timeout, a 5xx or a 429. A
    /// refusal is an answer, and asking again would get the same one (or, for a write,
    /// might do it twice).
    pub(super) fn is_retried(&self) -> bool {
        match self {
            Self::Timeout { .. } | Self::Network { .. } => true,
            Self::Http { status, .. } => *status == 429 || *status >= 500,
            _ => false,
        }
    }
}

fn categorise_refusal(message: &str) -> ErrorCategory {
    let text = message.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|word| text.contains(word));
    if has(&[
        "secret",
        "company_id",
        "company id",
        "api key",
        "apikey",
        "authori",
        "authenticat",
        "access denied",
        "permission",
    ]) {
        ErrorCategory::Auth
    } else if has(&[
        "too many",
        "rate limit",
        "limit exceeded",
        "try again later",
    ]) {
        ErrorCategory::RateLimit
    } else if has(&["not found", "not exist", "no record", "ne obstaja"]) {
        ErrorCategory::NotFound
    } else if has(&[
        "param", "invalid", "missing", "required", "unknown", "wrong", "napač",
    ]) {
        ErrorCategory::Validation
    } else {
        ErrorCategory::Api
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(message: &str) -> MetakockaError {
        MetakockaError::Refused {
            endpoint: "search",
            opr_code: "2".to_owned(),
            message: message.to_owned(),
        }
    }

    #[test]
    fn refusals_are_categorised_by_their_description() {
        assert_eq!(
            refused("Paramether 'status_code' has invalid value : XXXactive. Valid values : active,finished,deleted").category(),
            ErrorCategory::Validation
        );
        assert_eq!(
            refused("Unknown document type : warehouse_packing_list1").category(),
            ErrorCategory::Validation
        );
        assert_eq!(
            refused("Wrong secret_key or company_id").category(),
            ErrorCategory::Auth
        );
        assert_eq!(
            refused("Document not found").category(),
            ErrorCategory::NotFound
        );
        assert_eq!(
            refused("Too many requests").category(),
            ErrorCategory::RateLimit
        );
        assert_eq!(refused("Internal error 17").category(), ErrorCategory::Api);
    }

    #[test]
    fn statuses_without_a_refusal_are_categorised_too() {
        let http = |status| MetakockaError::Http {
            endpoint: "search",
            status,
        };
        assert_eq!(http(503).category(), ErrorCategory::Network);
        assert_eq!(http(429).category(), ErrorCategory::RateLimit);
        assert_eq!(http(401).category(), ErrorCategory::Auth);
        assert!(http(503).is_retried() && !http(400).is_retried());
        assert!(!refused("Internal error").is_retried());
    }
}

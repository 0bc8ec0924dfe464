//! Why a fetch failed, in words a user can act on.
//!
//! Each variant's `Display` is written for the console and the sync-run record: short, naming
//! the fix, and never carrying a secret (no API key, no header value, no URL, whose query may
//! hold a key). [`FetchError::kind`] is the stable machine word stored beside it.

/// A failed fetch. The link stays as it is; the caller decides what the failure means for it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// The outbound guard or the file-root guard said no; nothing was sent.
    #[error("refused: {reason}")]
    Refused { reason: String },
    #[error("the CRM answered {} {}: {}", status, reason_phrase(*status), unauthorized_hint(*status))]
    Unauthorized { status: u16 },
    #[error("the CRM answered 404 Not Found: check the URL")]
    NotFound,
    #[error("the CRM answered 429 Too Many Requests {}; the next run tries again", rate_limit_detail(*retries, *refused_wait_secs))]
    RateLimited {
        /// Retries made before giving up.
        retries: u32,
        /// Set when the fetch gave up because `Retry-After` asked for a longer wait than
        /// `max_retry_after_secs` allows.
        refused_wait_secs: Option<u64>,
    },
    #[error("the CRM answered {} {}; the next run tries again", status, reason_phrase(*status))]
    ServerError { status: u16 },
    /// A status the CRM should not send for a plain GET (400, 405, 410, an unfollowed 3xx, ...).
    #[error("the CRM answered {} {}", status, reason_phrase(*status))]
    UnexpectedStatus { status: u16 },
    #[error("the CRM did not answer within {secs} s")]
    Timeout { secs: u64 },
    #[error("the CRM sent invalid JSON: {detail}")]
    InvalidJson {
        line: usize,
        column: usize,
        /// serde's description, which names the line and column (never the data).
        detail: String,
    },
    #[error("the CRM data is larger than the limit of {} (CRM_MIND_CRM_MAX_BODY_BYTES)", human_bytes(*limit))]
    TooLarge { limit: u64 },
    #[error("could not reach the CRM: {reason}")]
    Network { reason: String },
    #[error("{reason}")]
    NotSupported { reason: &'static str },
    #[error("could not read the file: {reason}")]
    File { reason: String },
}

impl FetchError {
    /// The HTTP status the CRM answered, when the failure came from one.
    pub fn status_code(&self) -> Option<u16> {
        match self {
            Self::Unauthorized { status }
            | Self::ServerError { status }
            | Self::UnexpectedStatus { status } => Some(*status),
            Self::NotFound => Some(404),
            Self::RateLimited { .. } => Some(429),
            _ => None,
        }
    }

    /// A stable machine word for the failure, stored in sync runs and shown to API clients.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Refused { .. } => "refused",
            Self::Unauthorized { .. } => "unauthorized",
            Self::NotFound => "not_found",
            Self::RateLimited { .. } => "rate_limited",
            Self::ServerError { .. } => "server_error",
            Self::UnexpectedStatus { .. } => "unexpected_status",
            Self::Timeout { .. } => "timeout",
            Self::InvalidJson { .. } => "invalid_json",
            Self::TooLarge { .. } => "too_large",
            Self::Network { .. } => "network",
            Self::NotSupported { .. } => "not_supported",
            Self::File { .. } => "file",
        }
    }

    pub(crate) fn refused(reason: impl Into<String>) -> Self {
        Self::Refused {
            reason: reason.into(),
        }
    }

    pub(crate) fn file(reason: impl Into<String>) -> Self {
        Self::File {
            reason: reason.into(),
        }
    }

    /// Maps an answer's status to the failure it means; `None` for a success.
    pub(crate) fn from_status(status: u16) -> Option<Self> {
        match status {
            200..=299 => None,
            401 | 403 => Some(Self::Unauthorized { status }),
            404 => Some(Self::NotFound),
            500..=599 => Some(Self::ServerError { status }),
            _ => Some(Self::UnexpectedStatus { status }),
        }
    }
}

fn reason_phrase(status: u16) -> &'static str {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
}

fn unauthorized_hint(status: u16) -> &'static str {
    if status == 403 {
        "check the API key and what it is allowed to read"
    } else {
        "check the API key"
    }
}

fn rate_limit_detail(retries: u32, refused_wait_secs: Option<u64>) -> String {
    match refused_wait_secs {
        Some(secs) => {
            format!(
                "and asked to wait {secs} s, longer than CRM_MIND_CRM_MAX_RETRY_AFTER_SECS allows"
            )
        }
        None => format!("{} times in a row", retries + 1),
    }
}

/// `52428800` -> `50 MiB`: limits are usually set in whole units, so show them that way.
fn human_bytes(bytes: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    UNITS
        .iter()
        .find(|(size, _)| bytes >= *size && bytes % size == 0)
        .map(|(size, unit)| format!("{} {unit}", bytes / size))
        .unwrap_or_else(|| format!("{bytes} bytes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_status_and_the_fix() {
        assert_eq!(
            FetchError::Unauthorized { status: 401 }.to_string(),
            "the CRM answered 401 Unauthorized: check the API key"
        );
        assert_eq!(
            FetchError::ServerError { status: 503 }.to_string(),
            "the CRM answered 503 Service Unavailable; the next run tries again"
        );
        assert_eq!(
            FetchError::TooLarge { limit: 50 << 20 }.to_string(),
            "the CRM data is larger than the limit of 50 MiB (CRM_MIND_CRM_MAX_BODY_BYTES)"
        );
        assert_eq!(
            FetchError::TooLarge { limit: 1000 }.to_string(),
            "the CRM data is larger than the limit of 1000 bytes (CRM_MIND_CRM_MAX_BODY_BYTES)"
        );
    }

    #[test]
    fn statuses_map_to_kinds() {
        let kind = |status| FetchError::from_status(status).map(|e| e.kind());
        assert_eq!(kind(200), None);
        assert_eq!(kind(204), None);
        assert_eq!(kind(401), Some("unauthorized"));
        assert_eq!(kind(403), Some("unauthorized"));
        assert_eq!(kind(404), Some("not_found"));
        assert_eq!(kind(500), Some("server_error"));
        assert_eq!(kind(502), Some("server_error"));
        assert_eq!(kind(410), Some("unexpected_status"));
        assert_eq!(
            FetchError::from_status(403).unwrap().status_code(),
            Some(403)
        );
    }
}

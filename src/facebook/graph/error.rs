//! Why a Graph API call failed, and what the reply worker should do about it.
//!
//! Facebook answers a failed call with `{"error": {"message", "type", "code",
//! "error_subcode", "fbtrace_id"}}` (<https://developers.facebook.com/docs/graph-api/guides/error-handling>);
//! the codes, not the HTTP status, say what went wrong, so [`GraphError::class`] reads the code
//! first and falls back to the status only when there is no readable body. The codes follow
//! the Send API's list (<https://developers.facebook.com/docs/messenger-platform/error-codes>).
//! No variant carries the page token: the client redacts it from Facebook's own message (a
//! malformed-token error echoes the token back) and never keeps a URL, whose query holds it.

/// What the caller should do with a failed send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorClass {
    /// Rate limited (codes 4, 17, 32, 341, 613, and the 80001..=80014 business-use-case
    /// limits): back off, retry later, and slow the page's send rate.
    Throttled,
    /// 5xx, timeouts, network errors, codes 1 and 2 ("temporary issue, wait and retry"):
    /// back off with jitter up to a bound, then dead-letter.
    Transient,
    /// 190 (or 102): the page token expired or was revoked; stop sending for the page until
    /// an admin reconnects it.
    TokenInvalid,
    /// Retrying cannot help (permissions, policy, person unavailable, unknown codes):
    /// dead-letter with the reason.
    Permanent { reason: String },
    /// 10900: the comment already has a private reply, so the work is done.
    AlreadyDone,
}

/// Facebook's error body, as documented; the token already redacted from `message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status the error came with (Facebook uses 400 for most of them).
    pub status: u16,
    pub code: i64,
    pub subcode: Option<i64>,
    pub message: String,
    /// The documented `type`, e.g. `OAuthException`.
    pub error_type: Option<String>,
    /// Facebook's support id for the failed call; worth logging for a bug report.
    pub fbtrace_id: Option<String>,
}

/// A failed Graph API call.
#[derive(Debug, Clone, thiserror::Error)]
pub enum GraphError {
    #[error("{}", describe_api_error(.0))]
    Api(ApiError),
    /// An error status whose body was not Facebook's error shape (a proxy's 502 page, say).
    #[error("the Graph API answered HTTP {status} without a readable error")]
    Http { status: u16 },
    /// The request may have reached Facebook; see [`super::GraphClient`] on retries.
    #[error("the Graph API did not answer within {secs} s")]
    Timeout { secs: u64 },
    #[error("could not reach the Graph API: {reason}")]
    Network { reason: String },
    /// A success status with a body that is not the documented answer. The message may well
    /// have been delivered, so this is never retried.
    #[error("the Graph API's answer could not be read ({detail}); the message may have been sent")]
    InvalidResponse { detail: String },
    /// Refused before sending (an empty text, a private reply too long for one message).
    #[error("not sent: {reason}")]
    NotSendable { reason: String },
    /// A long text went out in parts and a later part failed. `message_ids` are the parts that
    /// were delivered: resending the whole text would repeat them.
    #[error("{} of {total} parts were sent, then: {cause}", message_ids.len())]
    PartlySent {
        message_ids: Vec<String>,
        total: usize,
        cause: Box<GraphError>,
    },
}

impl GraphError {
    /// What the reply worker should do.
    pub fn class(&self) -> ErrorClass {
        match self {
            Self::Api(error) => classify(error),
            Self::Http { status } => match status {
                429 => ErrorClass::Throttled,
                408 | 500..=599 => ErrorClass::Transient,
                _ => ErrorClass::Permanent {
                    reason: format!("the Graph API answered HTTP {status}"),
                },
            },
            Self::Timeout { .. } | Self::Network { .. } => ErrorClass::Transient,
            Self::InvalidResponse { .. } | Self::NotSendable { .. } => ErrorClass::Permanent {
                reason: self.to_string(),
            },
            Self::PartlySent { cause, .. } => cause.class(),
        }
    }

    /// Facebook's error code, when it sent one.
    pub fn code(&self) -> Option<i64> {
        match self {
            Self::Api(error) => Some(error.code),
            Self::PartlySent { cause, .. } => cause.code(),
            _ => None,
        }
    }

    pub fn subcode(&self) -> Option<i64> {
        match self {
            Self::Api(error) => error.subcode,
            Self::PartlySent { cause, .. } => cause.subcode(),
            _ => None,
        }
    }

    /// The message ids already delivered before a later part failed (empty otherwise).
    pub fn sent_message_ids(&self) -> &[String] {
        match self {
            Self::PartlySent { message_ids, .. } => message_ids,
            _ => &[],
        }
    }

    /// Whether the client itself retries this error within its bounds.
    pub(super) fn is_retried(&self) -> bool {
        matches!(self.class(), ErrorClass::Throttled | ErrorClass::Transient)
    }
}

fn classify(error: &ApiError) -> ErrorClass {
    let permanent = |what: &str| ErrorClass::Permanent {
        reason: format!("{what} ({})", code_text(error)),
    };
    match error.code {
        4 | 17 | 32 | 341 | 613 | 80001..=80014 => ErrorClass::Throttled,
        // 102 is the older "API Session" code: the same advice as 190, get a new token.
        190 | 102 => ErrorClass::TokenInvalid,
        10900 => ErrorClass::AlreadyDone,
        // Documented as "temporary issue due to downtime; wait and retry".
        1 | 2 => ErrorClass::Transient,
        10 if error.subcode == Some(2_018_278) => permanent("outside the 24-hour messaging window"),
        10 | 200..=299 => permanent(&format!(
            "the page token lacks a permission: {}",
            error.message
        )),
        368 => permanent("Facebook blocked the action as abusive or disallowed"),
        551 => permanent("the person isn't available right now"),
        _ if error.status >= 500 => ErrorClass::Transient,
        _ => permanent(&format!("Graph API error: {}", error.message)),
    }
}

fn code_text(error: &ApiError) -> String {
    match error.subcode {
        Some(subcode) => format!("code {}/{subcode}", error.code),
        None => format!("code {}", error.code),
    }
}

fn describe_api_error(error: &ApiError) -> String {
    let mut text = format!("the Graph API refused ({}", code_text(error));
    if let Some(kind) = &error.error_type {
        text.push_str(&format!(", {kind}"));
    }
    text.push_str(&format!("): {}", error.message));
    if let Some(trace) = &error.fbtrace_id {
        text.push_str(&format!(" [fbtrace_id {trace}]"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, code: i64, subcode: Option<i64>) -> GraphError {
        GraphError::Api(ApiError {
            status,
            code,
            subcode,
            message: "msg".to_owned(),
            error_type: Some("OAuthException".to_owned()),
            fbtrace_id: Some("BLBz/WZt8dN".to_owned()),
        })
    }

    #[test]
    fn documented_codes_map_to_their_class() {
        for code in [4, 17, 32, 341, 613, 80006] {
            assert_eq!(
                api(400, code, None).class(),
                ErrorClass::Throttled,
                "{code}"
            );
        }
        assert_eq!(api(400, 190, Some(460)).class(), ErrorClass::TokenInvalid);
        assert_eq!(api(400, 10900, None).class(), ErrorClass::AlreadyDone);
        assert_eq!(api(500, 2, None).class(), ErrorClass::Transient);
        for code in [10, 200, 230, 299, 368, 551, 100, 12345] {
            assert!(
                matches!(api(400, code, None).class(), ErrorClass::Permanent { .. }),
                "{code}"
            );
        }
        // An unknown code with a 5xx is the server's trouble, not ours.
        assert_eq!(api(503, 12345, None).class(), ErrorClass::Transient);
    }

    #[test]
    fn permanent_reasons_name_the_cause_and_code() {
        let ErrorClass::Permanent { reason } = api(400, 10, Some(2_018_278)).class() else {
            panic!("10/2018278 is permanent");
        };
        assert_eq!(
            reason,
            "outside the 24-hour messaging window (code 10/2018278)"
        );
        let ErrorClass::Permanent { reason } = api(400, 551, None).class() else {
            panic!("551 is permanent");
        };
        assert_eq!(reason, "the person isn't available right now (code 551)");
    }

    #[test]
    fn statuses_without_a_body_are_classified_by_status() {
        let http = |status| GraphError::Http { status }.class();
        assert_eq!(http(502), ErrorClass::Transient);
        assert_eq!(http(429), ErrorClass::Throttled);
        assert!(matches!(http(404), ErrorClass::Permanent { .. }));
    }

    #[test]
    fn a_partly_sent_error_keeps_the_cause_and_the_delivered_ids() {
        let error = GraphError::PartlySent {
            message_ids: vec!["m_1".to_owned()],
            total: 2,
            cause: Box::new(api(400, 551, None)),
        };
        assert_eq!(error.code(), Some(551));
        assert_eq!(error.sent_message_ids(), ["m_1".to_owned()]);
        assert!(
            error
                .to_string()
                .starts_with("1 of 2 parts were sent, then: ")
        );
    }

    #[test]
    fn display_names_code_type_message_and_trace() {
        assert_eq!(
            api(400, 190, Some(460)).to_string(),
            "the Graph API refused (code 190/460, OAuthException): msg [fbtrace_id BLBz/WZt8dN]"
        );
    }
}

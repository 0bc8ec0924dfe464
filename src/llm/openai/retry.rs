//! When a failed chat request is worth another try, and how long to wait first.
//!
//! Network errors, timeouts, 429 and 5xx are passing troubles of the server or the way to it;
//! everything else is the request's own fault and would fail the same way again. The wait
//! doubles from `retry_base_ms` with "equal jitter" (at least half the exponential wait), so
//! the reply workers that hit a busy server together do not come back in lockstep; a 429's
//! `Retry-After` in seconds is honoured as given, up to [`MAX_RETRY_AFTER`].

use std::time::Duration;

/// The longest computed backoff, so a high retry count cannot park a reply for long.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// A `Retry-After` longer than this is not waited for: a customer waiting for an answer is
/// better served by the reply worker trying later (or a human) than by a parked request.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// Whether an HTTP status is worth retrying.
pub fn is_retryable_status(status: u16) -> bool {
    status == 429 || (500..=599).contains(&status)
}

/// The wait before retry number `retry` (0 for the first). `jitter` is in `0.0..=1.0`.
pub fn backoff(retry: u32, base: Duration, jitter: f64) -> Duration {
    crate::backoff::backoff(retry, base, MAX_BACKOFF, jitter)
}

pub use crate::backoff::random_jitter;

/// `Retry-After` as delta-seconds, the form OpenAI and Azure send.
pub fn parse_retry_after_secs(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_stays_in_the_upper_half_and_is_capped() {
        let base = Duration::from_millis(500);
        assert_eq!(backoff(0, base, 0.0), Duration::from_millis(250));
        assert_eq!(backoff(0, base, 1.0), Duration::from_millis(500));
        assert_eq!(backoff(2, base, 1.0), Duration::from_secs(2));
        assert_eq!(backoff(50, base, 1.0), MAX_BACKOFF);
    }

    #[test]
    fn only_rate_limits_and_server_errors_are_retried() {
        assert!(is_retryable_status(429));
        assert!(is_retryable_status(503));
        assert!(!is_retryable_status(400));
        assert!(!is_retryable_status(401));
        assert!(!is_retryable_status(404));
    }

    #[test]
    fn retry_after_reads_seconds() {
        assert_eq!(parse_retry_after_secs(" 2 "), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after_secs("soon"), None);
    }
}

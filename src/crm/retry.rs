//! How long to wait before retrying a 429 answer.
//!
//! The CRM knows its own rate limit best, so a `Retry-After` (seconds or an HTTP date,
//! RFC 9110 section 10.2.3) is honoured as given; without one the wait doubles from
//! `retry_base_ms` with each retry. Jitter spreads the retries of many links that hit the same
//! CRM at once, so they do not come back in lockstep. A small function rather than a backoff
//! crate: the waits come from the answer as often as from the schedule, which is the part such
//! crates leave to the caller anyway.

use std::time::{Duration, SystemTime};

/// The longest computed (not server-given) backoff, so a high retry count cannot overflow or
/// park a link for hours.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// What to do after a 429.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryDecision {
    Wait(Duration),
    /// The CRM asked for a longer wait than allowed: give up now, the next run tries again.
    GiveUp {
        asked_secs: u64,
    },
}

/// The wait before retry number `retry` (0 for the first), given the answer's `Retry-After`.
/// `jitter` is a fraction in `0.0..=1.0`; [`random_jitter`] gives one.
pub fn decide(
    retry: u32,
    base: Duration,
    retry_after: Option<Duration>,
    max_retry_after: Duration,
    jitter: f64,
) -> RetryDecision {
    if let Some(asked) = retry_after {
        if asked > max_retry_after {
            return RetryDecision::GiveUp {
                asked_secs: asked.as_secs(),
            };
        }
        return RetryDecision::Wait(asked);
    }
    RetryDecision::Wait(crate::backoff::backoff(retry, base, MAX_BACKOFF, jitter))
}

pub use crate::backoff::random_jitter;

/// Parses `Retry-After`: delta-seconds or an HTTP date (a date in the past means "now").
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: Duration = Duration::from_millis(500);
    const MAX_ASKED: Duration = Duration::from_secs(120);

    #[test]
    fn backoff_doubles_and_jitter_stays_within_the_upper_half() {
        let wait = |retry, jitter| decide(retry, BASE, None, MAX_ASKED, jitter);
        assert_eq!(
            wait(0, 0.0),
            RetryDecision::Wait(Duration::from_millis(250))
        );
        assert_eq!(
            wait(0, 1.0),
            RetryDecision::Wait(Duration::from_millis(500))
        );
        assert_eq!(wait(1, 1.0), RetryDecision::Wait(Duration::from_secs(1)));
        assert_eq!(wait(3, 0.0), RetryDecision::Wait(Duration::from_secs(2)));
        assert_eq!(wait(3, 1.0), RetryDecision::Wait(Duration::from_secs(4)));
        // Capped rather than overflowing.
        assert_eq!(wait(40, 1.0), RetryDecision::Wait(MAX_BACKOFF));
    }

    #[test]
    fn retry_after_overrides_the_schedule_unless_it_is_too_long() {
        let asked = Some(Duration::from_secs(7));
        assert_eq!(
            decide(0, BASE, asked, MAX_ASKED, 0.3),
            RetryDecision::Wait(Duration::from_secs(7))
        );
        assert_eq!(
            decide(0, BASE, Some(Duration::from_secs(3600)), MAX_ASKED, 0.3),
            RetryDecision::GiveUp { asked_secs: 3600 }
        );
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = httpdate::parse_http_date("Sun, 29 Nov 2026 16:00:00 GMT").unwrap();
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Sun, 29 Nov 2026 16:00:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Sun, 29 Nov 2026 15:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
    }
}

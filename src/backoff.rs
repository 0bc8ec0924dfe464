//! What every client of an outside service (CRM fetches, the Graph API, chat models) shares
//! about failing calls: the wait before a retry, and a network failure put in words that
//! never carry the URL (its query may hold a key or a page token).

use rand::Rng;
use std::time::Duration;

/// The wait before retry number `retry` (0 for the first): exponential from `base`, at most
/// `cap`, with "equal jitter" — at least half the wait, so it still grows, and a random rest,
/// so that many callers failing together do not come back in lockstep. `jitter` is a fraction
/// in `0.0..=1.0`; [`random_jitter`] gives one.
pub fn backoff(retry: u32, base: Duration, cap: Duration, jitter: f64) -> Duration {
    let exponential = base
        .checked_mul(2u32.saturating_pow(retry))
        .unwrap_or(cap)
        .min(cap);
    let half = exponential / 2;
    half + half.mul_f64(jitter.clamp(0.0, 1.0))
}

pub fn random_jitter() -> f64 {
    rand::thread_rng().gen_range(0.0..=1.0)
}

/// reqwest's error as a short reason: the innermost cause (where the real story is, e.g.
/// "Connection refused"), prefixed when the connection could not be made. No URL.
pub fn network_reason(error: reqwest::Error) -> String {
    let error = error.without_url();
    let innermost =
        std::iter::successors(Some(&error as &(dyn std::error::Error + 'static)), |e| {
            e.source()
        })
        .last()
        .map(ToString::to_string)
        .unwrap_or_default();
    if error.is_connect() {
        format!("cannot connect ({innermost})")
    } else {
        innermost
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_stays_in_the_upper_half_and_is_capped() {
        let (base, cap) = (Duration::from_millis(500), Duration::from_secs(30));
        assert_eq!(backoff(0, base, cap, 0.0), Duration::from_millis(250));
        assert_eq!(backoff(0, base, cap, 1.0), Duration::from_millis(500));
        assert_eq!(backoff(3, base, cap, 1.0), Duration::from_secs(4));
        assert_eq!(backoff(3, base, cap, 0.5), Duration::from_secs(3));
        assert_eq!(backoff(40, base, cap, 1.0), cap);
    }
}

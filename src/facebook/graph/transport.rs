//! The HTTP side of [`GraphClient`]: building the URL with the token, reading Facebook's
//! answer or error body, and retrying within the configured bounds.

use super::{ApiError, GraphClient, GraphError};
use crate::backoff::random_jitter;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// The longest wait between two attempts, however high `max_retries` is set.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorFields,
}

#[derive(Deserialize)]
struct ErrorFields {
    #[serde(default)]
    message: String,
    #[serde(rename = "type")]
    error_type: Option<String>,
    code: i64,
    error_subcode: Option<i64>,
    fbtrace_id: Option<String>,
}

impl GraphClient {
    /// POSTs `body` to `segments` under the base URL, retrying transient and throttling
    /// failures within the configured bounds.
    pub(super) async fn post<T: DeserializeOwned>(
        &self,
        segments: &[&str],
        token: &SecretString,
        body: &serde_json::Value,
    ) -> Result<T, GraphError> {
        let mut retry = 0;
        loop {
            match self.post_once(segments, token, body).await {
                Err(error) if error.is_retried() && retry < self.settings.max_retries => {
                    let wait = backoff(
                        retry,
                        Duration::from_millis(self.settings.retry_base_ms),
                        random_jitter(),
                    );
                    tracing::warn!(
                        code = error.code(),
                        retry = retry + 1,
                        wait_ms = wait.as_millis() as u64,
                        "Graph API call failed, retrying: {error}"
                    );
                    tokio::time::sleep(wait).await;
                    retry += 1;
                }
                outcome => return outcome,
            }
        }
    }

    async fn post_once<T: DeserializeOwned>(
        &self,
        segments: &[&str],
        token: &SecretString,
        body: &serde_json::Value,
    ) -> Result<T, GraphError> {
        let mut url = (*self.base).clone();
        url.path_segments_mut()
            .expect("checked in new(): the base URL can have paths")
            .pop_if_empty()
            .extend(segments);
        url.query_pairs_mut()
            .append_pair("access_token", token.expose_secret());
        let response = self
            .http
            .post(url)
            .json(body)
            .send()
            .await
            .map_err(|e| self.map_error(e))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| self.map_error(e))?;
        if status.is_success() {
            return serde_json::from_slice(&bytes).map_err(|e| GraphError::InvalidResponse {
                detail: e.to_string(),
            });
        }
        Err(match serde_json::from_slice::<ErrorBody>(&bytes) {
            Ok(ErrorBody { error }) => GraphError::Api(ApiError {
                status: status.as_u16(),
                code: error.code,
                subcode: error.error_subcode,
                // Facebook's "Malformed access token ..." echoes the token back.
                message: redact(&error.message, token),
                error_type: error.error_type,
                fbtrace_id: error.fbtrace_id,
            }),
            Err(_) => GraphError::Http {
                status: status.as_u16(),
            },
        })
    }

    /// reqwest's errors, without the URL (its query holds the token).
    fn map_error(&self, error: reqwest::Error) -> GraphError {
        if error.is_timeout() {
            return GraphError::Timeout {
                secs: self.settings.timeout_secs,
            };
        }
        let reason = crate::backoff::network_reason(error);
        GraphError::Network { reason }
    }
}

fn redact(message: &str, token: &SecretString) -> String {
    let token = token.expose_secret();
    if token.is_empty() {
        return message.to_owned();
    }
    message.replace(token, "[redacted]")
}

/// The wait before retry number `retry` (0 for the first): exponential from `base`, capped,
/// with "equal jitter" (at least half the wait, so it still grows) so that many workers
/// throttled together do not come back in lockstep. `jitter` is in `0.0..=1.0`.
fn backoff(retry: u32, base: Duration, jitter: f64) -> Duration {
    crate::backoff::backoff(retry, base, MAX_BACKOFF, jitter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_jitter_bounds_and_is_capped() {
        let base = Duration::from_millis(500);
        assert_eq!(backoff(0, base, 0.0), Duration::from_millis(250));
        assert_eq!(backoff(0, base, 1.0), Duration::from_millis(500));
        assert_eq!(backoff(3, base, 1.0), Duration::from_secs(4));
        assert_eq!(backoff(40, base, 1.0), MAX_BACKOFF);
    }

    #[test]
    fn the_token_is_redacted_from_facebooks_messages() {
        let token = SecretString::from("EAAB-secret");
        assert_eq!(
            redact("Malformed access token EAAB-secret", &token),
            "Malformed access token [redacted]"
        );
    }
}

//! One Metakocka call on the wire: the credentials put into the JSON body, the company's
//! concurrency gate, the answer read (HTML, error statuses, `opr_code`), and retries with
//! backoff for failures that another attempt can fix.

use super::limits::CallKind;
use super::{MetakockaClient, MetakockaCredentials, MetakockaError};
use secrecy::ExposeSecret;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::time::Duration;

/// The longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

impl MetakockaClient {
    /// POSTs `request` plus the credentials to `endpoint` (a path under the base URL) and
    /// reads the documented answer.
    #[tracing::instrument(
        name = "metakocka_call",
        skip_all,
        fields(endpoint = endpoint, company_id = %credentials.company_id, attempts),
        err(level = "warn", Display)
    )]
    pub(super) async fn call<Q: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        credentials: &MetakockaCredentials,
        endpoint: &'static str,
        kind: CallKind,
        request: &Q,
    ) -> Result<T, MetakockaError> {
        let body = request_body(credentials, endpoint, request)?;
        let mut retry = 0;
        let answer = loop {
            let outcome = {
                // Held for one attempt only: a backoff wait does not block the company's
                // other calls.
                let _slot = self.limits.acquire(&credentials.company_id, kind).await;
                self.post_once(credentials, endpoint, &body).await
            };
            match outcome {
                Err(error) if error.is_retried() && retry < self.settings.max_retries => {
                    let wait = crate::backoff::backoff(
                        retry,
                        Duration::from_millis(self.settings.retry_base_ms),
                        MAX_BACKOFF,
                        crate::backoff::random_jitter(),
                    );
                    tracing::warn!(
                        retry = retry + 1,
                        wait_ms = wait.as_millis() as u64,
                        "Metakocka call failed, retrying: {error}"
                    );
                    tokio::time::sleep(wait).await;
                    retry += 1;
                }
                outcome => break outcome,
            }
        };
        tracing::Span::current().record("attempts", retry + 1);
        typed(endpoint, answer?, credentials)
    }

    async fn post_once(
        &self,
        credentials: &MetakockaCredentials,
        endpoint: &'static str,
        body: &[u8],
    ) -> Result<Value, MetakockaError> {
        let url = self.endpoint_url(endpoint)?;
        let network = |error: reqwest::Error| {
            if error.is_timeout() {
                MetakockaError::Timeout {
                    endpoint,
                    secs: self.settings.timeout_secs,
                }
            } else {
                MetakockaError::Network {
                    endpoint,
                    reason: crate::backoff::network_reason(error),
                }
            }
        };
        let response = self
            .http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_vec())
            .send()
            .await
            .map_err(network)?;
        let status = response.status().as_u16();
        let is_html = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("html"));
        let bytes = response.bytes().await.map_err(network)?;
        read_answer(endpoint, status, is_html, &bytes, credentials)
    }
}

/// The request as JSON with `secret_key` and `company_id` added at the top level, as every
/// documented request has them.
fn request_body<Q: Serialize + ?Sized>(
    credentials: &MetakockaCredentials,
    endpoint: &'static str,
    request: &Q,
) -> Result<Vec<u8>, MetakockaError> {
    let invalid = |detail: String| MetakockaError::InvalidRequest { endpoint, detail };
    let mut body = match serde_json::to_value(request) {
        Ok(Value::Object(map)) => map,
        Ok(other) => return Err(invalid(format!("the request is not an object: {other}"))),
        Err(e) => return Err(invalid(format!("the request could not be written: {e}"))),
    };
    body.insert(
        "secret_key".to_owned(),
        Value::String(credentials.secret_key.expose_secret().to_owned()),
    );
    body.insert(
        "company_id".to_owned(),
        Value::String(credentials.company_id.clone()),
    );
    serde_json::to_vec(&body).map_err(|e| invalid(e.to_string()))
}

/// Reads Metakocka's answer: HTML means the base URL is not the API; `opr_code` other than
/// `"0"` is a refusal whatever the status; no `opr_code` (the partner calls) is a success.
fn read_answer(
    endpoint: &'static str,
    status: u16,
    is_html: bool,
    bytes: &[u8],
    credentials: &MetakockaCredentials,
) -> Result<Value, MetakockaError> {
    // JSON wins over the Content-Type: some servers label JSON as text/html.
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let value = match serde_json::from_slice::<Value>(bytes) {
        Ok(value) => value,
        Err(_) if status >= 500 || status == 429 => {
            return Err(MetakockaError::Http { endpoint, status });
        }
        Err(_) if is_html || looks_like_html(bytes) => {
            return Err(MetakockaError::NotTheApi { endpoint, status });
        }
        Err(_) if !(200..300).contains(&status) => {
            return Err(MetakockaError::Http { endpoint, status });
        }
        Err(e) => {
            return Err(MetakockaError::InvalidResponse {
                endpoint,
                detail: format!("not JSON ({e})"),
            });
        }
    };
    if let Some(code) = value.get("opr_code").and_then(code_text) {
        if code != "0" {
            let message = ["opr_desc", "error_desc", "opr_desc_app"]
                .iter()
                .find_map(|key| value.get(*key).and_then(Value::as_str))
                .filter(|text| !text.trim().is_empty())
                .unwrap_or("no description given");
            return Err(MetakockaError::Refused {
                endpoint,
                opr_code: code,
                message: redact(message, credentials),
            });
        }
    }
    if !(200..300).contains(&status) {
        return Err(MetakockaError::Http { endpoint, status });
    }
    if !value.is_object() {
        return Err(MetakockaError::InvalidResponse {
            endpoint,
            detail: "the answer is not a JSON object".to_owned(),
        });
    }
    Ok(value)
}

/// An answer of `endpoint` (its status and body) read into `T` as a call reads it.
pub(super) fn decode<T: DeserializeOwned>(
    endpoint: &'static str,
    status: u16,
    bytes: &[u8],
    credentials: &MetakockaCredentials,
) -> Result<T, MetakockaError> {
    typed(
        endpoint,
        read_answer(endpoint, status, false, bytes, credentials)?,
        credentials,
    )
}

fn typed<T: DeserializeOwned>(
    endpoint: &'static str,
    value: Value,
    credentials: &MetakockaCredentials,
) -> Result<T, MetakockaError> {
    serde_json::from_value(value).map_err(|e| MetakockaError::InvalidResponse {
        endpoint,
        detail: redact(&e.to_string(), credentials),
    })
}

fn code_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.trim().to_owned()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// A markup page (`<!DOCTYPE html>`, `<html>`, an XML error page) rather than JSON.
fn looks_like_html(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|first| *first == b'<')
}

/// Metakocka's texts are not ours: take the key out in case one echoes the request.
fn redact(text: &str, credentials: &MetakockaCredentials) -> String {
    let key = credentials.secret_key.expose_secret();
    if key.is_empty() {
        text.to_owned()
    } else {
        text.replace(key, "[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::SecretString;

    fn credentials() -> MetakockaCredentials {
        MetakockaCredentials {
            company_id: "16".to_owned(),
            secret_key: SecretString::from("8899-secret"),
        }
    }

    #[test]
    fn a_refusal_takes_its_text_from_the_first_description_field_present() {
        let body = br#"{"opr_code":"1","error_desc":"Napacna postna stevilka"}"#;
        let error = read_answer("search", 200, false, body, &credentials()).unwrap_err();
        assert_eq!(error.metakocka_message(), Some("Napacna postna stevilka"));
        let body = br#"{"opr_code":"1","opr_desc_app":"Echo 8899-secret"}"#;
        let error = read_answer("search", 200, false, body, &credentials()).unwrap_err();
        assert_eq!(error.metakocka_message(), Some("Echo [redacted]"));
    }

    #[test]
    fn html_is_a_configuration_error_and_a_bare_5xx_is_retried() {
        let page = b"<!DOCTYPE html><html><body>Not Found</body></html>";
        let error = read_answer("search", 404, false, page, &credentials()).unwrap_err();
        assert!(matches!(error, MetakockaError::NotTheApi { .. }));
        let error = read_answer("search", 503, true, page, &credentials()).unwrap_err();
        assert!(error.is_retried());
        let json_labelled_html = br#"{"opr_code":"0","stock_list":[]}"#;
        assert!(read_answer("search", 200, true, json_labelled_html, &credentials()).is_ok());
    }
}

//! The OpenAI-compatible chat-completions client: OpenAI, Azure OpenAI, Ollama, vLLM and a
//! llama.cpp server all answer `POST {base_url}/chat/completions` in OpenAI's shape.
//!
//! * **Endpoint**: `base_url` is the API root, e.g. `https://api.openai.com/v1`,
//!   `http://localhost:11434/v1` (Ollama), `http://localhost:8000/v1` (vLLM),
//!   `http://localhost:8080/v1` (llama.cpp); a trailing slash is fine. A query in it is kept.
//! * **Authentication**: `Authorization: Bearer <key>` when a key is set; local servers need
//!   none. Azure OpenAI (a host under `openai.azure.com` or `cognitiveservices.azure.com`)
//!   takes the key in an `api-key` header instead, and its deployment URL needs the API
//!   version in the query, so `base_url` must carry it:
//!   `https://RESOURCE.openai.azure.com/openai/deployments/DEPLOYMENT?api-version=2024-10-21`.
//!   Azure's v1 API (`https://RESOURCE.openai.azure.com/openai/v1`) needs no version.
//! * **Failures** (see `retry`): network errors, timeouts, 429 and 5xx are retried with
//!   backoff up to `max_retries`, then [`ChatError::Unavailable`]; other 4xx are
//!   [`ChatError::Rejected`] at once; an answer without text is [`ChatError::Invalid`].
//! * **Secrets**: the key is a [`SecretString`] (redacted in `Debug`), sent only as a
//!   sensitive header, and scrubbed from any error message a server echoes back.

mod retry;
mod wire;

use super::{Answer, AnswerRequest, ChatError, ChatModel};
use anyhow::Context;
use async_trait::async_trait;
use reqwest::header::{AUTHORIZATION, HeaderValue, RETRY_AFTER};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::time::Duration;
use url::Url;
use wire::{ChatRequest, ChatResponse};

/// The client's settings (`CRM_MIND_LLM_*`). Every field has a default.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct OpenAiSettings {
    /// The API root, without `/chat/completions`.
    pub base_url: String,
    pub api_key: Option<SecretString>,
    pub model: String,
    /// Per attempt, from connecting to the last byte of the answer.
    pub timeout_secs: u64,
    /// Retries after the first attempt, for network errors, timeouts, 429 and 5xx.
    pub max_retries: u32,
    /// The first backoff; it doubles with each retry.
    pub retry_base_ms: u64,
    pub max_tokens: Option<u32>,
    pub temperature: Option<f32>,
}

impl Default for OpenAiSettings {
    fn default() -> Self {
        Self {
            base_url: "https://api.openai.com/v1".to_owned(),
            api_key: None,
            model: "gpt-4o-mini".to_owned(),
            timeout_secs: 30,
            max_retries: 3,
            retry_base_ms: 500,
            max_tokens: None,
            temperature: None,
        }
    }
}

/// Where the key goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyHeader {
    /// `Authorization: Bearer <key>`: OpenAI, Ollama, vLLM, llama.cpp.
    Bearer,
    /// `api-key: <key>`: Azure OpenAI.
    AzureApiKey,
}

/// A chat model behind an OpenAI-compatible API. Cheap to clone (the HTTP client is shared).
#[derive(Debug, Clone)]
pub struct OpenAiChat {
    settings: OpenAiSettings,
    endpoint: Url,
    /// The header carrying the key, built once; marked sensitive, so its `Debug` is redacted.
    key_header_value: Option<(&'static str, HeaderValue)>,
    http: reqwest::Client,
}

/// How one attempt ended, when it did not give an answer.
enum Failure {
    /// Worth another try; `wait` is what the server asked for, if anything.
    Transient {
        reason: String,
        wait: Option<Duration>,
    },
    Final(ChatError),
}

impl OpenAiChat {
    /// Checks the settings and builds the HTTP client. Fails on a base URL that cannot be
    /// used (not http(s), or an Azure deployment URL without `api-version`).
    pub fn new(settings: OpenAiSettings) -> anyhow::Result<Self> {
        let (endpoint, key_header) = endpoint_of(&settings.base_url)?;
        anyhow::ensure!(
            !settings.model.trim().is_empty(),
            "the chat model name is empty (CRM_MIND_LLM_MODEL)"
        );
        let key_header_value = match &settings.api_key {
            Some(key) => {
                let (name, value) = match key_header {
                    KeyHeader::Bearer => (
                        AUTHORIZATION.as_str(),
                        format!("Bearer {}", key.expose_secret()),
                    ),
                    KeyHeader::AzureApiKey => ("api-key", key.expose_secret().to_owned()),
                };
                // No `.context` with the value: the key must not reach the error.
                let mut value = HeaderValue::from_str(&value).map_err(|_| {
                    anyhow::anyhow!("the chat model's API key is not a valid header value")
                })?;
                // Kept out of reqwest's and hyper's debug output too.
                value.set_sensitive(true);
                Some((name, value))
            }
            None => None,
        };
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(settings.timeout_secs))
            .build()
            .context("building the chat model's HTTP client")?;
        Ok(Self {
            settings,
            endpoint,
            key_header_value,
            http,
        })
    }

    /// One request, no retry.
    async fn attempt(&self, body: &ChatRequest<'_>) -> Result<Answer, Failure> {
        let mut request = self.http.post(self.endpoint.clone()).json(body);
        if let Some((name, value)) = &self.key_header_value {
            request = request.header(*name, value.clone());
        }

        let response = request.send().await.map_err(|e| self.network_failure(e))?;
        let status = response.status().as_u16();
        let wait = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(retry::parse_retry_after_secs);
        let text = response.text().await.map_err(|e| self.network_failure(e))?;

        if !(200..300).contains(&status) {
            let message = self.scrub(wire::error_message(&text));
            return Err(if retry::is_retryable_status(status) {
                Failure::Transient {
                    reason: format!("the server answered {status}: {message}"),
                    wait,
                }
            } else {
                Failure::Final(ChatError::Rejected { status, message })
            });
        }

        let parsed: ChatResponse = serde_json::from_str(&text).map_err(|e| {
            Failure::Final(ChatError::Invalid(format!("not a chat completion: {e}")))
        })?;
        let text = wire::answer_text(&parsed).ok_or_else(|| {
            Failure::Final(ChatError::Invalid(
                "the answer has no text in choices[0].message.content".to_owned(),
            ))
        })?;
        let usage = parsed.usage.as_ref();
        Ok(Answer {
            text,
            model: parsed.model.unwrap_or_else(|| self.settings.model.clone()),
            prompt_tokens: usage.and_then(|u| u.prompt_tokens),
            completion_tokens: usage.and_then(|u| u.completion_tokens),
        })
    }

    /// A network error in words, without the URL (its query may hold an Azure version, and
    /// other deployments may put more there than we know).
    fn network_failure(&self, error: reqwest::Error) -> Failure {
        let reason = if error.is_timeout() {
            format!("no answer within {} s", self.settings.timeout_secs)
        } else if error.is_connect() {
            format!(
                "could not connect to {}",
                self.endpoint.host_str().unwrap_or("the server")
            )
        } else {
            let error = error.without_url();
            let mut reason = format!("network error: {error}");
            let mut source = std::error::Error::source(&error);
            while let Some(cause) = source {
                reason.push_str(": ");
                reason.push_str(&cause.to_string());
                source = cause.source();
            }
            reason
        };
        Failure::Transient {
            reason: self.scrub(reason),
            wait: None,
        }
    }

    /// Removes the key from text a server sent back (an "Incorrect API key provided: ..."
    /// message may quote it).
    fn scrub(&self, text: String) -> String {
        match &self.settings.api_key {
            Some(key) if !key.expose_secret().is_empty() => {
                text.replace(key.expose_secret(), "[redacted]")
            }
            _ => text,
        }
    }
}

/// `{base_url}/chat/completions`, keeping the query, and where the key goes.
fn endpoint_of(base_url: &str) -> anyhow::Result<(Url, KeyHeader)> {
    let mut url = Url::parse(base_url.trim())
        .with_context(|| "the chat model's base URL is not a URL (CRM_MIND_LLM_BASE_URL)")?;
    anyhow::ensure!(
        matches!(url.scheme(), "http" | "https"),
        "the chat model's base URL must be http or https (CRM_MIND_LLM_BASE_URL)"
    );
    let path = format!("{}/chat/completions", url.path().trim_end_matches('/'));
    url.set_path(&path);

    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let azure =
        host.ends_with(".openai.azure.com") || host.ends_with(".cognitiveservices.azure.com");
    if !azure {
        return Ok((url, KeyHeader::Bearer));
    }
    let has_version = url.query_pairs().any(|(name, _)| name == "api-version");
    let v1_api = url.path().starts_with("/openai/v1/");
    anyhow::ensure!(
        has_version || v1_api,
        "an Azure OpenAI base URL needs its API version in the query, e.g. \
         https://RESOURCE.openai.azure.com/openai/deployments/DEPLOYMENT?api-version=2024-10-21 \
         (CRM_MIND_LLM_BASE_URL)"
    );
    Ok((url, KeyHeader::AzureApiKey))
}

#[async_trait]
impl ChatModel for OpenAiChat {
    fn name(&self) -> &str {
        &self.settings.model
    }

    #[tracing::instrument(skip_all, fields(model = %self.settings.model), err)]
    async fn answer(&self, request: &AnswerRequest) -> Result<Answer, ChatError> {
        // https://platform.openai.com/docs/api-reference/chat/create
        let body = ChatRequest::new(
            &self.settings.model,
            request,
            self.settings.max_tokens,
            self.settings.temperature,
        );
        let base = Duration::from_millis(self.settings.retry_base_ms);
        let mut retry = 0;
        loop {
            let (reason, asked) = match self.attempt(&body).await {
                Ok(answer) => return Ok(answer),
                Err(Failure::Final(error)) => return Err(error),
                Err(Failure::Transient { reason, wait }) => (reason, wait),
            };
            if retry >= self.settings.max_retries {
                return Err(ChatError::Unavailable(format!(
                    "{reason} (after {retry} retries)"
                )));
            }
            if let Some(asked) = asked.filter(|asked| *asked > retry::MAX_RETRY_AFTER) {
                return Err(ChatError::Unavailable(format!(
                    "{reason}; the server asked to wait {} s",
                    asked.as_secs()
                )));
            }
            let wait = asked.unwrap_or_else(|| retry::backoff(retry, base, retry::random_jitter()));
            tracing::warn!(retry, wait_ms = wait.as_millis() as u64, %reason, "chat request failed; retrying");
            tokio::time::sleep(wait).await;
            retry += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_appends_the_path_keeps_the_query_and_tolerates_a_slash() {
        let (url, key) = endpoint_of("https://api.openai.com/v1/").unwrap();
        assert_eq!(url.as_str(), "https://api.openai.com/v1/chat/completions");
        assert_eq!(key, KeyHeader::Bearer);
        let (url, _) = endpoint_of("http://localhost:11434/v1").unwrap();
        assert_eq!(url.as_str(), "http://localhost:11434/v1/chat/completions");
    }

    #[test]
    fn azure_takes_an_api_key_header_and_needs_a_version() {
        let (url, key) = endpoint_of(
            "https://acme.openai.azure.com/openai/deployments/gpt4o/?api-version=2024-10-21",
        )
        .unwrap();
        assert_eq!(
            url.as_str(),
            "https://acme.openai.azure.com/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21"
        );
        assert_eq!(key, KeyHeader::AzureApiKey);
        assert!(endpoint_of("https://acme.openai.azure.com/openai/deployments/gpt4o").is_err());
        assert!(endpoint_of("https://acme.openai.azure.com/openai/v1").is_ok());
        assert!(endpoint_of("ftp://example.com/v1").is_err());
    }

    #[test]
    fn debug_never_shows_the_key() {
        let chat = OpenAiChat::new(OpenAiSettings {
            api_key: Some(SecretString::from("sk-very-secret")),
            ..OpenAiSettings::default()
        })
        .unwrap();
        assert!(!format!("{chat:?}").contains("sk-very-secret"));
    }
}

//! [`GraphClient`]: the Graph API calls that deliver answers — a Messenger message, a public
//! reply under a comment, and a private reply to a comment's author.
//!
//! The page token goes in the `access_token` query parameter, as the Send API documents
//! (<https://developers.facebook.com/docs/messenger-platform/reference/send-api/>). That makes
//! every request URL a secret: no URL is logged, and reqwest's errors are stripped of theirs.
//!
//! Retries: only [`ErrorClass::Transient`] and [`ErrorClass::Throttled`] failures are retried
//! here, a few times with exponential backoff and jitter, so a brief hiccup does not cost a
//! trip through the reply queue; then the error goes back to the caller, which dead-letters or
//! reschedules. Facebook's Send API has no idempotency key, so a timed-out or 5xx'd request
//! that Facebook did process would be delivered twice when retried. The issue accepts that
//! risk for timeouts and 5xx (an unanswered customer is the worse outcome); set
//! `max_retries` to 0 to leave every retry to the caller.

mod error;
mod split;
mod transport;

pub use error::{ApiError, ErrorClass, GraphError};
pub use split::{MAX_MESSAGE_CHARS, split_message};

/// Attached to every message crm-mind sends (the Send API's `message.metadata`). Facebook
/// returns it in the message's echo, which is how an echo of the bot's own reply is told
/// apart from a person answering by hand in the page inbox.
pub const REPLY_METADATA: &str = "crm-mind";

use anyhow::Context;
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// Where and how patiently to call the Graph API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphSettings {
    /// `CRM_MIND_GRAPH_API_BASE_URL`: the versioned root, e.g. `https://graph.facebook.com/v21.0`.
    pub base_url: String,
    pub timeout_secs: u64,
    /// Retries after the first attempt, for transient and throttling errors only.
    pub max_retries: u32,
    /// The first retry waits between half and all of this; each later one doubles it.
    pub retry_base_ms: u64,
}

impl Default for GraphSettings {
    fn default() -> Self {
        Self {
            base_url: "https://graph.facebook.com/v21.0".to_owned(),
            timeout_secs: 30,
            max_retries: 4,
            retry_base_ms: 500,
        }
    }
}

/// Sends replies through the Graph API. Cheap to clone: the connection pool is shared.
#[derive(Debug, Clone)]
pub struct GraphClient {
    http: reqwest::Client,
    base: Arc<Url>,
    settings: Arc<GraphSettings>,
}

/// The Send API's answer for a message or a private reply.
#[derive(Deserialize)]
struct MessageSent {
    message_id: String,
}

/// The answer to creating a comment.
#[derive(Deserialize)]
struct CommentCreated {
    id: String,
}

impl GraphClient {
    pub fn new(settings: GraphSettings) -> anyhow::Result<Self> {
        let base = Url::parse(settings.base_url.trim()).with_context(|| {
            format!("the Graph API base URL {:?} is invalid", settings.base_url)
        })?;
        anyhow::ensure!(
            !base.cannot_be_a_base(),
            "the Graph API base URL {:?} cannot have paths",
            settings.base_url
        );
        let http = reqwest::Client::builder()
            .use_rustls_tls()
            .timeout(Duration::from_secs(settings.timeout_secs))
            // The Graph API answers a POST directly; a redirect would only be a misrouted
            // base URL, and is reported as a failure rather than followed elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("crm-mind/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("cannot build the Graph API HTTP client")?;
        Ok(Self {
            http,
            base: Arc::new(base),
            settings: Arc::new(settings),
        })
    }

    /// Sends `text` to the person `psid` as the page's answer to their message
    /// (`messaging_type: RESPONSE`, so only within 24 hours of their last message). A text
    /// over [`MAX_MESSAGE_CHARS`] goes out as several messages, in order; returns their ids.
    /// If a later part fails, the error is [`GraphError::PartlySent`] with the ids delivered.
    #[tracing::instrument(skip_all, fields(page_id = %page_id, parts), err(level = "warn", Display))]
    pub async fn send_message(
        &self,
        page_id: &str,
        token: &SecretString,
        psid: &str,
        text: &str,
    ) -> Result<Vec<String>, GraphError> {
        let parts = split_message(text, MAX_MESSAGE_CHARS);
        if parts.is_empty() {
            return Err(not_sendable("the reply is empty"));
        }
        tracing::Span::current().record("parts", parts.len());
        let mut message_ids = Vec::with_capacity(parts.len());
        for part in &parts {
            let body = json!({
                "recipient": {"id": psid},
                "messaging_type": "RESPONSE",
                "message": {"text": part, "metadata": REPLY_METADATA},
            });
            match self
                .post::<MessageSent>(&[page_id, "messages"], token, &body)
                .await
            {
                Ok(sent) => message_ids.push(sent.message_id),
                Err(cause) if message_ids.is_empty() => return Err(cause),
                Err(cause) => {
                    return Err(GraphError::PartlySent {
                        message_ids,
                        total: parts.len(),
                        cause: Box::new(cause),
                    });
                }
            }
        }
        Ok(message_ids)
    }

    /// Replies publicly under a comment; returns the new comment's id.
    /// <https://developers.facebook.com/docs/graph-api/reference/object/comments/>
    #[tracing::instrument(skip_all, fields(comment_id = %comment_id), err(level = "warn", Display))]
    pub async fn reply_to_comment(
        &self,
        comment_id: &str,
        token: &SecretString,
        text: &str,
    ) -> Result<String, GraphError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(not_sendable("the reply is empty"));
        }
        let body = json!({"message": text});
        let created: CommentCreated = self.post(&[comment_id, "comments"], token, &body).await?;
        Ok(created.id)
    }

    /// Sends the comment's author a private Messenger reply (one per comment, within 7 days);
    /// returns the message id. One message only, so the text must fit in
    /// [`MAX_MESSAGE_CHARS`].
    /// <https://developers.facebook.com/docs/messenger-platform/discovery/private-replies/>
    #[tracing::instrument(skip_all, fields(page_id = %page_id, comment_id = %comment_id), err(level = "warn", Display))]
    pub async fn private_reply(
        &self,
        page_id: &str,
        token: &SecretString,
        comment_id: &str,
        text: &str,
    ) -> Result<String, GraphError> {
        let text = text.trim();
        let chars = text.chars().count();
        if chars == 0 {
            return Err(not_sendable("the reply is empty"));
        }
        if chars > MAX_MESSAGE_CHARS {
            return Err(not_sendable(format!(
                "a private reply is one message of at most {MAX_MESSAGE_CHARS} characters; this one has {chars}"
            )));
        }
        let body = json!({
            "recipient": {"comment_id": comment_id},
            "message": {"text": text, "metadata": REPLY_METADATA},
        });
        let sent: MessageSent = self.post(&[page_id, "messages"], token, &body).await?;
        Ok(sent.message_id)
    }
}

fn not_sendable(reason: impl Into<String>) -> GraphError {
    GraphError::NotSendable {
        reason: reason.into(),
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invalid_base_url_is_refused() {
        let settings = GraphSettings {
            base_url: "not a url".to_owned(),
            ..GraphSettings::default()
        };
        assert!(GraphClient::new(settings).is_err());
    }
}

//! The chat model seam: turning a customer's question and the facts retrieval found into a
//! short answer, behind the [`ChatModel`] trait.
//!
//! Two implementations (issue 4, item 4):
//! * `openai` — an OpenAI-compatible chat-completions client (OpenAI, Azure OpenAI, Ollama,
//!   vLLM, a llama.cpp server), chosen by `CRM_MIND_LLM_BASE_URL`;
//! * `extractive` — the embedded default: picks the facts that best match the question and
//!   writes a short templated reply from them, in English or Slovenian; it never invents a fact.

pub mod extractive;
pub mod openai;

pub use extractive::{ExtractiveAnswerer, HANDOVER_EN, HANDOVER_SL};
pub use openai::{OpenAiChat, OpenAiSettings};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// A fact retrieval found, with where it came from (a CRM link's name and path, or Metakocka).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Fact {
    pub text: String,
    pub source: String,
}

/// One earlier turn of the conversation, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Turn {
    /// `customer` or `page` (the bot or a human agent).
    pub from: String,
    pub text: String,
}

/// Everything a model needs to answer one message.
#[derive(Debug, Clone)]
pub struct AnswerRequest {
    /// The filled prompt (`prompts/*.md` with its placeholders replaced): the system message
    /// of a chat model. The extractive answerer does not read it.
    pub system_prompt: String,
    /// The customer's message, as written.
    pub question: String,
    /// Best first.
    pub facts: Vec<Fact>,
    pub history: Vec<Turn>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub text: String,
    /// Which model wrote it (`extractive` for the embedded default).
    pub model: String,
    /// Tokens, where the model reports them.
    pub prompt_tokens: Option<u32>,
    pub completion_tokens: Option<u32>,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum ChatError {
    /// Retries are spent (network errors, timeouts, 429 or 5xx): try again later.
    #[error("the chat model is unavailable: {0}")]
    Unavailable(String),
    /// The model refused the request (4xx other than 429): retrying will not help.
    #[error("the chat model refused the request ({status}): {message}")]
    Rejected { status: u16, message: String },
    /// The answer could not be read (not the documented shape, or empty).
    #[error("the chat model's answer could not be read: {0}")]
    Invalid(String),
}

#[async_trait]
pub trait ChatModel: Send + Sync {
    /// A name for logs and metrics: `extractive`, or the configured model name.
    fn name(&self) -> &str;
    async fn answer(&self, request: &AnswerRequest) -> Result<Answer, ChatError>;
}

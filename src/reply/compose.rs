//! Writing one answer: retrieval for the page and channel, the prompt, the chat model, and the
//! public-reply privacy rule. The reply worker and `crm-mind ask` both answer through here,
//! so what the command line shows is what a customer would get.

use super::privacy;
use super::prompt::{PromptInput, PromptKind, Prompts};
use crate::domain::{Channel, CompanyId, Page};
use crate::llm::{AnswerRequest, ChatError, ChatModel, Fact, Turn};
use crate::rag::Retrieval;
use crate::rag::index::ChunkFilter;
use std::sync::Arc;
use std::time::Instant;

/// What a reply is written about.
#[derive(Debug, Clone)]
pub struct Question<'a> {
    pub company: &'a CompanyId,
    pub page: &'a Page,
    pub channel: Channel,
    pub text: &'a str,
    /// Earlier turns, oldest first (Messenger).
    pub history: &'a [Turn],
    /// The post a comment is under, and the comment it answers, when known.
    pub post: Option<&'a str>,
    pub parent: Option<&'a str>,
}

/// A written answer and what it was written from.
#[derive(Debug, Clone)]
pub struct Composed {
    pub text: String,
    pub facts: Vec<Fact>,
    pub model: String,
    pub retrieval_ms: u64,
    pub model_ms: u64,
    pub prompt_tokens: Option<u32>,
    pub completion_tokens: Option<u32>,
}

#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    #[error(transparent)]
    Model(#[from] ChatError),
    #[error("the prompt could not be filled: {0}")]
    Prompt(String),
}

/// Everything an answer needs, cheap to clone.
#[derive(Clone)]
pub struct Composer {
    /// `None` when the embedding model is missing: answers are written without facts (the
    /// extractive answerer then hands over).
    retrieval: Option<Retrieval>,
    model: Arc<dyn ChatModel>,
    prompts: Arc<Prompts>,
    top_k: usize,
}

impl Composer {
    pub fn new(
        retrieval: Option<Retrieval>,
        model: Arc<dyn ChatModel>,
        prompts: Arc<Prompts>,
        top_k: usize,
    ) -> Self {
        Self {
            retrieval,
            model,
            prompts,
            top_k: top_k.max(1),
        }
    }

    pub fn model_name(&self) -> &str {
        self.model.name()
    }

    pub async fn compose(&self, question: &Question<'_>) -> Result<Composed, ComposeError> {
        let started = Instant::now();
        let mut facts = self.facts(question).await;
        let retrieval_ms = elapsed_ms(started);
        let kind = match question.channel {
            Channel::Messenger => PromptKind::Messenger,
            Channel::Facebook => {
                // A comment reply is public: personal facts never reach its prompt.
                facts = privacy::public_facts(&facts);
                PromptKind::Comment
            }
        };
        let system_prompt = self
            .prompts
            .render(
                kind,
                &PromptInput {
                    page_name: &question.page.page_name,
                    channel: question.channel,
                    facts: &facts,
                    history: question.history,
                    post: question.post,
                    parent: question.parent,
                    message: question.text,
                },
            )
            .map_err(|e| ComposeError::Prompt(format!("{e:#}")))?;
        let started = Instant::now();
        let result = self
            .model
            .answer(&AnswerRequest {
                system_prompt,
                question: question.text.to_owned(),
                facts: facts.clone(),
                history: question.history.to_vec(),
            })
            .await;
        let model_ms = elapsed_ms(started);
        metrics::histogram!("chat_model_seconds", "model" => self.model.name().to_owned())
            .record(model_ms as f64 / 1000.0);
        let answer = result?;
        for (kind, tokens) in [
            ("prompt", answer.prompt_tokens),
            ("completion", answer.completion_tokens),
        ] {
            if let Some(tokens) = tokens {
                metrics::counter!("chat_model_tokens_total", "model" => answer.model.clone(), "kind" => kind)
                    .increment(u64::from(tokens));
            }
        }
        let text = match question.channel {
            // The second half of the rule: whatever the model wrote, no email address or
            // phone number is posted publicly.
            Channel::Facebook => privacy::scrub_public_answer(&answer.text),
            Channel::Messenger => answer.text,
        };
        Ok(Composed {
            text,
            facts,
            model: answer.model,
            retrieval_ms,
            model_ms,
            prompt_tokens: answer.prompt_tokens,
            completion_tokens: answer.completion_tokens,
        })
    }

    /// The page's facts for the question on its channel. A search failure is logged and
    /// answered without facts: the customer still gets the hand-over sentence.
    async fn facts(&self, question: &Question<'_>) -> Vec<Fact> {
        let Some(retrieval) = &self.retrieval else {
            return Vec::new();
        };
        let mut filter = ChunkFilter::company(question.company.clone())
            .page(question.page.page_id.clone())
            .channel(question.channel);
        if question.channel == Channel::Facebook {
            // A comment reply is public: private chunks (Metakocka partners and documents)
            // are not even retrieved for it.
            filter = filter.public_only();
        }
        match retrieval.search(filter, question.text, self.top_k).await {
            Ok(hits) => hits
                .into_iter()
                .map(|hit| Fact {
                    text: hit.text,
                    source: format!("{} ({})", hit.link_name, hit.path),
                })
                .collect(),
            Err(e) => {
                tracing::warn!(page_id = %question.page.page_id, error = %e, "retrieval failed; answering without facts");
                Vec::new()
            }
        }
    }
}

fn elapsed_ms(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

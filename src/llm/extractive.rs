//! The embedded default chat model: an extractive answerer that needs no model server.
//!
//! It picks the record among the facts that best matches the question (see `matching`) and
//! lists its relevant `field: value` lines in a one-sentence template, in Slovenian or English
//! (see `language`). Every field and value in the reply is copied verbatim from a fact line, so
//! it can be terse but never wrong about the data; when nothing matches it says so with the
//! hand-over sentence, and a colleague takes the question. Logs and metrics name it
//! `extractive`, so its replies are never mistaken for a language model's.

mod language;
mod matching;

use super::{Answer, AnswerRequest, ChatError, ChatModel};
use async_trait::async_trait;
use language::Language;

/// The reply when no fact answers an English question.
pub const HANDOVER_EN: &str = "I don't have that information at hand; I'll pass your question to a colleague who will get back to you.";

/// The reply when no fact answers a Slovenian question.
pub const HANDOVER_SL: &str =
    "Tega podatka nimam pri roki; vaše vprašanje bom posredoval sodelavcu, ki vam bo odgovoril.";

/// The name in logs, metrics and [`Answer::model`].
const NAME: &str = "extractive";

#[derive(Debug, Clone, Default)]
pub struct ExtractiveAnswerer;

impl ExtractiveAnswerer {
    pub fn new() -> Self {
        Self
    }
}

#[async_trait]
impl ChatModel for ExtractiveAnswerer {
    fn name(&self) -> &str {
        NAME
    }

    async fn answer(&self, request: &AnswerRequest) -> Result<Answer, ChatError> {
        let language = language_of(request);
        let lines = matching::best_lines(&request.question, &request.facts);
        tracing::debug!(
            model = NAME,
            facts = request.facts.len(),
            lines_used = lines.len(),
            "extractive answer"
        );
        Ok(Answer {
            text: reply(language, &lines),
            model: NAME.to_owned(),
            prompt_tokens: None,
            completion_tokens: None,
        })
    }
}

/// The question's language; for a question with no telling word (a bare product name), the
/// customer's latest earlier message that has one.
fn language_of(request: &AnswerRequest) -> Language {
    language::vote(&request.question)
        .or_else(|| {
            request
                .history
                .iter()
                .rev()
                .filter(|turn| turn.from == "customer")
                .find_map(|turn| language::vote(&turn.text))
        })
        .unwrap_or(Language::English)
}

fn reply(language: Language, lines: &[&str]) -> String {
    if lines.is_empty() {
        return match language {
            Language::English => HANDOVER_EN,
            Language::Slovenian => HANDOVER_SL,
        }
        .to_owned();
    }
    let intro = match language {
        Language::English => "Here is what I found:",
        Language::Slovenian => "Našel sem:",
    };
    let listed = lines.join("; ");
    // A value that ends a sentence already ("Closed on Sundays.") needs no second full stop.
    let end = if listed.ends_with(['.', '!', '?']) {
        ""
    } else {
        "."
    };
    format!("{intro} {listed}{end}")
}

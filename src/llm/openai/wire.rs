//! The chat-completions wire format, as OpenAI documents it
//! (<https://platform.openai.com/docs/api-reference/chat/create>) and as the compatible
//! servers (Azure OpenAI, Ollama, vLLM, llama.cpp) accept and answer it.

use super::super::{AnswerRequest, Turn};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize)]
pub struct ChatRequest<'a> {
    pub model: &'a str,
    pub messages: Vec<Message<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f32>,
}

#[derive(Debug, Serialize)]
pub struct Message<'a> {
    pub role: &'static str,
    pub content: &'a str,
}

impl<'a> ChatRequest<'a> {
    /// System prompt first, then the history oldest first, then the question.
    pub fn new(
        model: &'a str,
        request: &'a AnswerRequest,
        max_tokens: Option<u32>,
        temperature: Option<f32>,
    ) -> Self {
        let mut messages = Vec::with_capacity(request.history.len() + 2);
        messages.push(Message {
            role: "system",
            content: &request.system_prompt,
        });
        messages.extend(request.history.iter().map(|turn| Message {
            role: role_of(turn),
            content: &turn.text,
        }));
        messages.push(Message {
            role: "user",
            content: &request.question,
        });
        Self {
            model,
            messages,
            max_tokens,
            temperature,
        }
    }
}

/// The customer is the `user`; everything the page said (the bot or a human agent) is the
/// `assistant`, so the model sees its side of the conversation as its own.
fn role_of(turn: &Turn) -> &'static str {
    if turn.from == "customer" {
        "user"
    } else {
        "assistant"
    }
}

#[derive(Debug, Deserialize)]
pub struct ChatResponse {
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub choices: Vec<Choice>,
    #[serde(default)]
    pub usage: Option<Usage>,
}

#[derive(Debug, Deserialize)]
pub struct Choice {
    pub message: Option<ResponseMessage>,
}

#[derive(Debug, Deserialize)]
pub struct ResponseMessage {
    /// `null` when the model answered with a tool call or a refusal instead of text.
    #[serde(default)]
    pub content: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Usage {
    pub prompt_tokens: Option<u32>,
    pub completion_tokens: Option<u32>,
}

/// The error bodies the servers send: OpenAI, Azure, Ollama and llama.cpp wrap the error
/// (`{"error": {"message", "type", "code"}}`), vLLM writes it at the top level
/// (`{"object": "error", "message", "type", "code"}`).
#[derive(Debug, Deserialize)]
struct ErrorBody {
    error: Option<ErrorDetail>,
    message: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ErrorDetail {
    message: Option<String>,
}

/// The most useful message an error answer carries: the documented `error.message`, else a
/// top-level `message`, else the start of the body as text.
pub fn error_message(body: &str) -> String {
    const MAX_CHARS: usize = 300;
    if let Ok(parsed) = serde_json::from_str::<ErrorBody>(body) {
        let message = parsed.error.and_then(|e| e.message).or(parsed.message);
        if let Some(message) = message.filter(|m| !m.trim().is_empty()) {
            return message;
        }
    }
    let text = body.trim();
    if text.is_empty() {
        return "no error message".to_owned();
    }
    text.chars().take(MAX_CHARS).collect()
}

/// The answer text: `choices[0].message.content`, trimmed, without the `<think>...</think>`
/// block some reasoning models served by Ollama or llama.cpp put first (their thoughts must
/// not reach a customer). `None` when there is no text.
pub fn answer_text(response: &ChatResponse) -> Option<String> {
    let content = response
        .choices
        .first()?
        .message
        .as_ref()?
        .content
        .as_deref()?;
    let mut text = content.trim();
    if let Some(rest) = text.strip_prefix("<think>") {
        text = rest
            .split_once("</think>")
            .map_or("", |(_, after)| after)
            .trim();
    }
    (!text.is_empty()).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_message_reads_each_servers_error_shape() {
        let openai = r#"{"error": {"message": "Invalid model", "type": "invalid_request_error", "param": null, "code": "model_not_found"}}"#;
        assert_eq!(error_message(openai), "Invalid model");
        let vllm = r#"{"object": "error", "message": "max_tokens too large", "type": "BadRequestError", "code": 400}"#;
        assert_eq!(error_message(vllm), "max_tokens too large");
        assert_eq!(error_message("Bad Gateway"), "Bad Gateway");
        assert_eq!(error_message(""), "no error message");
    }

    #[test]
    fn answer_text_drops_a_leading_think_block_and_refuses_empty_content() {
        let response = |content: serde_json::Value| -> ChatResponse {
            serde_json::from_value(serde_json::json!({
                "choices": [{"index": 0, "message": {"role": "assistant", "content": content}}]
            }))
            .unwrap()
        };
        assert_eq!(
            answer_text(&response(
                "<think>price?</think>\n It costs 129.9 EUR.".into()
            )),
            Some("It costs 129.9 EUR.".to_owned())
        );
        assert_eq!(answer_text(&response("  ".into())), None);
        assert_eq!(answer_text(&response(serde_json::Value::Null)), None);
        assert_eq!(answer_text(&response("<think>unfinished".into())), None);
    }
}

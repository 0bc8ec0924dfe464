//! The chat model seam: the OpenAI-compatible client against a fake chat-completions server
//! that answers the way OpenAI documents it, and the embedded extractive answerer on
//! flattened CRM facts. One file per area under `tests/llm/`.

#[path = "llm/fake_chat.rs"]
mod fake_chat;

#[path = "llm/openai.rs"]
mod openai;

#[path = "llm/extractive.rs"]
mod extractive;

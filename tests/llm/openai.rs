//! The OpenAI-compatible client: what it sends, what it reads back, and how it fails.

use crate::fake_chat::{API_KEY, FakeChat, Reply, request};
use crm_mind::llm::{ChatError, ChatModel, OpenAiChat, OpenAiSettings};
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn sends_the_documented_request_and_reads_answer_and_usage() {
    let fake = FakeChat::start(vec![Reply::completion("The Alpina boots cost 129.9 EUR.")]).await;
    let chat = OpenAiChat::new(OpenAiSettings {
        max_tokens: Some(300),
        temperature: Some(0.25),
        ..fake.settings()
    })
    .unwrap();

    let answer = chat.answer(&request()).await.unwrap();

    assert_eq!(answer.text, "The Alpina boots cost 129.9 EUR.");
    assert_eq!(answer.model, "gpt-4o-mini-2024-07-18");
    assert_eq!(answer.prompt_tokens, Some(57));
    assert_eq!(answer.completion_tokens, Some(17));
    assert_eq!(chat.name(), "gpt-4o-mini");

    let seen = fake.seen();
    assert_eq!(seen.len(), 1);
    // The base URL's trailing slash does not double.
    assert_eq!(seen[0].path_and_query, "/v1/chat/completions");
    assert_eq!(
        seen[0].header("authorization"),
        Some(format!("Bearer {API_KEY}").as_str())
    );
    assert_eq!(seen[0].header("content-type"), Some("application/json"));
    let body = &seen[0].body;
    assert_eq!(body["model"], "gpt-4o-mini");
    assert_eq!(
        body["messages"],
        json!([
            {"role": "system", "content": request().system_prompt},
            {"role": "user", "content": "Hi!"},
            {"role": "assistant", "content": "Hello, how can I help?"},
            {"role": "user", "content": "How much are the Alpina boots?"}
        ])
    );
    assert_eq!(body["max_tokens"], 300);
    assert!((body["temperature"].as_f64().unwrap() - 0.25).abs() < 1e-6);
}

#[tokio::test]
async fn without_a_key_or_limits_sends_no_auth_header_and_no_optional_fields() {
    // Ollama, vLLM and llama.cpp run without a key.
    let fake = FakeChat::start(vec![Reply::json(
        200,
        json!({"model": "llama3.2", "choices": [{"index": 0, "message": {"role": "assistant", "content": "129.9 EUR"}}]}),
    )])
    .await;
    let chat = OpenAiChat::new(OpenAiSettings {
        api_key: None,
        model: "llama3.2".to_owned(),
        ..fake.settings()
    })
    .unwrap();

    let answer = chat.answer(&request()).await.unwrap();

    assert_eq!(answer.text, "129.9 EUR");
    assert_eq!(
        (answer.prompt_tokens, answer.completion_tokens),
        (None, None)
    );
    let seen = fake.seen();
    assert_eq!(seen[0].header("authorization"), None);
    let body = seen[0].body.as_object().unwrap();
    assert!(!body.contains_key("max_tokens"));
    assert!(!body.contains_key("temperature"));
}

#[tokio::test]
async fn a_rate_limit_is_retried_after_the_time_the_server_asks() {
    let fake = FakeChat::start(vec![
        Reply::error(
            429,
            "Rate limit reached for gpt-4o-mini",
            "requests",
            "rate_limit_exceeded",
        )
        .with_header("retry-after", "1"),
        Reply::completion("129.9 EUR"),
    ])
    .await;

    let answer = fake.client().answer(&request()).await.unwrap();

    assert_eq!(answer.text, "129.9 EUR");
    assert_eq!(fake.seen().len(), 2);
}

#[tokio::test]
async fn a_rate_limit_asking_for_a_long_wait_is_unavailable_at_once() {
    // Parking a customer's reply for an hour helps nobody: the reply worker tries later.
    let fake = FakeChat::start(vec![
        Reply::error(
            429,
            "You exceeded your current quota",
            "insufficient_quota",
            "insufficient_quota",
        )
        .with_header("retry-after", "3600"),
        Reply::completion("129.9 EUR"),
    ])
    .await;

    let error = fake.client().answer(&request()).await.unwrap_err();

    assert!(matches!(error, ChatError::Unavailable(_)), "{error:?}");
    assert!(error.to_string().contains("3600"), "{error}");
    assert_eq!(fake.seen().len(), 1);
}

#[tokio::test]
async fn server_errors_are_retried_until_an_answer_comes() {
    let fake = FakeChat::start(vec![
        Reply::error(
            500,
            "The server had an error",
            "server_error",
            "internal_error",
        ),
        Reply::error(
            503,
            "The engine is currently overloaded",
            "server_error",
            "overloaded",
        ),
        Reply::completion("129.9 EUR"),
    ])
    .await;

    let answer = fake.client().answer(&request()).await.unwrap();

    assert_eq!(answer.text, "129.9 EUR");
    assert_eq!(fake.seen().len(), 3);
}

#[tokio::test]
async fn a_server_that_keeps_failing_is_unavailable_after_max_retries() {
    let fake = FakeChat::start(vec![Reply::error(
        500,
        "The server had an error while processing your request",
        "server_error",
        "internal_error",
    )])
    .await;
    let chat = OpenAiChat::new(OpenAiSettings {
        max_retries: 2,
        ..fake.settings()
    })
    .unwrap();

    let error = chat.answer(&request()).await.unwrap_err();

    assert!(matches!(error, ChatError::Unavailable(_)), "{error:?}");
    assert!(error.to_string().contains("500"), "{error}");
    assert_eq!(fake.seen().len(), 3, "the first try and two retries");
}

#[tokio::test]
async fn a_bad_request_is_rejected_with_the_servers_message_and_not_retried() {
    let fake = FakeChat::start(vec![Reply::error(
        400,
        "The model `gpt-9` does not exist or you do not have access to it.",
        "invalid_request_error",
        "model_not_found",
    )])
    .await;

    let error = fake.client().answer(&request()).await.unwrap_err();

    match error {
        ChatError::Rejected { status, message } => {
            assert_eq!(status, 400);
            assert_eq!(
                message,
                "The model `gpt-9` does not exist or you do not have access to it."
            );
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
    assert_eq!(fake.seen().len(), 1);
}

#[tokio::test]
async fn an_answer_without_text_is_invalid() {
    for body in [
        json!({"id": "chatcmpl-1", "object": "chat.completion", "model": "gpt-4o-mini", "choices": []}),
        json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": null, "refusal": "I can't help with that."}, "finish_reason": "stop"}]}),
        json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": "   "}}]}),
    ] {
        let fake = FakeChat::start(vec![Reply::json(200, body.clone())]).await;

        let error = fake.client().answer(&request()).await.unwrap_err();

        assert!(matches!(error, ChatError::Invalid(_)), "{body}: {error:?}");
        assert_eq!(fake.seen().len(), 1, "an unreadable answer is not retried");
    }
}

#[tokio::test]
async fn a_server_slower_than_the_timeout_is_unavailable() {
    let fake = FakeChat::start(vec![
        Reply::completion("too late").after(Duration::from_secs(5)),
    ])
    .await;
    let chat = OpenAiChat::new(OpenAiSettings {
        timeout_secs: 1,
        max_retries: 1,
        ..fake.settings()
    })
    .unwrap();

    let error = chat.answer(&request()).await.unwrap_err();

    assert!(matches!(error, ChatError::Unavailable(_)), "{error:?}");
    assert_eq!(fake.seen().len(), 2, "a timeout is retried");
}

#[tokio::test]
async fn a_server_that_cannot_be_reached_is_unavailable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let chat = OpenAiChat::new(OpenAiSettings {
        base_url: format!("http://127.0.0.1:{port}/v1"),
        max_retries: 1,
        retry_base_ms: 2,
        ..OpenAiSettings::default()
    })
    .unwrap();

    let error = chat.answer(&request()).await.unwrap_err();

    assert!(matches!(error, ChatError::Unavailable(_)), "{error:?}");
}

#[tokio::test]
async fn the_key_never_appears_in_an_error() {
    // OpenAI quotes a wrong key back ("Incorrect API key provided: sk-..."); a proxy might too.
    let echoed = format!(
        "Incorrect API key provided: {API_KEY}. You can find your API key at https://platform.openai.com/account/api-keys."
    );
    let scenarios = vec![
        vec![Reply::error(
            401,
            &echoed,
            "invalid_request_error",
            "invalid_api_key",
        )],
        vec![Reply::error(500, &echoed, "server_error", "internal_error")],
        vec![Reply::json(200, json!({"choices": []}))],
        vec![Reply::completion("late").after(Duration::from_secs(5))],
    ];
    for replies in scenarios {
        let fake = FakeChat::start(replies).await;
        let chat = OpenAiChat::new(OpenAiSettings {
            timeout_secs: 1,
            max_retries: 1,
            ..fake.settings()
        })
        .unwrap();

        let error = chat.answer(&request()).await.unwrap_err();

        let shown = format!("{error} {error:?} {chat:?}");
        assert!(!shown.contains(API_KEY), "the key leaked: {shown}");
        assert!(
            !shown.contains("0123456789abcdef"),
            "part of the key leaked: {shown}"
        );
    }
}

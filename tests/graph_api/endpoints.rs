//! What each call sends: path, body and token, and what it returns.

use crate::fake_graph::{COMMENT_ID, FakeGraph, PAGE_ID, PAGE_TOKEN, PSID, token};
use serde_json::json;

#[tokio::test]
async fn a_messenger_answer_goes_to_the_page_messages_edge_as_a_response() {
    let graph = FakeGraph::start().await;

    let ids = graph
        .client(0)
        .send_message(PAGE_ID, &token(), PSID, "Vaše naročilo je na poti.")
        .await
        .expect("sent");

    assert_eq!(ids, ["m_fake0"]);
    let seen = graph.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, format!("/v21.0/{PAGE_ID}/messages"));
    assert_eq!(seen[0].access_token.as_deref(), Some(PAGE_TOKEN));
    assert_eq!(
        seen[0].body,
        json!({
            "recipient": {"id": PSID},
            "messaging_type": "RESPONSE",
            "message": {"text": "Vaše naročilo je na poti.", "metadata": "crm-mind"},
        })
    );
}

#[tokio::test]
async fn a_public_reply_is_a_comment_under_the_comment() {
    let graph = FakeGraph::start().await;

    let id = graph
        .client(0)
        .reply_to_comment(COMMENT_ID, &token(), "Hvala za vprašanje!")
        .await
        .expect("replied");

    assert_eq!(id, "139560936744456_900000");
    let seen = graph.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, format!("/v21.0/{COMMENT_ID}/comments"));
    assert_eq!(seen[0].access_token.as_deref(), Some(PAGE_TOKEN));
    assert_eq!(seen[0].body, json!({"message": "Hvala za vprašanje!"}));
}

#[tokio::test]
async fn a_private_reply_goes_to_the_page_messages_edge_addressed_by_comment() {
    let graph = FakeGraph::start().await;

    let id = graph
        .client(0)
        .private_reply(
            PAGE_ID,
            &token(),
            COMMENT_ID,
            "Podrobnosti vam pošljem tukaj.",
        )
        .await
        .expect("sent");

    assert_eq!(id, "m_fake0");
    let seen = graph.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, format!("/v21.0/{PAGE_ID}/messages"));
    assert_eq!(seen[0].access_token.as_deref(), Some(PAGE_TOKEN));
    assert_eq!(
        seen[0].body,
        json!({
            "recipient": {"comment_id": COMMENT_ID},
            "message": {"text": "Podrobnosti vam pošljem tukaj.", "metadata": "crm-mind"},
        })
    );
}

#[tokio::test]
async fn a_2500_character_answer_arrives_as_two_messages_cut_at_a_sentence_end() {
    let graph = FakeGraph::start().await;
    // 50 sentences of 50 characters each (with the space): 2,500 characters.
    let text: String = (0..50)
        .map(|i| format!("Stavek {i:02} o dostavi: paket prispe v roku 3-4 dni. "))
        .collect();
    assert_eq!(text.chars().count(), 2500);

    let ids = graph
        .client(0)
        .send_message(PAGE_ID, &token(), PSID, &text)
        .await
        .expect("sent");

    assert_eq!(ids, ["m_fake0", "m_fake1"]);
    let texts: Vec<String> = graph
        .requests()
        .iter()
        .map(|seen| seen.body["message"]["text"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(texts.len(), 2);
    assert!(
        texts[0].ends_with("3-4 dni."),
        "cut mid-sentence: {:?}",
        &texts[0]
    );
    assert!(texts[1].starts_with("Stavek"), "{:?}", &texts[1]);
    assert!(texts.iter().all(|t| t.chars().count() <= 2000));
    // In order, nothing lost.
    assert_eq!(texts.join(" "), text.trim_end());
}

#[tokio::test]
async fn an_empty_answer_is_not_sent() {
    let graph = FakeGraph::start().await;

    let error = graph
        .client(0)
        .send_message(PAGE_ID, &token(), PSID, "  \n ")
        .await
        .unwrap_err();

    assert_eq!(error.to_string(), "not sent: the reply is empty");
    assert!(graph.requests().is_empty());
}

#[tokio::test]
async fn a_private_reply_too_long_for_one_message_is_not_sent() {
    let graph = FakeGraph::start().await;

    let error = graph
        .client(0)
        .private_reply(PAGE_ID, &token(), COMMENT_ID, &"a".repeat(2001))
        .await
        .unwrap_err();

    assert!(
        error.to_string().contains("at most 2000 characters"),
        "{error}"
    );
    assert!(graph.requests().is_empty());
}

//! How each documented Graph API error is handled: which are retried here, which come back
//! at once, and that the page token never shows in an error.

use crate::fake_graph::{COMMENT_ID, Failure, FakeGraph, PAGE_ID, PSID, token};
use crm_mind::facebook::graph::{ErrorClass, GraphClient, GraphError, GraphSettings};

const MAX_RETRIES: u32 = 3;

async fn send(graph: &FakeGraph) -> Result<Vec<String>, GraphError> {
    graph
        .client(MAX_RETRIES)
        .send_message(PAGE_ID, &token(), PSID, "Odgovor.")
        .await
}

fn permanent_reason(error: &GraphError) -> String {
    match error.class() {
        ErrorClass::Permanent { reason } => reason,
        other => panic!("expected a permanent error, got {other:?} from {error}"),
    }
}

#[tokio::test]
async fn throttling_is_retried_until_the_send_goes_through() {
    let graph = FakeGraph::start().await;
    graph.fail_next([Failure::api(
        400,
        613,
        "(#613) Calls to this api have exceeded the rate limit.",
    )]);

    let ids = send(&graph).await.expect("sent after the retry");

    assert_eq!(ids, ["m_fake0"]);
    assert_eq!(graph.requests().len(), 2);
}

#[tokio::test]
async fn throttling_that_lasts_comes_back_as_throttled_after_the_retries() {
    let graph = FakeGraph::start().await;
    graph.fail_always(Failure::api(
        400,
        4,
        "(#4) Application request limit reached",
    ));

    let error = send(&graph).await.unwrap_err();

    assert_eq!(error.class(), ErrorClass::Throttled);
    assert_eq!(error.code(), Some(4));
    assert_eq!(graph.requests().len(), MAX_RETRIES as usize + 1);
}

#[tokio::test]
async fn a_server_error_is_retried_until_the_send_goes_through() {
    let graph = FakeGraph::start().await;
    graph.fail_next([Failure::Status(502), Failure::Status(503)]);

    let ids = send(&graph).await.expect("sent after the retries");

    assert_eq!(ids, ["m_fake0"]);
    assert_eq!(graph.requests().len(), 3);
}

#[tokio::test]
async fn server_errors_that_last_are_transient_after_max_retries() {
    let graph = FakeGraph::start().await;
    graph.fail_always(Failure::Status(500));

    let error = send(&graph).await.unwrap_err();

    assert_eq!(error.class(), ErrorClass::Transient);
    assert_eq!(
        error.to_string(),
        "the Graph API answered HTTP 500 without a readable error"
    );
    assert_eq!(graph.requests().len(), MAX_RETRIES as usize + 1);
}

#[tokio::test]
async fn an_invalid_token_comes_back_at_once() {
    let graph = FakeGraph::start().await;
    graph.fail_always(Failure::Api {
        status: 400,
        code: 190,
        subcode: Some(460),
        message: "Error validating access token: The session has been invalidated.".to_owned(),
    });

    let error = send(&graph).await.unwrap_err();

    assert_eq!(error.class(), ErrorClass::TokenInvalid);
    assert_eq!((error.code(), error.subcode()), (Some(190), Some(460)));
    assert_eq!(graph.requests().len(), 1);
}

#[tokio::test]
async fn a_wrong_token_is_token_invalid() {
    let graph = FakeGraph::start().await;
    let wrong = secrecy::SecretString::from("EAAG-someone-elses-token");

    let error = graph
        .client(MAX_RETRIES)
        .reply_to_comment(COMMENT_ID, &wrong, "Hvala!")
        .await
        .unwrap_err();

    assert_eq!(error.class(), ErrorClass::TokenInvalid);
    assert_eq!(graph.requests().len(), 1);
}

#[tokio::test]
async fn a_person_who_is_unavailable_is_dead_lettered_without_retry() {
    let graph = FakeGraph::start().await;
    graph.fail_always(Failure::api(
        400,
        551,
        "This person isn't available right now.",
    ));

    let error = send(&graph).await.unwrap_err();

    assert_eq!(
        permanent_reason(&error),
        "the person isn't available right now (code 551)"
    );
    assert_eq!(graph.requests().len(), 1);
}

#[tokio::test]
async fn a_message_outside_the_24_hour_window_is_dead_lettered_with_that_reason() {
    let graph = FakeGraph::start().await;
    graph.fail_always(Failure::Api {
        status: 400,
        code: 10,
        subcode: Some(2_018_278),
        message: "(#10) This message is sent outside of allowed window.".to_owned(),
    });

    let error = send(&graph).await.unwrap_err();

    assert!(permanent_reason(&error).contains("24-hour messaging window"));
    assert_eq!(graph.requests().len(), 1);
}

#[tokio::test]
async fn a_comment_already_answered_privately_counts_as_done() {
    let graph = FakeGraph::start().await;
    graph.fail_always(Failure::api(400, 10900, "Activity already replied to"));

    let error = graph
        .client(MAX_RETRIES)
        .private_reply(PAGE_ID, &token(), COMMENT_ID, "Hvala!")
        .await
        .unwrap_err();

    assert_eq!(error.class(), ErrorClass::AlreadyDone);
    assert_eq!(graph.requests().len(), 1);
}

#[tokio::test]
async fn an_unknown_code_is_dead_lettered_with_facebooks_message() {
    let graph = FakeGraph::start().await;
    graph.fail_always(Failure::api(400, 98765, "Something new went wrong"));

    let error = send(&graph).await.unwrap_err();

    assert_eq!(
        permanent_reason(&error),
        "Graph API error: Something new went wrong (code 98765)"
    );
    assert_eq!(graph.requests().len(), 1);
}

#[tokio::test]
async fn when_a_later_part_fails_the_delivered_parts_are_reported() {
    let graph = FakeGraph::start().await;
    // 2,800 characters: two messages. The first goes through, the second is refused.
    let text = "Prvi del odgovora je tukaj. ".repeat(100);
    graph.script([
        None,
        Some(Failure::api(
            400,
            551,
            "This person isn't available right now.",
        )),
    ]);

    let error = graph
        .client(MAX_RETRIES)
        .send_message(PAGE_ID, &token(), PSID, &text)
        .await
        .unwrap_err();

    assert!(
        matches!(error, GraphError::PartlySent { total: 2, .. }),
        "{error:?}"
    );
    assert_eq!(error.sent_message_ids(), ["m_fake0"]);
    assert_eq!(error.code(), Some(551));
    assert!(permanent_reason(&error).contains("isn't available"));
    assert_eq!(graph.requests().len(), 2);
}

#[tokio::test]
async fn a_graph_api_that_does_not_answer_times_out_as_transient() {
    let graph = FakeGraph::start().await;
    graph.fail_always(Failure::Hang);
    let client = GraphClient::new(GraphSettings {
        base_url: graph.base_url.clone(),
        timeout_secs: 1,
        max_retries: 0,
        retry_base_ms: 1,
    })
    .unwrap();

    let error = client
        .send_message(PAGE_ID, &token(), PSID, "Odgovor.")
        .await
        .unwrap_err();

    assert_eq!(error.class(), ErrorClass::Transient);
    assert_eq!(error.to_string(), "the Graph API did not answer within 1 s");
}

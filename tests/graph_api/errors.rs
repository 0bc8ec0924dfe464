//! How each documented Graph API error is handled: which are retried here, which come back
//! at once, and that the page token never shows in an error.

use crate::fake_graph::{COMMENT_ID, Failure, FakeGraph, PAGE_ID, PAGE_TOKEN, PSID, token};
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
async fn the_token_never_appears_in_an_error() {
    let graph = FakeGraph::start().await;
    // Facebook echoes a malformed token back in its message.
    graph.fail_always(Failure::api(
        400,
        190,
        &format!("Malformed access token {PAGE_TOKEN}"),
    ));
    let refused = send(&graph).await.unwrap_err();

    let closed_port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let unreachable = GraphClient::new(GraphSettings {
        base_url: format!("http://127.0.0.1:{closed_port}/v21.0"),
        max_retries: 0,
        ..GraphSettings::default()
    })
    .unwrap();
    let network = unreachable
        .send_message(PAGE_ID, &token(), PSID, "Odgovor.")
        .await
        .unwrap_err();

    assert_eq!(refused.class(), ErrorClass::TokenInvalid);
    assert!(
        refused
            .to_string()
            .contains("Malformed access token [redacted]"),
        "{refused}"
    );
    assert_eq!(network.class(), ErrorClass::Transient);
    for error in [&refused, &network] {
        for text in [error.to_string(), format!("{error:?}")] {
            assert!(!text.contains(PAGE_TOKEN), "token leaked: {text}");
            assert!(!text.contains("access_token"), "URL leaked: {text}");
        }
    }
    assert!(!format!("{unreachable:?}").contains(PAGE_TOKEN));
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

/// Collects everything logged while a test runs, at every level (reqwest's and hyper's too).
#[derive(Clone, Default)]
struct CapturedLogs(std::sync::Arc<parking_lot::Mutex<Vec<u8>>>);

impl std::io::Write for CapturedLogs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for CapturedLogs {
    type Writer = Self;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn the_token_never_appears_in_the_logs() {
    let logs = CapturedLogs::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(logs.clone())
        .finish();
    // The test runtime is single-threaded, so a thread-local subscriber sees every task.
    let _guard = tracing::subscriber::set_default(subscriber);
    let graph = FakeGraph::start().await;
    graph.fail_next([
        Failure::api(
            400,
            613,
            "(#613) Calls to this api have exceeded the rate limit.",
        ),
        Failure::api(400, 190, &format!("Malformed access token {PAGE_TOKEN}")),
    ]);

    let _ = send(&graph).await;

    let logged = String::from_utf8(logs.0.lock().clone()).unwrap();
    assert!(logged.contains("retrying"), "nothing captured: {logged}");
    assert!(
        logged.contains("code 190"),
        "the failure was not logged: {logged}"
    );
    assert!(
        !logged.contains(PAGE_TOKEN),
        "token leaked into the logs: {logged}"
    );
}

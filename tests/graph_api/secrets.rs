//! The page token is a secret: it must not show in an error's text or Debug, nor in any log
//! line, even when Facebook echoes it back.

use crate::fake_graph::{Failure, FakeGraph, PAGE_ID, PAGE_TOKEN, PSID, token};
use crm_mind::facebook::graph::{ErrorClass, GraphClient, GraphError, GraphSettings};

async fn send(graph: &FakeGraph) -> Result<Vec<String>, GraphError> {
    graph
        .client(3)
        .send_message(PAGE_ID, &token(), PSID, "Odgovor.")
        .await
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

//! `POST /api/emails/{id}/send-draft` against a fake SMTP relay (`tests/support/fake_smtp.rs`):
//! the stored draft goes to the customer as a reply in their thread, authenticated, with the
//! outcome recorded on the draft; a draft is sent once; without a relay the answer says so;
//! a relay that refuses leaves its words on the draft and never the password.

use crate::emails_world::{World, ingest_fixture, world, world_with};
use crate::fake_smtp::{Behaviour, FakeSmtp};
use crate::helpers::{engines, error_of};
use reqwest::Method;
use secrecy::SecretString;
use serde_json::{Value, json};

const PASSWORD: &str = "relay-pass-7Q!x";
const MESSAGE_ID: &str = "<CAF=order-status-01@mail.novak.si>";

async fn world_with_relay(engine: crate::helpers::Engine, smtp: &FakeSmtp) -> World {
    let port = smtp.port;
    world_with(engine, move |s| {
        s.smtp_host = Some("127.0.0.1".to_owned());
        s.smtp_port = port;
        s.smtp_tls = "none".to_owned();
        s.smtp_username = Some(SecretString::from("shop"));
        s.smtp_password = Some(SecretString::from(PASSWORD));
        s.smtp_from = Some("Kettle Shop <info@kettle-shop.si>".to_owned());
    })
    .await
}

fn relay_needing_login() -> Behaviour {
    Behaviour {
        credentials: Some(("shop".to_owned(), PASSWORD.to_owned())),
        ..Behaviour::default()
    }
}

/// Ana's order question with a draft whose last line starts with a dot (SMTP must stuff
/// it); returns the email's id and the draft.
async fn email_with_draft(w: &World) -> (String, Value) {
    let email = ingest_fixture(&w.app, &w.token, "01_order_status_en.json").await;
    let id = email["id"].as_str().unwrap().to_owned();
    let template = json!({"name": "status", "language": "en", "subject": "Your order {{ order.number }}",
                          "body": "Hello,\n\nyour order {{ order.number }} is {{ order.status }}.\n.\n... {{ agent.name }}"});
    let saved: Value = (w.app)
        .request(
            Method::POST,
            "/api/emails/templates",
            Some(&w.token),
            Some(template),
        )
        .await
        .json()
        .await
        .unwrap();
    let response = (w.app)
        .request(
            Method::POST,
            "/api/ai/generate-response",
            Some(&w.token),
            Some(json!({"email_id": id, "template_id": saved["id"], "agent_name": "Maja"})),
        )
        .await;
    assert_eq!(response.status(), 200);
    (id, response.json().await.unwrap())
}

async fn send(w: &World, id: &str, body: Option<Value>) -> reqwest::Response {
    w.app
        .request(
            Method::POST,
            &format!("/api/emails/{id}/send-draft"),
            Some(&w.token),
            body,
        )
        .await
}

#[tokio::test]
async fn a_draft_is_sent_once_as_a_reply_in_the_customers_thread() {
    for engine in engines() {
        let smtp = FakeSmtp::start(relay_needing_login()).await;
        let w = world_with_relay(engine, &smtp).await;
        let (id, draft) = email_with_draft(&w).await;

        let response = send(&w, &id, Some(json!({"draft_id": draft["id"]}))).await;

        assert_eq!(response.status(), 200, "{engine:?}");
        let sent: Value = response.json().await.unwrap();
        let delivery = &sent["delivery"];
        assert_eq!(delivery["status"], "sent", "{sent}");
        assert_eq!(delivery["to"], "ana.novak@novak.si");
        assert!(delivery["sent_at"].is_string());
        let received = smtp.received();
        assert_eq!(received.len(), 1);
        let message = &received[0];
        assert_eq!(message.mail_from, "info@kettle-shop.si");
        assert_eq!(message.rcpt_to, ["ana.novak@novak.si"]);
        assert_eq!(message.authenticated_as.as_deref(), Some("shop"));
        let parsed = mail_parser::MessageParser::default()
            .parse(message.data.as_bytes())
            .expect("the relay got a message");
        assert_eq!(parsed.subject(), Some("Your order 2024-00123"));
        assert_eq!(
            parsed.in_reply_to().as_text(),
            Some(MESSAGE_ID.trim_matches(['<', '>']))
        );
        assert_eq!(
            parsed.references().as_text(),
            Some(MESSAGE_ID.trim_matches(['<', '>']))
        );
        assert_eq!(
            parsed.message_id().map(|m| format!("<{m}>")),
            delivery["message_id"].as_str().map(str::to_owned)
        );
        assert_eq!(
            parsed
                .body_text(0)
                .unwrap()
                .replace("\r\n", "\n")
                .trim_end(),
            "Hello,\n\nyour order 2024-00123 is shipped.\n.\n... Maja",
            "the dotted lines arrive as written"
        );

        let again = send(&w, &id, None).await;
        assert_eq!(again.status(), 409);
        assert_eq!(error_of(again).await.1, "already_sent");
        assert_eq!(smtp.received().len(), 1, "not sent twice");
        let stored: Value = (w.app.get(&format!("/api/emails/{id}"), &w.token).await)
            .json()
            .await
            .unwrap();
        assert_eq!(stored["drafts"][0]["delivery"], *delivery);
    }
}

#[tokio::test]
async fn without_a_relay_nothing_is_sent_and_the_answer_says_why() {
    let w = world(engines()[0]).await;
    let (id, _) = email_with_draft(&w).await;

    let response = send(&w, &id, None).await;

    assert_eq!(response.status(), 409);
    let (_, code, message) = error_of(response).await;
    assert_eq!(code, "smtp_not_configured");
    assert!(message.contains("no SMTP relay"), "{message}");
}

#[tokio::test]
async fn a_refused_recipient_is_recorded_with_the_relays_words_and_no_password() {
    for engine in engines() {
        let smtp = FakeSmtp::start(Behaviour {
            reject_rcpt: Some(
                "550 5.1.1 <ana.novak@novak.si>: Recipient address rejected: User unknown".into(),
            ),
            ..relay_needing_login()
        })
        .await;
        let w = world_with_relay(engine, &smtp).await;
        let (id, _) = email_with_draft(&w).await;

        let response = send(&w, &id, Some(json!({}))).await;

        assert_eq!(response.status(), 502, "{engine:?}");
        let text = response.text().await.unwrap();
        assert!(
            text.contains("smtp_failed") && text.contains("User unknown"),
            "{text}"
        );
        assert!(!text.contains(PASSWORD));
        let stored = (w.app.get(&format!("/api/emails/{id}"), &w.token).await)
            .text()
            .await
            .unwrap();
        assert!(!stored.contains(PASSWORD));
        let stored: Value = serde_json::from_str(&stored).unwrap();
        let delivery = &stored["drafts"][0]["delivery"];
        assert_eq!(delivery["status"], "failed");
        assert_eq!(delivery["message_id"], Value::Null);
        assert!(
            delivery["error"]
                .as_str()
                .unwrap()
                .contains("Recipient address rejected"),
            "{delivery}"
        );
        assert!(smtp.received().is_empty());
    }
}

#[tokio::test]
async fn a_wrong_password_fails_without_showing_it() {
    let smtp = FakeSmtp::start(Behaviour {
        credentials: Some(("shop".to_owned(), "the-right-one".to_owned())),
        ..Behaviour::default()
    })
    .await;
    let w = world_with_relay(engines()[0], &smtp).await;
    let (id, _) = email_with_draft(&w).await;

    let response = send(&w, &id, None).await;

    assert_eq!(response.status(), 502);
    let text = response.text().await.unwrap();
    assert!(text.contains("535"), "{text}");
    assert!(!text.contains(PASSWORD), "{text}");
    assert!(smtp.received().is_empty());
}

#[tokio::test]
async fn only_the_callers_drafts_can_be_sent() {
    let smtp = FakeSmtp::start(relay_needing_login()).await;
    let w = world_with_relay(engines()[0], &smtp).await;
    let (id, _) = email_with_draft(&w).await;
    let (_, other) = w.app.company_with_admin("Other").await;

    let foreign = (w.app)
        .request(
            Method::POST,
            &format!("/api/emails/{id}/send-draft"),
            Some(&other),
            None,
        )
        .await;
    assert_eq!(foreign.status(), 404);
    let unknown = send(&w, &id, Some(json!({"draft_id": "no-such-draft"}))).await;
    assert_eq!(unknown.status(), 404);
    let bare = ingest_fixture(&w.app, &w.token, "03_stock_en.json").await;
    let no_draft = send(&w, bare["id"].as_str().unwrap(), None).await;
    assert_eq!(no_draft.status(), 404);
    assert!(smtp.received().is_empty());
}

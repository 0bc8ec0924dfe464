//! Scheduled reports delivered by email through the SMTP relay drafts use (the fake relay of
//! `tests/support/fake_smtp.rs`): the report's rows arrive as a CSV attachment identical to
//! the API's CSV, and the delivery is recorded on the schedule.

use crate::fake_smtp::{Behaviour, FakeSmtp};
use crate::helpers::{engines, spawn_app_with};
use mail_parser::MimeHeaders;
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn a_report_scheduled_to_an_address_arrives_with_its_rows_as_csv() {
    for engine in engines() {
        let smtp = FakeSmtp::start(Behaviour::default()).await;
        let port = smtp.port;
        let app = spawn_app_with(engine, move |s| {
            s.smtp_host = Some("127.0.0.1".to_owned());
            s.smtp_port = port;
            s.smtp_tls = "none".to_owned();
            s.smtp_from = Some("Kettle Shop <reports@kettle-shop.si>".to_owned());
        })
        .await;
        let (_, token) = app.company_with_admin("Shop").await;
        let created = app
            .request(
                Method::POST,
                "/api/reports/schedules",
                Some(&token),
                Some(json!({"report": "sync-health", "cadence": "weekly",
                            "email": "boss@kettle-shop.si"})),
            )
            .await;
        assert_eq!(created.status(), 201, "{engine:?}");
        let created: Value = created.json().await.unwrap();
        let id = created["id"].as_str().unwrap();

        let delivered = app
            .request(
                Method::POST,
                &format!("/api/reports/schedules/{id}/deliver"),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(delivered.status(), 200, "{engine:?}");
        let delivered: Value = delivered.json().await.unwrap();
        assert_eq!(
            delivered["last_delivery"]["ok"], true,
            "{engine:?}: {delivered}"
        );
        assert_eq!(delivered["last_delivery"]["detail"], "sent by email");

        let received = smtp.received();
        assert_eq!(received.len(), 1, "{engine:?}");
        assert_eq!(received[0].mail_from, "reports@kettle-shop.si");
        assert_eq!(received[0].rcpt_to, ["boss@kettle-shop.si"]);
        let message = mail_parser::MessageParser::default()
            .parse(received[0].data.as_bytes())
            .expect("a MIME message");
        assert!(
            message
                .subject()
                .unwrap_or_default()
                .starts_with("Sync health"),
            "{engine:?}: {:?}",
            message.subject()
        );
        let attachment = message.attachments().next().expect("the CSV attachment");
        assert_eq!(attachment.attachment_name(), Some("sync-health.csv"));
        let api_csv = app
            .get("/api/reports/sync-health?format=csv", &token)
            .await
            .bytes()
            .await
            .unwrap();
        assert_eq!(attachment.contents(), &api_csv[..], "{engine:?}");
    }
}

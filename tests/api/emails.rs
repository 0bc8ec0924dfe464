//! `POST /api/emails`, `POST /api/emails/raw`, `GET /api/emails` and `/api/emails/{id}`:
//! an email is stored once per message id, its body split into new text, quote and
//! signature; raw `.eml` files are read with their encodings and attachments; each company
//! sees only its own emails.

use crate::emails_world::{fixture, ingest_fixture, post_email, post_raw};
use crate::helpers::{engines, error_of, spawn_app};
use serde_json::{Value, json};

#[tokio::test]
async fn a_repeated_message_id_is_stored_once() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (_, token) = app.company_with_admin("Shop").await;
        let body: Value = serde_json::from_str(&fixture("01_order_status_en.json")).unwrap();

        let first = post_email(&app, &token, body.clone()).await;
        assert_eq!(first.status(), 201, "{engine:?}");
        let first: Value = first.json().await.unwrap();
        let mut again = body.clone();
        again["subject"] = json!("Changed by a retry");
        let second = post_email(&app, &token, again).await;
        assert_eq!(second.status(), 200, "{engine:?}");
        let second: Value = second.json().await.unwrap();

        assert_eq!(second["id"], first["id"], "{engine:?}");
        assert_eq!(
            second["subject"], "Order 2024-00123",
            "{engine:?}: the first is kept"
        );
        let list: Value = app.get("/api/emails", &token).await.json().await.unwrap();
        assert_eq!(list["total"], 1, "{engine:?}: {list}");
    }
}

#[tokio::test]
async fn the_body_is_split_and_the_language_told() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (_, token) = app.company_with_admin("Shop").await;

        let email = ingest_fixture(&app, &token, "06_delivery_complaint_sl.json").await;

        let body = &email["body"];
        assert!(
            body["new_text"]
                .as_str()
                .unwrap()
                .ends_with("ali vračilo denarja."),
            "{engine:?}: {body}"
        );
        assert_eq!(
            body["signature"], "Hvala in lep pozdrav\nAna Novak",
            "{engine:?}"
        );
        assert!(
            body["quoted"].as_str().unwrap().contains("odposlano"),
            "{engine:?}"
        );
        assert_eq!(email["language"], "sl", "{engine:?}");
        assert_eq!(email["from"]["address"], "ana.novak@novak.si");
        assert_eq!(email["received_at"], "2024-09-14T09:30:00Z");
        let shown: Value = (app
            .get(
                &format!("/api/emails/{}", email["id"].as_str().unwrap()),
                &token,
            )
            .await)
            .json()
            .await
            .unwrap();
        assert_eq!(shown, email, "{engine:?}: it reads back as stored");
    }
}

#[tokio::test]
async fn an_html_only_email_is_analysed_as_text() {
    let app = spawn_app(engines()[0]).await;
    let (_, token) = app.company_with_admin("Shop").await;

    let email = ingest_fixture(&app, &token, "08_html_only_en.json").await;

    let new_text = email["body"]["new_text"].as_str().unwrap();
    assert!(
        new_text.contains("do you still have the Ceramic mug in stock?"),
        "{new_text}"
    );
    assert!(
        !new_text.contains('<') && !new_text.contains("margin"),
        "{new_text}"
    );
    assert_eq!(email["body"]["signature"], "Best regards,\nAna");
    assert_eq!(email["text"], Value::Null);
}

#[tokio::test]
async fn a_raw_email_with_quoted_printable_text_and_an_attachment() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (_, token) = app.company_with_admin("Shop").await;
        let raw = fixture("10_invoice_request_sl.eml").into_bytes();

        let response = post_raw(&app, &token, raw.clone()).await;
        assert_eq!(response.status(), 201, "{engine:?}");
        let email: Value = response.json().await.unwrap();

        assert_eq!(email["message_id"], "<eml-10.20240915@kovac-trade.si>");
        assert_eq!(email["from"]["name"], "Marko Kovač");
        assert_eq!(email["subject"], "Kopija računa RA-12");
        assert_eq!(email["cc"][0]["address"], "racunovodstvo@kovac-trade.si");
        assert_eq!(
            email["body"]["new_text"],
            "Pozdravljeni,\n\nprosim pošljite nam kopijo računa RA-12, ker je ne najdemo več. V prilogi je naše naročilo.",
            "{engine:?}: quoted-printable decoded, soft line break joined"
        );
        assert_eq!(
            email["body"]["signature"],
            "Lep pozdrav\nMarko Kovač\nKovač Trade d.o.o."
        );
        assert_eq!(
            email["attachments"],
            json!([{"filename": "narocilo-PO-7781.pdf", "content_type": "application/pdf", "size": 69}])
        );
        assert_eq!(email["received_at"], "2024-09-15T07:12:44Z");
        assert_eq!(email["language"], "sl");

        let again = post_raw(&app, &token, raw).await;
        assert_eq!(again.status(), 200, "{engine:?}: the same file again");
    }
}

#[tokio::test]
async fn raw_uploads_need_the_rfc822_type_and_an_email() {
    let app = spawn_app(engines()[0]).await;
    let (_, token) = app.company_with_admin("Shop").await;

    let wrong_type = app
        .client
        .post(format!("{}/api/emails/raw", app.address))
        .bearer_auth(&token)
        .header("Content-Type", "text/plain")
        .body(fixture("10_invoice_request_sl.eml"))
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(wrong_type).await.0, 415);
    let not_an_email = post_raw(&app, &token, b"just some words".to_vec()).await;
    assert_eq!(error_of(not_an_email).await.0, 400);
}

#[tokio::test]
async fn a_body_without_text_or_a_sender_is_refused_naming_the_field() {
    let app = spawn_app(engines()[0]).await;
    let (_, token) = app.company_with_admin("Shop").await;

    let no_body = post_email(
        &app,
        &token,
        json!({"message_id": "<a@b.c>", "from": "a@b.si"}),
    )
    .await;
    let (status, code, message) = error_of(no_body).await;
    assert_eq!((status, code.as_str()), (400, "validation_failed"));
    assert!(message.contains("text"), "{message}");
    let bad_from = post_email(
        &app,
        &token,
        json!({"message_id": "<a@b.c>", "from": "nobody", "text": "Hi"}),
    )
    .await;
    assert!(error_of(bad_from).await.2.contains("from"));
}

#[tokio::test]
async fn lists_page_newest_first_and_companies_see_only_their_own() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (_, token) = app.company_with_admin("Shop").await;
        let (_, other) = app.company_with_admin("Other shop").await;
        for name in [
            "01_order_status_en.json",
            "02_order_status_sl.json",
            "03_stock_en.json",
        ] {
            ingest_fixture(&app, &token, name).await;
        }
        // The same message id in another company is another email.
        let theirs = ingest_fixture(&app, &other, "01_order_status_en.json").await;

        let page: Value = (app.get("/api/emails?limit=2&offset=1", &token).await)
            .json()
            .await
            .unwrap();
        assert_eq!(page["total"], 3, "{engine:?}");
        let subjects: Vec<&str> = (page["items"].as_array().unwrap().iter())
            .map(|e| e["subject"].as_str().unwrap())
            .collect();
        assert_eq!(
            subjects,
            ["Naročilo PO-7781", "Order 2024-00123"],
            "{engine:?}"
        );
        let path = format!("/api/emails/{}", theirs["id"].as_str().unwrap());
        assert_eq!(app.get(&path, &token).await.status(), 404, "{engine:?}");
        assert_eq!(app.get(&path, &other).await.status(), 200, "{engine:?}");
        let unauthenticated = app
            .request(reqwest::Method::GET, "/api/emails", None, None)
            .await;
        assert_eq!(unauthenticated.status(), 401);
    }
}

//! Enrichment of the realistic emails of `fixtures/emails/` against the fake Metakocka: for
//! each, the sender's partner or contact, the documents and the products enrichment must
//! find, and that it finds nothing else; the links list an entity's emails; a Metakocka
//! outage stores the email anyway and logs why.

use crate::emails_world::{World, fixture, ingest_fixture, post_raw, world};
use crate::helpers::engines;
use reqwest::Method;
use serde_json::{Value, json};

/// What enrichment must find in one fixture.
struct Expected {
    fixture: &'static str,
    /// `(name, matched_by)` of the sender, or `None` for an unknown sender.
    partner: Option<(&'static str, &'static str)>,
    /// `count_code`s of the documents, best first.
    documents: &'static [&'static str],
    products: &'static [&'static str],
}

const EXPECTED: &[Expected] = &[
    Expected {
        fixture: "01_order_status_en.json",
        partner: Some(("Novak d.o.o.", "partner_email")),
        documents: &["2024-00123"],
        products: &[],
    },
    Expected {
        fixture: "02_order_status_sl.json",
        partner: Some(("Kovač Trade d.o.o.", "partner_email")),
        documents: &["2024-00456"],
        products: &[],
    },
    Expected {
        fixture: "03_stock_en.json",
        partner: Some(("Janez Horvat", "contact_email")),
        documents: &[],
        products: &["KT-200"],
    },
    Expected {
        fixture: "04_stock_sl.json",
        partner: Some(("Novak d.o.o.", "partner_email")),
        documents: &[],
        products: &["ALP-42"],
    },
    Expected {
        // RA-12 asked for; PO-7781 (order 2024-00456) named in the quoted Outlook thread.
        fixture: "05_invoice_copy_en.json",
        partner: Some(("Kovač Trade d.o.o.", "partner_email")),
        documents: &["RA-12", "2024-00456"],
        products: &[],
    },
    Expected {
        fixture: "06_delivery_complaint_sl.json",
        partner: Some(("Novak d.o.o.", "partner_email")),
        documents: &["2024-00123"],
        products: &[],
    },
    Expected {
        fixture: "07_forwarded_thread_en.json",
        partner: Some(("Gorski svet d.o.o.", "partner_domain")),
        documents: &["2024-00789"],
        products: &["TB-10"],
    },
    Expected {
        fixture: "08_html_only_en.json",
        partner: Some(("Novak d.o.o.", "partner_email")),
        documents: &[],
        products: &["MUG-01"],
    },
    Expected {
        fixture: "09_unknown_sender_en.json",
        partner: None,
        documents: &[],
        products: &[],
    },
    Expected {
        fixture: "11_name_only_en.json",
        partner: Some(("Janez Horvat", "contact_name")),
        documents: &[],
        products: &[],
    },
];

fn codes<'a>(list: &'a Value, key: &str) -> Vec<&'a str> {
    (list.as_array().unwrap().iter())
        .map(|item| item[key].as_str().unwrap())
        .collect()
}

fn check(expected: &Expected, enrichment: &Value, context: &str) {
    let partner = &enrichment["partner"];
    match expected.partner {
        Some((name, matched_by)) => {
            assert_eq!(partner["name"], name, "{context}: {partner}");
            assert_eq!(partner["matched_by"], matched_by, "{context}");
            assert!(partner["reason"].as_str().is_some_and(|r| !r.is_empty()));
            assert!(partner["confidence"].as_f64().unwrap() >= 0.5, "{context}");
        }
        None => assert_eq!(partner, &Value::Null, "{context}"),
    }
    assert_eq!(
        codes(&enrichment["documents"], "count_code"),
        expected.documents,
        "{context}: {}",
        enrichment["documents"]
    );
    assert_eq!(
        codes(&enrichment["products"], "code"),
        expected.products,
        "{context}: {}",
        enrichment["products"]
    );
}

#[tokio::test]
async fn each_fixture_finds_its_partner_documents_and_products_and_nothing_else() {
    for engine in engines() {
        let World { app, token, .. } = world(engine).await;
        for expected in EXPECTED {
            let email = ingest_fixture(&app, &token, expected.fixture).await;
            let context = format!("{engine:?} {}", expected.fixture);
            check(expected, &email["enrichment"], &context);
            assert_eq!(email["enrichment"]["warnings"], json!([]), "{context}");
        }
    }
}

#[tokio::test]
async fn the_raw_email_is_enriched_too() {
    let World { app, token, .. } = world(engines()[0]).await;

    let email: Value = post_raw(
        &app,
        &token,
        fixture("10_invoice_request_sl.eml").into_bytes(),
    )
    .await
    .json()
    .await
    .unwrap();

    let expected = Expected {
        fixture: "10_invoice_request_sl.eml",
        partner: Some(("Kovač Trade d.o.o.", "partner_email")),
        documents: &["RA-12"],
        products: &[],
    };
    check(&expected, &email["enrichment"], "eml");
    let document = &email["enrichment"]["documents"][0];
    assert_eq!(document["doc_type"], "sales_bill_domestic");
    assert_eq!(document["status"], "unpaid");
}

#[tokio::test]
async fn details_of_a_match_and_an_unconfirmed_number() {
    let World { app, token, .. } = world(engines()[0]).await;

    let order = ingest_fixture(&app, &token, "02_order_status_sl.json").await;
    let unknown = ingest_fixture(&app, &token, "09_unknown_sender_en.json").await;

    let document = &order["enrichment"]["documents"][0];
    assert_eq!(document["matched_by"], "buyer_order");
    assert_eq!(document["mentioned_as"], "PO-7781");
    assert_eq!(document["status"], "confirmed");
    assert_eq!(document["total"], "1299");
    assert_eq!(
        unknown["enrichment"]["unconfirmed_numbers"],
        json!(["2023-99999"])
    );
}

#[tokio::test]
async fn an_entity_lists_its_emails_through_the_links() {
    for engine in engines() {
        let World { app, token, fake } = world(engine).await;
        let first = ingest_fixture(&app, &token, "01_order_status_en.json").await;
        let complaint = ingest_fixture(&app, &token, "06_delivery_complaint_sl.json").await;
        ingest_fixture(&app, &token, "02_order_status_sl.json").await;
        let novak = first["enrichment"]["partner"]["partner_mk_id"]
            .as_str()
            .unwrap()
            .to_owned();
        let order_mk_id = fake.with_books(crate::fake_metakocka::COMPANY_ID, |books| {
            (books.documents.iter())
                .find(|d| d["count_code"] == "2024-00123")
                .unwrap()["mk_id"]
                .as_str()
                .unwrap()
                .to_owned()
        });

        for path in [
            format!("/api/integrations/metakocka/contacts/{novak}/emails"),
            "/api/integrations/metakocka/sales-documents/2024-00123/emails".to_owned(),
            format!("/api/integrations/metakocka/sales-documents/{order_mk_id}/emails"),
        ] {
            let answer: Value = app.get(&path, &token).await.json().await.unwrap();
            assert_eq!(
                codes(&answer["items"], "id"),
                [
                    complaint["id"].as_str().unwrap(),
                    first["id"].as_str().unwrap()
                ],
                "{engine:?} {path}: newest first"
            );
        }
        let (_, other) = app.company_with_admin("Other").await;
        let theirs: Value = (app
            .get(
                &format!("/api/integrations/metakocka/contacts/{novak}/emails"),
                &other,
            )
            .await)
            .json()
            .await
            .unwrap();
        assert_eq!(
            theirs["items"],
            json!([]),
            "{engine:?}: another company sees none"
        );
    }
}

#[tokio::test]
async fn enrichment_runs_again_on_request_and_reads_back() {
    let World { app, token, .. } = world(engines()[0]).await;
    let email = ingest_fixture(&app, &token, "01_order_status_en.json").await;
    let id = email["id"].as_str().unwrap();

    let rerun = app
        .request(
            Method::POST,
            "/api/emails/metakocka",
            Some(&token),
            Some(json!({"email_id": id})),
        )
        .await;
    assert_eq!(rerun.status(), 200);
    let rerun: Value = rerun.json().await.unwrap();
    let shown: Value = (app
        .get(&format!("/api/emails/metakocka?email_id={id}"), &token)
        .await)
        .json()
        .await
        .unwrap();

    assert_eq!(shown, rerun);
    assert_eq!(
        shown["enrichment"]["documents"][0]["count_code"],
        "2024-00123"
    );
    let missing = app.get("/api/emails/metakocka?email_id=nope", &token).await;
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn a_metakocka_outage_stores_the_email_and_logs_why() {
    for engine in engines() {
        let World { app, token, fake } = world(engine).await;
        // Every call fails (503) through the client's retries.
        fake.fail_next(1_000);

        let email = ingest_fixture(&app, &token, "01_order_status_en.json").await;

        let enrichment = &email["enrichment"];
        assert_eq!(enrichment["documents"], json!([]), "{engine:?}");
        assert!(
            enrichment["warnings"].as_array().unwrap().iter().any(|w| w
                .as_str()
                .unwrap()
                .contains("could not be checked in Metakocka")),
            "{engine:?}: {enrichment}"
        );
        let logs: Value = (app
            .get(
                "/api/integrations/metakocka/logs?entity_type=contact",
                &token,
            )
            .await)
            .json()
            .await
            .unwrap();
        assert!(
            (logs["items"].as_array().unwrap().iter()).any(|e| e["operation"] == "enrich_email"),
            "{engine:?}: {logs}"
        );
    }
}

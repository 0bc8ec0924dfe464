//! When the store cannot be written, the webhook answers 500 so that Facebook delivers the
//! event again, and readiness says so; nothing is acknowledged that was not stored.
//!
//! This module holds the [`FlakyStore`] and the tests; its delegation of each store trait
//! lives in a submodule per feature, as in `src/store/`.

use crate::helpers::{APP_SECRET, text_message};
use async_trait::async_trait;
use crm_mind::config::Settings;
use crm_mind::domain::CompanyId;
use crm_mind::facebook::signature::sign;
use crm_mind::metakocka::error_log::{ErrorLogFilter, Paging};
use crm_mind::secrets::Cipher;
use crm_mind::store::sqlite::SqliteStore;
use crm_mind::store::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

mod accounts;
mod email;
mod inbox;
mod metakocka;
mod pages;
mod records;
mod reports;

/// A real SQLite store whose inbox writes and pings fail while `down` is set.
struct FlakyStore {
    inner: SqliteStore,
    down: AtomicBool,
}

impl FlakyStore {
    fn check(&self) -> StoreResult<()> {
        if self.down.load(Ordering::SeqCst) {
            Err(StoreError::Unavailable("disk unplugged (test)".into()))
        } else {
            Ok(())
        }
    }
}

#[async_trait]
impl Store for FlakyStore {
    async fn ping(&self) -> StoreResult<()> {
        self.check()?;
        self.inner.ping().await
    }
    fn engine(&self) -> &'static str {
        "sqlite"
    }
}

#[tokio::test]
async fn a_store_outage_is_a_500_and_the_redelivery_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::for_data_dir(dir.path());
    settings.facebook_app_secret = Some(APP_SECRET.into());
    let flaky = Arc::new(FlakyStore {
        inner: SqliteStore::open(&settings.sqlite_path()).unwrap(),
        down: AtomicBool::new(false),
    });
    let state = crm_mind::startup::state_for(&settings, flaky.clone(), Cipher::new(&[3; 32]), None);
    let company = state.accounts.create_company("Shop").await.unwrap();
    state
        .dashboard
        .register_page(&company.id, "1001", "Shop", &"EAAB".into())
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(crm_mind::startup::serve(
        state.clone(),
        listener,
        std::future::pending(),
    ));
    let client = reqwest::Client::new();
    let body = text_message("1001", "mid.outage", "Are you open on Sunday?");
    let post = || {
        client
            .post(format!("{address}/webhook"))
            .header("X-Hub-Signature-256", sign(APP_SECRET.as_bytes(), &body))
            .body(body.clone())
            .send()
    };

    flaky.down.store(true, Ordering::SeqCst);
    let response = post().await.unwrap();
    assert_eq!(response.status(), 500);
    let text = response.text().await.unwrap();
    assert!(
        !text.contains("disk unplugged"),
        "the cause is not sent: {text}"
    );
    assert_eq!(
        client
            .get(format!("{address}/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        503
    );
    assert!(
        state
            .store
            .list_inbox_events(&company.id, 10)
            .await
            .unwrap()
            .is_empty()
    );

    flaky.down.store(false, Ordering::SeqCst);
    assert_eq!(post().await.unwrap().status(), 200, "Facebook's redelivery");
    assert_eq!(
        state
            .store
            .list_inbox_events(&company.id, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        client
            .get(format!("{address}/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

/// The error log is written on paths that are already failing: a store outage must not turn
/// a failed Metakocka call into a second failure of the caller.
#[tokio::test]
async fn recording_a_metakocka_error_while_the_store_is_down_does_not_fail_the_caller() {
    use crm_mind::metakocka::error_log::{EntityType, ErrorCategory, NewError};
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings::for_data_dir(dir.path());
    let flaky = Arc::new(FlakyStore {
        inner: SqliteStore::open(&settings.sqlite_path()).unwrap(),
        down: AtomicBool::new(true),
    });
    let state = crm_mind::startup::state_for(&settings, flaky.clone(), Cipher::new(&[3; 32]), None);
    let company = CompanyId::from("company-1");
    let error = NewError {
        company_id: company.clone(),
        user_id: None,
        category: ErrorCategory::Network,
        entity_type: EntityType::Product,
        entity_id: Some("p-1".into()),
        operation: "product_list".into(),
        message: "Metakocka did not answer".into(),
        details: serde_json::json!({}),
    };
    assert_eq!(state.metakocka_errors.record(error.clone()).await, None);

    flaky.down.store(false, Ordering::SeqCst);
    let stored = state
        .metakocka_errors
        .record(error)
        .await
        .expect("stored once the store is back");
    let page = state
        .metakocka_errors
        .list(
            &company,
            &ErrorLogFilter::default(),
            Paging {
                limit: 10,
                offset: 0,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        page.items,
        vec![stored],
        "only the entry written while the store was up"
    );
}

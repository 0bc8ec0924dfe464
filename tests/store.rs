//! The behaviour suite of the document store seam: every test runs on SQLite and, when
//! `CRM_MIND_TEST_MONGODB_URI` is set, on MongoDB (a database of its own per test). An engine
//! that passes this suite is one the rest of crm-mind can stand on.
//!
//! This file holds what every area's tests share; the tests live in one module per area of the
//! store (under `tests/store/`).

use crm_mind::domain::Company;
use crm_mind::store::DynStore;
use store_subjects::now;

#[path = "store/accounts.rs"]
mod accounts;
#[path = "store/error_log.rs"]
mod error_log;
#[path = "store/inbox.rs"]
mod inbox;
#[path = "store/metakocka_credentials.rs"]
mod metakocka_credentials;
#[path = "store/pages.rs"]
mod pages;

#[path = "support/store_subjects.rs"]
mod store_subjects;

async fn company(store: &DynStore, name: &str) -> Company {
    let mut company = Company::new(name).unwrap();
    company.created_at = now();
    store.insert_company(&company).await.unwrap();
    company
}

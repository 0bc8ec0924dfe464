//! The Metakocka sync end to end (engine, SQLite store, client, the tests' fake Metakocka
//! answering each call after 20 ms):
//!
//! 1. pull 10,000 products into crm-mind (wall time and calls; paging-bound reads plus one
//!    store call writing each page's products and mappings);
//! 2. push 1,000 new products with two records in flight (the bound is
//!    1,000 × 20 ms / 2 = 10 s; aim within 20 %);
//! 3. run both again with nothing changed: write calls to Metakocka must be 0.
//!
//!     cargo bench --bench metakocka_sync          # PRODUCTS=10000 PUSHES=1000 DELAY_MS=20

#[path = "../tests/support/fake_metakocka.rs"]
mod fake_metakocka;

use crm_mind::domain::{Company, UserId};
use crm_mind::metakocka::credentials::{CredentialOwner, Credentials};
use crm_mind::metakocka::error_log::ErrorLog;
use crm_mind::metakocka::sync::entity::RunFilter;
use crm_mind::metakocka::sync::model::{Direction, EntityKind, MetakockaSyncRun, RunTrigger};
use crm_mind::metakocka::sync::run::Pacing;
use crm_mind::metakocka::sync::{MetakockaSync, StartRun};
use crm_mind::records::product::Product;
use crm_mind::secrets::Cipher;
use crm_mind::store::DynStore;
use crm_mind::store::sqlite::SqliteStore;
use fake_metakocka::{FakeMetakocka, WRITE_ENDPOINTS};
use rust_decimal::Decimal;
use secrecy::SecretString;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A company in `store` with organisation credentials of Metakocka company `mk_company`.
async fn company_of(
    store: &DynStore,
    credentials: &Credentials,
    fake: &FakeMetakocka,
    mk_company: &str,
) -> crm_mind::domain::CompanyId {
    let company = Company::new("Bench").unwrap();
    store.insert_company(&company).await.unwrap();
    let key = format!("key-{mk_company}-0123456789");
    fake.add_company(mk_company, &key);
    credentials
        .save(
            &company.id,
            CredentialOwner::Organization,
            mk_company,
            &SecretString::from(key),
            &UserId::from("bench"),
        )
        .await
        .unwrap();
    company.id
}

async fn timed(
    sync: &MetakockaSync,
    fake: &FakeMetakocka,
    start: StartRun,
) -> (MetakockaSyncRun, Duration, usize, usize) {
    let (calls, writes) = (fake.total_calls(), fake.write_calls());
    let started = Instant::now();
    let run = sync.run(start).await.expect("the run starts");
    (
        run,
        started.elapsed(),
        fake.total_calls() - calls,
        fake.write_calls() - writes,
    )
}

fn report(name: &str, (run, elapsed, calls, writes): &(MetakockaSyncRun, Duration, usize, usize)) {
    let c = run.counts;
    println!(
        "RESULT {name} records={} created={} updated={} skipped={} failed={} wall_s={:.3} calls={calls} write_calls={writes}",
        c.total,
        c.created,
        c.updated,
        c.skipped,
        c.failed,
        elapsed.as_secs_f64()
    );
}

fn start(company: &crm_mind::domain::CompanyId, direction: Direction) -> StartRun {
    StartRun {
        company: company.clone(),
        user: None,
        kind: EntityKind::Product,
        direction,
        trigger: RunTrigger::Cli,
        filter: RunFilter::default(),
    }
}

#[tokio::main]
async fn main() {
    let products = setting("PRODUCTS", 10_000) as usize;
    let pushes = setting("PUSHES", 1_000) as usize;
    let delay = Duration::from_millis(setting("DELAY_MS", 20));
    let dir = tempfile::tempdir().unwrap();
    let store: DynStore =
        Arc::new(SqliteStore::open(&dir.path().join("crm-mind.sqlite3")).unwrap());
    let credentials = Credentials::new(store.clone(), Cipher::new(&[7u8; 32]));
    let fake = FakeMetakocka::start().await;
    let sync = MetakockaSync::new(
        store.clone(),
        Ok(fake.client()),
        credentials.clone(),
        ErrorLog::new(store.clone(), None),
        Pacing::default(),
    );
    println!("write endpoints counted: {}", WRITE_ENDPOINTS.join(", "));

    // 1. Pull.
    let puller = company_of(&store, &credentials, &fake, "bench-pull").await;
    fake.seed_products("bench-pull", products);
    fake.set_delay(delay);
    let pulled = timed(&sync, &fake, start(&puller, Direction::From)).await;
    report("pull", &pulled);
    let again = timed(&sync, &fake, start(&puller, Direction::Both)).await;
    report("pull_rerun", &again);

    // 2. Push.
    fake.set_delay(Duration::ZERO);
    let pusher = company_of(&store, &credentials, &fake, "bench-push").await;
    let now = crm_mind::records::now();
    for i in 0..pushes {
        let product = Product {
            id: crm_mind::records::new_id(),
            company_id: pusher.clone(),
            code: format!("PUSH-{i:05}"),
            name: format!("Pushed product {i}"),
            description: None,
            unit: Some("kos".into()),
            price: Decimal::ONE,
            currency: "EUR".into(),
            vat_rate: Decimal::ZERO,
            active: true,
            created_at: now,
            updated_at: now,
        };
        store.insert_product(&product).await.unwrap();
    }
    fake.set_delay(delay);
    let pushed = timed(&sync, &fake, start(&pusher, Direction::To)).await;
    report("push", &pushed);
    let bound = delay.as_secs_f64() * pushes as f64 / 2.0;
    println!(
        "push against the bound {bound:.1} s: {:.0} %",
        pushed.1.as_secs_f64() / bound * 100.0
    );
    let again = timed(&sync, &fake, start(&pusher, Direction::Both)).await;
    report("push_rerun", &again);
    assert_eq!(
        again.3, 0,
        "a re-run with nothing changed wrote to Metakocka"
    );
}

//! `crm-mind metakocka sync ...` as an operator runs it: the real binary, on a data
//! directory set up beforehand, against the fake Metakocka. The summary line counts what
//! the run did, and the products land in Metakocka; a second run finds nothing to do; the
//! narrowing flags (`--changed-since`, `--doc-type`, `--partner`) take only their records.

#[path = "support/fake_metakocka.rs"]
mod fake_metakocka;

use crm_mind::config::Settings;
use crm_mind::domain::{CompanyId, UserId};
use crm_mind::metakocka::credentials::{CredentialOwner, Credentials};
use crm_mind::records::product::Product;
use crm_mind::records::{new_id, now};
use crm_mind::startup;
use fake_metakocka::FakeMetakocka;
use rust_decimal::Decimal;
use secrecy::SecretString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the binary to its end (off the runtime, which serves the fake meanwhile).
async fn crm_mind(data_dir: &Path, metakocka: &str, args: &[&str]) -> Output {
    let (dir, url): (PathBuf, String) = (data_dir.to_owned(), metakocka.to_owned());
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_crm-mind"))
            .args(&args)
            .env("CRM_MIND_DATA_DIR", &dir)
            .env("CRM_MIND_METAKOCKA_BASE_URL", url)
            .env_remove("CRM_MIND_MONGODB_URI")
            .current_dir(&dir)
            .output()
            .expect("the binary runs")
    })
    .await
    .unwrap()
}

fn product(company: &CompanyId, code: &str) -> Product {
    Product {
        id: new_id(),
        company_id: company.clone(),
        code: code.into(),
        name: format!("Product {code}"),
        description: None,
        unit: Some("kos".into()),
        price: Decimal::ONE,
        currency: "EUR".into(),
        vat_rate: Decimal::ZERO,
        active: true,
        created_at: now(),
        updated_at: now(),
    }
}

/// A company id printed by `admin create-company`, with the organisation's credentials of
/// Metakocka company `mk` and three products, written to the data directory.
async fn installation(dir: &Path, fake: &FakeMetakocka, mk: &str) -> String {
    let created = crm_mind(
        dir,
        &fake.base_url,
        &["admin", "create-company", "--name", "Shop"],
    )
    .await;
    assert!(created.status.success(), "{created:?}");
    let company = String::from_utf8(created.stdout).unwrap().trim().to_owned();
    let key = format!("key-{mk}-0123456789");
    fake.add_company(mk, &key);
    let (store, cipher) = startup::open_store(&Settings::for_data_dir(dir))
        .await
        .unwrap();
    let id = CompanyId::from(company.clone());
    Credentials::new(store.clone(), cipher)
        .save(
            &id,
            CredentialOwner::Organization,
            mk,
            &SecretString::from(key),
            &UserId::from("operator"),
        )
        .await
        .unwrap();
    for code in ["CLI-1", "CLI-2", "CLI-3"] {
        store.insert_product(&product(&id, code)).await.unwrap();
    }
    let mut old = product(&id, "OLD-1");
    old.updated_at = "2020-01-01T00:00:00Z".parse().unwrap();
    store.insert_product(&old).await.unwrap();
    company
}

/// The codes of Metakocka company `mk`'s products, sorted.
fn mk_codes(fake: &FakeMetakocka, mk: &str) -> Vec<String> {
    let mut codes: Vec<String> = fake.with_books(mk, |b| {
        (b.products.iter())
            .filter_map(|p| p.get("code").and_then(|c| c.as_str()).map(str::to_owned))
            .collect()
    });
    codes.sort();
    codes
}

#[tokio::test]
async fn sync_products_to_metakocka_prints_a_summary_and_the_products_land_there() {
    let fake = FakeMetakocka::start().await;
    let dir = tempfile::tempdir().unwrap();
    let company = installation(dir.path(), &fake, "cli-push").await;
    let args = [
        "metakocka",
        "sync",
        "products",
        "--direction",
        "to",
        "--all",
        "--company",
        &company,
    ];

    let first = crm_mind(dir.path(), &fake.base_url, &args).await;
    let stdout = String::from_utf8_lossy(&first.stdout).into_owned();
    assert!(
        first.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(
        stdout.contains(
            "product sync done: 4 of 4 processed, 4 created, 0 updated, 0 unchanged, 0 failed"
        ),
        "{stdout}"
    );
    assert_eq!(
        mk_codes(&fake, "cli-push"),
        ["CLI-1", "CLI-2", "CLI-3", "OLD-1"]
    );

    // The first run freed its slot as it ended: the next starts at once, with nothing to do.
    let writes = fake.write_calls();
    let second = crm_mind(dir.path(), &fake.base_url, &args).await;
    let stdout = String::from_utf8_lossy(&second.stdout).into_owned();
    assert!(second.status.success(), "{stdout}");
    assert!(
        stdout.contains("4 of 4 processed, 0 created, 0 updated, 4 unchanged"),
        "{stdout}"
    );
    assert_eq!(fake.write_calls(), writes);
}

#[tokio::test]
async fn a_company_without_credentials_is_one_clear_error() {
    let fake = FakeMetakocka::start().await;
    let dir = tempfile::tempdir().unwrap();
    let created = crm_mind(
        dir.path(),
        &fake.base_url,
        &["admin", "create-company", "--name", "Bare"],
    )
    .await;
    let company = String::from_utf8(created.stdout).unwrap().trim().to_owned();
    let output = crm_mind(
        dir.path(),
        &fake.base_url,
        &[
            "metakocka",
            "sync",
            "contacts",
            "--all",
            "--company",
            &company,
        ],
    )
    .await;
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no Metakocka credentials"), "{stderr}");
    assert!(!stderr.contains("key-"), "{stderr}");
}

/// Runs `args` and returns the summary line; the run must succeed.
async fn summary(dir: &Path, fake: &FakeMetakocka, args: &[&str]) -> String {
    let output = crm_mind(dir, &fake.base_url, args).await;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[tokio::test]
async fn the_narrowing_flags_sync_only_their_records() {
    let fake = FakeMetakocka::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mk = "cli-narrow";
    let company = installation(dir.path(), &fake, mk).await;
    let sync = |what: &'static str, extra: &'static [&'static str]| {
        let mut args = vec!["metakocka", "sync", what, "--company", company.as_str()];
        args.extend_from_slice(extra);
        args
    };

    // Pushed: only the products changed since 2025 (OLD-1 was last changed in 2020).
    let args = sync(
        "products",
        &[
            "--direction",
            "to",
            "--changed-since",
            "2025-01-01T00:00:00Z",
        ],
    );
    let out = summary(dir.path(), &fake, &args).await;
    assert!(out.contains("3 of 3 processed, 3 created"), "{out}");
    assert_eq!(mk_codes(&fake, mk), ["CLI-1", "CLI-2", "CLI-3"]);

    // Pulled: the partners whose name contains "Partner 1" (1, 10, 11, 12 of twelve).
    fake.seed_partners(mk, 12);
    let args = sync(
        "contacts",
        &["--direction", "from", "--all", "--partner", "Partner 1"],
    );
    let out = summary(dir.path(), &fake, &args).await;
    assert!(out.contains("4 of 4 processed, 4 created"), "{out}");

    // Pulled: only the offers, of Metakocka's two orders and one offer (their line's
    // product is crm-mind's already).
    let (store, _) = startup::open_store(&Settings::for_data_dir(dir.path()))
        .await
        .unwrap();
    let id = CompanyId::from(company.clone());
    store.insert_product(&product(&id, "P00001")).await.unwrap();
    drop(store);
    fake.seed_documents(mk, "sales_order", 2);
    fake.seed_documents(mk, "sales_offer", 1);
    let args = sync(
        "documents",
        &["--direction", "from", "--all", "--doc-type", "sales_offer"],
    );
    let out = summary(dir.path(), &fake, &args).await;
    assert!(out.contains("1 of 1 processed, 1 created"), "{out}");

    // --all and --changed-since say different things: refused before anything runs.
    let args = sync(
        "products",
        &["--all", "--changed-since", "2025-01-01T00:00:00Z"],
    );
    let refused = crm_mind(dir.path(), &fake.base_url, &args).await;
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--changed-since"));
}

//! `crm-mind metakocka sync products|contacts|documents --direction to|from|both [--all]
//! --company ID`: one sync run in the foreground with the organisation's credentials, a
//! progress bar (records processed of the run's total, read from the run record as it is
//! saved), and a summary line.
//!
//! Without `--all`, crm-mind's records changed since the start of the kind's last run are
//! synced (Metakocka's records carry no change time, so a pull still reads them all);
//! `--all` takes every record, `--changed-since` those changed since a given time.
//! `--category`, `--doc-type` and `--partner` narrow a run as the bulk API's body does.

use super::entity::RunFilter;
use super::model::{Direction, EntityKind, RunState, RunTrigger};
use super::run::Pacing;
use super::service::{MetakockaSync, StartRun};
use crate::config::Settings;
use crate::domain::CompanyId;
use crate::metakocka::client::{MetakockaClient, MetakockaSettings};
use crate::metakocka::credentials::Credentials;
use crate::metakocka::error_log::ErrorLog;
use crate::startup;
use chrono::{DateTime, Utc};
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use std::time::Duration;

#[derive(Debug, Subcommand)]
pub enum MetakockaCommand {
    /// Sync one entity kind with Metakocka now and print a summary.
    Sync {
        /// What to sync.
        #[arg(value_parser = ["products", "contacts", "documents"])]
        entity: String,
        /// `to` Metakocka, `from` Metakocka, or `both`.
        #[arg(long, value_parser = ["to", "from", "both"], default_value = "both")]
        direction: String,
        /// Every record, not only those changed since the last run.
        #[arg(long)]
        all: bool,
        /// Only crm-mind's records changed since then (RFC 3339, `2026-11-01T00:00:00Z`)
        /// instead of since the last run.
        #[arg(long, conflicts_with = "all")]
        changed_since: Option<DateTime<Utc>>,
        /// Products: only Metakocka's products of this category.
        #[arg(long)]
        category: Option<String>,
        /// Sales documents: only this document type (`sales_order`, `sales_offer`, ...).
        #[arg(long)]
        doc_type: Option<String>,
        /// Contacts: only partners whose name contains this; sales documents: only those
        /// of such a partner.
        #[arg(long)]
        partner: Option<String>,
        /// The company's id (as `admin create-company` printed it).
        #[arg(long)]
        company: String,
    },
}

pub async fn run(settings: &Settings, command: MetakockaCommand) -> anyhow::Result<()> {
    let MetakockaCommand::Sync {
        entity,
        direction,
        all,
        changed_since,
        category,
        doc_type,
        partner,
        company,
    } = command;
    let kind = match entity.as_str() {
        "products" => EntityKind::Product,
        "contacts" => EntityKind::Contact,
        _ => EntityKind::SalesDocument,
    };
    let direction = Direction::parse(&direction).expect("clap checked it");
    let company = CompanyId::from(company);
    let (store, cipher) = startup::open_store(settings).await?;
    let sync = MetakockaSync::new(
        store.clone(),
        MetakockaClient::new(MetakockaSettings::from(settings)),
        Credentials::new(store.clone(), cipher),
        ErrorLog::new(store.clone(), settings.metakocka_error_notify()),
        Pacing {
            concurrency: settings.metakocka_sync_concurrency.max(1),
            progress_every: settings.metakocka_sync_batch_size.max(1),
        },
    );
    let changed_since = match (all, changed_since) {
        (true, _) => None,
        (false, Some(since)) => Some(since),
        (false, None) => {
            let last = store.list_metakocka_runs(&company, Some(kind), 1).await?;
            last.first().map(|run| run.started_at)
        }
    };
    let (started, work) = sync
        .start(StartRun {
            company: company.clone(),
            user: None,
            kind,
            direction,
            trigger: RunTrigger::Cli,
            filter: RunFilter {
                changed_since,
                category,
                doc_type,
                partner,
                ..RunFilter::default()
            },
        })
        .await?;
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} records  {msg}")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar.set_message(format!("{kind} {}", direction.as_str()));
    while !work.is_finished() {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let Some(run) = store.get_metakocka_run(&company, &started.id).await? else {
            anyhow::bail!("the run record {} disappeared", started.id);
        };
        bar.set_length(run.counts.total);
        bar.set_position(run.counts.processed);
    }
    // Awaited, not only read back: the run frees its slot before the process exits.
    let run = work.await?;
    bar.finish_and_clear();
    let c = run.counts;
    println!(
        "{kind} sync {}: {} of {} processed, {} created, {} updated, {} unchanged, {} failed, {} conflicts (run {})",
        run.state.as_str(),
        c.processed,
        c.total,
        c.created,
        c.updated,
        c.skipped,
        c.failed,
        c.conflicts,
        run.id
    );
    for error in &run.errors {
        eprintln!("  {error}");
    }
    anyhow::ensure!(
        run.state == RunState::Done && c.failed == 0,
        "the sync did not finish cleanly; the failures are in the error log"
    );
    Ok(())
}

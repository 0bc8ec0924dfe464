//! The command line: `serve`, the `admin` commands that set up a company, `sync` and `ask`.
//!
//! Admin commands print their result (an id or a token) alone on stdout so scripts can
//! capture it; messages go to stderr.

use crate::accounts::Accounts;
use crate::config::Settings;
use crate::domain::{Channel, CompanyId, Page, PageId, Role, SyncOutcome, SyncTrigger};
use crate::rag::sync::active_link_ids;
use crate::reply::compose::Question;
use crate::startup;
use crate::store::DynStore;
use anyhow::Context;
use chrono::Duration;
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use secrecy::SecretString;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "crm-mind",
    version,
    about = "Answers your customers on Facebook with facts from your CRM",
    long_about = "crm-mind receives Facebook Page webhooks (Messenger and comments), keeps your \
CRM links per page and channel, and answers customers with facts from them.\n\n\
Settings come from defaults, then crm-mind.toml (or --config), then CRM_MIND_* environment \
variables. With no settings at all it keeps everything under ./data (SQLite)."
)]
pub struct Cli {
    /// A TOML settings file (default: ./crm-mind.toml if it exists).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the service: webhook, dashboard API, health and metrics.
    Serve,
    /// Set up companies, users and tokens (prints the new id or token on stdout).
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Sync every active CRM link of a page now, in the foreground, and print the counts.
    Sync {
        /// The Facebook page id whose links to sync.
        #[arg(long = "page", value_name = "PAGE_ID")]
        page: String,
    },
    /// Metakocka: sync products, contacts or sales documents now.
    #[command(subcommand)]
    Metakocka(crate::metakocka::sync::cli::MetakockaCommand),
    /// Answer a question as the bot would, from the page's facts, without Facebook: prints
    /// the answer, then the facts it used with their sources.
    Ask {
        #[arg(long = "page", value_name = "PAGE_ID")]
        page: String,
        /// `messenger` (a private answer) or `facebook` (a public comment reply).
        #[arg(long, value_parser = ["messenger", "facebook"], default_value = "messenger")]
        channel: String,
        /// The customer's question.
        question: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a company; prints its id.
    CreateCompany {
        /// The company's display name.
        #[arg(long)]
        name: String,
    },
    /// Create a user who can log in to the dashboard API.
    CreateUser {
        /// The id printed by create-company.
        #[arg(long)]
        company: String,
        /// The email the user logs in with.
        #[arg(long)]
        email: String,
        /// At least 8 characters. Prefer the CRM_MIND_ADMIN_PASSWORD variable to keep it out of shell history.
        #[arg(long, env = "CRM_MIND_ADMIN_PASSWORD", hide_env_values = true)]
        password: String,
        /// admin may change pages and CRM links; agent may only read.
        #[arg(long, value_parser = ["admin", "agent"], default_value = "admin")]
        role: String,
    },
    /// Issue a bearer token for a user; prints the token.
    CreateToken {
        /// The user's email.
        #[arg(long)]
        email: String,
        /// How many days the token stays valid.
        #[arg(long, default_value_t = 30)]
        days: i64,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load(cli.config.as_deref())?;
    match cli.command {
        Command::Serve => {
            crate::telemetry::init_tracing(settings.log_format);
            startup::run(settings).await
        }
        Command::Admin(command) => run_admin(&settings, command).await,
        Command::Sync { page } => sync_page(&settings, &PageId::from(page)).await,
        Command::Metakocka(command) => crate::metakocka::sync::cli::run(&settings, command).await,
        Command::Ask {
            page,
            channel,
            question,
        } => {
            let channel = Channel::parse("channel", &channel)?;
            ask(&settings, &PageId::from(page), channel, &question).await
        }
    }
}

/// The page and the company that registered it: the command line names only the page.
async fn registered_page(store: &DynStore, page_id: &PageId) -> anyhow::Result<(CompanyId, Page)> {
    let not_registered = || format!("page {page_id} is not registered");
    let company = store
        .find_page_owner(page_id)
        .await?
        .with_context(not_registered)?;
    let page = store
        .get_page(&company, page_id)
        .await?
        .with_context(not_registered)?;
    Ok((company, page))
}

/// `crm-mind ask`: retrieval, the prompt and the chat model, as a reply would use them.
async fn ask(
    settings: &Settings,
    page_id: &PageId,
    channel: Channel,
    question: &str,
) -> anyhow::Result<()> {
    let (store, cipher) = startup::open_store(settings).await?;
    let (company, page) = registered_page(&store, page_id).await?;
    let retrieval = startup::open_retrieval(settings, store, cipher).await?;
    let composer = startup::composer(settings, Some(retrieval))?;
    let answer = composer
        .compose(&Question {
            company: &company,
            page: &page,
            channel,
            text: question,
            history: &[],
            post: None,
            parent: None,
        })
        .await?;
    println!("{}", answer.text);
    eprintln!("(answered by {}; facts used:)", answer.model);
    for fact in &answer.facts {
        eprintln!("- {}: {}", fact.source, fact.text.replace('\n', "; "));
    }
    Ok(())
}

/// `crm-mind sync --page`: one progress bar step per link, then a line of counts per link.
async fn sync_page(settings: &Settings, page_id: &PageId) -> anyhow::Result<()> {
    let (store, cipher) = startup::open_store(settings).await?;
    let (company, page) = registered_page(&store, page_id).await?;
    let retrieval = startup::open_retrieval(settings, store, cipher).await?;
    let link_ids = active_link_ids(&page);
    anyhow::ensure!(
        !link_ids.is_empty(),
        "page {page_id} has no active CRM links"
    );
    let bar = ProgressBar::new(link_ids.len() as u64).with_style(
        ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} links  {msg}")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    let mut failures = 0;
    let mut lines = Vec::new();
    for link_id in &link_ids {
        let name = page
            .all_links()
            .find(|l| &l.id == link_id)
            .map_or_else(String::new, |l| l.name.clone());
        bar.set_message(name.clone());
        let line = match retrieval
            .sync_link(&company, page_id, link_id, SyncTrigger::Manual)
            .await
        {
            Ok(run) if run.outcome == SyncOutcome::Succeeded => format!(
                "{name}: {} chunks ({} new, {} changed, {} unchanged, {} deleted), {} embedded, {} bytes in {} page(s), {} ms",
                run.chunks.total,
                run.chunks.new,
                run.chunks.changed,
                run.chunks.unchanged,
                run.chunks.deleted,
                run.chunks.embedded,
                run.bytes_fetched,
                run.pages_fetched,
                run.duration_ms
            ),
            Ok(run) => {
                failures += 1;
                format!("{name}: not synced: {}", run.error.unwrap_or_default())
            }
            Err(e) => {
                failures += 1;
                format!("{name}: not synced: {e}")
            }
        };
        bar.inc(1);
        lines.push(line);
    }
    bar.finish_and_clear();
    for line in lines {
        println!("{line}");
    }
    anyhow::ensure!(
        failures == 0,
        "{failures} of {} link(s) failed",
        link_ids.len()
    );
    Ok(())
}

async fn run_admin(settings: &Settings, command: AdminCommand) -> anyhow::Result<()> {
    let (store, _cipher) = startup::open_store(settings).await?;
    let accounts = Accounts::new(store, Duration::hours(settings.session_ttl_hours.max(1)));
    match command {
        AdminCommand::CreateCompany { name } => {
            let company = accounts.create_company(&name).await?;
            println!("{}", company.id);
        }
        AdminCommand::CreateUser {
            company,
            email,
            password,
            role,
        } => {
            let role = Role::parse(&role)?;
            let user = accounts
                .create_user(
                    &CompanyId::from(company),
                    &email,
                    &SecretString::from(password),
                    role,
                )
                .await?;
            eprintln!("created {} user {}", user.role.as_str(), user.email);
            println!("{}", user.id);
        }
        AdminCommand::CreateToken { email, days } => {
            let issued = accounts.issue_token_for(&email, days).await?;
            eprintln!(
                "token valid until {}",
                issued.session.expires_at.to_rfc3339()
            );
            println!("{}", issued.token.expose());
        }
    }
    Ok(())
}

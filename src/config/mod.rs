//! Settings: built-in defaults, then `crm-mind.toml` (or the file given with `--config`),
//! then `CRM_MIND_*` environment variables, layered by figment.
//!
//! The variable names are a public contract (README, docker-compose.yml). Secrets are
//! `SecretString`s, so `Debug` of the settings shows `[REDACTED]` instead of them.
//!
//! This module owns the [`Settings`] and their loading; `defaults` holds the built-in
//! values, `text` how secrets are read, and `derived` the settings each part of the service
//! is given (built from these).

use anyhow::Context;
use figment::Figment;
use figment::providers::{Env, Format, Toml};
use secrecy::SecretString;
use serde::{Deserialize, Deserializer};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

pub const ENV_PREFIX: &str = "CRM_MIND_";
pub const DEFAULT_CONFIG_FILE: &str = "crm-mind.toml";

#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    #[serde(default = "defaults::bind")]
    pub bind: SocketAddr,
    /// Bytes of request bodies held in memory at once, over every route; past it a request
    /// is answered 503 `server_busy` (see `http::body_budget`).
    #[serde(default = "defaults::http_max_body_bytes_in_flight")]
    pub http_max_body_bytes_in_flight: usize,
    #[serde(default = "defaults::data_dir")]
    pub data_dir: PathBuf,
    #[serde(default, deserialize_with = "text::optional_secret")]
    pub mongodb_uri: Option<SecretString>,
    #[serde(default = "defaults::mongodb_database")]
    pub mongodb_database: String,
    /// 32 bytes, base64: the key that seals secrets at rest.
    #[serde(default, deserialize_with = "text::optional_secret")]
    pub secret_key: Option<SecretString>,
    #[serde(default, deserialize_with = "text::optional_secret")]
    pub facebook_app_secret: Option<SecretString>,
    #[serde(default, deserialize_with = "text::optional_secret")]
    pub facebook_verify_token: Option<SecretString>,
    #[serde(default = "defaults::graph_api_base_url")]
    pub graph_api_base_url: String,
    /// How long a token from `POST /api/auth/login` stays valid.
    #[serde(default = "defaults::session_ttl_hours")]
    pub session_ttl_hours: i64,
    /// `text` for people, `json` for log collectors.
    #[serde(default = "defaults::log_format")]
    pub log_format: LogFormat,

    // Retrieval (issue 3).
    /// Where the embedding model and ONNX Runtime live (`scripts/fetch-models` fills it).
    #[serde(default = "defaults::models_dir")]
    pub models_dir: PathBuf,
    /// `all-MiniLM-L6-v2` (the pinned local files), another fastembed model name, or a
    /// directory holding `model.onnx` and its tokenizer files.
    #[serde(default = "defaults::embedding_model")]
    pub embedding_model: String,
    /// Chunk size in the embedding model's tokens.
    #[serde(default = "defaults::chunk_tokens")]
    pub chunk_tokens: usize,
    /// When set, Qdrant (gRPC, e.g. `http://localhost:6334`) holds the vectors; otherwise the
    /// embedded index under `$DATA_DIR/vectors`.
    #[serde(default)]
    pub qdrant_url: Option<String>,
    #[serde(default, deserialize_with = "text::optional_secret")]
    pub qdrant_api_key: Option<SecretString>,
    /// Minutes between scheduled refreshes of a link without its own `refresh_minutes`.
    #[serde(default = "defaults::crm_refresh_minutes")]
    pub crm_refresh_minutes: u32,
    /// Seconds between the scheduler's looks for due links.
    #[serde(default = "defaults::crm_scheduler_tick_seconds")]
    pub crm_scheduler_tick_seconds: u64,
    /// Sync runs at the same time, over all links.
    #[serde(default = "defaults::crm_sync_concurrency")]
    pub crm_sync_concurrency: usize,
    /// Lifts the https-only and no-private-address rules of CRM fetching (development, tests).
    #[serde(default)]
    pub crm_allow_private_networks: bool,
    #[serde(default = "defaults::crm_fetch_timeout_secs")]
    pub crm_fetch_timeout_secs: u64,
    /// Pages followed per fetch at most.
    #[serde(default = "defaults::crm_max_pages")]
    pub crm_max_pages: u32,
    /// Bytes a fetch may bring over all its pages.
    #[serde(default = "defaults::crm_max_body_bytes")]
    pub crm_max_body_bytes: u64,
    /// The directory `file://` links may read; unset, `file://` links are refused.
    #[serde(default)]
    pub crm_file_root: Option<PathBuf>,

    // Answering (issue 4).
    /// An OpenAI-compatible chat endpoint (e.g. `https://api.openai.com/v1`,
    /// `http://localhost:11434/v1`); unset, the extractive answerer writes replies.
    #[serde(default)]
    pub llm_base_url: Option<String>,
    #[serde(default, deserialize_with = "text::optional_secret")]
    pub llm_api_key: Option<SecretString>,
    #[serde(default = "defaults::llm_model")]
    pub llm_model: String,
    #[serde(default = "defaults::llm_timeout_secs")]
    pub llm_timeout_secs: u64,
    /// Where prompt files that replace the built-in ones live.
    #[serde(default = "defaults::prompts_dir")]
    pub prompts_dir: PathBuf,
    /// Reply workers answering at once (events of one conversation stay in order).
    #[serde(default = "defaults::reply_workers")]
    pub reply_workers: usize,
    /// How long a worker owns an event before another may take it (its worker died).
    #[serde(default = "defaults::reply_lease_secs")]
    pub reply_lease_secs: u64,
    /// Facts retrieved for one answer.
    #[serde(default = "defaults::reply_top_k")]
    pub reply_top_k: usize,
    /// Earlier turns of a Messenger conversation given to the model.
    #[serde(default = "defaults::reply_history_turns")]
    pub reply_history_turns: u32,
    /// How long the bot stays silent in a conversation after a person answered by hand.
    #[serde(default = "defaults::reply_echo_pause_minutes")]
    pub reply_echo_pause_minutes: i64,
    /// Unset, the bot is off: events are stored but nobody answers them (for example on a
    /// second instance that only takes webhooks).
    #[serde(default = "defaults::enabled")]
    pub reply_enabled: bool,
    #[serde(default = "defaults::graph_timeout_secs")]
    pub graph_timeout_secs: u64,
    /// Retries of a throttled or failing Graph API call before the reply is given up.
    #[serde(default = "defaults::graph_max_retries")]
    pub graph_max_retries: u32,
    #[serde(default = "defaults::graph_retry_base_ms")]
    pub graph_retry_base_ms: u64,

    // Metakocka (issue 5).
    /// Metakocka's REST API root; the endpoint paths (`json/product_list`, ...) follow it.
    #[serde(default = "defaults::metakocka_base_url")]
    pub metakocka_base_url: String,
    #[serde(default = "defaults::metakocka_timeout_secs")]
    pub metakocka_timeout_secs: u64,

    // Emails (issue 6).
    /// Regular expressions of document numbers in emails, separated by whitespace; unset,
    /// `src/email/enrich/documents.rs` has the defaults (`\b\d{4}-\d{5}\b`, `PO-\d+`, ...).
    #[serde(default)]
    pub email_document_patterns: Option<String>,
    /// How long an ingest waits for enrichment (Metakocka) before storing without it.
    #[serde(default = "defaults::email_enrich_timeout_secs")]
    pub email_enrich_timeout_secs: u64,
    /// The SMTP relay that sends reply drafts (`POST /api/emails/{id}/send-draft`); unset,
    /// crm-mind sends nothing (the mail system sends the replies).
    #[serde(default)]
    pub smtp_host: Option<String>,
    #[serde(default = "defaults::smtp_port")]
    pub smtp_port: u16,
    #[serde(default, deserialize_with = "text::optional_secret")]
    pub smtp_username: Option<SecretString>,
    #[serde(default, deserialize_with = "text::optional_secret")]
    pub smtp_password: Option<SecretString>,
    /// The sender of the replies (`Kettle Shop <info@kettle-shop.si>`).
    #[serde(default)]
    pub smtp_from: Option<String>,
    /// `starttls` (required), `tls` (implicit TLS, port 465) or `none` (a trusted local
    /// relay only).
    #[serde(default = "defaults::smtp_tls")]
    pub smtp_tls: String,

    // Metakocka error log (issue 5).
    /// Receives a JSON summary when errors of one category reach the threshold in the window;
    /// unset, no one is notified.
    #[serde(default)]
    pub metakocka_error_webhook_url: Option<String>,
    #[serde(default = "defaults::metakocka_error_threshold")]
    pub metakocka_error_threshold: u64,
    #[serde(default = "defaults::metakocka_error_window_minutes")]
    pub metakocka_error_window_minutes: u32,
    /// How often every company's Metakocka inventory snapshot is refreshed; 0 turns it off.
    #[serde(default = "defaults::metakocka_inventory_refresh_minutes")]
    pub metakocka_inventory_refresh_minutes: u64,
    /// How often Metakocka's records are reindexed for retrieval on their own schedule; 0
    /// (the default): after each inventory refresh only.
    #[serde(default)]
    pub metakocka_knowledge_refresh_minutes: u64,
    /// Sales documents dated within this many days are indexed for retrieval.
    #[serde(default = "defaults::metakocka_knowledge_document_days")]
    pub metakocka_knowledge_document_days: u32,
    /// Records a Metakocka sync run has in flight at once (Metakocka still sees at most two
    /// calls per company: the client's limit).
    #[serde(default = "defaults::metakocka_sync_concurrency")]
    pub metakocka_sync_concurrency: usize,
    /// A sync run saves its progress after this many records.
    #[serde(default = "defaults::metakocka_sync_batch_size")]
    pub metakocka_sync_batch_size: u64,
    /// Whether the periodic Metakocka sync schedule runs in this instance.
    #[serde(default = "defaults::metakocka_sync_schedule")]
    pub metakocka_sync_schedule: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// Which document store the settings select.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    Sqlite,
    Mongo,
}

impl Settings {
    /// Loads the layers. An explicit `--config` file must exist; the default one may not.
    pub fn load(config_file: Option<&Path>) -> anyhow::Result<Self> {
        let mut figment = Figment::new();
        match config_file {
            Some(path) => {
                anyhow::ensure!(
                    path.exists(),
                    "the config file {} does not exist",
                    path.display()
                );
                figment = figment.merge(Toml::file(path));
            }
            None => figment = figment.merge(Toml::file(DEFAULT_CONFIG_FILE)),
        }
        Self::from_figment(figment.merge(Env::prefixed(ENV_PREFIX)))
    }

    pub fn from_figment(figment: Figment) -> anyhow::Result<Self> {
        figment.extract().context("the configuration is invalid")
    }

    /// Defaults only, with data under `data_dir`: the starting point of tests.
    pub fn for_data_dir(data_dir: &Path) -> Self {
        Self::from_figment(Figment::new().merge(("data_dir", data_dir)))
            .expect("the defaults are valid")
    }

    pub fn store_kind(&self) -> StoreKind {
        if self.mongodb_uri.is_some() {
            StoreKind::Mongo
        } else {
            StoreKind::Sqlite
        }
    }

    pub fn sqlite_path(&self) -> PathBuf {
        self.data_dir.join("crm-mind.sqlite3")
    }

    pub fn secret_key_path(&self) -> PathBuf {
        self.data_dir.join("secret.key")
    }
}

mod defaults;
mod derived;
mod text;

#[cfg(test)]
// figment's Jail returns figment::Error, which clippy finds large; it is only a test harness.
#[allow(clippy::result_large_err)]
mod tests;

//! Settings: built-in defaults, then `crm-mind.toml` (or the file given with `--config`),
//! then `CRM_MIND_*` environment variables, layered by figment.
//!
//! The variable names are a public contract (README, docker-compose.yml). Secrets are
//! `SecretString`s, so `Debug` of the settings shows `[REDACTED]` instead of them.

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

    /// Where and when bursts of Metakocka errors are reported; `None` without a webhook URL.
    pub fn metakocka_error_notify(&self) -> Option<crate::metakocka::error_log::NotifySettings> {
        let url = self.metakocka_error_webhook_url.as_ref()?.trim();
        (!url.is_empty()).then(|| crate::metakocka::error_log::NotifySettings {
            webhook_url: url.to_owned(),
            threshold: self.metakocka_error_threshold.max(1),
            window_minutes: self.metakocka_error_window_minutes.max(1),
        })
    }

    /// The CRM fetcher's tunables.
    pub fn fetch_settings(&self) -> crate::crm::FetchSettings {
        crate::crm::FetchSettings {
            timeout_secs: self.crm_fetch_timeout_secs,
            max_pages: self.crm_max_pages,
            max_body_bytes: self.crm_max_body_bytes,
            allow_private_networks: self.crm_allow_private_networks,
            file_root: self.crm_file_root.clone(),
            ..crate::crm::FetchSettings::default()
        }
    }

    pub fn schedule_settings(&self) -> crate::rag::sync::schedule::ScheduleSettings {
        crate::rag::sync::schedule::ScheduleSettings {
            refresh_minutes: self.crm_refresh_minutes,
            tick_seconds: self.crm_scheduler_tick_seconds,
            max_concurrent: self.crm_sync_concurrency,
        }
    }

    /// The chat model the settings name: the OpenAI-compatible client when
    /// `CRM_MIND_LLM_BASE_URL` is set, else the extractive answerer.
    pub fn chat_model(&self) -> anyhow::Result<std::sync::Arc<dyn crate::llm::ChatModel>> {
        use crate::llm::{ExtractiveAnswerer, OpenAiChat, OpenAiSettings};
        Ok(match &self.llm_base_url {
            Some(base_url) => std::sync::Arc::new(OpenAiChat::new(OpenAiSettings {
                base_url: base_url.clone(),
                api_key: self.llm_api_key.clone(),
                model: self.llm_model.clone(),
                timeout_secs: self.llm_timeout_secs,
                ..OpenAiSettings::default()
            })?),
            None => std::sync::Arc::new(ExtractiveAnswerer::new()),
        })
    }

    /// The Graph API client's settings.
    pub fn graph_settings(&self) -> crate::facebook::graph::GraphSettings {
        crate::facebook::graph::GraphSettings {
            base_url: self.graph_api_base_url.clone(),
            timeout_secs: self.graph_timeout_secs,
            max_retries: self.graph_max_retries,
            retry_base_ms: self.graph_retry_base_ms,
        }
    }

    /// The reply worker's settings.
    pub fn worker_settings(&self) -> crate::reply::worker::WorkerSettings {
        crate::reply::worker::WorkerSettings {
            workers: self.reply_workers.max(1),
            lease: std::time::Duration::from_secs(self.reply_lease_secs.max(5)),
            history_turns: self.reply_history_turns,
            echo_pause: chrono::Duration::minutes(self.reply_echo_pause_minutes.max(0)),
            ..crate::reply::worker::WorkerSettings::default()
        }
    }

    /// The embedded vector index's directory.
    pub fn vectors_dir(&self) -> PathBuf {
        self.data_dir.join("vectors")
    }
}

mod defaults {
    pub fn email_enrich_timeout_secs() -> u64 {
        10
    }
    pub fn smtp_port() -> u16 {
        587
    }
    pub fn smtp_tls() -> String {
        "starttls".to_owned()
    }
    pub fn reply_workers() -> usize {
        4
    }
    pub fn reply_lease_secs() -> u64 {
        120
    }
    pub fn reply_top_k() -> usize {
        5
    }
    pub fn reply_history_turns() -> u32 {
        10
    }
    pub fn reply_echo_pause_minutes() -> i64 {
        30
    }
    pub fn enabled() -> bool {
        true
    }
    pub fn graph_timeout_secs() -> u64 {
        30
    }
    pub fn graph_max_retries() -> u32 {
        4
    }
    pub fn graph_retry_base_ms() -> u64 {
        500
    }

    use super::LogFormat;
    use std::net::SocketAddr;
    use std::path::PathBuf;

    pub fn bind() -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], 8080))
    }
    pub fn http_max_body_bytes_in_flight() -> usize {
        crate::http::body_budget::DEFAULT_BODY_BYTES_IN_FLIGHT
    }
    pub fn data_dir() -> PathBuf {
        PathBuf::from("./data")
    }
    pub fn mongodb_database() -> String {
        "crm_mind".to_owned()
    }
    pub fn graph_api_base_url() -> String {
        "https://graph.facebook.com/v21.0".to_owned()
    }
    pub fn session_ttl_hours() -> i64 {
        24 * 7
    }
    pub fn log_format() -> LogFormat {
        LogFormat::Text
    }
    pub fn models_dir() -> PathBuf {
        PathBuf::from("./models")
    }
    pub fn embedding_model() -> String {
        "all-MiniLM-L6-v2".to_owned()
    }
    pub fn chunk_tokens() -> usize {
        256
    }
    pub fn crm_refresh_minutes() -> u32 {
        30
    }
    pub fn crm_scheduler_tick_seconds() -> u64 {
        60
    }
    pub fn crm_sync_concurrency() -> usize {
        4
    }
    pub fn crm_fetch_timeout_secs() -> u64 {
        30
    }
    pub fn crm_max_pages() -> u32 {
        100
    }
    pub fn crm_max_body_bytes() -> u64 {
        50 * 1024 * 1024
    }
    pub fn llm_model() -> String {
        "gpt-4o-mini".to_owned()
    }
    pub fn llm_timeout_secs() -> u64 {
        30
    }
    pub fn prompts_dir() -> PathBuf {
        PathBuf::from("./prompts")
    }
    pub fn metakocka_base_url() -> String {
        "https://main.metakocka.si/rest/eshop/v1/".to_owned()
    }
    pub fn metakocka_timeout_secs() -> u64 {
        30
    }
    pub fn metakocka_error_threshold() -> u64 {
        10
    }
    pub fn metakocka_error_window_minutes() -> u32 {
        15
    }
    pub fn metakocka_inventory_refresh_minutes() -> u64 {
        60
    }
    pub fn metakocka_knowledge_document_days() -> u32 {
        90
    }
    pub fn metakocka_sync_concurrency() -> usize {
        16
    }
    pub fn metakocka_sync_batch_size() -> u64 {
        25
    }
    pub fn metakocka_sync_schedule() -> bool {
        true
    }
}

mod text {
    use super::*;

    /// Environment values are read as TOML-like values, so a token of digits arrives as a
    /// number; a secret is text whatever it looks like. An empty value means "not set".
    pub fn optional_secret<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<SecretString>, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Scalar {
            Text(String),
            Int(i64),
            Float(f64),
            Bool(bool),
        }
        let value = Option::<Scalar>::deserialize(d)?.map(|scalar| match scalar {
            Scalar::Text(s) => s,
            Scalar::Int(i) => i.to_string(),
            Scalar::Float(f) => f.to_string(),
            Scalar::Bool(b) => b.to_string(),
        });
        Ok(value.filter(|s| !s.is_empty()).map(SecretString::from))
    }
}

#[cfg(test)]
// figment's Jail returns figment::Error, which clippy finds large; it is only a test harness.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;
    use figment::Jail;
    use secrecy::ExposeSecret;

    #[test]
    fn environment_overrides_the_file_which_overrides_defaults() {
        Jail::expect_with(|jail| {
            jail.create_file(
                "crm-mind.toml",
                "bind = \"127.0.0.1:9000\"\nmongodb_database = \"from_file\"",
            )?;
            jail.set_env("CRM_MIND_MONGODB_DATABASE", "from_env");
            jail.set_env("CRM_MIND_FACEBOOK_VERIFY_TOKEN", "12345");
            let settings = Settings::load(None).map_err(|e| e.to_string())?;
            assert_eq!(settings.bind.port(), 9000);
            assert_eq!(settings.mongodb_database, "from_env");
            assert_eq!(
                settings
                    .facebook_verify_token
                    .as_ref()
                    .unwrap()
                    .expose_secret(),
                "12345"
            );
            assert_eq!(settings.store_kind(), StoreKind::Sqlite);
            assert_eq!(
                settings.graph_api_base_url,
                "https://graph.facebook.com/v21.0"
            );
            Ok(())
        });
    }

    #[test]
    fn secrets_do_not_show_in_debug() {
        Jail::expect_with(|jail| {
            jail.set_env("CRM_MIND_FACEBOOK_APP_SECRET", "very-secret-value");
            jail.set_env("CRM_MIND_MONGODB_URI", "mongodb://user:hunter2@db/");
            let settings = Settings::load(None).map_err(|e| e.to_string())?;
            let debug = format!("{settings:?}");
            assert!(
                !debug.contains("very-secret-value") && !debug.contains("hunter2"),
                "{debug}"
            );
            assert_eq!(settings.store_kind(), StoreKind::Mongo);
            Ok(())
        });
    }

    #[test]
    fn metakocka_error_alerts_need_a_webhook_url() {
        Jail::expect_with(|jail| {
            let settings = Settings::load(None).map_err(|e| e.to_string())?;
            assert!(settings.metakocka_error_notify().is_none());
            jail.set_env(
                "CRM_MIND_METAKOCKA_ERROR_WEBHOOK_URL",
                "https://ops.example/hook",
            );
            jail.set_env("CRM_MIND_METAKOCKA_ERROR_THRESHOLD", "0");
            let settings = Settings::load(None).map_err(|e| e.to_string())?;
            let notify = settings.metakocka_error_notify().unwrap();
            assert_eq!(notify.webhook_url, "https://ops.example/hook");
            assert_eq!(notify.threshold, 1, "at least one error makes a burst");
            assert_eq!(notify.window_minutes, 15);
            Ok(())
        });
    }

    #[test]
    fn the_inventory_refresh_is_hourly_unless_set_and_zero_turns_it_off() {
        Jail::expect_with(|jail| {
            let settings = Settings::load(None).map_err(|e| e.to_string())?;
            assert_eq!(settings.metakocka_inventory_refresh_minutes, 60);
            jail.set_env("CRM_MIND_METAKOCKA_INVENTORY_REFRESH_MINUTES", "0");
            let settings = Settings::load(None).map_err(|e| e.to_string())?;
            assert_eq!(settings.metakocka_inventory_refresh_minutes, 0);
            Ok(())
        });
    }

    #[test]
    fn a_missing_explicit_config_file_is_an_error() {
        assert!(Settings::load(Some(Path::new("/nonexistent/crm-mind.toml"))).is_err());
    }
}

//! [`MetakockaClient`]: Metakocka's REST API (`https://main.metakocka.si/rest/eshop/v1/`,
//! documented at <https://github.com/metakocka/metakocka_api_base>) as typed calls.
//!
//! Every call is a `POST` of JSON carrying `secret_key` and `company_id` in the body; the
//! answer is JSON with `opr_code` `"0"` on success. The quirks of the answers (numbers as
//! strings with decimal commas, one-record lists as bare objects, partner calls without
//! `opr_code`) are read in [`super::types`]; failures are [`MetakockaError`]s with an
//! error-log category.
//!
//! The client is cheap to clone and meant to be shared: it keeps, per Metakocka company,
//! at most one search and two other calls in flight ([`limits`]), retries network failures,
//! timeouts, 5xx and 429 with backoff, and never retries a refusal. The secret key lives in
//! [`MetakockaCredentials`] as a `SecretString`; it is written only into request bodies,
//! never into a span, a log line or an error.
//!
//! Metakocka has no idempotency key: a write (`product_add`, `put_document`, ...) that timed
//! out or got a 5xx may have been done, and its retry may do it again. The sync layer's
//! mappings (and `count_code`s it chooses) are what keep a re-run from duplicating records;
//! set `max_retries` to 0 where a caller wants every retry in its own hands.

mod catalog;
mod error;
mod limits;
mod paging;
mod sales;
mod transport;

pub use error::{ErrorCategory, MetakockaError};
pub use paging::{LIST_PAGE_SIZE, PageProgress, SEARCH_PAGE_SIZE};

/// Reads one answer of `endpoint` (HTTP status and body, as Metakocka sent them) into `T`,
/// exactly as a call does: `opr_code` refusals, HTML pages, BOMs and the types' quirks. For
/// recorded answers and the fuzz targets (`fuzz/`); calls go through [`MetakockaClient`].
pub fn decode_answer<T: serde::de::DeserializeOwned>(
    endpoint: &'static str,
    status: u16,
    body: &[u8],
    credentials: &MetakockaCredentials,
) -> Result<T, MetakockaError> {
    transport::decode(endpoint, status, body, credentials)
}

use super::types::WarehouseListPage;
use limits::{CallKind, CompanyLimits};
use secrecy::SecretString;
use serde::Serialize;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// One Metakocka company's API credentials (Metakocka: Settings → API).
#[derive(Clone)]
pub struct MetakockaCredentials {
    /// Metakocka's company id (`"16"` in its examples); not a secret.
    pub company_id: String,
    pub secret_key: SecretString,
}

impl fmt::Debug for MetakockaCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MetakockaCredentials")
            .field("company_id", &self.company_id)
            .field("secret_key", &"[REDACTED]")
            .finish()
    }
}

/// Where and how the client calls Metakocka.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetakockaSettings {
    /// `CRM_MIND_METAKOCKA_BASE_URL`; the endpoints' paths are appended to it.
    pub base_url: String,
    pub timeout_secs: u64,
    /// Attempts after the first, for network failures, timeouts, 5xx and 429 only.
    pub max_retries: u32,
    /// The first retry waits between half and all of this; each later one doubles it.
    pub retry_base_ms: u64,
    pub searches_per_company: usize,
    pub other_calls_per_company: usize,
}

impl Default for MetakockaSettings {
    fn default() -> Self {
        Self {
            base_url: "https://main.metakocka.si/rest/eshop/v1/".to_owned(),
            timeout_secs: 30,
            max_retries: 3,
            retry_base_ms: 500,
            searches_per_company: 1,
            other_calls_per_company: 2,
        }
    }
}

impl From<&crate::config::Settings> for MetakockaSettings {
    fn from(settings: &crate::config::Settings) -> Self {
        Self {
            base_url: settings.metakocka_base_url.clone(),
            timeout_secs: settings.metakocka_timeout_secs,
            ..Self::default()
        }
    }
}

/// Calls Metakocka. Cheap to clone: the connection pool and the per-company limits are
/// shared by the clones.
#[derive(Clone)]
pub struct MetakockaClient {
    http: reqwest::Client,
    base: Arc<Url>,
    settings: Arc<MetakockaSettings>,
    limits: Arc<CompanyLimits>,
}

impl fmt::Debug for MetakockaClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MetakockaClient")
            .field("base_url", &self.base.as_str())
            .finish_non_exhaustive()
    }
}

impl MetakockaClient {
    pub fn new(settings: MetakockaSettings) -> Result<Self, MetakockaError> {
        let base = parse_base_url(&settings.base_url)?;
        let http = reqwest::Client::builder()
            .use_rustls_tls()
            .timeout(Duration::from_secs(settings.timeout_secs))
            .user_agent(concat!("crm-mind/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| MetakockaError::BadBaseUrl {
                base_url: settings.base_url.clone(),
                reason: format!("cannot build the HTTP client: {e}"),
            })?;
        let limits = CompanyLimits::new(
            settings.searches_per_company,
            settings.other_calls_per_company,
        );
        Ok(Self {
            http,
            base: Arc::new(base),
            settings: Arc::new(settings),
            limits: Arc::new(limits),
        })
    }

    fn endpoint_url(&self, endpoint: &str) -> Result<Url, MetakockaError> {
        self.base
            .join(endpoint)
            .map_err(|e| MetakockaError::BadBaseUrl {
                base_url: self.base.to_string(),
                reason: e.to_string(),
            })
    }

    /// A cheap call that proves the credentials work (`json/warehouse_list`, one record):
    /// Ok, or the error with Metakocka's own text ([`MetakockaError::metakocka_message`]).
    pub async fn test_connection(
        &self,
        credentials: &MetakockaCredentials,
    ) -> Result<(), MetakockaError> {
        #[derive(Serialize)]
        struct OneRecord {
            offset: &'static str,
            limit: &'static str,
        }
        let request = OneRecord {
            offset: "0",
            limit: "1",
        };
        self.call::<_, WarehouseListPage>(
            credentials,
            "json/warehouse_list",
            CallKind::Other,
            &request,
        )
        .await
        .map(drop)
    }
}

/// The base URL with a trailing slash, so endpoint paths are appended rather than replacing
/// its last segment.
fn parse_base_url(base_url: &str) -> Result<Url, MetakockaError> {
    let invalid = |reason: String| MetakockaError::BadBaseUrl {
        base_url: base_url.to_owned(),
        reason,
    };
    let mut url = Url::parse(base_url.trim()).map_err(|e| invalid(e.to_string()))?;
    if url.cannot_be_a_base() || !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("it must be an http(s) URL".to_owned()));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_appended_to_the_base_path_with_or_without_its_slash() {
        for base in [
            "https://main.metakocka.si/rest/eshop/v1/",
            "https://main.metakocka.si/rest/eshop/v1",
        ] {
            let url = parse_base_url(base)
                .unwrap()
                .join("json/product_list")
                .unwrap();
            assert_eq!(
                url.as_str(),
                "https://main.metakocka.si/rest/eshop/v1/json/product_list"
            );
        }
        assert!(parse_base_url("not a url").is_err());
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment's Jail returns figment::Error
    fn the_base_url_and_timeout_come_from_the_settings() {
        figment::Jail::expect_with(|jail| {
            let defaults = crate::config::Settings::load(None).map_err(|e| e.to_string())?;
            assert_eq!(
                MetakockaSettings::from(&defaults),
                MetakockaSettings::default()
            );
            jail.set_env(
                "CRM_MIND_METAKOCKA_BASE_URL",
                "https://devmainsi.metakocka.si/rest/eshop/v1/",
            );
            jail.set_env("CRM_MIND_METAKOCKA_TIMEOUT_SECS", "5");
            let settings = crate::config::Settings::load(None).map_err(|e| e.to_string())?;
            let metakocka = MetakockaSettings::from(&settings);
            assert_eq!(
                metakocka.base_url,
                "https://devmainsi.metakocka.si/rest/eshop/v1/"
            );
            assert_eq!(metakocka.timeout_secs, 5);
            Ok(())
        });
    }

    #[test]
    fn the_secret_key_is_not_in_debug() {
        let credentials = MetakockaCredentials {
            company_id: "16".to_owned(),
            secret_key: SecretString::from("8899-very-secret"),
        };
        let debug = format!("{credentials:?}");
        assert!(
            debug.contains("16") && !debug.contains("8899-very-secret"),
            "{debug}"
        );
    }
}

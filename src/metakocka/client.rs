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

mod error;
mod limits;
mod paging;
mod transport;

pub use error::{ErrorCategory, MetakockaError};
pub use paging::{LIST_PAGE_SIZE, PageProgress, SEARCH_PAGE_SIZE};

use super::types::{
    Document, DocumentKey, DocumentSaved, Partner, PartnerAdded, PartnerList, PartnerQuery,
    Product, ProductListPage, ProductListQuery, ProductSaved, SearchPage, SearchQuery, StockLine,
    StockPage, StockQuery, Warehouse, WarehouseListPage,
};
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

    /// Every product matching `query`, a window of [`LIST_PAGE_SIZE`] at a time.
    pub async fn product_list_all(
        &self,
        credentials: &MetakockaCredentials,
        query: &ProductListQuery,
    ) -> Result<Vec<Product>, MetakockaError> {
        let mut all = Vec::new();
        self.product_list_pages(credentials, query, |_, page| all.extend(page))
            .await?;
        Ok(all)
    }

    /// Like [`Self::product_list_all`], handing each page to `on_page` as it arrives;
    /// returns how many products there were.
    pub async fn product_list_pages(
        &self,
        credentials: &MetakockaCredentials,
        query: &ProductListQuery,
        on_page: impl FnMut(PageProgress, Vec<Product>),
    ) -> Result<u64, MetakockaError> {
        self.read_windows::<_, ProductListPage, _>(
            credentials,
            "json/product_list",
            CallKind::Other,
            query,
            LIST_PAGE_SIZE,
            on_page,
        )
        .await
    }

    /// Creates a product; Metakocka answers its `mk_id` and `count_code`.
    pub async fn product_add(
        &self,
        credentials: &MetakockaCredentials,
        product: &Product,
    ) -> Result<ProductSaved, MetakockaError> {
        self.call(credentials, "json/product_add", CallKind::Other, product)
            .await
    }

    /// Changes the product named by `product.mk_id` or `product.count_code`; fields left
    /// out stay as they are.
    pub async fn product_update(
        &self,
        credentials: &MetakockaCredentials,
        product: &Product,
    ) -> Result<ProductSaved, MetakockaError> {
        self.call(credentials, "json/product_update", CallKind::Other, product)
            .await
    }

    pub async fn warehouse_list(
        &self,
        credentials: &MetakockaCredentials,
    ) -> Result<Vec<Warehouse>, MetakockaError> {
        let mut all = Vec::new();
        self.read_windows::<_, WarehouseListPage, _>(
            credentials,
            "json/warehouse_list",
            CallKind::Other,
            &serde_json::Map::new(),
            LIST_PAGE_SIZE,
            |_, page| all.extend(page),
        )
        .await?;
        Ok(all)
    }

    /// Every stock line matching `query` (one per product, warehouse and microlocation).
    pub async fn warehouse_stock_all(
        &self,
        credentials: &MetakockaCredentials,
        query: &StockQuery,
    ) -> Result<Vec<StockLine>, MetakockaError> {
        let mut all = Vec::new();
        self.warehouse_stock_pages(credentials, query, |_, page| all.extend(page))
            .await?;
        Ok(all)
    }

    pub async fn warehouse_stock_pages(
        &self,
        credentials: &MetakockaCredentials,
        query: &StockQuery,
        on_page: impl FnMut(PageProgress, Vec<StockLine>),
    ) -> Result<u64, MetakockaError> {
        self.read_windows::<_, StockPage, _>(
            credentials,
            "json/warehouse_stock",
            CallKind::Other,
            query,
            LIST_PAGE_SIZE,
            on_page,
        )
        .await
    }

    /// The partners matching `query`.
    pub async fn get_partner(
        &self,
        credentials: &MetakockaCredentials,
        query: &PartnerQuery,
    ) -> Result<Vec<Partner>, MetakockaError> {
        let list: PartnerList = self
            .call(credentials, "get_partner", CallKind::Other, query)
            .await?;
        Ok(list.partner_list)
    }

    pub async fn add_partner(
        &self,
        credentials: &MetakockaCredentials,
        partner: &Partner,
    ) -> Result<PartnerAdded, MetakockaError> {
        self.call(
            credentials,
            "add_partner",
            CallKind::Other,
            &PartnerBody { partner },
        )
        .await
    }

    /// Changes the partner named by `partner.mk_id`; answers the partner as it now is.
    pub async fn update_partner(
        &self,
        credentials: &MetakockaCredentials,
        partner: &Partner,
    ) -> Result<Vec<Partner>, MetakockaError> {
        let list: PartnerList = self
            .call(
                credentials,
                "update_partner",
                CallKind::Other,
                &PartnerBody { partner },
            )
            .await?;
        Ok(list.partner_list)
    }

    /// Creates a document of `document.doc_type`; answers its `mk_id` and `count_code`.
    pub async fn put_document(
        &self,
        credentials: &MetakockaCredentials,
        document: &Document,
    ) -> Result<DocumentSaved, MetakockaError> {
        self.call(credentials, "put_document", CallKind::Other, document)
            .await
    }

    pub async fn get_document(
        &self,
        credentials: &MetakockaCredentials,
        key: &DocumentKey,
    ) -> Result<Document, MetakockaError> {
        self.call(credentials, "get_document", CallKind::Other, key)
            .await
    }

    /// Changes the fields set in `document` on the document its `mk_id` (or
    /// `buyer_order`) names.
    pub async fn update_document(
        &self,
        credentials: &MetakockaCredentials,
        document: &Document,
    ) -> Result<(), MetakockaError> {
        self.call::<_, serde_json::Map<String, serde_json::Value>>(
            credentials,
            "update_document",
            CallKind::Other,
            document,
        )
        .await
        .map(drop)
    }

    /// Every document matching `query`, [`SEARCH_PAGE_SIZE`] at a time.
    pub async fn search_all(
        &self,
        credentials: &MetakockaCredentials,
        query: &SearchQuery,
    ) -> Result<Vec<Document>, MetakockaError> {
        let mut all = Vec::new();
        self.search_pages(credentials, query, |_, page| all.extend(page))
            .await?;
        Ok(all)
    }

    pub async fn search_pages(
        &self,
        credentials: &MetakockaCredentials,
        query: &SearchQuery,
        on_page: impl FnMut(PageProgress, Vec<Document>),
    ) -> Result<u64, MetakockaError> {
        self.read_windows::<_, SearchPage, _>(
            credentials,
            "search",
            CallKind::Search,
            query,
            SEARCH_PAGE_SIZE,
            on_page,
        )
        .await
    }
}

/// `add_partner` and `update_partner` take the partner under `"partner"`.
#[derive(Serialize)]
struct PartnerBody<'a> {
    partner: &'a Partner,
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

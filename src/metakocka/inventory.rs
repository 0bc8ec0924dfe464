//! The inventory snapshot service (issue 5, scope 6): refreshes a company's copy of its
//! Metakocka stock (`metakocka_inventory`) and answers lookups from that copy, so a reader
//! never waits for Metakocka.
//!
//! A refresh uses the organisation's credentials (the snapshot is the company's, not one
//! user's), pulls `json/warehouse_list`, `json/product_list` (for the products' codes) and
//! `json/warehouse_stock`, and only then replaces the stored snapshot in one step: a refresh
//! that fails keeps the previous snapshot and leaves an entry in the error log. Refreshes of
//! one company run one at a time within this process (a second waits for the first), so
//! two snapshots never interleave.
//!
//! [`Inventory`] also owns the integration's shared [`MetakockaClient`] (see
//! [`Inventory::client`]), which the connection test uses too.

use super::client::{self, MetakockaClient, MetakockaCredentials, MetakockaError};
use super::credentials::{self, CredentialError, Credentials};
use super::error_log::{self, EntityType, ErrorLog, NewError};
use super::types::StockQuery;
use crate::domain::{CompanyId, UserId};
use crate::store::{DynStore, StoreError};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

pub use super::inventory_snapshot::{ProductInventory, ProductKey, StockEntry, build_entries};

/// What one refresh stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefreshSummary {
    pub products: usize,
    pub warehouses: usize,
    /// Product-and-warehouse entries in the new snapshot.
    pub entries: usize,
    pub refreshed_at: DateTime<Utc>,
}

#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    /// The organisation has no Metakocka credentials.
    #[error("the organisation has no Metakocka credentials; save them first")]
    NoCredentials,
    /// Metakocka failed or refused; the entry is in the error log.
    #[error("the inventory refresh failed: {0}")]
    Metakocka(MetakockaError),
    #[error(transparent)]
    Credentials(#[from] CredentialError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The inventory snapshot over the store and Metakocka. Cheap to clone.
#[derive(Clone)]
pub struct Inventory {
    store: DynStore,
    client: Result<MetakockaClient, MetakockaError>,
    credentials: Credentials,
    errors: ErrorLog,
    refreshing: Arc<CompanyLocks>,
    /// Told of each company whose snapshot was refreshed (the Metakocka reindex).
    after_refresh: Option<AfterRefresh>,
}

/// Why Metakocka refused a connection test: the error-log category and Metakocka's own
/// text (or ours when Metakocka gave none).
#[derive(Debug, Clone)]
pub struct ConnectionRefused {
    pub category: error_log::ErrorCategory,
    pub message: String,
}

/// A hook run after each successful refresh; it must not wait (spawn instead).
pub type AfterRefresh = Arc<dyn Fn(&CompanyId) + Send + Sync>;

impl Inventory {
    /// `client` is `Err` when `CRM_MIND_METAKOCKA_BASE_URL` is unusable: every call then
    /// fails with that error (and says which setting to fix) instead of stopping start-up.
    pub fn new(
        store: DynStore,
        client: Result<MetakockaClient, MetakockaError>,
        credentials: Credentials,
        errors: ErrorLog,
    ) -> Self {
        Self {
            store,
            client,
            credentials,
            errors,
            refreshing: Arc::default(),
            after_refresh: None,
        }
    }

    /// Runs `hook` after each successful refresh, with the company refreshed.
    pub fn after_refresh(mut self, hook: AfterRefresh) -> Self {
        self.after_refresh = Some(hook);
        self
    }

    /// The integration's shared client.
    pub fn client(&self) -> Result<&MetakockaClient, MetakockaError> {
        self.client.as_ref().map_err(Clone::clone)
    }

    /// One cheap real call with `credentials`; a refusal is written to the company's error
    /// log (operation `test_connection`, `source` in its details: who asked, from where).
    pub async fn test_connection(
        &self,
        company: &CompanyId,
        user: &UserId,
        credentials: &MetakockaCredentials,
        source: &str,
    ) -> Result<(), ConnectionRefused> {
        let outcome = match self.client() {
            Ok(client) => client.test_connection(credentials).await.map(|_| ()),
            Err(e) => Err(e),
        };
        let Err(e) = outcome else {
            return Ok(());
        };
        let refused = ConnectionRefused {
            category: log_category(e.category()),
            message: e
                .metakocka_message()
                .map_or_else(|| e.to_string(), str::to_owned),
        };
        self.errors
            .record(NewError {
                company_id: company.clone(),
                user_id: Some(user.clone()),
                category: refused.category,
                entity_type: EntityType::Credentials,
                entity_id: None,
                operation: "test_connection".to_owned(),
                message: refused.message.clone(),
                details: serde_json::json!({
                    "source": source,
                    "metakocka_company_id": credentials.company_id,
                }),
            })
            .await;
        Err(refused)
    }

    /// One product's stock per warehouse from the company's snapshot; `None` before the
    /// company's first refresh.
    pub async fn lookup(
        &self,
        company: &CompanyId,
        product: &ProductKey,
    ) -> Result<Option<ProductInventory>, StoreError> {
        self.store.product_inventory(company, product).await
    }

    /// Pulls the company's stock with the organisation's credentials and replaces its
    /// snapshot. `by` is the user who asked (`None` for the schedule), for the error log.
    #[tracing::instrument(skip_all, fields(company = %company))]
    pub async fn refresh(
        &self,
        company: &CompanyId,
        by: Option<&UserId>,
    ) -> Result<RefreshSummary, RefreshError> {
        let lock = self.refreshing.of(company);
        let _one_at_a_time = lock.lock().await;
        let Some((credentials, _)) = self
            .credentials
            .effective_credentials(company, None)
            .await?
        else {
            return Err(RefreshError::NoCredentials);
        };
        let pulled = match self.pull(&for_client(credentials)).await {
            Ok(pulled) => pulled,
            Err(e) => {
                self.errors
                    .record(NewError {
                        company_id: company.clone(),
                        user_id: by.cloned(),
                        category: log_category(e.category()),
                        entity_type: EntityType::Inventory,
                        entity_id: None,
                        operation: "refresh_inventory".to_owned(),
                        message: e.to_string(),
                        details: serde_json::json!({ "kept": "the previous snapshot" }),
                    })
                    .await;
                return Err(RefreshError::Metakocka(e));
            }
        };
        let refreshed_at = now_millis();
        let entries = build_entries(&pulled.products, &pulled.warehouses, &pulled.stock);
        self.store
            .replace_inventory(company, refreshed_at, &entries)
            .await?;
        let summary = RefreshSummary {
            products: count_distinct(&entries, |e| &e.product_mk_id),
            warehouses: count_distinct(&entries, |e| &e.warehouse_id),
            entries: entries.len(),
            refreshed_at,
        };
        tracing::info!(entries = summary.entries, "Metakocka inventory refreshed");
        if let Some(hook) = &self.after_refresh {
            hook(company);
        }
        Ok(summary)
    }

    async fn pull(&self, credentials: &MetakockaCredentials) -> Result<Pulled, MetakockaError> {
        let client = self.client()?;
        let warehouses = client.warehouse_list(credentials).await?;
        let products = client
            .product_list_all(credentials, &Default::default())
            .await?;
        let stock = (client.warehouse_stock_all(credentials, &StockQuery::default())).await?;
        Ok(Pulled {
            warehouses,
            products,
            stock,
        })
    }

    /// Companies whose snapshot the schedule refreshes: those with organisation credentials.
    pub async fn scheduled_companies(&self) -> Result<Vec<CompanyId>, StoreError> {
        self.store.companies_with_organization_credentials().await
    }
}

struct Pulled {
    warehouses: Vec<super::types::Warehouse>,
    products: Vec<super::types::Product>,
    stock: Vec<super::types::StockLine>,
}

/// One lock per company that has refreshed in this process (a handful of small entries).
#[derive(Default)]
struct CompanyLocks(Mutex<HashMap<CompanyId, Arc<tokio::sync::Mutex<()>>>>);

impl CompanyLocks {
    fn of(&self, company: &CompanyId) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.0.lock().expect("company locks");
        Arc::clone(locks.entry(company.clone()).or_default())
    }
}

fn count_distinct(entries: &[StockEntry], key: impl Fn(&StockEntry) -> &String) -> usize {
    entries.iter().map(key).collect::<HashSet<_>>().len()
}

/// Now, cut to the millisecond both engines keep, so what a refresh reports equals what a
/// lookup reads back.
fn now_millis() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_millis(now.timestamp_millis()).unwrap_or(now)
}

/// The stored credentials as the client takes them.
pub fn for_client(credentials: credentials::MetakockaCredentials) -> MetakockaCredentials {
    MetakockaCredentials {
        company_id: credentials.company_id,
        secret_key: credentials.secret_key,
    }
}

/// The error log's category of a client failure (the same names).
pub fn log_category(category: client::ErrorCategory) -> error_log::ErrorCategory {
    use client::ErrorCategory as Client;
    use error_log::ErrorCategory as Log;
    match category {
        Client::Auth => Log::Auth,
        Client::Validation => Log::Validation,
        Client::NotFound => Log::NotFound,
        Client::RateLimit => Log::RateLimit,
        Client::Network => Log::Network,
        Client::Api => Log::Api,
    }
}

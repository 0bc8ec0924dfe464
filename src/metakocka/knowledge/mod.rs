//! Metakocka data in retrieval (issue 5, scope 10): [`MetakockaKnowledge::reindex`] makes a
//! company's products (price, stock per warehouse), partners and recent sales documents
//! searchable, with `source = metakocka`, on every page of the company and both channels.
//!
//! It is not a second pipeline: [`records`] turns each Metakocka record into one flattened
//! record, the embedding model's chunker cuts it, and [`crate::rag::Retrieval::apply_chunks`]
//! (the CRM links' own code) embeds only new or changed chunks by content hash and removes
//! chunks whose record vanished. Each (page, kind of record) is one
//! [`ChunkTarget`], so partners and documents are marked private as a whole: a public
//! comment reply never retrieves them (`ChunkFilter::public_only`).
//!
//! Everything is read from Metakocka first ([`pull`]), with the organisation's credentials;
//! a failing call changes nothing in the index and leaves an entry in the error log. Runs of
//! one company take turns. Triggers: `POST /api/integrations/metakocka/knowledge/reindex`,
//! each successful inventory refresh ([`MetakockaKnowledge::spawn_reindex`]), [`schedule`],
//! and whoever else holds the service (the Metakocka sync).

mod pull;
pub mod records;
pub mod schedule;

use super::client::{MetakockaClient, MetakockaError};
use super::credentials::{CredentialError, Credentials};
use super::error_log::{ErrorLog, NewError};
use super::inventory::{for_client, log_category};
use crate::domain::{Channel, CompanyId, LinkId, Page};
use crate::rag::Retrieval;
use crate::rag::chunk::Chunk;
use crate::rag::flatten::Record;
use crate::rag::index::Source;
use crate::rag::sync::pipeline::{ChunkTarget, SyncError, VectorCache};
use crate::store::{DynStore, StoreError};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The document types indexed by default: orders, what customers ask about.
pub const DEFAULT_DOCUMENT_TYPES: [&str; 1] = ["sales_order"];

/// What a reindex reads.
#[derive(Debug, Clone)]
pub struct KnowledgeSettings {
    /// Sales documents dated within this many days are indexed.
    pub document_days: u32,
    pub document_types: Vec<String>,
    /// The Metakocka API base URL, shown as the chunks' `source_url`.
    pub base_url: String,
}

/// What one reindex did, over all of the company's pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReindexSummary {
    /// Metakocka records indexed (each on every page).
    pub records: usize,
    pub products: usize,
    pub partners: usize,
    pub documents: usize,
    pub pages: usize,
    pub chunks_embedded: u32,
    pub chunks_removed: u32,
    pub chunks_unchanged: u32,
    pub indexed_at: DateTime<Utc>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReindexError {
    #[error("the organisation has no Metakocka credentials; save them first")]
    NoCredentials,
    /// Metakocka failed; the entry is in the error log and the old chunks are kept.
    #[error("reading Metakocka failed: {0}")]
    Metakocka(MetakockaError),
    #[error(transparent)]
    Credentials(#[from] CredentialError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("indexing Metakocka's records failed: {0}")]
    Index(#[from] SyncError),
}

/// The kinds of Metakocka record, each its own target on each page.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Products,
    Partners,
    Documents,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Products => "products",
            Kind::Partners => "partners",
            Kind::Documents => "sales-documents",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Kind::Products => "Metakocka products",
            Kind::Partners => "Metakocka partners",
            Kind::Documents => "Metakocka sales documents",
        }
    }

    fn endpoint(self) -> &'static str {
        match self {
            Kind::Products => "json/product_list",
            Kind::Partners => "get_partner",
            Kind::Documents => "search",
        }
    }

    /// Partners are people and businesses; documents say who bought what. Products are
    /// what a public answer is for.
    fn private(self) -> bool {
        !matches!(self, Kind::Products)
    }
}

/// The service. Cheap to clone.
#[derive(Clone)]
pub struct MetakockaKnowledge {
    inner: Arc<Inner>,
}

struct Inner {
    store: DynStore,
    retrieval: Retrieval,
    client: Result<MetakockaClient, MetakockaError>,
    credentials: Credentials,
    errors: ErrorLog,
    settings: KnowledgeSettings,
    running: Mutex<HashMap<CompanyId, Arc<tokio::sync::Mutex<()>>>>,
}

impl MetakockaKnowledge {
    pub fn new(
        store: DynStore,
        retrieval: Retrieval,
        client: Result<MetakockaClient, MetakockaError>,
        credentials: Credentials,
        errors: ErrorLog,
        settings: KnowledgeSettings,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                retrieval,
                client,
                credentials,
                errors,
                settings,
                running: Mutex::default(),
            }),
        }
    }

    /// Reindexes in the background; the outcome is logged (and Metakocka failures are in
    /// the error log). For triggers that must not wait, like an inventory refresh.
    pub fn spawn_reindex(&self, company: CompanyId) {
        let this = self.clone();
        tokio::spawn(async move {
            match this.reindex(&company).await {
                Ok(_) | Err(ReindexError::NoCredentials) => {}
                Err(e) => {
                    tracing::warn!(company = %company, error = %e, "Metakocka reindex failed")
                }
            }
        });
    }

    /// Brings the company's Metakocka chunks in line with Metakocka now.
    #[tracing::instrument(skip_all, fields(company = %company))]
    pub async fn reindex(&self, company: &CompanyId) -> Result<ReindexSummary, ReindexError> {
        let lock = self.company_lock(company);
        let _one_at_a_time = lock.lock().await;
        let Some((credentials, _)) = (self.inner.credentials)
            .effective_credentials(company, None)
            .await?
        else {
            return Err(ReindexError::NoCredentials);
        };
        let client = self.inner.client.as_ref().map_err(|e| e.clone());
        let settings = &self.inner.settings;
        let since =
            (Utc::now() - chrono::Duration::days(i64::from(settings.document_days))).date_naive();
        let pulled = match client {
            Ok(client) => {
                let credentials = for_client(credentials);
                pull::pull(client, &credentials, &settings.document_types, since).await
            }
            Err(error) => Err(pull::PullError {
                entity: super::error_log::EntityType::Credentials,
                operation: "client",
                error,
            }),
        };
        let pulled = match pulled {
            Ok(pulled) => pulled,
            Err(failed) => return Err(self.log_failure(company, failed).await),
        };
        let by_kind = [
            (
                Kind::Products,
                records::product_records(&pulled.products, &pulled.stock),
            ),
            (Kind::Partners, records::partner_records(&pulled.partners)),
            (
                Kind::Documents,
                records::document_records(&pulled.documents),
            ),
        ];
        let chunks: Vec<(Kind, Vec<Chunk>)> = by_kind
            .iter()
            .map(|(kind, records)| (*kind, self.chunks(records)))
            .collect();
        let pages = self.inner.store.list_pages(company).await?;
        let indexed_at = Utc::now();
        let mut summary = ReindexSummary {
            records: by_kind.iter().map(|(_, r)| r.len()).sum(),
            products: by_kind[0].1.len(),
            partners: by_kind[1].1.len(),
            documents: by_kind[2].1.len(),
            pages: pages.len(),
            chunks_embedded: 0,
            chunks_removed: 0,
            chunks_unchanged: 0,
            indexed_at,
        };
        // A record's text is the same on every page: embedded once per run.
        let mut vectors = VectorCache::new();
        for page in &pages {
            for (kind, chunks) in &chunks {
                let target = self.target(company, page, *kind);
                let counts = (self.inner.retrieval)
                    .apply_chunks(&target, chunks.clone(), indexed_at, &mut vectors)
                    .await?;
                summary.chunks_embedded += counts.embedded;
                summary.chunks_removed += counts.deleted;
                summary.chunks_unchanged += counts.unchanged;
            }
        }
        tracing::info!(
            records = summary.records,
            pages = summary.pages,
            removed = summary.chunks_removed,
            unchanged = summary.chunks_unchanged,
            "Stored {} embeddings from Metakocka data",
            summary.chunks_embedded
        );
        Ok(summary)
    }

    /// One record, one chunk (or the pieces of a record too long for one): never packed
    /// with its neighbours, so a change to one record re-embeds that record alone.
    fn chunks(&self, records: &[Record]) -> Vec<Chunk> {
        let chunker = self.inner.retrieval.chunker();
        records
            .iter()
            .flat_map(|record| chunker.chunk_records(std::slice::from_ref(record)))
            .collect()
    }

    fn target(&self, company: &CompanyId, page: &Page, kind: Kind) -> ChunkTarget {
        ChunkTarget {
            company_id: company.clone(),
            page_id: page.page_id.clone(),
            // Page ids are unique across companies, so chunk ids (from link and path) are.
            link_id: LinkId::from(format!("metakocka-{}-{}", kind.name(), page.page_id)),
            link_name: kind.label().to_owned(),
            source: Source::Metakocka,
            source_url: format!(
                "{}/{}",
                self.inner.settings.base_url.trim_end_matches('/'),
                kind.endpoint()
            ),
            channels: Channel::ALL.to_vec(),
            private: kind.private(),
        }
    }

    async fn log_failure(&self, company: &CompanyId, failed: pull::PullError) -> ReindexError {
        self.inner
            .errors
            .record(NewError {
                company_id: company.clone(),
                user_id: None,
                category: log_category(failed.error.category()),
                entity_type: failed.entity,
                entity_id: None,
                operation: format!("reindex_knowledge:{}", failed.operation),
                message: failed.error.to_string(),
                details: serde_json::json!({ "kept": "the previously indexed Metakocka data" }),
            })
            .await;
        ReindexError::Metakocka(failed.error)
    }

    fn company_lock(&self, company: &CompanyId) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.inner.running.lock().expect("reindex locks");
        Arc::clone(locks.entry(company.clone()).or_default())
    }

    /// Companies the schedule reindexes: those with organisation credentials.
    pub async fn scheduled_companies(&self) -> Result<Vec<CompanyId>, StoreError> {
        self.inner
            .store
            .companies_with_organization_credentials()
            .await
    }
}

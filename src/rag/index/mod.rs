//! The vector index seam: where chunks live with their embeddings, and hybrid search over them.
//!
//! Two engines implement [`VectorIndex`]:
//! * [`embedded`] — the default: an in-process index (f32 rows, cosine; a 4-bit first pass
//!   whose best 1,000 rows are rescored exactly) plus a BM25
//!   inverted index over the same chunks, fused by reciprocal rank fusion, persisted under the
//!   data directory with crash-safe writes.
//! * [`qdrant`] — the production engine, chosen by `CRM_MIND_QDRANT_URL`: collection
//!   `vector_documents` with a dense and a sparse (IDF) vector, fused by Qdrant's Query API.
//!
//! Both pass the same behaviour suite (`tests/vector_index/`). Every call is scoped by a
//! [`CompanyId`]: no filter can be built without one, so no query reaches another company.

pub mod embedded;
pub mod qdrant;

use crate::domain::{Channel, CompanyId, LinkId, PageId};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use uuid::Uuid;

/// The constant of reciprocal rank fusion: a result at 0-based position `p` of a ranking earns
/// `1 / (RRF_K + p)`, Qdrant's own formula (`score_fusion.rs`). The Qdrant engine sends it as
/// the `k` of a parameterised RRF query, so both engines rank alike.
pub const RRF_K: f32 = 60.0;

/// Where a chunk's facts come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Crm,
    Metakocka,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Crm => "crm",
            Source::Metakocka => "metakocka",
        }
    }
}

/// What is stored beside each vector (ARCHITECTURE.md, "vector_documents").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChunkPayload {
    pub company_id: CompanyId,
    pub page_id: PageId,
    /// The channels whose answers may use this chunk.
    pub channels: Vec<Channel>,
    pub source: Source,
    pub source_url: String,
    pub link_id: LinkId,
    pub link_name: String,
    /// The flattened-path range the chunk covers, e.g. `customers[0]..customers[3]`.
    pub path: String,
    pub text: String,
    /// sha256 (hex) of the text and the embedding model id: equal hash, no re-embedding.
    pub content_hash: String,
    pub fetched_at: DateTime<Utc>,
    /// Personal or business-confidential facts (Metakocka partners and sales documents): a
    /// public comment reply never retrieves them ([`ChunkFilter::public_only`]). Missing in
    /// payloads stored before the field existed, which were all CRM chunks: public.
    #[serde(default)]
    pub private: bool,
}

/// A chunk with its embedding, ready to store. Upserting an existing id replaces it.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexedChunk {
    pub id: Uuid,
    pub vector: Vec<f32>,
    pub payload: ChunkPayload,
}

/// Which chunks a search, count or delete sees. Always one company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkFilter {
    pub company_id: CompanyId,
    pub page_id: Option<PageId>,
    /// A chunk passes when its `channels` contain this one.
    pub channel: Option<Channel>,
    pub source: Option<Source>,
    pub link_id: Option<LinkId>,
    /// Only chunks that are not `private` pass (public comment replies).
    pub public_only: bool,
}

impl ChunkFilter {
    pub fn company(company_id: CompanyId) -> Self {
        Self {
            company_id,
            page_id: None,
            channel: None,
            source: None,
            link_id: None,
            public_only: false,
        }
    }

    pub fn page(mut self, page_id: PageId) -> Self {
        self.page_id = Some(page_id);
        self
    }

    pub fn channel(mut self, channel: Channel) -> Self {
        self.channel = Some(channel);
        self
    }

    pub fn source(mut self, source: Source) -> Self {
        self.source = Some(source);
        self
    }

    pub fn link(mut self, link_id: LinkId) -> Self {
        self.link_id = Some(link_id);
        self
    }

    /// Leaves out private chunks: what a public comment reply may be written from.
    pub fn public_only(mut self) -> Self {
        self.public_only = true;
        self
    }
}

/// A hybrid query: the dense side uses `vector`, the lexical side `text`.
#[derive(Debug, Clone)]
pub struct SearchQuery {
    pub filter: ChunkFilter,
    pub text: String,
    pub vector: Vec<f32>,
    /// How many hits to return at most.
    pub limit: usize,
}

/// One search result, best first. `score` is the fused RRF score (higher is better).
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub id: Uuid,
    pub score: f32,
    pub payload: ChunkPayload,
}

/// What incremental sync needs to know about a stored chunk, without its vector.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredChunk {
    pub id: Uuid,
    pub path: String,
    pub content_hash: String,
    pub channels: Vec<Channel>,
    pub text: String,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum IndexError {
    /// The engine failed or cannot be reached. The text is for logs, never for clients.
    #[error("vector index unavailable: {0}")]
    Unavailable(String),
    /// A vector of the wrong size, or another request the engine cannot take.
    #[error("invalid request to the vector index: {0}")]
    Invalid(String),
    /// Persisted state could not be read back.
    #[error("vector index data is corrupt: {0}")]
    Corrupt(String),
}

pub type IndexResult<T> = Result<T, IndexError>;

#[async_trait]
pub trait VectorIndex: Send + Sync {
    /// Creates the collection or files if missing. `dims` is the embedding size; an existing
    /// collection of another size is an [`IndexError::Invalid`] naming both sizes.
    async fn ensure_ready(&self, dims: usize) -> IndexResult<()>;
    /// Inserts or replaces chunks by id. Durable when it returns.
    async fn upsert(&self, chunks: Vec<IndexedChunk>) -> IndexResult<()>;
    /// Deletes the given ids of the company's chunks (ids of other companies are left alone).
    async fn delete_ids(&self, company_id: &CompanyId, ids: &[Uuid]) -> IndexResult<()>;
    /// Deletes every chunk that passes the filter; returns how many were deleted.
    async fn delete_matching(&self, filter: &ChunkFilter) -> IndexResult<u64>;
    /// Replaces the `channels` of every chunk of one link.
    async fn set_link_channels(
        &self,
        company_id: &CompanyId,
        link_id: &LinkId,
        channels: &[Channel],
    ) -> IndexResult<()>;
    /// Hybrid search: dense cosine and BM25 rankings fused by RRF, best first.
    async fn search(&self, query: &SearchQuery) -> IndexResult<Vec<Hit>>;
    async fn count(&self, filter: &ChunkFilter) -> IndexResult<u64>;
    /// Every chunk of one link, ordered by path, without vectors.
    async fn list_link(
        &self,
        company_id: &CompanyId,
        link_id: &LinkId,
    ) -> IndexResult<Vec<StoredChunk>>;
    /// `embedded` or `qdrant`, for logs and `/readyz`.
    fn engine(&self) -> &'static str;
}

pub type DynIndex = Arc<dyn VectorIndex>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_stored_before_the_private_flag_reads_as_public() {
        let stored = serde_json::json!({
            "company_id": "c1", "page_id": "p1", "channels": ["facebook"], "source": "crm",
            "source_url": "https://crm.example.si/api", "link_id": "l1", "link_name": "CRM",
            "path": "customers[0]", "text": "customers[0].name: Ana", "content_hash": "ab",
            "fetched_at": "2026-11-29T12:00:00Z",
        });
        let payload: ChunkPayload = serde_json::from_value(stored).unwrap();
        assert!(!payload.private);
    }
}

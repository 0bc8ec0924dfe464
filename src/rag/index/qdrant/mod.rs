//! The Qdrant vector index, chosen by `CRM_MIND_QDRANT_URL`: collection `vector_documents`
//! ([`schema`]) with a named dense vector (cosine) and a named sparse vector `lexical` (the
//! [`crate::rag::lexical`] terms, IDF applied by Qdrant), searched with the Query API: two
//! filtered prefetches, dense and sparse, fused by reciprocal rank fusion.
//!
//! The fusion is Qdrant's parameterised RRF with `k = RRF_K` (60): plain `Fusion::Rrf` would use
//! Qdrant's built-in k of 2, and the embedded engine fuses with 60, so both engines rank alike.
//! Each prefetch asks for `max(limit * 4, 50)` points, as the embedded engine takes per side.
//!
//! Client calls follow <https://qdrant.tech/documentation/concepts/> (points, filtering,
//! hybrid-queries). Writes wait for Qdrant to apply them (`wait = true`): durable on return.

mod convert;
mod schema;

use crate::domain::{Channel, CompanyId, LinkId};
use crate::rag::index::{
    ChunkFilter, Hit, IndexError, IndexResult, IndexedChunk, RRF_K, SearchQuery, StoredChunk,
    VectorIndex,
};
use async_trait::async_trait;
use qdrant_client::qdrant::vectors_config::Config;
use qdrant_client::qdrant::{
    CountPointsBuilder, DeletePointsBuilder, PrefetchQueryBuilder, Query, QueryPointsBuilder, Rrf,
    ScrollPointsBuilder, SetPayloadPointsBuilder, UpsertPointsBuilder, Value, VectorInput,
};
use qdrant_client::{Qdrant, QdrantError};
use schema::{CollectionSpec, DENSE, LEXICAL};
use secrecy::{ExposeSecret, SecretString};
use std::collections::HashMap;

/// Points per upsert request, so one request stays far below gRPC's message size limit.
const UPSERT_BATCH: usize = 256;
/// Points per scroll page when listing a link.
const SCROLL_PAGE: u32 = 512;

/// A cheap-to-clone handle on a Qdrant server. Its `Debug` shows the URL only.
#[derive(Clone)]
pub struct QdrantIndex {
    client: Qdrant,
    url: String,
    spec: std::sync::Arc<CollectionSpec>,
}

impl std::fmt::Debug for QdrantIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QdrantIndex")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// A Qdrant failure as the index reports it. The status message is Qdrant's; the request
/// (with its API key header) is never part of it.
fn unavailable(call: &str, error: QdrantError) -> IndexError {
    IndexError::Unavailable(format!("qdrant {call}: {error}"))
}

impl QdrantIndex {
    /// A client for the gRPC endpoint at `url` (e.g. `http://localhost:6334`). Connects lazily:
    /// an unreachable server shows up at the first call (`ensure_ready` at start-up).
    pub fn connect(url: &str, api_key: Option<&SecretString>) -> IndexResult<Self> {
        let mut builder = Qdrant::from_url(url).skip_compatibility_check();
        if let Some(key) = api_key {
            builder = builder.api_key(key.expose_secret().to_owned());
        }
        let client = builder
            .build()
            .map_err(|error| IndexError::Invalid(format!("qdrant url {url:?}: {error}")))?;
        Ok(Self {
            client,
            url: url.to_owned(),
            spec: std::sync::Arc::new(CollectionSpec::vector_documents()),
        })
    }

    fn collection(&self) -> &str {
        &self.spec.collection_name
    }

    /// The dense size of the existing collection, if it exists.
    async fn existing_dims(&self) -> IndexResult<Option<u64>> {
        let exists = self
            .client
            .collection_exists(self.collection())
            .await
            .map_err(|e| unavailable("collection_exists", e))?;
        if !exists {
            return Ok(None);
        }
        let info = self
            .client
            .collection_info(self.collection())
            .await
            .map_err(|e| unavailable("collection_info", e))?;
        let config = info
            .result
            .and_then(|info| info.config)
            .and_then(|config| config.params)
            .and_then(|params| params.vectors_config)
            .and_then(|vectors| vectors.config);
        match config {
            Some(Config::ParamsMap(map)) => match map.map.get(DENSE) {
                Some(params) => Ok(Some(params.size)),
                None => Err(IndexError::Invalid(format!(
                    "collection {} has no vector named {DENSE:?}",
                    self.collection()
                ))),
            },
            _ => Err(IndexError::Invalid(format!(
                "collection {} has no named vectors",
                self.collection()
            ))),
        }
    }
}

#[async_trait]
impl VectorIndex for QdrantIndex {
    #[tracing::instrument(skip_all, fields(dims = dims), err)]
    async fn ensure_ready(&self, dims: usize) -> IndexResult<()> {
        match self.existing_dims().await? {
            Some(size) if size != dims as u64 => {
                return Err(IndexError::Invalid(format!(
                    "qdrant collection {} holds {size}-dimensional vectors, the embedder makes {dims}",
                    self.collection()
                )));
            }
            Some(_) => {}
            None => {
                self.client
                    .create_collection(self.spec.create_request(dims)?)
                    .await
                    .map_err(|e| unavailable("create_collection", e))?;
            }
        }
        for request in self.spec.field_index_requests()? {
            self.client
                .create_field_index(request)
                .await
                .map_err(|e| unavailable("create_field_index", e))?;
        }
        Ok(())
    }

    async fn upsert(&self, chunks: Vec<IndexedChunk>) -> IndexResult<()> {
        let mut points = Vec::with_capacity(chunks.len());
        for chunk in chunks {
            points.push(convert::point(chunk)?);
        }
        for batch in points.chunks(UPSERT_BATCH) {
            self.client
                .upsert_points(
                    UpsertPointsBuilder::new(self.collection(), batch.to_vec()).wait(true),
                )
                .await
                .map_err(|e| unavailable("upsert", e))?;
        }
        Ok(())
    }

    async fn delete_ids(&self, company_id: &CompanyId, ids: &[uuid::Uuid]) -> IndexResult<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let selector = convert::ids_of_company(company_id.as_str(), ids);
        self.client
            .delete_points(
                DeletePointsBuilder::new(self.collection())
                    .points(selector)
                    .wait(true),
            )
            .await
            .map_err(|e| unavailable("delete", e))?;
        Ok(())
    }

    /// Qdrant's delete does not say how many points it removed: they are counted first. A
    /// concurrent upsert in between can make the number slightly off, never the deletion.
    async fn delete_matching(&self, filter: &ChunkFilter) -> IndexResult<u64> {
        let matching = self.count(filter).await?;
        if matching == 0 {
            return Ok(0);
        }
        self.client
            .delete_points(
                DeletePointsBuilder::new(self.collection())
                    .points(convert::filter(filter))
                    .wait(true),
            )
            .await
            .map_err(|e| unavailable("delete", e))?;
        Ok(matching)
    }

    async fn set_link_channels(
        &self,
        company_id: &CompanyId,
        link_id: &LinkId,
        channels: &[Channel],
    ) -> IndexResult<()> {
        let filter = ChunkFilter::company(company_id.clone()).link(link_id.clone());
        let list: Vec<Value> = channels.iter().map(|c| Value::from(c.as_str())).collect();
        let payload = HashMap::from([("channels".to_owned(), Value::from(list))]);
        self.client
            .set_payload(
                SetPayloadPointsBuilder::new(self.collection(), payload)
                    .points_selector(convert::filter(&filter))
                    .wait(true),
            )
            .await
            .map_err(|e| unavailable("set_payload", e))?;
        Ok(())
    }

    async fn search(&self, query: &SearchQuery) -> IndexResult<Vec<Hit>> {
        if query.limit == 0 {
            return Ok(Vec::new());
        }
        let filter = convert::filter(&query.filter);
        let per_side = (query.limit * 4).max(50) as u64;
        let (indices, values) = crate::rag::lexical::sparse_vector(&query.text);
        let mut request = QueryPointsBuilder::new(self.collection()).add_prefetch(
            PrefetchQueryBuilder::default()
                .query(Query::new_nearest(query.vector.clone()))
                .using(DENSE)
                .filter(filter.clone())
                .limit(per_side),
        );
        if !indices.is_empty() {
            request = request.add_prefetch(
                PrefetchQueryBuilder::default()
                    .query(Query::new_nearest(VectorInput::new_sparse(indices, values)))
                    .using(LEXICAL)
                    .filter(filter)
                    .limit(per_side),
            );
        }
        let rrf = Rrf {
            k: Some(RRF_K as u32),
            weights: Vec::new(),
        };
        let response = self
            .client
            .query(
                request
                    .query(Query::new_rrf(rrf))
                    .limit(query.limit as u64)
                    .with_payload(true),
            )
            .await
            .map_err(|e| unavailable("query", e))?;
        response
            .result
            .into_iter()
            .map(|point| {
                let id = convert::parse_id(point.id)?;
                Ok(Hit {
                    id,
                    score: point.score,
                    payload: convert::parse_payload(&id, point.payload)?,
                })
            })
            .collect()
    }

    async fn count(&self, filter: &ChunkFilter) -> IndexResult<u64> {
        let response = self
            .client
            .count(
                CountPointsBuilder::new(self.collection())
                    .filter(convert::filter(filter))
                    .exact(true),
            )
            .await
            .map_err(|e| unavailable("count", e))?;
        Ok(response.result.map_or(0, |result| result.count))
    }

    async fn list_link(
        &self,
        company_id: &CompanyId,
        link_id: &LinkId,
    ) -> IndexResult<Vec<StoredChunk>> {
        let filter =
            convert::filter(&ChunkFilter::company(company_id.clone()).link(link_id.clone()));
        let mut chunks = Vec::new();
        let mut offset = None;
        loop {
            let mut request = ScrollPointsBuilder::new(self.collection())
                .filter(filter.clone())
                .limit(SCROLL_PAGE)
                .with_payload(true)
                .with_vectors(false);
            if let Some(offset) = offset.take() {
                request = request.offset(offset);
            }
            let page = self
                .client
                .scroll(request)
                .await
                .map_err(|e| unavailable("scroll", e))?;
            for point in page.result {
                let id = convert::parse_id(point.id)?;
                let payload = convert::parse_payload(&id, point.payload)?;
                chunks.push(StoredChunk {
                    id,
                    path: payload.path,
                    content_hash: payload.content_hash,
                    channels: payload.channels,
                    text: payload.text,
                });
            }
            match page.next_page_offset {
                Some(next) => offset = Some(next),
                None => break,
            }
        }
        chunks.sort_by(|a, b| a.path.cmp(&b.path).then(a.id.cmp(&b.id)));
        Ok(chunks)
    }

    fn engine(&self) -> &'static str {
        "qdrant"
    }
}

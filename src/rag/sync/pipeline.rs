//! One link's sync: fetch (or take a pushed body), flatten, chunk, and bring the index in
//! line with the source while embedding only what changed.
//!
//! Each chunk's id derives from (link, path range) and its `content_hash` from its text and
//! the model id, so a re-sync compares hashes: an equal hash is left alone, a new or changed
//! one is embedded and upserted, an id the source no longer yields is deleted. Writes go in
//! that order (upserts before deletes), and nothing is written until the whole body has been
//! fetched and chunked: a failing source never wipes what was indexed.
//!
//! Sources that are not CRM links (Metakocka's records) build their own chunks and hand them
//! to [`Pipeline::apply_chunks`] with a [`ChunkTarget`]: one pipeline for every source.

use crate::crm::{Body, CrmFetcher, FetchError, FetchRequest, Fetched};
use crate::domain::{Channel, ChunkCounts, CompanyId, CrmLink, CrmLinkType, LinkId, PageId};
use crate::rag::Retrieval;
use crate::rag::chunk::{Chunk, Chunker};
use crate::rag::embed::Embedder;
use crate::rag::flatten;
use crate::rag::index::{ChunkPayload, DynIndex, IndexError, IndexedChunk, Source};
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

/// How many chunks go to the model, and to the index, at a time.
const BATCH: usize = 64;

/// The namespace of chunk ids (UUIDv5 of `link_id` and the chunk's path).
const CHUNK_ID_NAMESPACE: Uuid = Uuid::from_u128(0x6f1c_2a8e_4b7d_4c1e_9a0f_3d5b_7e21_c8a4);

/// A link to sync, with its credentials unsealed for this run only.
pub struct LinkTarget {
    pub company_id: CompanyId,
    pub page_id: PageId,
    pub link: CrmLink,
    /// The channels whose lists hold an active copy of the link.
    pub channels: Vec<Channel>,
    pub api_key: Option<SecretString>,
    pub headers: Vec<(String, SecretString)>,
}

impl LinkTarget {
    /// Where the link's chunks go: source `crm`, public.
    pub fn chunk_target(&self) -> ChunkTarget {
        ChunkTarget {
            company_id: self.company_id.clone(),
            page_id: self.page_id.clone(),
            link_id: self.link.id.clone(),
            link_name: self.link.name.clone(),
            source: Source::Crm,
            source_url: self.link.url.clone(),
            channels: self.channels.clone(),
            private: false,
        }
    }
}

/// One document's place in the index: the chunks [`Pipeline::apply_chunks`] keeps in line
/// are those of `link_id`, and each one's payload carries the rest. A CRM link is one
/// target; each kind of Metakocka record of one page is another
/// (`crate::metakocka::knowledge`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkTarget {
    pub company_id: CompanyId,
    pub page_id: PageId,
    /// Chunk ids derive from it: unique across pages and companies.
    pub link_id: LinkId,
    pub link_name: String,
    pub source: Source,
    pub source_url: String,
    pub channels: Vec<Channel>,
    pub private: bool,
}

/// Embeddings by content hash, shared by the targets of one run.
pub type VectorCache = HashMap<String, Vec<f32>>;

/// What a sync did, or why it did nothing.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("the vector index failed: {0}")]
    Index(#[from] IndexError),
    #[error("the embedding model failed: {0}")]
    Embed(String),
}

impl SyncError {
    pub fn kind(&self) -> &'static str {
        match self {
            SyncError::Fetch(e) => e.kind(),
            SyncError::Index(_) => "index",
            SyncError::Embed(_) => "embedding",
        }
    }

    pub fn status_code(&self) -> Option<u16> {
        match self {
            SyncError::Fetch(e) => e.status_code(),
            _ => None,
        }
    }
}

/// What fetching brought, for the run record.
#[derive(Debug, Clone, Copy, Default)]
pub struct FetchStats {
    pub bytes: u64,
    pub pages: u32,
    pub complete: bool,
}

/// The engines a sync uses. Cheap to clone.
#[derive(Clone)]
pub struct Pipeline {
    pub fetcher: CrmFetcher,
    pub chunker: Arc<Chunker>,
    pub embedder: Arc<dyn Embedder>,
    pub index: DynIndex,
}

impl Pipeline {
    /// Fetches the link's data; nothing in the index changes when this fails.
    pub async fn fetch(&self, target: &LinkTarget) -> Result<Fetched, SyncError> {
        let request = FetchRequest {
            url: &target.link.url,
            link_type: target.link.link_type,
            api_key: target.api_key.as_ref(),
            headers: &target.headers,
        };
        Ok(self.fetcher.fetch(&request).await?)
    }

    /// Makes the link's chunks in the index exactly those of `body`. When the body is not
    /// `complete` (pagination stopped at its limit), chunks it lacks are kept rather than
    /// deleted: their records may be on the pages that were not fetched.
    pub async fn apply(
        &self,
        target: &LinkTarget,
        body: Body,
        complete: bool,
        fetched_at: DateTime<Utc>,
    ) -> Result<ChunkCounts, SyncError> {
        let chunker = self.chunker.clone();
        let chunks = tokio::task::spawn_blocking(move || chunk_body(&chunker, &body))
            .await
            .map_err(|e| SyncError::Embed(format!("chunking stopped: {e}")))?;
        let mut vectors = VectorCache::new();
        (self.apply_chunks(
            &target.chunk_target(),
            chunks,
            complete,
            fetched_at,
            &mut vectors,
        ))
        .await
    }

    /// Makes the target's chunks in the index exactly `chunks` (paths unique within the
    /// target), embedding only new or changed ones; with `complete` false nothing is deleted.
    /// `vectors` holds embeddings by content hash: a text already embedded for another
    /// target (the same Metakocka record on another page) is not embedded again, and each
    /// new embedding is added to it.
    pub async fn apply_chunks(
        &self,
        target: &ChunkTarget,
        chunks: Vec<Chunk>,
        complete: bool,
        fetched_at: DateTime<Utc>,
        vectors: &mut VectorCache,
    ) -> Result<ChunkCounts, SyncError> {
        let model = self.embedder.model_id().to_owned();
        let existing: HashMap<Uuid, (String, Vec<Channel>)> = self
            .index
            .list_link(&target.company_id, &target.link_id)
            .await?
            .into_iter()
            .map(|c| (c.id, (c.content_hash, c.channels)))
            .collect();

        let mut counts = ChunkCounts {
            total: count(chunks.len()),
            ..ChunkCounts::default()
        };
        let mut wanted = Vec::with_capacity(chunks.len());
        let mut to_embed = Vec::new();
        let mut channels_differ = false;
        for chunk in chunks {
            let id = chunk_id(&target.link_id, &chunk.path);
            let hash = content_hash(&model, &chunk.text);
            wanted.push(id);
            match existing.get(&id) {
                Some((stored, _)) if *stored != hash => {
                    counts.changed += 1;
                    to_embed.push((id, hash, chunk));
                }
                Some((_, channels)) => {
                    counts.unchanged += 1;
                    channels_differ |= *channels != target.channels;
                }
                None => {
                    counts.new += 1;
                    to_embed.push((id, hash, chunk));
                }
            }
        }

        for batch in to_embed.chunks(BATCH) {
            let missing: Vec<String> = (batch.iter())
                .filter(|(_, hash, _)| !vectors.contains_key(hash))
                .map(|(_, _, c)| c.text.clone())
                .collect();
            let embedded = count(missing.len());
            if !missing.is_empty() {
                let embedder = self.embedder.clone();
                let fresh = tokio::task::spawn_blocking(move || {
                    let refs: Vec<&str> = missing.iter().map(String::as_str).collect();
                    embedder.embed(&refs)
                })
                .await
                .map_err(|e| SyncError::Embed(e.to_string()))?
                .map_err(|e| SyncError::Embed(format!("{e:#}")))?;
                let mut fresh = fresh.into_iter();
                for (_, hash, _) in batch {
                    if !vectors.contains_key(hash)
                        && let Some(vector) = fresh.next()
                    {
                        vectors.insert(hash.clone(), vector);
                    }
                }
            }
            let points = batch
                .iter()
                .filter_map(|(id, hash, chunk)| {
                    Some(IndexedChunk {
                        id: *id,
                        vector: vectors.get(hash)?.clone(),
                        payload: payload(target, chunk, hash.clone(), fetched_at),
                    })
                })
                .collect();
            self.index.upsert(points).await?;
            counts.embedded += embedded;
        }

        let wanted: std::collections::HashSet<Uuid> = wanted.into_iter().collect();
        let gone: Vec<Uuid> = existing
            .keys()
            .filter(|id| complete && !wanted.contains(id))
            .copied()
            .collect();
        if !gone.is_empty() {
            self.index.delete_ids(&target.company_id, &gone).await?;
        }
        counts.deleted = count(gone.len());
        if channels_differ {
            self.index
                .set_link_channels(&target.company_id, &target.link_id, &target.channels)
                .await?;
        }
        Ok(counts)
    }
}

/// A link's data as chunks: JSON by record, text as text.
fn chunk_body(chunker: &Chunker, body: &Body) -> Vec<Chunk> {
    match body {
        Body::Json(value) => chunker.chunk_records(&flatten::records(value)),
        Body::Text(text) => chunker.chunk_text(text),
    }
}

/// Stable across runs: the same path of the same link is the same point.
pub fn chunk_id(link_id: &LinkId, path: &str) -> Uuid {
    let name = format!("{link_id}\n{path}");
    Uuid::new_v5(&CHUNK_ID_NAMESPACE, name.as_bytes())
}

/// sha256 of the model id and the text: a new model re-embeds everything.
pub fn content_hash(model_id: &str, text: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(model_id.as_bytes());
    hasher.update(b"\n");
    hasher.update(text.as_bytes());
    hex::encode(hasher.finalize())
}

fn payload(
    target: &ChunkTarget,
    chunk: &Chunk,
    content_hash: String,
    fetched_at: DateTime<Utc>,
) -> ChunkPayload {
    ChunkPayload {
        company_id: target.company_id.clone(),
        page_id: target.page_id.clone(),
        channels: target.channels.clone(),
        source: target.source,
        source_url: target.source_url.clone(),
        link_id: target.link_id.clone(),
        link_name: target.link_name.clone(),
        path: chunk.path.clone(),
        text: chunk.text.clone(),
        content_hash,
        fetched_at,
        private: target.private,
    }
}

impl Retrieval {
    /// The chunker of the embedding model, for sources that build their own records.
    pub fn chunker(&self) -> &Chunker {
        &self.inner.pipeline.chunker
    }

    /// [`Pipeline::apply_chunks`] for sources other than CRM links (Metakocka): the same
    /// hashing, embedding and index writes.
    pub async fn apply_chunks(
        &self,
        target: &ChunkTarget,
        chunks: Vec<Chunk>,
        fetched_at: DateTime<Utc>,
        vectors: &mut VectorCache,
    ) -> Result<ChunkCounts, SyncError> {
        (self.inner.pipeline)
            .apply_chunks(target, chunks, true, fetched_at, vectors)
            .await
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Whether links of this type are fetched by crm-mind (webhook links are pushed to it).
pub fn is_fetched(link_type: CrmLinkType) -> bool {
    matches!(link_type, CrmLinkType::Api | CrmLinkType::File)
}

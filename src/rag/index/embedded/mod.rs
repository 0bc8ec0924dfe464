//! The embedded vector index: the default engine when no Qdrant is configured.
//!
//! Search in process — every row that passes the filter is scored, cosine on the dense side
//! (a 4-bit first pass, the best rows rescored exactly: [`dense`]) and BM25 on the lexical side
//! ([`bm25`]), fused by RRF ([`search`]) — over rows grouped per (company, page) in contiguous
//! `f32` storage with a 4-bit copy rebuilt at load time ([`group`], [`quantize`]). Persisted under one directory with
//! an fsynced append-only log and periodic snapshots ([`persist`]), so a restart reloads the
//! chunks without re-embedding and a crash never loses an acknowledged write.
//!
//! Concurrency: the state sits behind a `parking_lot::RwLock`; searches take the read lock
//! only. Writers are serialised by the log's mutex and hold the write lock just to apply an
//! operation in memory, after it is durable — so a search never waits for the disk. A
//! snapshot is written under the read lock (searches go on; writers wait).
//! Blocking work (disk, scoring) runs on Tokio's blocking pool, never on a runtime worker.

mod bm25;
mod codec;
mod dense;
mod group;
mod persist;
mod quantize;
mod search;
mod state;

use crate::domain::{Channel, CompanyId, LinkId};
use crate::rag::index::{
    ChunkFilter, Hit, IndexError, IndexResult, IndexedChunk, SearchQuery, StoredChunk, VectorIndex,
};
use async_trait::async_trait;
use codec::Op;
use parking_lot::{Mutex, RwLock};
use persist::Log;
use state::State;
use std::path::Path;
use std::sync::Arc;
use uuid::Uuid;

/// A cheap-to-clone handle on one embedded index directory.
#[derive(Clone)]
pub struct EmbeddedIndex {
    inner: Arc<Inner>,
}

struct Inner {
    state: RwLock<State>,
    log: Mutex<Log>,
}

impl std::fmt::Debug for EmbeddedIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedIndex").finish_non_exhaustive()
    }
}

impl EmbeddedIndex {
    /// Opens the index stored under `dir` (creating it if missing): loads the last snapshot and
    /// replays the log after it, ignoring a torn last record.
    pub fn open(dir: &Path) -> IndexResult<Self> {
        let (state, log) = persist::open(dir)?;
        Ok(Self {
            inner: Arc::new(Inner {
                state: RwLock::new(state),
                log: Mutex::new(log),
            }),
        })
    }

    /// Folds the log into a fresh snapshot now (it also happens by itself once the log
    /// outgrows the last snapshot), so the next open replays nothing. For shutdown and tests.
    pub async fn snapshot(&self) -> IndexResult<()> {
        self.blocking(|index| {
            let mut log = index.inner.log.lock();
            log.snapshot(&index.inner.state.read())
        })
        .await
    }

    /// Checks, logs durably, then applies one operation; returns how many chunks it deleted.
    fn write(&self, op: Op) -> IndexResult<u64> {
        let mut log = self.inner.log.lock();
        self.inner.state.read().check(&op)?;
        log.append(&op)?;
        let deleted = self.inner.state.write().apply(op);
        if log.wants_snapshot() {
            let state = self.inner.state.read();
            if let Err(error) = log.snapshot(&state) {
                // The log still holds everything: a failed snapshot costs replay time only.
                tracing::warn!(%error, "could not write the embedded index snapshot");
            }
        }
        Ok(deleted)
    }

    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&EmbeddedIndex) -> IndexResult<T> + Send + 'static,
    ) -> IndexResult<T> {
        let index = self.clone();
        tokio::task::spawn_blocking(move || work(&index))
            .await
            .map_err(|error| IndexError::Unavailable(format!("index task failed: {error}")))?
    }
}

#[async_trait]
impl VectorIndex for EmbeddedIndex {
    async fn ensure_ready(&self, dims: usize) -> IndexResult<()> {
        if dims == 0 {
            return Err(IndexError::Invalid(
                "vectors need at least one dimension".into(),
            ));
        }
        if self.inner.state.read().dims == Some(dims) {
            return Ok(());
        }
        self.blocking(move |index| index.write(Op::SetDims(dims)).map(drop))
            .await
    }

    async fn upsert(&self, chunks: Vec<IndexedChunk>) -> IndexResult<()> {
        if chunks.is_empty() {
            return Ok(());
        }
        self.blocking(move |index| index.write(Op::Upsert(chunks)).map(drop))
            .await
    }

    async fn delete_ids(&self, company_id: &CompanyId, ids: &[Uuid]) -> IndexResult<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let op = Op::DeleteIds {
            company_id: company_id.clone(),
            ids: ids.to_vec(),
        };
        self.blocking(move |index| index.write(op).map(drop)).await
    }

    async fn delete_matching(&self, filter: &ChunkFilter) -> IndexResult<u64> {
        if self.inner.state.read().count(filter) == 0 {
            return Ok(0);
        }
        let op = Op::DeleteMatching(filter.clone());
        self.blocking(move |index| index.write(op)).await
    }

    async fn set_link_channels(
        &self,
        company_id: &CompanyId,
        link_id: &LinkId,
        channels: &[Channel],
    ) -> IndexResult<()> {
        let op = Op::SetLinkChannels {
            company_id: company_id.clone(),
            link_id: link_id.clone(),
            channels: channels.to_vec(),
        };
        self.blocking(move |index| index.write(op).map(drop)).await
    }

    async fn search(&self, query: &SearchQuery) -> IndexResult<Vec<Hit>> {
        if let Some(dims) = self.inner.state.read().dims
            && dims != query.vector.len()
        {
            return Err(IndexError::Invalid(format!(
                "the query vector has {} dimensions, the index holds {dims}",
                query.vector.len()
            )));
        }
        let query = query.clone();
        self.blocking(move |index| Ok(search::search(&index.inner.state.read(), &query)))
            .await
    }

    async fn count(&self, filter: &ChunkFilter) -> IndexResult<u64> {
        Ok(self.inner.state.read().count(filter))
    }

    async fn list_link(
        &self,
        company_id: &CompanyId,
        link_id: &LinkId,
    ) -> IndexResult<Vec<StoredChunk>> {
        let filter = ChunkFilter::company(company_id.clone()).link(link_id.clone());
        Ok(self.inner.state.read().list_link(&filter))
    }

    fn engine(&self) -> &'static str {
        "embedded"
    }
}

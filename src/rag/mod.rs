//! Retrieval: from a CRM link's data to chunks a reply can cite.
//!
//! The pipeline, in the order data travels:
//! * [`crate::crm`] fetches a link's data (pagination, retries, outbound safety);
//! * [`flatten`] turns JSON into the guide's `path: value` lines, grouped by record;
//! * [`chunk`] packs records into chunks sized in the embedding model's tokens;
//! * [`embed`] turns chunks into vectors; [`lexical`] into the terms of exact matching;
//! * [`index`] stores both and answers hybrid searches per company, page and channel;
//! * [`sync`] keeps each link's chunks current, embedding only what changed, on a schedule;
//! * [`search`] is the read side: hybrid search and the dashboard's view of each link.
//!
//! [`Retrieval`] is the handle the rest of the service holds.

pub mod chunk;
pub mod embed;
pub mod flatten;
pub mod index;
pub mod lexical;
pub mod search;
pub mod sync;

use crate::domain::LinkId;
use crate::secrets::Cipher;
use crate::store::DynStore;
use parking_lot::Mutex;
use std::collections::HashSet;
use std::sync::Arc;
use sync::pipeline::Pipeline;

/// The retrieval service: syncing links and searching their chunks. Cheap to clone.
#[derive(Clone)]
pub struct Retrieval {
    inner: Arc<Inner>,
}

struct Inner {
    pipeline: Pipeline,
    store: DynStore,
    cipher: Cipher,
    /// Links with a run in progress: at most one run per link.
    running: Mutex<HashSet<LinkId>>,
}

impl Retrieval {
    pub fn new(pipeline: Pipeline, store: DynStore, cipher: Cipher) -> Self {
        Self {
            inner: Arc::new(Inner {
                pipeline,
                store,
                cipher,
                running: Mutex::new(HashSet::new()),
            }),
        }
    }

    /// The embedding model, for callers that compare short texts by meaning themselves
    /// (email enrichment confirms a hybrid-search candidate by cosine similarity).
    pub fn embedder(&self) -> Arc<dyn embed::Embedder> {
        self.inner.pipeline.embedder.clone()
    }
}

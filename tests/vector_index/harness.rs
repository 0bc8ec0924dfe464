//! What every case gets: an index of one engine, two fresh companies, and builders for chunks
//! with deterministic synthetic vectors (no ONNX model: a hashed bag of character trigrams,
//! so texts sharing word pieces are close, as with a real embedder).

use chrono::{TimeZone, Utc};
use crm_mind::domain::{Channel, CompanyId, LinkId, PageId};
use crm_mind::rag::index::embedded::EmbeddedIndex;
use crm_mind::rag::index::qdrant::QdrantIndex;
use crm_mind::rag::index::{
    ChunkFilter, ChunkPayload, DynIndex, Hit, IndexedChunk, SearchQuery, Source,
};
use crm_mind::rag::lexical;
use std::path::PathBuf;
use std::sync::Arc;
use uuid::Uuid;

pub const DIMS: usize = 384;

pub struct Harness {
    pub index: DynIndex,
    pub company_a: CompanyId,
    pub company_b: CompanyId,
    /// The embedded engine itself, for its own calls (snapshot).
    pub embedded: Option<EmbeddedIndex>,
    /// Where the embedded index lives (kept alive for the test's length).
    pub dir: Option<tempfile::TempDir>,
    /// Keeps the fake Qdrant server running.
    _server: Option<tokio::task::JoinHandle<()>>,
}

impl Harness {
    pub async fn embedded() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let index = EmbeddedIndex::open(dir.path()).expect("the embedded index opens");
        let mut harness = Self::ready(Arc::new(index.clone()), Some(dir), None).await;
        harness.embedded = Some(index);
        harness
    }

    pub async fn fake_qdrant() -> Self {
        let (url, server) = crate::qdrant_fake::spawn().await;
        let index = QdrantIndex::connect(&url, None).expect("the client builds");
        Self::ready(Arc::new(index), None, Some(server)).await
    }

    pub async fn real_qdrant() -> Option<Self> {
        let url = std::env::var("QDRANT_URL").ok()?;
        let key = std::env::var("QDRANT_API_KEY")
            .ok()
            .map(secrecy::SecretString::from);
        let index = QdrantIndex::connect(&url, key.as_ref()).expect("the client builds");
        Some(Self::ready(Arc::new(index), None, None).await)
    }

    async fn ready(
        index: DynIndex,
        dir: Option<tempfile::TempDir>,
        server: Option<tokio::task::JoinHandle<()>>,
    ) -> Self {
        index
            .ensure_ready(DIMS)
            .await
            .expect("the index gets ready");
        Self {
            index,
            company_a: CompanyId::generate(),
            company_b: CompanyId::generate(),
            embedded: None,
            dir,
            _server: server,
        }
    }

    pub fn dir(&self) -> PathBuf {
        self.dir
            .as_ref()
            .expect("an embedded index")
            .path()
            .to_owned()
    }

    /// Searches with the text on the lexical side and its synthetic vector on the dense side.
    pub async fn search(&self, filter: ChunkFilter, text: &str) -> Vec<Hit> {
        self.search_with(filter, text, embed(text)).await
    }

    pub async fn search_with(&self, filter: ChunkFilter, text: &str, vector: Vec<f32>) -> Vec<Hit> {
        let query = SearchQuery {
            filter,
            text: text.to_owned(),
            vector,
            limit: 5,
        };
        self.index.search(&query).await.expect("search works")
    }
}

/// The texts of hits, best first.
pub fn texts(hits: &[Hit]) -> Vec<&str> {
    hits.iter().map(|hit| hit.payload.text.as_str()).collect()
}

/// A deterministic, L2-normalised "embedding": trigrams of each term hashed into DIMS buckets.
pub fn embed(text: &str) -> Vec<f32> {
    let mut vector = vec![0.0f32; DIMS];
    for term in lexical::terms(text) {
        let padded: Vec<char> = format!("#{term}#").chars().collect();
        for window in padded.windows(3) {
            let gram: String = window.iter().collect();
            vector[lexical::term_id(&gram) as usize % DIMS] += 1.0;
        }
    }
    let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-6);
    vector.iter_mut().for_each(|x| *x /= norm);
    vector
}

/// A chunk builder: defaults to company A's page `page-1`, link `link-1`, both channels, CRM.
#[derive(Clone)]
pub struct Chunk {
    pub id: Uuid,
    pub payload: ChunkPayload,
}

impl Chunk {
    pub fn new(company: &CompanyId, path: &str, text: &str) -> Self {
        Self {
            id: Uuid::new_v4(),
            payload: ChunkPayload {
                company_id: company.clone(),
                page_id: PageId::from("page-1"),
                channels: Channel::ALL.to_vec(),
                source: Source::Crm,
                source_url: "https://crm.example.si/api/customers".into(),
                link_id: LinkId::from("link-1"),
                link_name: "Customers".into(),
                path: path.into(),
                text: text.into(),
                content_hash: format!("{:064x}", lexical::term_id(text)),
                fetched_at: Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, 0).unwrap(),
                private: false,
            },
        }
    }

    pub fn page(mut self, page: &str) -> Self {
        self.payload.page_id = PageId::from(page);
        self
    }

    pub fn channels(mut self, channels: &[Channel]) -> Self {
        self.payload.channels = channels.to_vec();
        self
    }

    pub fn link(mut self, link: &str) -> Self {
        self.payload.link_id = LinkId::from(link);
        self
    }

    pub fn source(mut self, source: Source) -> Self {
        self.payload.source = source;
        self
    }

    pub fn private(mut self) -> Self {
        self.payload.private = true;
        self
    }

    pub fn with_id(mut self, id: Uuid) -> Self {
        self.id = id;
        self
    }

    pub fn indexed(&self) -> IndexedChunk {
        IndexedChunk {
            id: self.id,
            vector: embed(&self.payload.text),
            payload: self.payload.clone(),
        }
    }
}

pub async fn upsert(harness: &Harness, chunks: &[&Chunk]) {
    harness
        .index
        .upsert(chunks.iter().map(|c| c.indexed()).collect())
        .await
        .expect("upsert works");
}

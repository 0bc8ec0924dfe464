//! The read side of retrieval: hybrid search for a page and channel, and what the dashboard
//! shows about each link's indexed documents.

use super::Retrieval;
use super::index::{ChunkFilter, Hit, IndexError, SearchQuery, Source};
use super::lexical;
use super::sync::active_channels;
use crate::domain::{Channel, CompanyId, CrmLinkType, LinkId, Page, SyncRun};
use crate::store::{StoreError, SyncRunQuery};
use serde::Serialize;

/// How many hits a search returns at most, whatever is asked.
pub const MAX_K: usize = 50;
/// Chunks shown per link in the documents view.
const SAMPLES: usize = 3;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error("the embedding model failed: {0}")]
    Embed(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A search hit as the dashboard and the reply worker see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SearchHit {
    pub text: String,
    pub score: f32,
    pub source: Source,
    pub link_name: String,
    pub source_url: String,
    pub path: String,
    /// Personal or confidential (Metakocka partners, sales documents): never in a public
    /// comment reply.
    pub private: bool,
}

impl From<Hit> for SearchHit {
    fn from(hit: Hit) -> Self {
        Self {
            text: hit.payload.text,
            score: hit.score,
            source: hit.payload.source,
            link_name: hit.payload.link_name,
            source_url: hit.payload.source_url,
            path: hit.payload.path,
            private: hit.payload.private,
        }
    }
}

/// One link's place in retrieval, for `GET /api/dashboard/rag/documents/details`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LinkDocuments {
    pub link_id: LinkId,
    pub name: String,
    pub url: String,
    #[serde(rename = "type")]
    pub link_type: CrmLinkType,
    /// The channels on which the link is active (its chunks answer there).
    pub channels: Vec<Channel>,
    pub is_active: bool,
    /// `indexed`, `never_synced`, `failing`, `not_supported` or `inactive`.
    pub status: &'static str,
    pub chunk_count: u64,
    pub last_run: Option<SyncRun>,
    pub samples: Vec<Sample>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Sample {
    pub path: String,
    pub text: String,
}

impl Retrieval {
    /// The page's best chunks for `text` on `channel`, best first.
    pub async fn search(
        &self,
        filter: ChunkFilter,
        text: &str,
        k: usize,
    ) -> Result<Vec<SearchHit>, SearchError> {
        let embedder = self.inner.pipeline.embedder.clone();
        let query_text = text.to_owned();
        let vector = tokio::task::spawn_blocking(move || embedder.embed_query(&query_text))
            .await
            .map_err(|e| SearchError::Embed(e.to_string()))?
            .map_err(|e| SearchError::Embed(format!("{e:#}")))?;
        let k = k.clamp(1, MAX_K);
        let wanted = identifiers(text);
        let query = SearchQuery {
            filter,
            text: text.to_owned(),
            vector,
            // With an identifier in the question, look deeper: the chunk that holds it may
            // rank low on meaning (one order reads much like another).
            limit: if wanted.is_empty() {
                k
            } else {
                (k * 4).max(20)
            },
        };
        let mut hits = self.inner.pipeline.index.search(&query).await?;
        if !wanted.is_empty() {
            // Stable: among chunks that hold every identifier, and among the rest, the fused
            // order stays.
            hits.sort_by_key(|hit| !holds_all(&hit.payload.text, &wanted));
        }
        hits.truncate(k);
        Ok(hits.into_iter().map(SearchHit::from).collect())
    }

    /// Every CRM link of the page with its chunk count, last run and a few chunks.
    pub async fn link_documents(
        &self,
        company: &CompanyId,
        page: &Page,
    ) -> Result<Vec<LinkDocuments>, SearchError> {
        let mut seen: Vec<LinkId> = Vec::new();
        let mut documents = Vec::new();
        for link in page.all_links() {
            if seen.contains(&link.id) {
                continue;
            }
            seen.push(link.id.clone());
            let channels = active_channels(page, &link.id);
            let stored = self
                .inner
                .pipeline
                .index
                .list_link(company, &link.id)
                .await?;
            let last_run = self
                .inner
                .store
                .list_sync_runs(&SyncRunQuery {
                    company_id: company.clone(),
                    page_id: Some(page.page_id.clone()),
                    link_id: Some(link.id.clone()),
                    limit: 1,
                })
                .await?
                .pop();
            documents.push(LinkDocuments {
                link_id: link.id.clone(),
                name: link.name.clone(),
                url: link.url.clone(),
                link_type: link.link_type,
                is_active: !channels.is_empty(),
                status: status(!channels.is_empty(), stored.len(), last_run.as_ref()),
                channels,
                chunk_count: stored.len() as u64,
                samples: stored
                    .into_iter()
                    .take(SAMPLES)
                    .map(|c| Sample {
                        path: c.path,
                        text: c.text,
                    })
                    .collect(),
                last_run,
            });
        }
        Ok(documents)
    }
}

/// The identifiers a question quotes: order and invoice numbers, product codes, emails,
/// tracking numbers — terms with a digit or an `@`, at least four characters long. A chunk
/// that holds them answers the question whatever the embedding thinks, so such chunks come
/// first (the product promise: exact words and codes are always found).
pub fn identifiers(text: &str) -> Vec<String> {
    let mut found: Vec<String> = lexical::terms(text)
        .into_iter()
        .filter(|t| t.chars().count() >= 4 && t.chars().any(|c| c.is_ascii_digit() || c == '@'))
        .collect();
    found.sort();
    found.dedup();
    // A code's parts (`2024`, `00123`) are terms of their own; the whole code is enough.
    let wholes: Vec<String> = found
        .iter()
        .filter(|t| t.contains(['-', '.', '@', '/', '_', '+', ',']))
        .cloned()
        .collect();
    found.retain(|t| wholes.contains(t) || !wholes.iter().any(|w| w.contains(t.as_str())));
    found
}

fn holds_all(text: &str, identifiers: &[String]) -> bool {
    let terms: std::collections::HashSet<String> = lexical::terms(text).into_iter().collect();
    identifiers.iter().all(|id| terms.contains(id))
}

fn status(active: bool, chunks: usize, last_run: Option<&SyncRun>) -> &'static str {
    use crate::domain::SyncOutcome;
    match (active, last_run.map(|r| r.outcome)) {
        (false, _) => "inactive",
        (true, None) if chunks == 0 => "never_synced",
        (true, Some(SyncOutcome::Failed)) => "failing",
        (true, Some(SyncOutcome::NotSupported)) => "not_supported",
        _ => "indexed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_codes_numbers_and_emails_whole() {
        assert_eq!(
            identifiers("What's the status of order 2024-00123?"),
            vec!["2024-00123"]
        );
        assert_eq!(
            identifiers("Ali imate SKU-44-G v velikosti 42?"),
            vec!["sku-44-g"]
        );
        assert_eq!(
            identifiers("email ana.novak@example.si, tracking SI482913705"),
            vec!["ana.novak@example.si", "si482913705"]
        );
        assert!(identifiers("kdaj ste odprti ob sobotah").is_empty());
    }

    #[test]
    fn a_chunk_holds_an_identifier_as_a_whole_term() {
        let ids = identifiers("order 2024-00123");
        assert!(holds_all("orders[0].number: 2024-00123", &ids));
        assert!(!holds_all("orders[1].number: 2024-001234", &ids));
    }
}

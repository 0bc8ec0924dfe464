//! The answers of the retrieval routes and the CRM links' sync runs.

use crate::domain::PageId;
use crate::domain::sync_run::SyncRun;
use crate::rag::index::Source;
use crate::rag::search::{LinkDocuments, SearchHit};
use serde::Serialize;
use utoipa::ToSchema;

/// `GET /api/dashboard/rag/search`: best first.
#[derive(Serialize, ToSchema)]
pub struct SearchAnswer {
    pub hits: Vec<SearchHit>,
}

/// `GET /api/dashboard/rag/documents/details`: each link's status, chunks and last run.
#[derive(Serialize, ToSchema)]
pub struct DocumentsAnswer {
    pub page_id: PageId,
    pub source: Source,
    pub total_chunks: u64,
    pub links: Vec<LinkDocuments>,
}

/// `GET /api/dashboard/crm-links/runs`: newest first.
#[derive(Serialize, ToSchema)]
pub struct RunsAnswer {
    pub page_id: PageId,
    pub runs: Vec<SyncRun>,
}

/// `POST /api/dashboard/crm-links/sync`: the runs it made.
#[derive(Serialize, ToSchema)]
pub struct SyncAnswer {
    pub message: String,
    pub page_id: PageId,
    pub runs: Vec<SyncRun>,
}

/// `POST /api/crm-links/webhook/{link_id}`: the run of the push.
#[derive(Serialize, ToSchema)]
pub struct PushAnswer {
    pub run: SyncRun,
}

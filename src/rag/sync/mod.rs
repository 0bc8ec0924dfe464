//! Keeping the index in line with the CRM links: runs, their records, and the link hooks.
//!
//! [`Retrieval::sync_link`] is the one way a link's chunks change: it takes the link's run
//! slot (at most one run per link at a time), fetches or takes the pushed body, applies it
//! through [`pipeline::Pipeline`], and writes a [`SyncRun`] whatever happened. The dashboard
//! calls [`Retrieval::reconcile_link`] after every link change; [`schedule`] refreshes
//! links on their interval.

pub mod pipeline;
pub mod schedule;

use super::Retrieval;
use crate::crm::Body;
use crate::domain::crm_link::HeaderSecret;
use crate::domain::{
    Channel, ChunkCounts, CompanyId, CrmLink, CrmLinkType, LinkId, Page, PageId, SyncOutcome,
    SyncRun, SyncTrigger,
};
use crate::rag::index::ChunkFilter;
use crate::store::StoreError;
use chrono::Utc;
use pipeline::{FetchStats, LinkTarget, SyncError};
use secrecy::SecretString;
use std::time::Instant;

/// Why a run could not start. A run that starts always ends in a [`SyncRun`].
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("page {0} is not registered for this company")]
    PageNotFound(PageId),
    #[error("no CRM link {0} on this page")]
    LinkNotFound(String),
    #[error("a sync of this link is already running")]
    AlreadyRunning,
    #[error("the link is not active on any channel")]
    Inactive,
    #[error(
        "webhook links receive their data at POST /api/crm-links/webhook/{0}; there is nothing to fetch"
    )]
    NothingToFetch(LinkId),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("a stored credential of the link cannot be opened: {0}")]
    Credentials(String),
}

/// A link's API key and custom headers, opened for one run.
type Credentials = (Option<SecretString>, Vec<(String, SecretString)>);

/// Releases a link's run slot when the run ends, however it ends.
struct RunSlot<'a> {
    retrieval: &'a Retrieval,
    link_id: LinkId,
}

impl Drop for RunSlot<'_> {
    fn drop(&mut self) {
        self.retrieval.inner.running.lock().remove(&self.link_id);
    }
}

impl Retrieval {
    /// Syncs every active link of the page, one after another; returns their runs.
    pub async fn sync_page(
        &self,
        company: &CompanyId,
        page_id: &PageId,
        trigger: SyncTrigger,
    ) -> Result<Vec<SyncRun>, StartError> {
        let page = self.page(company, page_id).await?;
        let mut runs = Vec::new();
        for link_id in active_link_ids(&page) {
            if is_pushed(&page, &link_id) {
                continue;
            }
            match self.sync_link(company, page_id, &link_id, trigger).await {
                Ok(run) => runs.push(run),
                Err(StartError::AlreadyRunning) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(runs)
    }

    /// Fetches one link and applies its data. Webhook links have nothing to fetch; database
    /// links are recorded as not supported.
    pub async fn sync_link(
        &self,
        company: &CompanyId,
        page_id: &PageId,
        link_id: &LinkId,
        trigger: SyncTrigger,
    ) -> Result<SyncRun, StartError> {
        let target = self.target(company, page_id, link_id).await?;
        if target.link.link_type == CrmLinkType::Webhook {
            return Err(StartError::NothingToFetch(link_id.clone()));
        }
        let _slot = self.take_slot(link_id)?;
        let started = (Utc::now(), Instant::now());
        let result = match self.inner.pipeline.fetch(&target).await {
            Ok(fetched) => {
                let stats = FetchStats {
                    bytes: fetched.bytes,
                    pages: fetched.pages,
                    complete: fetched.complete,
                };
                let applied = self
                    .inner
                    .pipeline
                    .apply(&target, fetched.body, fetched.complete, started.0)
                    .await;
                (stats, applied)
            }
            Err(e) => (FetchStats::default(), Err(e)),
        };
        Ok(self.record(&target, trigger, started, result).await)
    }

    /// Applies a body a CRM pushed to a webhook-type link (signature already checked).
    pub async fn ingest_push(
        &self,
        company: &CompanyId,
        page_id: &PageId,
        link_id: &LinkId,
        body: Body,
        bytes: u64,
    ) -> Result<SyncRun, StartError> {
        let target = self.target(company, page_id, link_id).await?;
        let _slot = self.take_slot(link_id)?;
        let started = (Utc::now(), Instant::now());
        let stats = FetchStats {
            bytes,
            pages: 1,
            complete: true,
        };
        let applied = self
            .inner
            .pipeline
            .apply(&target, body, true, started.0)
            .await;
        Ok(self
            .record(&target, SyncTrigger::Push, started, (stats, applied))
            .await)
    }

    /// Brings the index in line with the link as stored now: a link active on no channel
    /// (deactivated or deleted) leaves retrieval at once; an active one gets its channels
    /// updated and, when `fetch_now`, a run in the background.
    pub async fn reconcile_link(
        &self,
        company: &CompanyId,
        page_id: &PageId,
        link_id: &LinkId,
        fetch_now: bool,
    ) {
        // A webhook link is pushed to, never fetched: activating it waits for the CRM.
        let (channels, pushed) = match self.inner.store.get_page(company, page_id).await {
            Ok(Some(page)) => (active_channels(&page, link_id), is_pushed(&page, link_id)),
            Ok(None) => (Vec::new(), false),
            Err(e) => {
                tracing::warn!(error = %e, link = %link_id, "could not read the page to reconcile a link");
                return;
            }
        };
        let index = &self.inner.pipeline.index;
        if channels.is_empty() {
            let filter = ChunkFilter::company(company.clone()).link(link_id.clone());
            match index.delete_matching(&filter).await {
                Ok(removed) => {
                    tracing::info!(link = %link_id, removed, "CRM link left retrieval");
                }
                Err(e) => {
                    tracing::warn!(error = %e, link = %link_id, "could not remove a link's chunks")
                }
            }
            return;
        }
        if let Err(e) = index.set_link_channels(company, link_id, &channels).await {
            tracing::warn!(error = %e, link = %link_id, "could not update a link's channels");
        }
        if fetch_now && !pushed {
            let (this, company, page_id, link_id) = (
                self.clone(),
                company.clone(),
                page_id.clone(),
                link_id.clone(),
            );
            tokio::spawn(async move {
                let result = this
                    .sync_link(&company, &page_id, &link_id, SyncTrigger::LinkActivated)
                    .await;
                if let Err(e) = result {
                    tracing::info!(link = %link_id, reason = %e, "no sync on link activation");
                }
            });
        }
    }

    async fn page(&self, company: &CompanyId, page_id: &PageId) -> Result<Page, StartError> {
        self.inner
            .store
            .get_page(company, page_id)
            .await?
            .ok_or_else(|| StartError::PageNotFound(page_id.clone()))
    }

    async fn target(
        &self,
        company: &CompanyId,
        page_id: &PageId,
        link_id: &LinkId,
    ) -> Result<LinkTarget, StartError> {
        let page = self.page(company, page_id).await?;
        let link = page
            .all_links()
            .find(|l| &l.id == link_id)
            .cloned()
            .ok_or_else(|| StartError::LinkNotFound(link_id.to_string()))?;
        let channels = active_channels(&page, link_id);
        if channels.is_empty() {
            return Err(StartError::Inactive);
        }
        let (api_key, headers) = self.unseal(&link)?;
        Ok(LinkTarget {
            company_id: company.clone(),
            page_id: page_id.clone(),
            link,
            channels,
            api_key,
            headers,
        })
    }

    /// The link's credentials in plain text, for this run only.
    fn unseal(&self, link: &CrmLink) -> Result<Credentials, StartError> {
        let cipher = &self.inner.cipher;
        let open = |sealed| {
            cipher
                .open(sealed)
                .map_err(|e| StartError::Credentials(e.to_string()))
        };
        let api_key = link.api_key.as_ref().map(open).transpose()?;
        let headers = link
            .headers
            .iter()
            .map(|h| {
                let value = match &h.value {
                    HeaderSecret::Plain(v) => SecretString::from(v.clone()),
                    HeaderSecret::Sealed(sealed) => open(sealed)?,
                };
                Ok((h.name.clone(), value))
            })
            .collect::<Result<_, StartError>>()?;
        Ok((api_key, headers))
    }

    fn take_slot(&self, link_id: &LinkId) -> Result<RunSlot<'_>, StartError> {
        if !self.inner.running.lock().insert(link_id.clone()) {
            return Err(StartError::AlreadyRunning);
        }
        Ok(RunSlot {
            retrieval: self,
            link_id: link_id.clone(),
        })
    }

    /// Writes the run record and the guide's log lines; a failed write is logged, not lost
    /// silently, and never fails the run.
    async fn record(
        &self,
        target: &LinkTarget,
        trigger: SyncTrigger,
        (started_at, clock): (chrono::DateTime<Utc>, Instant),
        (stats, result): (FetchStats, Result<ChunkCounts, SyncError>),
    ) -> SyncRun {
        let link = &target.link;
        let (outcome, chunks, error) = match result {
            Ok(chunks) => (SyncOutcome::Succeeded, chunks, None),
            Err(e) => {
                let outcome = if e.kind() == "not_supported" {
                    SyncOutcome::NotSupported
                } else {
                    SyncOutcome::Failed
                };
                let error = (e.kind(), e.status_code(), e.to_string());
                (outcome, ChunkCounts::default(), Some(error))
            }
        };
        let run = SyncRun {
            id: SyncRun::new_id(),
            company_id: target.company_id.clone(),
            page_id: target.page_id.clone(),
            link_id: link.id.clone(),
            link_name: link.name.clone(),
            url: link.url.clone(),
            trigger,
            outcome,
            error_kind: error.as_ref().map(|(kind, _, _)| (*kind).to_owned()),
            status_code: error.as_ref().and_then(|(_, status, _)| *status),
            error: error.map(|(_, _, reason)| reason),
            bytes_fetched: stats.bytes,
            pages_fetched: stats.pages,
            complete: stats.complete,
            chunks,
            started_at,
            finished_at: Utc::now(),
            duration_ms: u64::try_from(clock.elapsed().as_millis()).unwrap_or(u64::MAX),
        };
        match run.outcome {
            SyncOutcome::Succeeded => tracing::info!(
                link = %link.id, page = %target.page_id, new = chunks.new, changed = chunks.changed,
                unchanged = chunks.unchanged, deleted = chunks.deleted,
                "Stored {} embeddings from CRM data", chunks.embedded
            ),
            _ => tracing::warn!(
                link = %link.id, page = %target.page_id, kind = run.error_kind.as_deref(),
                status = run.status_code, reason = run.error.as_deref(),
                "CRM sync failed; the link's indexed data is unchanged"
            ),
        }
        metrics::counter!("crm_sync_runs_total", "outcome" => outcome_label(run.outcome))
            .increment(1);
        metrics::counter!("crm_sync_embeddings_total").increment(u64::from(chunks.embedded));
        if let Err(e) = self.inner.store.insert_sync_run(&run).await {
            tracing::error!(error = %e, link = %link.id, "could not store a sync run record");
        }
        run
    }
}

fn outcome_label(outcome: SyncOutcome) -> &'static str {
    match outcome {
        SyncOutcome::Succeeded => "succeeded",
        SyncOutcome::Failed => "failed",
        SyncOutcome::NotSupported => "not_supported",
    }
}

/// The channels whose lists hold an active copy of the link.
pub fn active_channels(page: &Page, link_id: &LinkId) -> Vec<Channel> {
    Channel::ALL
        .into_iter()
        .filter(|&channel| {
            page.links(channel)
                .iter()
                .any(|l| &l.id == link_id && l.is_active)
        })
        .collect()
}

/// Each link active on at least one channel, once, in the page's order.
pub fn active_link_ids(page: &Page) -> Vec<LinkId> {
    let mut ids: Vec<LinkId> = Vec::new();
    for link in Channel::ALL.into_iter().flat_map(|c| page.links(c)) {
        if link.is_active && !ids.contains(&link.id) {
            ids.push(link.id.clone());
        }
    }
    ids
}

/// Whether the link is a webhook link: its CRM pushes data, crm-mind never fetches it.
fn is_pushed(page: &Page, link_id: &LinkId) -> bool {
    page.all_links()
        .any(|l| &l.id == link_id && l.link_type == CrmLinkType::Webhook)
}

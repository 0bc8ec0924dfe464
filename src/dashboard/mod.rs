//! The rules behind the dashboard API: registering pages and managing their CRM links.
//!
//! Every operation is scoped to the caller's company. A change loads the page, applies one of
//! [`crate::domain::Page`]'s methods and saves it with optimistic concurrency, retrying when
//! another request saved the same page in between, so concurrent edits never lose a link.

mod crm_links;
mod pages;

use crate::domain::{Channel, CompanyId, FieldError, Page, PageId};
use crate::rag::Retrieval;
use crate::secrets::Cipher;
use crate::store::{DynStore, StoreError};

pub use crm_links::{AddedLink, LinkChange, NewCrmLink};
pub use pages::parse_page_id;

#[derive(Debug, thiserror::Error)]
pub enum DashboardError {
    #[error(transparent)]
    Invalid(#[from] FieldError),
    #[error("page {0} is not registered for this company")]
    PageNotFound(PageId),
    #[error("page {0} is registered by another company")]
    PageTaken(PageId),
    #[error("a CRM link with the url {url} exists on the {channel} channel of this page")]
    LinkExists { url: String, channel: Channel },
    #[error("no CRM link with the url {url} exists on the given channels of this page")]
    LinkNotFound { url: String },
    #[error("the page is being changed by other requests; try again")]
    Contended,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Attempts of a load-change-save before giving up with [`DashboardError::Contended`].
const SAVE_ATTEMPTS: usize = 8;

#[derive(Clone)]
pub struct Dashboard {
    store: DynStore,
    cipher: Cipher,
    /// Told about every link change, so retrieval follows the links.
    retrieval: Option<Retrieval>,
}

impl Dashboard {
    pub fn new(store: DynStore, cipher: Cipher, retrieval: Option<Retrieval>) -> Self {
        Self {
            store,
            cipher,
            retrieval,
        }
    }

    pub async fn page(
        &self,
        company: &CompanyId,
        page_id: &PageId,
    ) -> Result<Page, DashboardError> {
        self.store
            .get_page(company, page_id)
            .await?
            .ok_or_else(|| DashboardError::PageNotFound(page_id.clone()))
    }

    /// Opens a sealed secret of the company's records (a webhook link's signing secret).
    pub fn open_secret(
        &self,
        sealed: &crate::domain::Sealed,
    ) -> Result<secrecy::SecretString, crate::secrets::CipherError> {
        self.cipher.open(sealed)
    }

    /// Loads the page, applies `change`, and saves it if nobody saved in between (else retries).
    async fn update_page<T>(
        &self,
        company: &CompanyId,
        page_id: &PageId,
        mut change: impl FnMut(&mut Page) -> Result<T, DashboardError>,
    ) -> Result<T, DashboardError> {
        for _ in 0..SAVE_ATTEMPTS {
            let mut page = self.page(company, page_id).await?;
            let outcome = change(&mut page)?;
            if self.store.save_page(&page).await? {
                return Ok(outcome);
            }
        }
        Err(DashboardError::Contended)
    }
}

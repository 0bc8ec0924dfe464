//! Adding, toggling and deleting CRM links, as the product's CRM integration guide defines.

use super::{Dashboard, DashboardError};
use crate::domain::crm_link::{HeaderSecret, LinkHeader, is_credential_header};
use crate::domain::{Channel, CompanyId, CrmLink, CrmLinkDraft, LinkId, Page, PageId};
use chrono::Utc;
use secrecy::ExposeSecret;

/// A link to add to a page: the checked draft and the page it goes to.
pub struct NewCrmLink {
    pub page_id: PageId,
    pub draft: CrmLinkDraft,
}

impl Dashboard {
    pub async fn add_crm_link(
        &self,
        company: &CompanyId,
        new: NewCrmLink,
    ) -> Result<CrmLink, DashboardError> {
        let link = self.seal_link(new.draft);
        self.update_page(company, &new.page_id, |page| {
            page.add_link(link.clone())
                .map_err(|dup| DashboardError::LinkExists {
                    url: link.url.clone(),
                    channel: dup.channel,
                })?;
            Ok(link.clone())
        })
        .await
    }

    /// Sets `is_active` on the link with `url` in each channel; returns how many entries changed.
    pub async fn set_crm_link_status(
        &self,
        company: &CompanyId,
        page_id: &PageId,
        url: &str,
        channels: &[Channel],
        is_active: bool,
    ) -> Result<usize, DashboardError> {
        self.update_page(company, page_id, |page| {
            match page.set_link_status(url, channels, is_active, Utc::now()) {
                0 => Err(DashboardError::LinkNotFound {
                    url: url.to_owned(),
                }),
                n => Ok(n),
            }
        })
        .await
    }

    pub async fn delete_crm_link(
        &self,
        company: &CompanyId,
        page_id: &PageId,
        url: &str,
        channels: &[Channel],
    ) -> Result<usize, DashboardError> {
        self.update_page(company, page_id, |page| {
            match page.remove_link(url, channels, Utc::now()) {
                0 => Err(DashboardError::LinkNotFound {
                    url: url.to_owned(),
                }),
                n => Ok(n),
            }
        })
        .await
    }

    /// The company's name and all its pages, for `GET /api/dashboard/crm-links/all`.
    pub async fn all_crm_links(
        &self,
        company: &CompanyId,
    ) -> Result<(String, Vec<Page>), DashboardError> {
        let name = self
            .store
            .get_company(company)
            .await?
            .map(|c| c.name)
            .unwrap_or_default();
        Ok((name, self.store.list_pages(company).await?))
    }

    fn seal_link(&self, draft: CrmLinkDraft) -> CrmLink {
        let now = Utc::now();
        let headers = draft
            .headers
            .into_iter()
            .map(|(name, value)| {
                let value = if is_credential_header(&name) {
                    HeaderSecret::Sealed(self.cipher.seal(value.expose_secret()))
                } else {
                    HeaderSecret::Plain(value.expose_secret().to_owned())
                };
                LinkHeader { name, value }
            })
            .collect();
        CrmLink {
            id: LinkId::generate(),
            name: draft.name,
            url: draft.url,
            link_type: draft.link_type,
            channels: draft.channels,
            api_key: draft
                .api_key
                .filter(|k| !k.expose_secret().is_empty())
                .map(|k| self.cipher.seal(k.expose_secret())),
            headers,
            description: draft.description,
            is_active: draft.is_active,
            created_at: now,
            updated_at: now,
        }
    }
}

//! Adding, toggling and deleting CRM links, as the product's CRM integration guide defines.

use super::{Dashboard, DashboardError};
use crate::domain::crm_link::{HeaderSecret, LinkHeader, is_credential_header};
use crate::domain::{Channel, CompanyId, CrmLink, CrmLinkDraft, CrmLinkType, LinkId, Page, PageId};
use chrono::Utc;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};

/// A link to add to a page: the checked draft and the page it goes to.
pub struct NewCrmLink {
    pub page_id: PageId,
    pub draft: CrmLinkDraft,
}

/// A link as added: the stored link and, for a webhook link, its signing secret in plain
/// text. The secret is shown once, in the response to the add; only its sealed form is kept.
pub struct AddedLink {
    pub link: CrmLink,
    pub webhook_secret: Option<SecretString>,
}

/// What a status change or a delete touched: how many list entries, and which links.
pub struct LinkChange {
    pub count: usize,
    pub link_ids: Vec<LinkId>,
}

impl Dashboard {
    pub async fn add_crm_link(
        &self,
        company: &CompanyId,
        new: NewCrmLink,
    ) -> Result<AddedLink, DashboardError> {
        let webhook_secret =
            (new.draft.link_type == CrmLinkType::Webhook).then(generate_webhook_secret);
        let mut link = self.seal_link(new.draft);
        link.webhook_secret = webhook_secret
            .as_ref()
            .map(|secret| self.cipher.seal(secret.expose_secret()));
        let link = self
            .update_page(company, &new.page_id, |page| {
                page.add_link(link.clone())
                    .map_err(|dup| DashboardError::LinkExists {
                        url: link.url.clone(),
                        channel: dup.channel,
                    })?;
                Ok(link.clone())
            })
            .await?;
        if let Some(retrieval) = &self.retrieval {
            // An active link is fetched at once; the response does not wait for it.
            retrieval
                .reconcile_link(company, &new.page_id, &link.id, link.is_active)
                .await;
        }
        Ok(AddedLink {
            link,
            webhook_secret,
        })
    }

    /// Sets `is_active` on the link with `url` in each channel. Activating starts a sync;
    /// deactivating takes the link's chunks out of retrieval at once.
    pub async fn set_crm_link_status(
        &self,
        company: &CompanyId,
        page_id: &PageId,
        url: &str,
        channels: &[Channel],
        is_active: bool,
    ) -> Result<LinkChange, DashboardError> {
        self.change_link(company, page_id, url, is_active, |page| {
            page.set_link_status(url, channels, is_active, Utc::now())
        })
        .await
    }

    /// Deletes the link's entries on the given channels; a link left on no channel leaves
    /// retrieval with its chunks.
    pub async fn delete_crm_link(
        &self,
        company: &CompanyId,
        page_id: &PageId,
        url: &str,
        channels: &[Channel],
    ) -> Result<LinkChange, DashboardError> {
        self.change_link(company, page_id, url, false, |page| {
            page.remove_link(url, channels, Utc::now())
        })
        .await
    }

    /// Applies `change` (which returns how many entries it changed) to the links with `url`,
    /// then tells retrieval, fetching at once when `fetch_now`.
    async fn change_link(
        &self,
        company: &CompanyId,
        page_id: &PageId,
        url: &str,
        fetch_now: bool,
        change: impl Fn(&mut Page) -> usize,
    ) -> Result<LinkChange, DashboardError> {
        let change = self
            .update_page(company, page_id, |page| {
                let link_ids = link_ids_with_url(page, url);
                match change(page) {
                    0 => Err(DashboardError::LinkNotFound {
                        url: url.to_owned(),
                    }),
                    count => Ok(LinkChange { count, link_ids }),
                }
            })
            .await?;
        self.reconcile(company, page_id, &change.link_ids, fetch_now)
            .await;
        Ok(change)
    }

    async fn reconcile(
        &self,
        company: &CompanyId,
        page_id: &PageId,
        link_ids: &[LinkId],
        fetch_now: bool,
    ) {
        if let Some(retrieval) = &self.retrieval {
            for link_id in link_ids {
                retrieval
                    .reconcile_link(company, page_id, link_id, fetch_now)
                    .await;
            }
        }
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
            webhook_secret: None,
            refresh_minutes: draft.refresh_minutes,
        }
    }
}

fn link_ids_with_url(page: &Page, url: &str) -> Vec<LinkId> {
    let mut ids: Vec<LinkId> = Vec::new();
    for link in page.all_links().filter(|l| l.has_url(url)) {
        if !ids.contains(&link.id) {
            ids.push(link.id.clone());
        }
    }
    ids
}

/// 32 random bytes, hex, with a prefix that tells what it is when it turns up in a config.
fn generate_webhook_secret() -> SecretString {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    SecretString::from(format!("whsec_{}", hex::encode(bytes)))
}

//! Registering, listing and removing Facebook pages.

use super::{Dashboard, DashboardError};
use crate::domain::reply::CommentPolicy;
use crate::domain::{CompanyId, FieldError, Page, PageId};
use crate::store::StoreError;
use chrono::Utc;
use secrecy::{ExposeSecret, SecretString};

const MAX_PAGE_ID_CHARS: usize = 64;

impl Dashboard {
    /// Registers a page, or for a page the company already has, renews its name and token.
    /// Returns the page and whether it was new.
    pub async fn register_page(
        &self,
        company: &CompanyId,
        page_id: &str,
        page_name: &str,
        access_token: &SecretString,
    ) -> Result<(Page, bool), DashboardError> {
        let page_id = parse_page_id(page_id)?;
        let page_name = page_name.trim();
        if page_name.is_empty() {
            return Err(FieldError::new("page_name", "must not be empty").into());
        }
        let token = access_token.expose_secret().trim();
        if token.is_empty() {
            return Err(FieldError::new("access_token", "must not be empty").into());
        }
        if self.store.get_page(company, &page_id).await?.is_some() {
            let page = self
                .update_page(company, &page_id, |page| {
                    page.page_name = page_name.to_owned();
                    page.access_token = self.cipher.seal(token);
                    // A new token is the reconnect the admin was asked for (Graph code 190).
                    page.reply.token_invalid_at = None;
                    page.updated_at = Utc::now();
                    Ok(page.clone())
                })
                .await?;
            return Ok((page, false));
        }
        let page = Page::new(
            company.clone(),
            page_id.clone(),
            page_name.to_owned(),
            self.cipher.seal(token),
        );
        match self.store.insert_page(&page).await {
            Ok(()) => Ok((page, true)),
            Err(StoreError::Conflict(_)) => Err(DashboardError::PageTaken(page_id)),
            Err(e) => Err(e.into()),
        }
    }

    /// Changes how the bot answers on the page; `None` leaves a setting as it is.
    pub async fn update_reply_settings(
        &self,
        company: &CompanyId,
        page_id: &PageId,
        comment_policy: Option<CommentPolicy>,
        answer_comment_replies: Option<bool>,
    ) -> Result<Page, DashboardError> {
        self.update_page(company, page_id, |page| {
            if let Some(policy) = comment_policy {
                page.reply.comment_policy = policy;
            }
            if let Some(answer) = answer_comment_replies {
                page.reply.answer_comment_replies = answer;
            }
            page.updated_at = Utc::now();
            Ok(page.clone())
        })
        .await
    }

    pub async fn list_pages(&self, company: &CompanyId) -> Result<Vec<Page>, DashboardError> {
        Ok(self.store.list_pages(company).await?)
    }

    pub async fn delete_page(
        &self,
        company: &CompanyId,
        page_id: &str,
    ) -> Result<(), DashboardError> {
        let page_id = PageId::from(page_id);
        if self.store.delete_page(company, &page_id).await? {
            Ok(())
        } else {
            Err(DashboardError::PageNotFound(page_id))
        }
    }
}

/// A page id as a client sends it: non-empty, short, no spaces.
pub fn parse_page_id(value: &str) -> Result<PageId, FieldError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(FieldError::new("page_id", "must not be empty"));
    }
    // A page id goes into URL paths (`/api/dashboard/pages/{page_id}`): characters a path
    // would decode or split (`%`, `/`, `?`, `#`) would name another page there.
    if value.chars().count() > MAX_PAGE_ID_CHARS
        || value
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '%' | '/' | '?' | '#'))
    {
        return Err(FieldError::new(
            "page_id",
            format!("must be at most {MAX_PAGE_ID_CHARS} characters without spaces, %, /, ? or #"),
        ));
    }
    Ok(PageId::from(value))
}

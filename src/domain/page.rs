//! A Facebook page registered by a company, with its CRM links per channel.
//!
//! The link rules of the product guide live here as plain methods, so both store engines
//! share them: a store only loads and saves a whole page (with a version for optimistic
//! concurrency), it never decides what a link change means.

use super::reply::ReplySettings;
use super::{Channel, CompanyId, CrmLink, PageId, Sealed};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page {
    pub company_id: CompanyId,
    pub page_id: PageId,
    pub page_name: String,
    pub access_token: Sealed,
    pub facebook_crm_links: Vec<CrmLink>,
    pub messenger_crm_links: Vec<CrmLink>,
    /// Links from before links had channels; kept and shown, never created any more.
    pub legacy_crm_links: Vec<CrmLink>,
    /// How the bot answers on this page (comment policy, token state).
    #[serde(default)]
    pub reply: ReplySettings,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Bumped by every save; a save with a stale version is refused by the store.
    pub version: i64,
}

/// Adding a link whose URL the page already has on a channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateLink {
    pub channel: Channel,
}

impl Page {
    pub fn new(
        company_id: CompanyId,
        page_id: PageId,
        page_name: String,
        access_token: Sealed,
    ) -> Self {
        let now = Utc::now();
        Self {
            company_id,
            page_id,
            page_name,
            access_token,
            facebook_crm_links: Vec::new(),
            messenger_crm_links: Vec::new(),
            legacy_crm_links: Vec::new(),
            reply: ReplySettings::default(),
            created_at: now,
            updated_at: now,
            version: 0,
        }
    }

    pub fn links(&self, channel: Channel) -> &[CrmLink] {
        match channel {
            Channel::Facebook => &self.facebook_crm_links,
            Channel::Messenger => &self.messenger_crm_links,
        }
    }

    fn links_mut(&mut self, channel: Channel) -> &mut Vec<CrmLink> {
        match channel {
            Channel::Facebook => &mut self.facebook_crm_links,
            Channel::Messenger => &mut self.messenger_crm_links,
        }
    }

    /// Every stored link entry: the channel lists, then the legacy list.
    pub fn all_links(&self) -> impl Iterator<Item = &CrmLink> {
        self.facebook_crm_links
            .iter()
            .chain(&self.messenger_crm_links)
            .chain(&self.legacy_crm_links)
    }

    /// Stores a copy of `link` under each of its channels; refuses if any of them has the URL.
    pub fn add_link(&mut self, link: CrmLink) -> Result<(), DuplicateLink> {
        if let Some(&channel) = link
            .channels
            .iter()
            .find(|&&channel| self.links(channel).iter().any(|l| l.has_url(&link.url)))
        {
            return Err(DuplicateLink { channel });
        }
        for &channel in &link.channels {
            self.links_mut(channel).push(link.clone());
        }
        self.updated_at = link.updated_at;
        Ok(())
    }

    /// Sets `is_active` on the link with `url` in each named channel; returns how many entries
    /// matched (an entry already in the wanted state still counts: the caller asked for a state).
    pub fn set_link_status(
        &mut self,
        url: &str,
        channels: &[Channel],
        is_active: bool,
        now: DateTime<Utc>,
    ) -> usize {
        let mut updated = 0;
        for &channel in channels {
            for link in self
                .links_mut(channel)
                .iter_mut()
                .filter(|l| l.has_url(url))
            {
                link.is_active = is_active;
                link.updated_at = now;
                updated += 1;
            }
        }
        if updated > 0 {
            self.updated_at = now;
        }
        updated
    }

    /// Removes the link with `url` from each named channel; returns how many entries went.
    pub fn remove_link(&mut self, url: &str, channels: &[Channel], now: DateTime<Utc>) -> usize {
        let mut deleted = 0;
        for &channel in channels {
            let links = self.links_mut(channel);
            let before = links.len();
            links.retain(|l| !l.has_url(url));
            deleted += before - links.len();
        }
        if deleted > 0 {
            self.updated_at = now;
        }
        deleted
    }

    pub fn active_count(&self) -> usize {
        self.all_links().filter(|l| l.is_active).count()
    }

    pub fn inactive_count(&self) -> usize {
        self.all_links().filter(|l| !l.is_active).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{CrmLinkType, LinkId};

    fn page() -> Page {
        Page::new(
            "c1".into(),
            "p1".into(),
            "Shop".into(),
            Sealed::from_stored("x".into()),
        )
    }

    fn link(url: &str, channels: &[Channel]) -> CrmLink {
        let now = Utc::now();
        CrmLink {
            id: LinkId::generate(),
            name: "CRM".into(),
            url: url.into(),
            link_type: CrmLinkType::Api,
            channels: channels.to_vec(),
            api_key: None,
            headers: vec![],
            description: None,
            is_active: true,
            created_at: now,
            updated_at: now,
            webhook_secret: None,
            refresh_minutes: None,
        }
    }

    #[test]
    fn a_link_for_two_channels_is_in_both_lists_and_deleted_from_both() {
        let mut page = page();
        page.add_link(link("https://crm.example/a", &Channel::ALL))
            .unwrap();
        assert_eq!(page.facebook_crm_links.len(), 1);
        assert_eq!(page.messenger_crm_links.len(), 1);
        assert_eq!(
            page.remove_link("https://crm.example/a", &Channel::ALL, Utc::now()),
            2
        );
        assert_eq!(page.all_links().count(), 0);
    }

    #[test]
    fn the_same_url_twice_on_a_channel_is_refused_without_partial_change() {
        let mut page = page();
        page.add_link(link("https://crm.example/a", &[Channel::Messenger]))
            .unwrap();
        let err = page
            .add_link(link("https://crm.example/a", &Channel::ALL))
            .unwrap_err();
        assert_eq!(err.channel, Channel::Messenger);
        assert!(page.facebook_crm_links.is_empty(), "nothing half-added");
    }

    #[test]
    fn status_changes_only_the_named_channel() {
        let mut page = page();
        page.add_link(link("https://crm.example/a", &Channel::ALL))
            .unwrap();
        assert_eq!(
            page.set_link_status(
                "https://crm.example/a",
                &[Channel::Facebook],
                false,
                Utc::now()
            ),
            1
        );
        assert!(!page.facebook_crm_links[0].is_active);
        assert!(page.messenger_crm_links[0].is_active);
        assert_eq!((page.active_count(), page.inactive_count()), (1, 1));
    }
}

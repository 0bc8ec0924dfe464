//! Fetching a CRM link's data: the one place where crm-mind reaches out to a tenant-given URL.
//!
//! [`CrmFetcher::fetch`] turns a link (its URL, type, API key and custom headers) into one
//! [`Body`], or a [`FetchError`] whose `Display` is a short reason a user can act on and that
//! never carries a secret. What it owns:
//! * **outbound safety** ([`outbound`]): https only, and no address in loopback, private,
//!   link-local, unique-local, CGNAT or cloud-metadata ranges, checked on the address that is
//!   actually connected to and again on every redirect; `allow_private_networks` lifts both;
//! * **pagination** (`pagination`): an RFC 8288 `Link: <..>; rel="next"` header, or a
//!   next-page URL in the body, up to `max_pages`, stopping on a loop;
//! * **retries** (`retry`): a 429 is retried with exponential backoff and jitter, honouring
//!   `Retry-After`; every other failure is reported at once, since the scheduler tries again on
//!   its next run anyway;
//! * **limits** (`body`): a timeout per request and a size limit over all pages together,
//!   enforced while streaming so no more than the limit is ever held in memory;
//! * **files** (`file_source`): `file://` links read only inside the operator's `file_root`.
//!
//! # How pages become one document
//! The rest of the pipeline flattens one document per link, so pages are merged:
//! * every page a JSON array: the arrays are concatenated;
//! * pages that are JSON objects: the first page is the document; each array at the top level of
//!   a later page is appended to the array of the same name in it (`data`, `customers`,
//!   `results`, `items`, ...), and the rest of a later page (its page number, cursors) is
//!   dropped;
//! * text pages are joined with a newline.
//!
//! Pagination fields would only pollute the knowledge ("next: https://..." is no fact about a
//! customer), so they are removed from the top level of the document:
//! * more than one page: `next`, `next_page_url`, `nextRecordsUrl`, `paging`, `links`, and the
//!   per-page fields (`meta`, `page`, `current_page`, `per_page`, `last_page`, `from`, `to`,
//!   `previous`, ...), whose first-page values would be wrong for the merged whole; `total` and
//!   `count` stay, as they describe the whole;
//! * a single page: only `next`, `next_page_url`, `nextRecordsUrl`, `paging` and `links`, and
//!   only when they have the shape of pagination (a string or null; an object with
//!   next/previous/first/last/cursors entries; Laravel's list of `{url, label}` page links),
//!   since a lone document may well use those words for data.
//!
//! A page whose shape differs from the first (an array after objects) ends pagination with
//! `complete = false` rather than guess.

mod body;
mod error;
mod fetch;
mod file_source;
pub mod outbound;
mod pagination;
mod retry;

pub use body::{Body, parse_body};
pub use error::FetchError;
pub use fetch::CrmFetcher;
pub use outbound::OutboundPolicy;

use crate::domain::CrmLinkType;
use secrecy::SecretString;
use serde::Deserialize;
use std::path::PathBuf;

/// The fetcher's tunables. Every field has a default, so any subset may be configured.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct FetchSettings {
    /// Per request (each page, each retry), from connecting to the last body byte.
    pub timeout_secs: u64,
    pub max_pages: u32,
    /// Over all pages of one fetch together.
    pub max_body_bytes: u64,
    /// Development and tests only: lifts both the https-only rule and the address rules.
    pub allow_private_networks: bool,
    /// The directory `file://` links may read from; `None` refuses every `file://` link.
    pub file_root: Option<PathBuf>,
    /// How many times a 429 answer is retried before the fetch fails with `RateLimited`.
    pub max_retries: u32,
    /// The first backoff after a 429 without `Retry-After`; it doubles with each retry.
    pub retry_base_ms: u64,
    /// A `Retry-After` longer than this is not waited for: the fetch fails at once and the
    /// next scheduled run tries again.
    pub max_retry_after_secs: u64,
}

impl Default for FetchSettings {
    fn default() -> Self {
        Self {
            timeout_secs: 30,
            max_pages: 100,
            max_body_bytes: 50 * 1024 * 1024,
            allow_private_networks: false,
            file_root: None,
            max_retries: 4,
            retry_base_ms: 500,
            max_retry_after_secs: 120,
        }
    }
}

/// What to fetch: a link's URL, type and credentials. Borrowed, so a caller keeps ownership
/// of the unsealed secrets and drops them right after the fetch.
#[derive(Debug, Clone, Copy)]
pub struct FetchRequest<'a> {
    pub url: &'a str,
    pub link_type: CrmLinkType,
    /// Sent as `Authorization: Bearer <key>`.
    pub api_key: Option<&'a SecretString>,
    /// The link's custom headers, sent as given.
    pub headers: &'a [(String, SecretString)],
}

/// A link's data, all pages merged into one document.
#[derive(Debug, Clone, PartialEq)]
pub struct Fetched {
    pub body: Body,
    /// Body bytes over all pages, as received.
    pub bytes: u64,
    pub pages: u32,
    /// `false` when `max_pages` cut pagination short, a next link pointed at a page already
    /// fetched, or a page could not be merged with the first: the data is a prefix.
    pub complete: bool,
}

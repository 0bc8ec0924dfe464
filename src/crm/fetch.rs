//! [`CrmFetcher`]: one link's fetch, from the first request to the merged document.
//!
//! Redirects are followed here rather than by reqwest, for two reasons: every hop's URL goes
//! through the outbound guard, and the link's API key and custom headers go only to the
//! link's own origin (scheme, host and port). reqwest drops `Authorization` and `Cookie` on a
//! cross-host redirect but not custom headers such as `X-API-Key` or `X-Shopify-Access-Token`,
//! which the guide's links use. The same origin rule applies to next-page URLs, so a CRM cannot
//! steer the key to another host. All custom headers are held back, not only credential-like
//! names: a name-based guess that misses one would leak it.

use super::body::{Budget, read_within};
use super::outbound::{GuardedResolver, OutboundPolicy, OutboundRefusal};
use super::pagination::{PageMerger, next_page};
use super::retry::{RetryDecision, decide, parse_retry_after, random_jitter};
use super::{Body, FetchError, FetchRequest, FetchSettings, Fetched, file_source, parse_body};
use crate::domain::CrmLinkType;
use reqwest::header::{
    AUTHORIZATION, CONTENT_TYPE, HeaderName, HeaderValue, LINK, LOCATION, RETRY_AFTER,
};
use secrecy::ExposeSecret;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use url::{Origin, Url};

/// The most redirects one request follows.
pub const MAX_REDIRECTS: usize = 5;

/// Fetches CRM links. Cheap to clone: the connection pool is shared.
#[derive(Debug, Clone)]
pub struct CrmFetcher {
    client: reqwest::Client,
    policy: Arc<OutboundPolicy>,
    settings: Arc<FetchSettings>,
}

/// One page as received.
struct Page {
    body: Body,
    url: Url,
    link_headers: Vec<String>,
}

impl CrmFetcher {
    pub fn new(settings: FetchSettings) -> anyhow::Result<Self> {
        let policy = OutboundPolicy::from_allow_private_networks(settings.allow_private_networks);
        Self::with_policy(settings, policy)
    }

    /// A fetcher with an explicit outbound policy, for tests that need one loopback address
    /// allowed and another blocked.
    #[doc(hidden)]
    pub fn with_policy(settings: FetchSettings, policy: OutboundPolicy) -> anyhow::Result<Self> {
        let policy = Arc::new(policy);
        let client = reqwest::Client::builder()
            .use_rustls_tls()
            .timeout(Duration::from_secs(settings.timeout_secs))
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would resolve names itself, out of the guard's sight.
            .no_proxy()
            .dns_resolver(Arc::new(GuardedResolver::new(Arc::clone(&policy))))
            .user_agent(concat!("crm-mind/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| anyhow::anyhow!("cannot build the CRM HTTP client: {e}"))?;
        Ok(Self {
            client,
            policy,
            settings: Arc::new(settings),
        })
    }

    /// The checks that need no network, for a message when a link is added.
    pub fn check_url(&self, url: &str, link_type: CrmLinkType) -> Result<(), FetchError> {
        let url = parse(url)?;
        match (link_type, url.scheme()) {
            (CrmLinkType::Webhook | CrmLinkType::Database, _) => Ok(()),
            (CrmLinkType::File, "file") => {
                file_source::check(&url, self.settings.file_root.as_deref()).map(drop)
            }
            (_, "file") => Err(FetchError::refused(
                "file:// URLs need a link of type \"file\"",
            )),
            _ => self.policy.check_url(&url),
        }
    }

    /// Fetches a link's data, all pages merged (see the module doc of [`crate::crm`]).
    #[tracing::instrument(
        skip_all,
        fields(link_type = ?request.link_type, host = tracing::field::Empty),
        err(level = "warn", Display)
    )]
    pub async fn fetch(&self, request: &FetchRequest<'_>) -> Result<Fetched, FetchError> {
        let url = parse(request.url)?;
        tracing::Span::current().record("host", url.host_str().unwrap_or(""));
        match (request.link_type, url.scheme()) {
            (CrmLinkType::Webhook, _) => Err(FetchError::NotSupported {
                reason: "webhook links receive data at POST /api/crm-links/webhook/{id}; nothing to fetch",
            }),
            (CrmLinkType::Database, _) => Err(FetchError::NotSupported {
                reason: "database links are not supported yet",
            }),
            (CrmLinkType::File, "file") => {
                let root = self.settings.file_root.as_deref();
                let (body, bytes) =
                    file_source::read(&url, root, self.settings.max_body_bytes).await?;
                Ok(Fetched {
                    body,
                    bytes,
                    pages: 1,
                    complete: true,
                })
            }
            (CrmLinkType::File, _) => self.fetch_pages(request, url, false).await,
            (CrmLinkType::Api, _) => self.fetch_pages(request, url, true).await,
        }
    }

    async fn fetch_pages(
        &self,
        request: &FetchRequest<'_>,
        first: Url,
        paginate: bool,
    ) -> Result<Fetched, FetchError> {
        let credentials_origin = first.origin();
        let mut budget = Budget::new(self.settings.max_body_bytes);
        let mut merger = PageMerger::default();
        let mut visited = HashSet::from([first.to_string()]);
        let mut url = first;
        let mut pages = 0;
        let mut complete = true;
        loop {
            let page = self
                .fetch_page(request, &credentials_origin, url, &mut budget)
                .await?;
            pages += 1;
            let link_headers: Vec<&str> = page.link_headers.iter().map(String::as_str).collect();
            let next = paginate
                .then(|| next_page(&link_headers, &page.body, &page.url))
                .flatten();
            if merger.push(page.body).is_err() {
                tracing::warn!(
                    pages,
                    "a page's shape differs from the first; pagination stops"
                );
                complete = false;
                break;
            }
            let Some(next) = next else { break };
            if pages >= self.settings.max_pages {
                tracing::warn!(pages, "max_pages reached; the data is incomplete");
                complete = false;
                break;
            }
            if !visited.insert(next.to_string()) {
                tracing::warn!(pages, "the next-page link points at a page already fetched");
                complete = false;
                break;
            }
            url = next;
        }
        Ok(Fetched {
            body: merger.finish().expect("at least one page was merged"),
            bytes: budget.used,
            pages,
            complete,
        })
    }

    /// One page: redirects followed, 429s retried, the status checked and the body read.
    async fn fetch_page(
        &self,
        request: &FetchRequest<'_>,
        credentials_origin: &Origin,
        url: Url,
        budget: &mut Budget,
    ) -> Result<Page, FetchError> {
        let mut retry = 0;
        let response = loop {
            let response = self
                .send_following_redirects(request, credentials_origin, url.clone())
                .await?;
            if response.status() != reqwest::StatusCode::TOO_MANY_REQUESTS {
                break response;
            }
            let asked = response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| parse_retry_after(v, SystemTime::now()));
            // Free the connection for the retry rather than hold it through the wait.
            drop(response);
            if retry >= self.settings.max_retries {
                return Err(FetchError::RateLimited {
                    retries: retry,
                    refused_wait_secs: None,
                });
            }
            let base = Duration::from_millis(self.settings.retry_base_ms);
            let max_asked = Duration::from_secs(self.settings.max_retry_after_secs);
            match decide(retry, base, asked, max_asked, random_jitter()) {
                RetryDecision::Wait(wait) => {
                    tracing::info!(
                        retry,
                        wait_ms = wait.as_millis() as u64,
                        "the CRM answered 429; retrying"
                    );
                    tokio::time::sleep(wait).await;
                }
                RetryDecision::GiveUp { asked_secs } => {
                    return Err(FetchError::RateLimited {
                        retries: retry,
                        refused_wait_secs: Some(asked_secs),
                    });
                }
            }
            retry += 1;
        };
        if let Some(error) = FetchError::from_status(response.status().as_u16()) {
            return Err(error);
        }
        let final_url = response.url().clone();
        let content_type = header_text(&response, CONTENT_TYPE.as_str());
        let link_headers = response
            .headers()
            .get_all(LINK)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect();
        let bytes = read_within(response, budget, |e| self.map_error(e)).await?;
        let body = parse_body(&bytes, content_type.as_deref())?;
        Ok(Page {
            body,
            url: final_url,
            link_headers,
        })
    }

    async fn send_following_redirects(
        &self,
        request: &FetchRequest<'_>,
        credentials_origin: &Origin,
        mut url: Url,
    ) -> Result<reqwest::Response, FetchError> {
        for _ in 0..=MAX_REDIRECTS {
            self.policy.check_url(&url)?;
            let mut builder = self.client.get(url.clone());
            if url.origin() == *credentials_origin {
                if let Some(key) = request.api_key {
                    let bearer = format!("Bearer {}", key.expose_secret());
                    builder = builder.header(AUTHORIZATION, sensitive_value(&bearer)?);
                }
                for (name, value) in request.headers {
                    let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                        FetchError::refused(format!("{name:?} is not a valid header name"))
                    })?;
                    builder = builder.header(name, sensitive_value(value.expose_secret())?);
                }
            }
            let response = builder.send().await.map_err(|e| self.map_error(e))?;
            if !response.status().is_redirection() {
                return Ok(response);
            }
            let Some(location) = header_text(&response, LOCATION.as_str()) else {
                return Ok(response);
            };
            url = url
                .join(&location)
                .map_err(|_| FetchError::refused("the CRM redirected to an invalid URL"))?;
        }
        Err(FetchError::refused(format!(
            "the CRM redirected more than {MAX_REDIRECTS} times"
        )))
    }

    /// reqwest's errors, in words that carry no URL (its query may hold a key).
    fn map_error(&self, error: reqwest::Error) -> FetchError {
        let error = error.without_url();
        if let Some(refusal) = find_source::<OutboundRefusal>(&error) {
            return FetchError::refused(refusal.0.clone());
        }
        if error.is_timeout() {
            return FetchError::Timeout {
                secs: self.settings.timeout_secs,
            };
        }
        let reason = crate::backoff::network_reason(error);
        FetchError::Network { reason }
    }
}

/// A header value marked sensitive, so hyper keeps it out of its debug output and HPACK tables.
fn sensitive_value(value: &str) -> Result<HeaderValue, FetchError> {
    let mut header = HeaderValue::from_str(value)
        .map_err(|_| FetchError::refused("a header value of the link is not valid in HTTP"))?;
    header.set_sensitive(true);
    Ok(header)
}

fn parse(url: &str) -> Result<Url, FetchError> {
    Url::parse(url.trim()).map_err(|e| FetchError::refused(format!("the URL is invalid ({e})")))
}

fn header_text(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn find_source<'a, T: std::error::Error + 'static>(
    error: &'a (dyn std::error::Error + 'static),
) -> Option<&'a T> {
    std::iter::successors(Some(error), |e| e.source()).find_map(|e| e.downcast_ref::<T>())
}

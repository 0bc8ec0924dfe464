//! A CRM link: an outside endpoint whose data the bot may use on one or both channels.
//!
//! Its shape follows the product's CRM integration guide. The API key and any header that
//! carries a credential are sealed (encrypted) before a link is built, so a stored link never
//! holds them in plain text.

use super::{Channel, FieldError, LinkId, Sealed};
use axum::http::{HeaderName, HeaderValue};
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

/// How the link's data reaches crm-mind. Stored as the guide's lower-case words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CrmLinkType {
    Api,
    Webhook,
    Database,
    File,
}

impl CrmLinkType {
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        match value {
            "api" => Ok(Self::Api),
            "webhook" => Ok(Self::Webhook),
            "database" => Ok(Self::Database),
            "file" => Ok(Self::File),
            other => Err(FieldError::new(
                "type",
                format!(
                    "unknown type {other:?}; expected one of \"api\", \"webhook\", \"database\", \"file\""
                ),
            )),
        }
    }
}

/// One custom header. Values of credential-like headers are sealed at rest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkHeader {
    pub name: String,
    pub value: HeaderSecret,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HeaderSecret {
    Plain(String),
    Sealed(Sealed),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrmLink {
    pub id: LinkId,
    pub name: String,
    pub url: String,
    #[serde(rename = "type")]
    pub link_type: CrmLinkType,
    pub channels: Vec<Channel>,
    pub api_key: Option<Sealed>,
    pub headers: Vec<LinkHeader>,
    pub description: Option<String>,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The sealed secret a webhook-type link's pushes are signed with; `None` for other types.
    #[serde(default)]
    pub webhook_secret: Option<Sealed>,
    /// How often the link is fetched again; `None` means the global refresh interval.
    #[serde(default)]
    pub refresh_minutes: Option<u32>,
}

impl CrmLink {
    /// Whether this link points at `url`, comparing the normalised forms so that
    /// `https://crm.example` and `https://crm.example/` are one link.
    pub fn has_url(&self, url: &str) -> bool {
        normalize_url(&self.url) == normalize_url(url)
    }
}

/// A link as a user asked for it, checked but not yet sealed.
#[derive(Debug)]
pub struct CrmLinkDraft {
    pub name: String,
    pub url: String,
    pub link_type: CrmLinkType,
    pub channels: Vec<Channel>,
    pub api_key: Option<SecretString>,
    pub headers: Vec<(String, SecretString)>,
    pub description: Option<String>,
    pub is_active: bool,
    pub refresh_minutes: Option<u32>,
}

/// Bounds of a link's own refresh interval: a minute to a week.
pub const REFRESH_MINUTES: std::ops::RangeInclusive<u32> = 1..=10_080;

pub fn parse_refresh_minutes(value: Option<i64>) -> Result<Option<u32>, FieldError> {
    let Some(minutes) = value else {
        return Ok(None);
    };
    u32::try_from(minutes)
        .ok()
        .filter(|m| REFRESH_MINUTES.contains(m))
        .map(Some)
        .ok_or_else(|| {
            FieldError::new(
                "refresh_minutes",
                format!(
                    "must be between {} and {} (a week)",
                    REFRESH_MINUTES.start(),
                    REFRESH_MINUTES.end()
                ),
            )
        })
}

const MAX_NAME_CHARS: usize = 200;
const MAX_DESCRIPTION_CHARS: usize = 2_000;
const MAX_HEADERS: usize = 50;

pub fn parse_name(value: &str) -> Result<String, FieldError> {
    let name = value.trim();
    if name.is_empty() {
        return Err(FieldError::new("name", "must not be empty"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(FieldError::new(
            "name",
            format!("must be at most {MAX_NAME_CHARS} characters"),
        ));
    }
    Ok(name.to_owned())
}

/// An absolute `http` or `https` URL with a host; for a link of type `file` also a local
/// `file:///path` URL. Whether the server may actually reach it is the fetcher's call
/// (`crm::CrmFetcher::check_url`), since that depends on its settings.
pub fn parse_url(value: &str, link_type: CrmLinkType) -> Result<String, FieldError> {
    let trimmed = value.trim();
    let parsed = url::Url::parse(trimmed)
        .map_err(|e| FieldError::new("url", format!("is not an absolute URL ({e})")))?;
    match parsed.scheme() {
        "http" | "https" => {}
        "file" if link_type == CrmLinkType::File => {
            if parsed.host_str().is_some_and(|host| !host.is_empty()) {
                return Err(FieldError::new(
                    "url",
                    "a file:// URL must name a local path (file:///path), not a host",
                ));
            }
            return Ok(trimmed.to_owned());
        }
        "file" => {
            return Err(FieldError::new(
                "url",
                "file:// URLs need the link type \"file\"",
            ));
        }
        _ => return Err(FieldError::new("url", "must use http or https")),
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(FieldError::new("url", "must name a host"));
    }
    Ok(trimmed.to_owned())
}

pub fn parse_description(value: Option<&str>) -> Result<Option<String>, FieldError> {
    let Some(text) = value.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(FieldError::new(
            "description",
            format!("must be at most {MAX_DESCRIPTION_CHARS} characters"),
        ));
    }
    Ok(Some(text.to_owned()))
}

/// Header names and values must be sendable as HTTP headers later, so they are checked now.
pub fn parse_headers(
    headers: Vec<(String, String)>,
) -> Result<Vec<(String, SecretString)>, FieldError> {
    if headers.len() > MAX_HEADERS {
        return Err(FieldError::new(
            "headers",
            format!("at most {MAX_HEADERS} headers are allowed"),
        ));
    }
    headers
        .into_iter()
        .map(|(name, value)| {
            HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                FieldError::new("headers", format!("{name:?} is not a valid header name"))
            })?;
            HeaderValue::from_str(&value).map_err(|_| {
                FieldError::new(
                    "headers",
                    format!("the value of {name:?} is not a valid header value"),
                )
            })?;
            Ok((name, SecretString::from(value)))
        })
        .collect()
}

/// Header names whose values are credentials: they are sealed at rest and masked in responses.
pub fn is_credential_header(name: &str) -> bool {
    const MARKERS: [&str; 9] = [
        "auth",
        "token",
        "secret",
        "key",
        "password",
        "cookie",
        "session",
        "signature",
        "credential",
    ];
    let lower = name.to_ascii_lowercase();
    MARKERS.iter().any(|marker| lower.contains(marker))
}

pub fn normalize_url(url: &str) -> String {
    url::Url::parse(url.trim())
        .map(|u| u.to_string())
        .unwrap_or_else(|_| url.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_must_be_absolute_http() {
        assert!(parse_url("https://api.crm.com/customers", CrmLinkType::Api).is_ok());
        assert!(parse_url("http://localhost:9000/x", CrmLinkType::Api).is_ok());
        for bad in [
            "",
            "api.crm.com",
            "/customers",
            "ftp://crm.com/x",
            "file:///etc/passwd",
            "https://",
        ] {
            let err = parse_url(bad, CrmLinkType::Api).unwrap_err();
            assert_eq!(err.field, "url", "{bad:?}");
        }
    }

    #[test]
    fn file_urls_are_accepted_only_for_file_links() {
        let local = "file:///srv/crm-files/customers.json";
        assert_eq!(parse_url(local, CrmLinkType::File).unwrap(), local);
        assert!(parse_url("https://cdn.crm.com/export.csv", CrmLinkType::File).is_ok());
        for link_type in [
            CrmLinkType::Api,
            CrmLinkType::Webhook,
            CrmLinkType::Database,
        ] {
            let err = parse_url(local, link_type).unwrap_err();
            assert!(err.message.contains("link type \"file\""), "{err}");
        }
        let err = parse_url("file://fileserver/share/x.json", CrmLinkType::File).unwrap_err();
        assert!(err.message.contains("not a host"), "{err}");
    }

    #[test]
    fn credential_headers_are_recognised() {
        for name in [
            "Authorization",
            "X-API-Key",
            "X-Shopify-Access-Token",
            "x-client-secret",
            "Cookie",
        ] {
            assert!(is_credential_header(name), "{name}");
        }
        for name in ["Accept", "Content-Type", "X-Client-ID", "X-Custom-Header"] {
            assert!(!is_credential_header(name), "{name}");
        }
    }

    #[test]
    fn invalid_header_names_are_refused() {
        let err = parse_headers(vec![("Bad Header".into(), "v".into())]).unwrap_err();
        assert_eq!(err.field, "headers");
        let err = parse_headers(vec![("X-Ok".into(), "line\nbreak".into())]).unwrap_err();
        assert_eq!(err.field, "headers");
    }

    #[test]
    fn urls_compare_by_normalised_form() {
        assert_eq!(
            normalize_url("https://CRM.example"),
            normalize_url("https://crm.example/")
        );
    }
}

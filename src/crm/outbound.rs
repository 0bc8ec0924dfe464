//! The outbound guard: which URLs and addresses a tenant-given link may make crm-mind reach.
//!
//! A server that fetches URLs its tenants type must not become a door into its own network
//! (the cloud metadata service, an admin port on localhost, a database on 10.x). The guard
//! works at two points:
//! * [`OutboundPolicy::check_url`], before any request and for every redirect and next-page
//!   URL: the scheme (https only) and a literal IP in the host, which never reaches DNS;
//! * [`GuardedResolver`], reqwest's DNS resolver: it drops blocked addresses from the answer,
//!   so the address that is checked is the very one connected to. Checking a name first and
//!   letting the client resolve it again would let a DNS answer change in between.
//!
//! `allow_private_networks` (development, tests) builds [`OutboundPolicy::open`], which lifts
//! both rules.

use super::FetchError;
use ipnet::IpNet;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use url::{Host, Url};

/// The setting that lifts the guard, named in refusals so an operator knows the way out.
pub const ALLOW_PRIVATE_NETWORKS_VARIABLE: &str = "CRM_MIND_CRM_ALLOW_PRIVATE_NETWORKS";

/// Which schemes and address ranges outbound requests may use.
#[derive(Debug, Clone)]
pub struct OutboundPolicy {
    require_https: bool,
    /// Checked in order, so specific labels (cloud metadata) come before the ranges that
    /// contain them.
    blocked: Vec<(IpNet, &'static str)>,
}

impl OutboundPolicy {
    /// Production: https only, and none of the ranges that reach into the server's own network.
    pub fn strict() -> Self {
        Self {
            require_https: true,
            blocked: default_blocked_ranges(),
        }
    }

    /// Development and tests: any scheme the fetcher speaks, any address.
    pub fn open() -> Self {
        Self {
            require_https: false,
            blocked: Vec::new(),
        }
    }

    pub fn from_allow_private_networks(allow: bool) -> Self {
        if allow { Self::open() } else { Self::strict() }
    }

    /// A policy with chosen ranges, so tests can allow one loopback address and block another.
    #[doc(hidden)]
    pub fn custom(require_https: bool, blocked: Vec<(IpNet, &'static str)>) -> Self {
        Self {
            require_https,
            blocked,
        }
    }

    /// The checks that need no DNS: the scheme and a literal IP host.
    pub fn check_url(&self, url: &Url) -> Result<(), FetchError> {
        match url.scheme() {
            "https" => {}
            "http" if !self.require_https => {}
            "http" => {
                return Err(FetchError::refused(format!(
                    "https is required (set {ALLOW_PRIVATE_NETWORKS_VARIABLE}=true for development)"
                )));
            }
            other => {
                return Err(FetchError::refused(format!(
                    "{other}:// URLs cannot be fetched; use https"
                )));
            }
        }
        let ip = match url.host() {
            Some(Host::Ipv4(ip)) => IpAddr::V4(ip),
            Some(Host::Ipv6(ip)) => IpAddr::V6(ip),
            Some(Host::Domain(_)) => return Ok(()),
            None => return Err(FetchError::refused("the URL names no host")),
        };
        match self.blocked_label(ip) {
            Some(label) => Err(FetchError::refused(format!("{ip} is {label} address"))),
            None => Ok(()),
        }
    }

    /// Keeps the resolved addresses that may be connected to; refuses when none is left.
    pub fn filter_resolved(
        &self,
        host: &str,
        addresses: Vec<SocketAddr>,
    ) -> Result<Vec<SocketAddr>, OutboundRefusal> {
        let first = addresses.first().copied();
        let allowed: Vec<SocketAddr> = addresses
            .into_iter()
            .filter(|address| self.blocked_label(address.ip()).is_none())
            .collect();
        match (allowed.is_empty(), first) {
            (false, _) => Ok(allowed),
            (true, Some(address)) => {
                let ip = address.ip();
                let label = self.blocked_label(ip).unwrap_or("a blocked");
                Err(OutboundRefusal(format!(
                    "{host} resolves to {ip}, {label} address"
                )))
            }
            (true, None) => Err(OutboundRefusal(format!("{host} resolves to no address"))),
        }
    }

    /// The label of the blocked range holding `ip` (as "a private", "the cloud metadata"...),
    /// looking through IPv4-mapped IPv6 addresses to the IPv4 address they stand for.
    fn blocked_label(&self, ip: IpAddr) -> Option<&'static str> {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        self.blocked
            .iter()
            .find(|(net, _)| net.contains(&ip))
            .map(|(_, label)| *label)
    }
}

/// A refusal raised inside the DNS resolver. reqwest wraps it in its own error; the fetcher
/// finds it again in the source chain to report the reason instead of "dns error".
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct OutboundRefusal(pub String);

/// reqwest's DNS resolver, with the policy applied to every answer.
#[derive(Debug, Clone)]
pub struct GuardedResolver {
    policy: Arc<OutboundPolicy>,
}

impl GuardedResolver {
    pub fn new(policy: Arc<OutboundPolicy>) -> Self {
        Self { policy }
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = Arc::clone(&self.policy);
        Box::pin(async move {
            let host = name.as_str().to_owned();
            // Port 0: reqwest puts the URL's port on the addresses it gets back.
            let resolved: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed = policy.filter_resolved(&host, resolved)?;
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

fn default_blocked_ranges() -> Vec<(IpNet, &'static str)> {
    const METADATA: &str = "a cloud metadata";
    let v4 = |a, b, c, d, prefix| IpNet::new(Ipv4Addr::new(a, b, c, d).into(), prefix);
    let v6 = |text: &str, prefix| IpNet::new(text.parse::<Ipv6Addr>().unwrap().into(), prefix);
    let ranges = [
        // Metadata endpoints first, so a refusal names them rather than their wider range.
        (v4(169, 254, 169, 254, 32), METADATA), // AWS, GCP, Azure, OCI
        (v4(100, 100, 100, 200, 32), METADATA), // Alibaba Cloud
        (v6("fd00:ec2::254", 128), METADATA),   // AWS over IPv6
        (v4(0, 0, 0, 0, 8), "an unspecified"),
        (v4(10, 0, 0, 0, 8), "a private"),
        (v4(100, 64, 0, 0, 10), "a carrier-grade NAT"),
        (v4(127, 0, 0, 0, 8), "a loopback"),
        (v4(169, 254, 0, 0, 16), "a link-local"),
        (v4(172, 16, 0, 0, 12), "a private"),
        (v4(192, 168, 0, 0, 16), "a private"),
        (v4(224, 0, 0, 0, 4), "a multicast"),
        (v4(240, 0, 0, 0, 4), "a reserved"),
        (v6("::", 128), "an unspecified"),
        (v6("::1", 128), "a loopback"),
        (v6("fe80::", 10), "a link-local"),
        (v6("fc00::", 7), "a unique-local"),
        (v6("ff00::", 8), "a multicast"),
    ];
    ranges
        .into_iter()
        .map(|(net, label)| (net.expect("valid prefix length"), label))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(policy: &OutboundPolicy, url: &str) -> Option<String> {
        policy
            .check_url(&Url::parse(url).unwrap())
            .err()
            .map(|e| e.to_string())
    }

    #[test]
    fn strict_policy_requires_https() {
        let strict = OutboundPolicy::strict();
        assert_eq!(refusal(&strict, "https://api.crm.com/customers"), None);
        assert_eq!(
            refusal(&strict, "http://api.crm.com/customers").unwrap(),
            "refused: https is required (set CRM_MIND_CRM_ALLOW_PRIVATE_NETWORKS=true for development)"
        );
        assert!(refusal(&strict, "ftp://api.crm.com/x").is_some());
        assert_eq!(
            refusal(&OutboundPolicy::open(), "http://api.crm.com/"),
            None
        );
    }

    #[test]
    fn literal_addresses_in_blocked_ranges_are_refused() {
        let strict = OutboundPolicy::strict();
        for (url, expected) in [
            ("https://127.0.0.1/", "127.0.0.1 is a loopback address"),
            ("https://10.1.2.3/", "10.1.2.3 is a private address"),
            ("https://172.31.0.1/", "172.31.0.1 is a private address"),
            ("https://192.168.1.1/", "192.168.1.1 is a private address"),
            (
                "https://100.64.0.1/",
                "100.64.0.1 is a carrier-grade NAT address",
            ),
            (
                "https://169.254.1.1/",
                "169.254.1.1 is a link-local address",
            ),
            (
                "https://169.254.169.254/latest/meta-data/",
                "169.254.169.254 is a cloud metadata address",
            ),
            ("https://0.0.0.0/", "0.0.0.0 is an unspecified address"),
            ("https://[::1]/", "::1 is a loopback address"),
            ("https://[::]/", ":: is an unspecified address"),
            ("https://[fe80::1]/", "fe80::1 is a link-local address"),
            ("https://[fd12::1]/", "fd12::1 is a unique-local address"),
            (
                "https://[fd00:ec2::254]/",
                "fd00:ec2::254 is a cloud metadata address",
            ),
            // IPv4-mapped IPv6 reaches the IPv4 address it carries.
            (
                "https://[::ffff:10.0.0.5]/",
                "::ffff:10.0.0.5 is a private address",
            ),
            // WHATWG URL parsing turns these spellings of 127.0.0.1 into the address itself.
            ("https://2130706433/", "127.0.0.1 is a loopback address"),
            ("https://0x7f.1/", "127.0.0.1 is a loopback address"),
        ] {
            assert_eq!(
                refusal(&strict, url).as_deref(),
                Some(format!("refused: {expected}").as_str()),
                "{url}"
            );
        }
        for public in [
            "https://8.8.8.8/",
            "https://172.32.0.1/",
            "https://100.128.0.1/",
            "https://[2606:4700::1111]/",
        ] {
            assert_eq!(refusal(&strict, public), None, "{public}");
        }
    }

    #[test]
    fn resolved_addresses_are_filtered_and_an_all_blocked_answer_is_refused() {
        let strict = OutboundPolicy::strict();
        let at = |ip: &str| SocketAddr::new(ip.parse().unwrap(), 443);
        let mixed = vec![at("10.0.0.5"), at("93.184.215.14")];
        assert_eq!(
            strict.filter_resolved("crm.example", mixed).unwrap(),
            vec![at("93.184.215.14")]
        );
        let err = strict
            .filter_resolved("crm.example", vec![at("10.0.0.5"), at("::1")])
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "crm.example resolves to 10.0.0.5, a private address"
        );
        let open = OutboundPolicy::open();
        assert_eq!(
            open.filter_resolved("localhost", vec![at("127.0.0.1")])
                .unwrap(),
            vec![at("127.0.0.1")]
        );
    }
}

//! The target of the load: a URL checked to resolve to this machine.

use anyhow::{Context, bail, ensure};
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};

/// Where to send, checked to be this machine.
pub struct Target {
    pub addr: SocketAddr,
    pub host_header: String,
    pub path: String,
    pub url: String,
}

pub fn target(url: &str) -> anyhow::Result<Target> {
    let parsed = url::Url::parse(url).with_context(|| format!("--url {url}"))?;
    ensure!(
        parsed.scheme() == "http",
        "--url must be http:// (loopback only)"
    );
    let host = parsed.host_str().context("--url has no host")?;
    let port = parsed.port_or_known_default().unwrap_or(80);
    let addr = (host.trim_matches(['[', ']']), port)
        .to_socket_addrs()
        .with_context(|| format!("resolving {host}"))?
        .next()
        .context("the host resolves to nothing")?;
    if !is_loopback(addr.ip()) {
        bail!("{host} is not a loopback address: this tool only loads a server on this machine");
    }
    let mut path = parsed.path().to_owned();
    if let Some(query) = parsed.query() {
        path = format!("{path}?{query}");
    }
    Ok(Target {
        addr,
        host_header: format!("{host}:{port}"),
        path,
        url: url.to_owned(),
    })
}

fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

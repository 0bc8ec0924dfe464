//! A minimal HTTP/1.1 client over a TCP socket, so that the generator takes as little CPU
//! as it can.

use anyhow::{Context, bail, ensure};
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One keep-alive HTTP/1.1 connection: enough of the protocol for axum's answers, which all
/// carry a Content-Length.
pub struct RawConn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl RawConn {
    pub async fn connect(addr: SocketAddr) -> anyhow::Result<Self> {
        let stream = TcpStream::connect(addr)
            .await
            .with_context(|| format!("connecting to {addr}"))?;
        stream.set_nodelay(true)?;
        Ok(Self {
            stream,
            buf: Vec::with_capacity(4096),
        })
    }

    /// Sends `request` and reads the answer; returns its status and whether the connection stays open.
    pub async fn round_trip(&mut self, request: &[u8]) -> anyhow::Result<(u16, bool)> {
        self.stream.write_all(request).await?;
        self.buf.clear();
        let header_end = loop {
            if let Some(i) = find(&self.buf, b"\r\n\r\n") {
                break i + 4;
            }
            ensure!(self.buf.len() < 64 * 1024, "the response head is too long");
            self.fill().await?;
        };
        let head =
            std::str::from_utf8(&self.buf[..header_end]).context("a non-UTF-8 response head")?;
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap_or_default();
        let status: u16 = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .with_context(|| format!("a bad status line {status_line:?}"))?;
        let mut content_length = None;
        let mut keep_alive = true;
        for line in lines {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                content_length = Some(value.parse::<usize>().context("a bad content-length")?);
            } else if name.eq_ignore_ascii_case("connection") && value.eq_ignore_ascii_case("close")
            {
                keep_alive = false;
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                bail!("a chunked answer; this client reads Content-Length answers only");
            }
        }
        let total = header_end + content_length.context("an answer without content-length")?;
        while self.buf.len() < total {
            self.fill().await?;
        }
        ensure!(
            self.buf.len() == total,
            "the server answered more than was asked"
        );
        Ok((status, keep_alive))
    }

    async fn fill(&mut self) -> anyhow::Result<()> {
        let mut chunk = [0u8; 4096];
        let read = self.stream.read(&mut chunk).await?;
        ensure!(read > 0, "the server closed the connection");
        self.buf.extend_from_slice(&chunk[..read]);
        Ok(())
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

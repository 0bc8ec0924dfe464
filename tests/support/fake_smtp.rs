//! A fake SMTP relay on 127.0.0.1 for the send-draft tests, speaking the parts of RFC 5321
//! (and RFC 4954 for AUTH) a submission client uses: a `220` greeting, `EHLO` (multi-line
//! `250-` reply listing `AUTH PLAIN` when credentials are configured) and `HELO`, `AUTH PLAIN`
//! with an initial response or after a `334` challenge (`235` or `535`), `MAIL FROM`,
//! `RCPT TO`, `DATA` (`354`, then lines up to `<CRLF>.<CRLF>`, with a leading dot of a line
//! removed: the dot-stuffing of RFC 5321 §4.5.2), `RSET`, `NOOP` and `QUIT` (`221`). Mail
//! before a required AUTH answers `530`; commands out of order answer `503`.
//!
//! It records every message it accepted: envelope and data as received.

use base64::Engine as _;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// A message the relay accepted.
#[derive(Debug, Clone)]
pub struct Received {
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    /// The message (headers and body) with the dot-stuffing undone, lines joined by CRLF.
    pub data: String,
    pub authenticated_as: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Behaviour {
    /// `(username, password)` the relay requires; none: no AUTH is offered or needed.
    pub credentials: Option<(String, String)>,
    /// The reply to every `RCPT TO` instead of `250`, e.g. `550 5.1.1 ... User unknown`.
    pub reject_rcpt: Option<String>,
}

pub struct FakeSmtp {
    pub port: u16,
    received: Arc<Mutex<Vec<Received>>>,
}

impl FakeSmtp {
    pub async fn start(behaviour: Behaviour) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let (behaviour, log) = (Arc::new(behaviour), received.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (behaviour, log) = (behaviour.clone(), log.clone());
                tokio::spawn(async move {
                    let _ = session(stream, &behaviour, &log).await;
                });
            }
        });
        Self { port, received }
    }

    /// The messages accepted so far, oldest first.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

/// The address of `MAIL FROM:<a@b> SIZE=...` / `RCPT TO:<a@b>`.
fn path_of(argument: &str) -> Option<String> {
    let start = argument.find('<')?;
    let end = argument[start..].find('>')? + start;
    Some(argument[start + 1..end].to_owned())
}

fn decode_plain(encoded: &str) -> Option<(String, String)> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    // authzid NUL authcid NUL passwd (RFC 4616)
    let mut parts = text.split('\0');
    let (_authzid, user, password) = (parts.next()?, parts.next()?, parts.next()?);
    Some((user.to_owned(), password.to_owned()))
}

async fn session(
    stream: TcpStream,
    behaviour: &Behaviour,
    log: &Mutex<Vec<Received>>,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write
        .write_all(b"220 fake.smtp.test ESMTP ready\r\n")
        .await?;
    let mut greeted = false;
    let mut authenticated_as: Option<String> = None;
    let mut mail_from: Option<String> = None;
    let mut rcpt_to: Vec<String> = Vec::new();
    loop {
        let mut line = String::new();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let line = line.trim_end_matches(['\r', '\n']);
        let (verb, argument) = line.split_once(' ').unwrap_or((line, ""));
        let reply: String = match verb.to_ascii_uppercase().as_str() {
            "EHLO" => {
                greeted = true;
                match behaviour.credentials {
                    Some(_) => "250-fake.smtp.test\r\n250-8BITMIME\r\n250 AUTH PLAIN".into(),
                    None => "250-fake.smtp.test\r\n250 8BITMIME".into(),
                }
            }
            "HELO" => {
                greeted = true;
                "250 fake.smtp.test".into()
            }
            "AUTH" if !greeted => "503 5.5.1 EHLO first".into(),
            "AUTH" => {
                let (mechanism, initial) = argument.split_once(' ').unwrap_or((argument, ""));
                if !mechanism.eq_ignore_ascii_case("PLAIN") || behaviour.credentials.is_none() {
                    "504 5.5.4 Unrecognized authentication type".into()
                } else {
                    let response = if initial.is_empty() {
                        write.write_all(b"334 \r\n").await?;
                        let mut answer = String::new();
                        lines.read_line(&mut answer).await?;
                        answer.trim_end().to_owned()
                    } else {
                        initial.to_owned()
                    };
                    let given = decode_plain(&response);
                    if given.is_some() && given.as_ref() == behaviour.credentials.as_ref() {
                        authenticated_as = given.map(|(user, _)| user);
                        "235 2.7.0 Authentication successful".into()
                    } else {
                        "535 5.7.8 Authentication credentials invalid".into()
                    }
                }
            }
            "MAIL" if behaviour.credentials.is_some() && authenticated_as.is_none() => {
                "530 5.7.0 Authentication required".into()
            }
            "MAIL" => match path_of(argument) {
                Some(path) => {
                    mail_from = Some(path);
                    rcpt_to.clear();
                    "250 2.1.0 Ok".into()
                }
                None => "501 5.5.4 Syntax: MAIL FROM:<address>".into(),
            },
            "RCPT" if mail_from.is_none() => "503 5.5.1 Need MAIL command".into(),
            "RCPT" => match (&behaviour.reject_rcpt, path_of(argument)) {
                (Some(rejection), _) => rejection.clone(),
                (None, Some(path)) => {
                    rcpt_to.push(path);
                    "250 2.1.5 Ok".into()
                }
                (None, None) => "501 5.5.4 Syntax: RCPT TO:<address>".into(),
            },
            "DATA" if rcpt_to.is_empty() => "503 5.5.1 Need RCPT command".into(),
            "DATA" => {
                write
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let mut data = Vec::new();
                loop {
                    let mut raw = String::new();
                    if lines.read_line(&mut raw).await? == 0 {
                        return Ok(());
                    }
                    let raw = raw.trim_end_matches(['\r', '\n']);
                    if raw == "." {
                        break;
                    }
                    data.push(raw.strip_prefix('.').unwrap_or(raw).to_owned());
                }
                log.lock().unwrap().push(Received {
                    mail_from: mail_from.take().unwrap_or_default(),
                    rcpt_to: std::mem::take(&mut rcpt_to),
                    data: data.join("\r\n"),
                    authenticated_as: authenticated_as.clone(),
                });
                "250 2.0.0 Ok: queued as FAKE1".into()
            }
            "RSET" => {
                mail_from = None;
                rcpt_to.clear();
                "250 2.0.0 Ok".into()
            }
            "NOOP" => "250 2.0.0 Ok".into(),
            "QUIT" => {
                write.write_all(b"221 2.0.0 Bye\r\n").await?;
                return Ok(());
            }
            _ => "502 5.5.2 Error: command not recognized".into(),
        };
        write.write_all(format!("{reply}\r\n").as_bytes()).await?;
    }
}

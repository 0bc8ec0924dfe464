//! Sending a reply draft through the company's configured SMTP relay
//! (`POST /api/emails/{id}/send-draft`). Without a relay crm-mind sends nothing: the mail
//! system sends replies. The outcome — sent (when, with which `Message-ID`) or failed (the
//! relay's own words) — is stored on the draft; a sent draft is never sent again.
//!
//! The reply threads with the customer's email: `In-Reply-To` is its `Message-ID`,
//! `References` its `In-Reply-To` (when known) and its `Message-ID`. The relay's password
//! is a secret: it is in no error, log or answer (lettre's errors do not carry it, and an
//! error text is scrubbed of it all the same).

use super::draft::Draft;
use super::{Emails, Mailbox, StoredEmail};
use crate::config::Settings;
use chrono::{DateTime, Utc};
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long one SMTP command may take before the send counts as failed.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// How the connection to the relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain text: a trusted relay on the same host or network only.
    None,
    /// Plain text upgraded with STARTTLS, which is required (no fallback).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
}

/// A configured relay. `Debug` shows no password.
#[derive(Clone)]
pub struct SmtpRelay {
    pub host: String,
    pub port: u16,
    pub username: Option<SecretString>,
    pub password: Option<SecretString>,
    pub from: Mailbox,
    pub tls: TlsMode,
}

impl std::fmt::Debug for SmtpRelay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpRelay")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("from", &self.from.address)
            .field("tls", &self.tls)
            .field("authenticates", &self.password.is_some())
            .finish()
    }
}

impl SmtpRelay {
    /// The relay the settings describe; `Ok(None)` when no host is set, an error naming
    /// the setting when one is wrong.
    pub fn from_settings(settings: &Settings) -> Result<Option<Self>, String> {
        let Some(host) = settings.smtp_host.as_deref().map(str::trim) else {
            return Ok(None);
        };
        if host.is_empty() {
            return Ok(None);
        }
        let tls = match settings.smtp_tls.trim().to_lowercase().as_str() {
            "none" => TlsMode::None,
            "starttls" => TlsMode::StartTls,
            "tls" => TlsMode::Tls,
            _ => return Err("CRM_MIND_SMTP_TLS must be starttls, tls or none".to_owned()),
        };
        let from = settings
            .smtp_from
            .as_deref()
            .ok_or("CRM_MIND_SMTP_FROM is required with CRM_MIND_SMTP_HOST")?;
        let from = Mailbox::parse("smtp_from", from)
            .map_err(|_| "CRM_MIND_SMTP_FROM is not an email address".to_owned())?;
        if settings.smtp_username.is_some() != settings.smtp_password.is_some() {
            return Err("CRM_MIND_SMTP_USERNAME and CRM_MIND_SMTP_PASSWORD go together".to_owned());
        }
        Ok(Some(Self {
            host: host.to_owned(),
            port: settings.smtp_port,
            username: settings.smtp_username.clone(),
            password: settings.smtp_password.clone(),
            from,
            tls,
        }))
    }

    fn transport(&self) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
        let parameters = || {
            TlsParameters::new(self.host.clone())
                .map_err(|e| format!("the TLS settings of the relay are not usable: {e}"))
        };
        let tls = match self.tls {
            TlsMode::None => Tls::None,
            TlsMode::StartTls => Tls::Required(parameters()?),
            TlsMode::Tls => Tls::Wrapper(parameters()?),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&self.host)
            .port(self.port)
            .tls(tls)
            .timeout(Some(COMMAND_TIMEOUT));
        if let (Some(user), Some(password)) = (&self.username, &self.password) {
            builder = builder
                .credentials(Credentials::new(
                    user.expose_secret().to_owned(),
                    password.expose_secret().to_owned(),
                ))
                .authentication(vec![Mechanism::Plain, Mechanism::Login]);
        }
        Ok(builder.build())
    }

    /// Hands `message` to the relay: `Err` with the relay's words (never the password) when
    /// it refuses or cannot be reached.
    pub async fn send(&self, message: Message) -> Result<(), String> {
        self.transport()?
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| self.scrubbed(e.to_string()))
    }

    /// `text` without the password, should a relay or a library ever echo it.
    fn scrubbed(&self, text: String) -> String {
        match &self.password {
            Some(p) if !p.expose_secret().is_empty() => {
                text.replace(p.expose_secret(), "[redacted]")
            }
            _ => text,
        }
    }
}

/// Whether the relay took the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    Sent,
    Failed,
}

/// The outcome of the last send of a draft.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Delivery {
    pub status: DeliveryStatus,
    pub attempted_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// The `Message-ID` the reply was sent with.
    pub message_id: Option<String>,
    pub to: String,
    /// The relay's answer when it refused (or why it could not be reached).
    pub error: Option<String>,
}

/// Why a draft was not sent.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("no SMTP relay is configured; the mail system sends replies")]
    NotConfigured,
    #[error("the email has no such draft")]
    NoDraft,
    #[error("this draft was already sent")]
    AlreadySent,
    #[error("this draft is being sent")]
    InProgress,
    /// The relay refused or could not be reached; recorded on the draft.
    #[error("the SMTP relay did not take the message: {0}")]
    Relay(String),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// The drafts being sent now, so that two requests do not both send one.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sending(Arc<Mutex<HashSet<String>>>);

struct Claim {
    sending: Sending,
    id: String,
}

impl Sending {
    fn claim(&self, id: &str) -> Option<Claim> {
        let mut set = self.0.lock().unwrap_or_else(|e| e.into_inner());
        set.insert(id.to_owned()).then(|| Claim {
            sending: self.clone(),
            id: id.to_owned(),
        })
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        let mut set = (self.sending.0.lock()).unwrap_or_else(|e| e.into_inner());
        set.remove(&self.id);
    }
}

/// `<id>` as a message id header wants it.
fn bracketed(id: &str) -> String {
    let id = id.trim();
    if id.starts_with('<') {
        id.to_owned()
    } else {
        format!("<{id}>")
    }
}

pub(crate) fn mailbox(m: &Mailbox) -> Result<lettre::message::Mailbox, String> {
    let address = m
        .address
        .parse()
        .map_err(|e| format!("{} is not an address SMTP accepts: {e}", m.address))?;
    Ok(lettre::message::Mailbox::new(m.name.clone(), address))
}

/// The reply to `email` that `draft` is, from `from`, with `message_id`.
pub fn reply_message(
    email: &StoredEmail,
    draft: &Draft,
    from: &Mailbox,
    message_id: &str,
) -> Result<Message, String> {
    let references = (email.in_reply_to.iter())
        .map(|id| bracketed(id))
        .chain([bracketed(&email.message_id)])
        .collect::<Vec<_>>()
        .join(" ");
    Message::builder()
        .from(mailbox(from)?)
        .to(mailbox(&email.from)?)
        .subject(draft.subject.clone())
        .message_id(Some(message_id.to_owned()))
        .in_reply_to(bracketed(&email.message_id))
        .references(references)
        .header(ContentType::TEXT_PLAIN)
        .body(draft.body.clone())
        .map_err(|e| format!("the reply could not be built: {e}"))
}

impl Emails {
    /// Sends the draft `draft_id` (the newest when `None`) of `email` through the relay and
    /// records the outcome on it. Returns the draft with its delivery.
    #[tracing::instrument(skip_all, fields(company = %email.company_id, email = %email.id))]
    pub async fn send_draft(
        &self,
        mut email: StoredEmail,
        draft_id: Option<&str>,
    ) -> Result<Draft, SendError> {
        let relay = self.smtp.as_ref().ok_or(SendError::NotConfigured)?;
        let index = match draft_id {
            Some(id) => email.drafts.iter().position(|d| d.id == id),
            None => email.drafts.len().checked_sub(1),
        }
        .ok_or(SendError::NoDraft)?;
        let draft_key = format!("{}/{}", email.id, email.drafts[index].id);
        let _claim = self
            .sending
            .claim(&draft_key)
            .ok_or(SendError::InProgress)?;
        // Read again under the claim: another request may have sent it a moment ago.
        if let Some(current) = self.store.get_email(&email.company_id, &email.id).await? {
            email = current;
        }
        let Some(draft) = email.drafts.get(index).cloned() else {
            return Err(SendError::NoDraft);
        };
        if draft
            .delivery
            .as_ref()
            .is_some_and(|d| d.status == DeliveryStatus::Sent)
        {
            return Err(SendError::AlreadySent);
        }
        let message_id = format!("<{}@{}>", crate::records::new_id(), relay.from.domain());
        let attempted_at = crate::records::now();
        let sent = match reply_message(&email, &draft, &relay.from, &message_id) {
            Ok(message) => relay.send(message).await,
            Err(e) => Err(e),
        };
        let delivery = match &sent {
            Ok(()) => Delivery {
                status: DeliveryStatus::Sent,
                attempted_at,
                sent_at: Some(crate::records::now()),
                message_id: Some(message_id),
                to: email.from.address.clone(),
                error: None,
            },
            Err(error) => {
                tracing::warn!(error = %error, "a reply draft was not sent");
                Delivery {
                    status: DeliveryStatus::Failed,
                    attempted_at,
                    sent_at: None,
                    message_id: None,
                    to: email.from.address.clone(),
                    error: Some(error.clone()),
                }
            }
        };
        email.drafts[index].delivery = Some(delivery);
        let draft = email.drafts[index].clone();
        self.store.update_email(&email).await?;
        match sent {
            Ok(()) => Ok(draft),
            Err(error) => Err(SendError::Relay(error)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(host: Option<&str>) -> Settings {
        let mut s = Settings::for_data_dir(std::path::Path::new("/tmp"));
        s.smtp_host = host.map(str::to_owned);
        s.smtp_from = Some("Kettle Shop <info@kettle-shop.si>".to_owned());
        s.smtp_username = Some(SecretString::from("shop"));
        s.smtp_password = Some(SecretString::from("hunter2-secret"));
        s
    }

    #[test]
    fn a_relay_needs_a_host_and_a_sender_and_hides_its_password() {
        assert!(SmtpRelay::from_settings(&settings(None)).unwrap().is_none());
        let relay = SmtpRelay::from_settings(&settings(Some("smtp.example.si")))
            .unwrap()
            .unwrap();
        assert_eq!((relay.port, relay.tls), (587, TlsMode::StartTls));
        assert_eq!(relay.from.address, "info@kettle-shop.si");
        assert!(!format!("{relay:?}").contains("hunter2"));
        assert_eq!(
            relay.scrubbed("535 bad password hunter2-secret".into()),
            "535 bad password [redacted]"
        );

        let mut no_from = settings(Some("smtp.example.si"));
        no_from.smtp_from = None;
        assert!(SmtpRelay::from_settings(&no_from).is_err());
        let mut bad_tls = settings(Some("smtp.example.si"));
        bad_tls.smtp_tls = "sometimes".into();
        let err = SmtpRelay::from_settings(&bad_tls).unwrap_err();
        assert!(err.contains("CRM_MIND_SMTP_TLS"), "{err}");
    }
}

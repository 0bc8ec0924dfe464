//! A raw email (`message/rfc822`, an `.eml` file) read with the `mail-parser` crate: MIME
//! parts, transfer encodings (quoted-printable, base64) and charsets are its job; this file
//! only picks the fields crm-mind keeps.

use super::{Attachment, IncomingEmail, Mailbox};
use crate::domain::FieldError;
use chrono::DateTime;
use mail_parser::{Address, MessageParser, MimeHeaders, PartType};
use sha2::{Digest, Sha256};

/// Raw emails larger than this are refused (attachments included).
pub const MAX_RAW_BYTES: usize = 25 * 1024 * 1024;

/// The fields of a raw email. A message without `Message-ID` gets one from its bytes, so
/// the same file uploaded twice is still stored once.
pub fn parse_eml(raw: &[u8]) -> Result<IncomingEmail, FieldError> {
    let message = MessageParser::default()
        .parse(raw)
        .filter(|m| m.from().is_some())
        .ok_or_else(|| FieldError::new("body", "is not an email (no From header)"))?;
    let from = addresses(message.from())
        .into_iter()
        .next()
        .ok_or_else(|| FieldError::new("from", "has no address"))?;
    let message_id = match message.message_id() {
        Some(id) => format!("<{}>", id.trim_matches(['<', '>'])),
        None => format!("<{}@crm-mind.sha256>", hex::encode(Sha256::digest(raw))),
    };
    // Only a real text/plain part is `text`: mail-parser would otherwise offer the HTML
    // part converted, and the HTML is reduced to text our own way.
    let text = message.text_bodies().find_map(|part| match &part.body {
        PartType::Text(text) => Some(text.to_string()),
        _ => None,
    });
    let html = message.html_bodies().find_map(|part| match &part.body {
        PartType::Html(html) => Some(html.to_string()),
        _ => None,
    });
    let attachments = message
        .attachments()
        .map(|part| Attachment {
            filename: part.attachment_name().map(str::to_owned),
            content_type: part.content_type().map_or_else(
                || "application/octet-stream".to_owned(),
                |t| match t.subtype() {
                    Some(sub) => format!("{}/{}", t.ctype(), sub),
                    None => t.ctype().to_owned(),
                },
            ),
            size: part.len() as u64,
        })
        .collect();
    Ok(IncomingEmail {
        message_id,
        from,
        to: addresses(message.to()),
        cc: addresses(message.cc()),
        subject: message.subject().unwrap_or_default().trim().to_owned(),
        text,
        html,
        in_reply_to: message
            .in_reply_to()
            .as_text()
            .map(|id| format!("<{}>", id.trim_matches(['<', '>']))),
        received_at: message
            .date()
            .and_then(|d| DateTime::from_timestamp(d.to_timestamp(), 0)),
        attachments,
    })
}

/// The addresses of a header that parse; a malformed one is left out, not fatal.
fn addresses(header: Option<&Address<'_>>) -> Vec<Mailbox> {
    let Some(header) = header else {
        return Vec::new();
    };
    header
        .iter()
        .filter_map(|addr| {
            let address = addr.address.as_deref()?;
            let mut mailbox = Mailbox::parse("address", address).ok()?;
            mailbox.name = addr
                .name
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned);
            Some(mailbox)
        })
        .collect()
}

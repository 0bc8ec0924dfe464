//! Everything Facebook-specific: the `X-Hub-Signature-256` check and the Page webhook wire
//! format, turned into [`crate::domain::events::WebhookEvent`]s. (The Graph API client that
//! sends replies joins here with the answering work.)

pub mod signature;
pub mod webhook;

pub use signature::{SignatureError, verify_signature};
pub use webhook::{ParseError, WebhookPayload, parse_webhook};

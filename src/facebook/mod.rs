//! Everything Facebook-specific: the `X-Hub-Signature-256` check, the Page webhook wire
//! format turned into [`crate::domain::events::WebhookEvent`]s, and the [`graph`] client that
//! sends the answers back through the Graph API.

pub mod graph;
pub mod signature;
pub mod webhook;

pub use signature::{SignatureError, verify_signature};
pub use webhook::{ParseError, WebhookPayload, parse_webhook};

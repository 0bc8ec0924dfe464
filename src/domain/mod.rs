//! Types shared by every area: ids, channels, companies and users, pages with their CRM links,
//! and the webhook events that Facebook delivers. They parse at the edge ("parse, don't
//! validate"): a value of one of these types is already valid, so the rest of the code never
//! re-checks it.

pub mod account;
pub mod channel;
pub mod conversation;
pub mod crm_link;
pub mod events;
pub mod ids;
pub mod page;
pub mod reply;
pub mod sealed;
pub mod sync_run;

pub use account::{Company, Email, Role, Session, User};
pub use channel::Channel;
pub use crm_link::{CrmLink, CrmLinkDraft, CrmLinkType, LinkHeader};
pub use events::{InboxEvent, InboxMessage};
pub use ids::{CompanyId, LinkId, PageId, UserId};
pub use page::Page;
pub use sealed::Sealed;
pub use sync_run::{ChunkCounts, SyncOutcome, SyncRun, SyncTrigger};

/// A value that failed to parse, naming the field a user has to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

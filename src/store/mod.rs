//! The document store seam: typed repository traits, and two engines behind them.
//!
//! * [`sqlite`] — the embedded default: one file under the data directory, WAL, and a single
//!   writer thread that commits many requests in one transaction (group commit).
//! * [`mongo`] — the production engine for larger companies: the same records as MongoDB
//!   collections, with unique indexes where the product says "exactly once".
//!
//! Both pass the same behaviour suite (`tests/store.rs`). Every method that reads or changes
//! a company's data takes its [`CompanyId`]; the only unscoped reads are
//! [`PageStore::find_page_owner`] and [`PageStore::find_link_owner`], which route a webhook
//! (Facebook or a CRM does not tell us the company) and return nothing but the owner's ids,
//! and [`PageStore::all_pages`], which only the background sync scheduler calls.

pub mod mongo;
pub mod sqlite;

use crate::domain::conversation::{Conversation, ConversationTurn};
use crate::domain::events::{InboxEvent, InboxStatus};
use crate::domain::reply::{OutboxReply, ReplyStatus};
use crate::domain::{
    Channel, Company, CompanyId, Email, LinkId, Page, PageId, Session, SyncRun, User,
};
use crate::email::StoredEmail;
use crate::email::links::{ContactLink, DocumentLink};
use crate::email::templates::EmailTemplate;
use crate::metakocka::credentials::{CredentialOwner, StoredCredentials};
use crate::metakocka::error_log::{
    ErrorLogEntry, ErrorLogFilter, ErrorLogPage, ErrorLogStats, Paging, Resolution, ResolveTarget,
};
use crate::metakocka::inventory::{ProductInventory, ProductKey, StockEntry};
use crate::metakocka::sync::model::{
    EntityKind, Mapping, MetakockaSyncRun, PulledWrite, SlotClaim, SyncConflict, SyncSettings,
};
use crate::records::contact::Contact;
use crate::records::product::Product;
use crate::records::sales_document::{SalesDocument, SalesDocumentQuery};
use crate::records::{RecordPage, RecordQuery};
use crate::reports::schedule::{DeliveryOutcome, ReportSchedule};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;

#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// A unique key is taken (an email, a page another company registered).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The engine failed or cannot be reached. The text is for logs, never for clients.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// Stored data could not be read back into its type.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Whether an inbox insert stored a new event or found it already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InsertOutcome {
    Inserted,
    Duplicate,
}

#[async_trait]
pub trait CompanyStore: Send + Sync {
    async fn insert_company(&self, company: &Company) -> StoreResult<()>;
    async fn get_company(&self, id: &CompanyId) -> StoreResult<Option<Company>>;
}

#[async_trait]
pub trait UserStore: Send + Sync {
    /// Fails with [`StoreError::Conflict`] when the email is taken (in any company: log-in is by email).
    async fn insert_user(&self, user: &User) -> StoreResult<()>;
    /// Log-in looks a user up by email before it knows the company.
    async fn find_user_by_email(&self, email: &Email) -> StoreResult<Option<User>>;
}

#[async_trait]
pub trait SessionStore: Send + Sync {
    async fn insert_session(&self, session: &Session) -> StoreResult<()>;
    async fn find_session(&self, token_hash: &str) -> StoreResult<Option<Session>>;
    /// Removes sessions that expired before `now`; returns how many.
    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> StoreResult<u64>;
    /// Removes the session of `token_hash` (sign-out), so its token stops working at once;
    /// `false` when there was none.
    async fn delete_session(&self, token_hash: &str) -> StoreResult<bool>;
}

#[async_trait]
pub trait PageStore: Send + Sync {
    /// Fails with [`StoreError::Conflict`] when any company already registered the page.
    async fn insert_page(&self, page: &Page) -> StoreResult<()>;
    async fn get_page(&self, company: &CompanyId, page_id: &PageId) -> StoreResult<Option<Page>>;
    async fn list_pages(&self, company: &CompanyId) -> StoreResult<Vec<Page>>;
    /// Saves the whole page if its stored version is still `page.version`, and stores it with
    /// `page.version + 1`. Returns `false` (and changes nothing) when someone saved in between.
    async fn save_page(&self, page: &Page) -> StoreResult<bool>;
    async fn delete_page(&self, company: &CompanyId, page_id: &PageId) -> StoreResult<bool>;
    /// The company that registered `page_id`, for routing webhooks.
    async fn find_page_owner(&self, page_id: &PageId) -> StoreResult<Option<CompanyId>>;
    /// The company and page holding CRM link `link_id`, for routing a CRM's push to a
    /// webhook-type link (the push is authenticated by the link's own signing secret).
    async fn find_link_owner(&self, link_id: &LinkId) -> StoreResult<Option<(CompanyId, PageId)>>;
    /// Every page of every company, for the sync scheduler only: no request reaches it.
    async fn all_pages(&self) -> StoreResult<Vec<Page>>;
}

#[async_trait]
pub trait InboxStore: Send + Sync {
    /// Stores each event unless one with the same `(page_id, natural_key)` exists. Durable
    /// when it returns: the webhook answers 200 only after this.
    async fn insert_inbox_events(&self, events: &[InboxEvent]) -> StoreResult<Vec<InsertOutcome>>;
    /// The company's events, newest first.
    async fn list_inbox_events(
        &self,
        company: &CompanyId,
        limit: u32,
    ) -> StoreResult<Vec<InboxEvent>>;
}

/// The reply worker's side of the inbox: leases, so that an event whose worker died is
/// taken again once its lease has run out, and nothing else touches it meanwhile.
#[async_trait]
pub trait InboxLeaseStore: Send + Sync {
    /// Takes up to `limit` events that are `pending` and due (`available_at <= now`), or
    /// `processing` with a lease that ran out before `now`, oldest first, and leases them to
    /// `owner` until `lease_until`. Across every company: the worker serves them all.
    async fn claim_inbox_events(
        &self,
        owner: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<InboxEvent>>;
    /// Ends `owner`'s lease with `status` (`done` or `failed`); `false` when the lease was
    /// lost (it ran out and another worker took the event).
    async fn finish_inbox_event(
        &self,
        event_id: &str,
        owner: &str,
        status: InboxStatus,
    ) -> StoreResult<bool>;
    /// Gives the event back as `pending`, due again at `available_at` (a throttled page,
    /// a busy conversation). `false` when the lease was lost.
    async fn defer_inbox_event(
        &self,
        event_id: &str,
        owner: &str,
        available_at: DateTime<Utc>,
    ) -> StoreResult<bool>;
}

/// What [`ReplyStore::begin_reply`] found.
#[derive(Debug, Clone, PartialEq)]
pub enum BeginReply {
    /// The reply is now `sending` under this attempt number: go ahead and send.
    Started { attempt: u32 },
    /// A reply record exists and is not `queued`: do not send; here it is.
    Existing(Box<OutboxReply>),
}

/// What [`ReplyStore::requeue_reply`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum Requeue {
    Requeued(Box<OutboxReply>),
    /// Only `failed` and `needs_review` replies are asked for again.
    NotRetryable(ReplyStatus),
    NotFound,
}

/// Which replies [`ReplyStore::list_replies`] returns: always one company.
#[derive(Debug, Clone)]
pub struct ReplyQuery {
    pub company_id: CompanyId,
    pub page_id: Option<PageId>,
    pub status: Option<ReplyStatus>,
    pub limit: u32,
}

/// `outbox_replies`: one record per inbox event, keyed by the event's id.
#[async_trait]
pub trait ReplyStore: Send + Sync {
    /// Records `reply` (its status is ignored and stored as `sending`) if the event has no
    /// reply yet, or has a `queued` one; otherwise changes nothing and returns the record.
    /// This compare-and-set is the "never two replies for one event" guard.
    async fn begin_reply(&self, reply: &OutboxReply) -> StoreResult<BeginReply>;
    /// Stores the whole reply (its outcome), by company and id.
    async fn save_reply(&self, reply: &OutboxReply) -> StoreResult<()>;
    async fn get_reply(&self, company: &CompanyId, id: &str) -> StoreResult<Option<OutboxReply>>;
    /// Newest first.
    async fn list_replies(&self, query: &ReplyQuery) -> StoreResult<Vec<OutboxReply>>;
    /// Moves a `failed` or `needs_review` reply to `queued` and its inbox event back to
    /// `pending`, due at `now`, so a worker takes it again.
    async fn requeue_reply(
        &self,
        company: &CompanyId,
        id: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Requeue>;
}

/// `conversations` and their turns: the history a Messenger answer reads, the 24-hour
/// window, and the hand-off pause.
#[async_trait]
pub trait ConversationStore: Send + Sync {
    /// Stores the turn unless `(page_id, turn.id)` is stored already, and updates its
    /// conversation (created on first use: message times, turn count). Returns whether the
    /// turn was new.
    async fn record_turn(&self, turn: &ConversationTurn) -> StoreResult<bool>;
    /// The last `limit` turns, oldest first.
    async fn recent_turns(
        &self,
        company: &CompanyId,
        page_id: &PageId,
        conversation: &str,
        limit: u32,
    ) -> StoreResult<Vec<ConversationTurn>>;
    async fn get_conversation(
        &self,
        company: &CompanyId,
        page_id: &PageId,
        conversation: &str,
    ) -> StoreResult<Option<Conversation>>;
    /// Pauses the bot until `until` (`None` resumes it), creating the conversation if needed.
    async fn set_conversation_pause(
        &self,
        company: &CompanyId,
        page_id: &PageId,
        conversation: &str,
        channel: Channel,
        until: Option<DateTime<Utc>>,
        reason: Option<&str>,
    ) -> StoreResult<Conversation>;
    /// The page's conversations (or the company's, without a page), latest message first.
    async fn list_conversations(
        &self,
        company: &CompanyId,
        page_id: Option<&PageId>,
        limit: u32,
    ) -> StoreResult<Vec<Conversation>>;
}

/// Which runs [`SyncRunStore::list_sync_runs`] returns: always one company.
#[derive(Debug, Clone)]
pub struct SyncRunQuery {
    pub company_id: CompanyId,
    pub page_id: Option<PageId>,
    pub link_id: Option<LinkId>,
    pub limit: u32,
}

#[async_trait]
pub trait SyncRunStore: Send + Sync {
    async fn insert_sync_run(&self, run: &SyncRun) -> StoreResult<()>;
    /// Runs newest first.
    async fn list_sync_runs(&self, query: &SyncRunQuery) -> StoreResult<Vec<SyncRun>>;
}

/// `metakocka_credentials`: one record per (company, owner).
#[async_trait]
pub trait MetakockaCredentialStore: Send + Sync {
    /// Inserts or replaces the record of `(credentials.company_id, credentials.owner)`.
    async fn put_metakocka_credentials(&self, credentials: &StoredCredentials) -> StoreResult<()>;
    async fn get_metakocka_credentials(
        &self,
        company: &CompanyId,
        owner: &CredentialOwner,
    ) -> StoreResult<Option<StoredCredentials>>;
    /// Whether there was a record to delete.
    async fn delete_metakocka_credentials(
        &self,
        company: &CompanyId,
        owner: &CredentialOwner,
    ) -> StoreResult<bool>;
}

/// `metakocka_error_logs`: every query is one company's, filtered by [`ErrorLogFilter`].
#[async_trait]
pub trait MetakockaErrorLogStore: Send + Sync {
    async fn insert_error_log(&self, entry: &ErrorLogEntry) -> StoreResult<()>;
    async fn get_error_log(
        &self,
        company: &CompanyId,
        id: &str,
    ) -> StoreResult<Option<ErrorLogEntry>>;
    /// Newest first (by `created_at`, then id); `total` counts every match. A limit of 0
    /// only counts.
    async fn list_error_logs(
        &self,
        company: &CompanyId,
        filter: &ErrorLogFilter,
        paging: Paging,
    ) -> StoreResult<ErrorLogPage>;
    /// Resolves the *open* entries `target` names; returns how many changed.
    async fn resolve_error_logs(
        &self,
        company: &CompanyId,
        target: &ResolveTarget,
        resolution: &Resolution,
    ) -> StoreResult<u64>;
    async fn error_log_stats(
        &self,
        company: &CompanyId,
        filter: &ErrorLogFilter,
    ) -> StoreResult<ErrorLogStats>;
}

/// `metakocka_inventory`: each company's latest stock snapshot, replaced whole.
#[async_trait]
pub trait MetakockaInventoryStore: Send + Sync {
    /// Replaces the company's snapshot with `entries` in one step: a reader sees the old
    /// snapshot or the new one, never a mix; a failure leaves the old one.
    async fn replace_inventory(
        &self,
        company: &CompanyId,
        refreshed_at: DateTime<Utc>,
        entries: &[StockEntry],
    ) -> StoreResult<()>;
    /// The entries of one product (every warehouse, by warehouse id) of the company's
    /// snapshot; `None` when the company has no snapshot yet.
    async fn product_inventory(
        &self,
        company: &CompanyId,
        product: &ProductKey,
    ) -> StoreResult<Option<ProductInventory>>;
    /// Companies with organisation Metakocka credentials. Unscoped: only the scheduled
    /// inventory refresh calls it, and it returns nothing but company ids.
    async fn companies_with_organization_credentials(&self) -> StoreResult<Vec<CompanyId>>;
}

/// `products`: the company's own catalogue; `(company_id, code)` is unique.
#[async_trait]
pub trait ProductStore: Send + Sync {
    /// Fails with [`StoreError::Conflict`] when the company has a product of that code.
    async fn insert_product(&self, product: &Product) -> StoreResult<()>;
    async fn get_product(&self, company: &CompanyId, id: &str) -> StoreResult<Option<Product>>;
    /// Ordered by code, then id; `total` counts every match.
    async fn list_products(
        &self,
        company: &CompanyId,
        query: &RecordQuery,
    ) -> StoreResult<RecordPage<Product>>;
    /// Saves the whole record by company and id (last write wins); `false` when there is
    /// none. [`StoreError::Conflict`] when another product of the company has the code.
    async fn update_product(&self, product: &Product) -> StoreResult<bool>;
    async fn delete_product(&self, company: &CompanyId, id: &str) -> StoreResult<bool>;
}

/// `contacts`: the company's customers and partners.
#[async_trait]
pub trait ContactStore: Send + Sync {
    async fn insert_contact(&self, contact: &Contact) -> StoreResult<()>;
    async fn get_contact(&self, company: &CompanyId, id: &str) -> StoreResult<Option<Contact>>;
    /// Ordered by name, then id; `total` counts every match.
    async fn list_contacts(
        &self,
        company: &CompanyId,
        query: &RecordQuery,
    ) -> StoreResult<RecordPage<Contact>>;
    /// Saves the whole record by company and id (last write wins); `false` when there is none.
    async fn update_contact(&self, contact: &Contact) -> StoreResult<bool>;
    async fn delete_contact(&self, company: &CompanyId, id: &str) -> StoreResult<bool>;
}

/// `sales_documents`: orders, offers and bills, each with its lines (stored with the
/// document); `(company_id, doc_type, number)` is unique when the number is given.
#[async_trait]
pub trait SalesDocumentStore: Send + Sync {
    /// Fails with [`StoreError::Conflict`] when the company has a document of that type and
    /// number.
    async fn insert_sales_document(&self, document: &SalesDocument) -> StoreResult<()>;
    async fn get_sales_document(
        &self,
        company: &CompanyId,
        id: &str,
    ) -> StoreResult<Option<SalesDocument>>;
    /// Newest first: by `doc_date` descending, then id descending (creation order);
    /// `total` counts every match.
    async fn list_sales_documents(
        &self,
        company: &CompanyId,
        query: &SalesDocumentQuery,
    ) -> StoreResult<RecordPage<SalesDocument>>;
    /// Saves the whole record by company and id (last write wins); `false` when there is
    /// none. [`StoreError::Conflict`] when another document of the company has the type and
    /// number.
    async fn update_sales_document(&self, document: &SalesDocument) -> StoreResult<bool>;
    async fn delete_sales_document(&self, company: &CompanyId, id: &str) -> StoreResult<bool>;
}

/// `metakocka_product_mappings`, `metakocka_contact_mappings`,
/// `metakocka_sales_document_mappings`: one table per [`EntityKind`], each with
/// `(company, crm_id)` and `(company, mk_id)` unique.
#[async_trait]
pub trait MetakockaMappingStore: Send + Sync {
    /// Inserts or replaces the mapping of `(company, kind, crm_id)`. [`StoreError::Conflict`]
    /// when another CRM record of the company is mapped to the same `mk_id`.
    async fn put_mapping(&self, mapping: &Mapping) -> StoreResult<()>;
    async fn get_mapping_by_crm(
        &self,
        company: &CompanyId,
        kind: EntityKind,
        crm_id: &str,
    ) -> StoreResult<Option<Mapping>>;
    async fn get_mapping_by_mk(
        &self,
        company: &CompanyId,
        kind: EntityKind,
        mk_id: &str,
    ) -> StoreResult<Option<Mapping>>;
    /// Every mapping of the kind, by `crm_id`.
    async fn list_mappings(
        &self,
        company: &CompanyId,
        kind: EntityKind,
    ) -> StoreResult<Vec<Mapping>>;
    async fn delete_mapping(
        &self,
        company: &CompanyId,
        kind: EntityKind,
        crm_id: &str,
    ) -> StoreResult<bool>;
    /// Writes a page of pulled products and their mappings in one go (a pull's local side).
    /// One result per write, in order: a write that fails (a duplicate code, a product or
    /// mapping of another company, an update of a product that is gone, a Metakocka record
    /// mapped to another product) leaves neither its product nor its mapping written; the
    /// others are written. The outer error: the store failed as a whole.
    async fn write_pulled_products(
        &self,
        company: &CompanyId,
        writes: &[PulledWrite<Product>],
    ) -> StoreResult<Vec<StoreResult<()>>>;
}

/// `metakocka_sync_slots`: one sync run at a time per company and entity kind, across
/// every process sharing the store. A run holds its slot under a lease it renews while it
/// runs, so a run whose process stopped blocks the next one only until its lease runs out.
#[async_trait]
pub trait MetakockaSyncSlotStore: Send + Sync {
    /// Takes the slot of `(company, kind)` for `run_id` until `lease_until` when it is free
    /// or its lease ran out before `now`; else names the run holding it.
    async fn claim_sync_slot(
        &self,
        company: &CompanyId,
        kind: EntityKind,
        run_id: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> StoreResult<SlotClaim>;
    /// Extends `run_id`'s lease; `false` when it holds the slot no more.
    async fn renew_sync_slot(
        &self,
        company: &CompanyId,
        kind: EntityKind,
        run_id: &str,
        lease_until: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Asks `run_id` to stop (it may run in another process); `false` when it holds the
    /// slot no more.
    async fn request_sync_slot_cancel(
        &self,
        company: &CompanyId,
        kind: EntityKind,
        run_id: &str,
    ) -> StoreResult<bool>;
    /// Whether `run_id` was asked to stop (or holds the slot no more).
    async fn sync_slot_cancel_requested(
        &self,
        company: &CompanyId,
        kind: EntityKind,
        run_id: &str,
    ) -> StoreResult<bool>;
    /// Frees the slot if `run_id` holds it.
    async fn release_sync_slot(
        &self,
        company: &CompanyId,
        kind: EntityKind,
        run_id: &str,
    ) -> StoreResult<()>;
}

/// `metakocka_sync_settings`, `metakocka_sync_runs`, `metakocka_sync_conflicts`.
#[async_trait]
pub trait MetakockaSyncStore: Send + Sync {
    /// Inserts or replaces the settings of `(company, kind)`.
    async fn put_sync_settings(&self, settings: &SyncSettings) -> StoreResult<()>;
    /// The company's saved settings (kinds never saved are absent).
    async fn list_sync_settings(&self, company: &CompanyId) -> StoreResult<Vec<SyncSettings>>;
    /// Every company's settings with automatic sync on. Unscoped: only the sync schedule
    /// calls it.
    async fn auto_sync_settings(&self) -> StoreResult<Vec<SyncSettings>>;
    async fn insert_metakocka_run(&self, run: &MetakockaSyncRun) -> StoreResult<()>;
    /// Saves the whole run by company and id; `false` when there is none.
    async fn save_metakocka_run(&self, run: &MetakockaSyncRun) -> StoreResult<bool>;
    async fn get_metakocka_run(
        &self,
        company: &CompanyId,
        id: &str,
    ) -> StoreResult<Option<MetakockaSyncRun>>;
    /// Newest first (ids are uuid v7), optionally of one kind.
    async fn list_metakocka_runs(
        &self,
        company: &CompanyId,
        kind: Option<EntityKind>,
        limit: u32,
    ) -> StoreResult<Vec<MetakockaSyncRun>>;
    /// Inserts or replaces the conflict by company and id.
    async fn put_sync_conflict(&self, conflict: &SyncConflict) -> StoreResult<()>;
    async fn get_sync_conflict(
        &self,
        company: &CompanyId,
        id: &str,
    ) -> StoreResult<Option<SyncConflict>>;
    /// Newest first; only unresolved ones when `open_only`.
    async fn list_sync_conflicts(
        &self,
        company: &CompanyId,
        open_only: bool,
    ) -> StoreResult<Vec<SyncConflict>>;
}

/// `emails` and their links to Metakocka (`email_metakocka_contact_mappings`,
/// `email_metakocka_document_mappings`): `(company_id, message_id)` is unique.
#[async_trait]
pub trait EmailStore: Send + Sync {
    /// Stores the email unless the company has one with its `message_id` (then `Duplicate`,
    /// and nothing changes).
    async fn insert_email(&self, email: &StoredEmail) -> StoreResult<InsertOutcome>;
    async fn get_email(&self, company: &CompanyId, id: &str) -> StoreResult<Option<StoredEmail>>;
    async fn find_email_by_message_id(
        &self,
        company: &CompanyId,
        message_id: &str,
    ) -> StoreResult<Option<StoredEmail>>;
    /// Newest received first (then by id); `total` counts all the company's emails.
    async fn list_emails(
        &self,
        company: &CompanyId,
        limit: u32,
        offset: u32,
    ) -> StoreResult<RecordPage<StoredEmail>>;
    /// Saves the whole record (its enrichment and drafts) by company and id; `false` when
    /// there is none.
    async fn update_email(&self, email: &StoredEmail) -> StoreResult<bool>;
    /// Replaces every link of the email with these.
    async fn replace_email_links(
        &self,
        company: &CompanyId,
        email_id: &str,
        contacts: &[ContactLink],
        documents: &[DocumentLink],
    ) -> StoreResult<()>;
    /// The emails linked to a partner (by Metakocka `mk_id`) or CRM contact (by id), newest
    /// first.
    async fn emails_of_contact(
        &self,
        company: &CompanyId,
        id: &str,
        limit: u32,
    ) -> StoreResult<Vec<StoredEmail>>;
    /// The emails linked to a document (by `mk_id` or `count_code`), newest first.
    async fn emails_of_document(
        &self,
        company: &CompanyId,
        id: &str,
        limit: u32,
    ) -> StoreResult<Vec<StoredEmail>>;
    /// The company's email settings (`email_settings`); `None` when never saved.
    async fn get_email_settings(
        &self,
        company: &CompanyId,
    ) -> StoreResult<Option<crate::email::settings::EmailSettings>>;
    /// Inserts or replaces the company's email settings.
    async fn put_email_settings(
        &self,
        settings: &crate::email::settings::EmailSettings,
    ) -> StoreResult<()>;
}

/// `email_templates`: the company's reply templates.
#[async_trait]
pub trait EmailTemplateStore: Send + Sync {
    async fn insert_email_template(&self, template: &EmailTemplate) -> StoreResult<()>;
    async fn get_email_template(
        &self,
        company: &CompanyId,
        id: &str,
    ) -> StoreResult<Option<EmailTemplate>>;
    /// Ordered by name, then language, then id.
    async fn list_email_templates(&self, company: &CompanyId) -> StoreResult<Vec<EmailTemplate>>;
    /// Saves the whole template by company and id; `false` when there is none.
    async fn update_email_template(&self, template: &EmailTemplate) -> StoreResult<bool>;
    async fn delete_email_template(&self, company: &CompanyId, id: &str) -> StoreResult<bool>;
}

/// What the reports read beyond the other stores (the whole inventory snapshot), and
/// `report_schedules`: one record per schedule, its destination sealed.
#[async_trait]
pub trait ReportStore: Send + Sync {
    /// Every entry of the company's inventory snapshot, by product id then warehouse id;
    /// `None` when the company has no snapshot yet.
    async fn inventory_snapshot(
        &self,
        company: &CompanyId,
    ) -> StoreResult<Option<ProductInventory>>;
    async fn insert_report_schedule(&self, schedule: &ReportSchedule) -> StoreResult<()>;
    async fn get_report_schedule(
        &self,
        company: &CompanyId,
        id: &str,
    ) -> StoreResult<Option<ReportSchedule>>;
    /// Oldest first (by creation, then id).
    async fn list_report_schedules(&self, company: &CompanyId) -> StoreResult<Vec<ReportSchedule>>;
    async fn delete_report_schedule(&self, company: &CompanyId, id: &str) -> StoreResult<bool>;
    /// Up to `limit` schedules of every company due at `now` (`next_due_at <= now`), the
    /// longest overdue first. Unscoped: only the delivery loop calls it.
    async fn due_report_schedules(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<ReportSchedule>>;
    /// Moves the schedule's due time from `due` to `next` if it is still `due`; `false` when
    /// another instance claimed it first (or it is gone).
    async fn claim_report_schedule(
        &self,
        company: &CompanyId,
        id: &str,
        due: DateTime<Utc>,
        next: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Records the last delivery's outcome; `false` when there is no such schedule.
    async fn record_report_delivery(
        &self,
        company: &CompanyId,
        id: &str,
        outcome: &DeliveryOutcome,
    ) -> StoreResult<bool>;
}

/// The whole document store, as the application holds it.
#[async_trait]
pub trait Store:
    CompanyStore
    + UserStore
    + SessionStore
    + PageStore
    + InboxStore
    + InboxLeaseStore
    + ReplyStore
    + ConversationStore
    + SyncRunStore
    + MetakockaCredentialStore
    + MetakockaErrorLogStore
    + MetakockaInventoryStore
    + ProductStore
    + ContactStore
    + SalesDocumentStore
    + MetakockaMappingStore
    + MetakockaSyncStore
    + MetakockaSyncSlotStore
    + EmailStore
    + EmailTemplateStore
    + ReportStore
{
    /// Succeeds when the engine answers; `/readyz` uses it.
    async fn ping(&self) -> StoreResult<()>;
    /// `sqlite` or `mongodb`, for logs and `/readyz`.
    fn engine(&self) -> &'static str;
}

pub type DynStore = Arc<dyn Store>;

//! When the store cannot be written, the webhook answers 500 so that Facebook delivers the
//! event again, and readiness says so; nothing is acknowledged that was not stored.

use crate::helpers::{APP_SECRET, text_message};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use crm_mind::config::Settings;
use crm_mind::domain::conversation::{Conversation, ConversationTurn};
use crm_mind::domain::events::{InboxEvent, InboxStatus};
use crm_mind::domain::reply::OutboxReply;
use crm_mind::domain::{
    Channel, Company, CompanyId, Email, LinkId, Page, PageId, Session, SyncRun, User,
};
use crm_mind::email::StoredEmail;
use crm_mind::email::links::{ContactLink, DocumentLink};
use crm_mind::email::templates::EmailTemplate;
use crm_mind::facebook::signature::sign;
use crm_mind::metakocka::credentials::{CredentialOwner, StoredCredentials};
use crm_mind::metakocka::error_log::{
    ErrorLogEntry, ErrorLogFilter, ErrorLogPage, ErrorLogStats, Paging, Resolution, ResolveTarget,
};
use crm_mind::metakocka::inventory::{ProductInventory, ProductKey, StockEntry};
use crm_mind::metakocka::sync::model::{
    EntityKind, Mapping, MetakockaSyncRun, PulledWrite, SlotClaim, SyncConflict, SyncSettings,
};
use crm_mind::records::contact::Contact;
use crm_mind::records::product::Product;
use crm_mind::records::sales_document::{SalesDocument, SalesDocumentQuery};
use crm_mind::records::{RecordPage, RecordQuery};
use crm_mind::reports::schedule::{DeliveryOutcome, ReportSchedule};
use crm_mind::secrets::Cipher;
use crm_mind::store::sqlite::SqliteStore;
use crm_mind::store::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A real SQLite store whose inbox writes and pings fail while `down` is set.
struct FlakyStore {
    inner: SqliteStore,
    down: AtomicBool,
}

impl FlakyStore {
    fn check(&self) -> StoreResult<()> {
        if self.down.load(Ordering::SeqCst) {
            Err(StoreError::Unavailable("disk unplugged (test)".into()))
        } else {
            Ok(())
        }
    }
}

#[async_trait]
impl CompanyStore for FlakyStore {
    async fn insert_company(&self, c: &Company) -> StoreResult<()> {
        self.inner.insert_company(c).await
    }
    async fn get_company(&self, id: &CompanyId) -> StoreResult<Option<Company>> {
        self.inner.get_company(id).await
    }
}
#[async_trait]
impl UserStore for FlakyStore {
    async fn insert_user(&self, u: &User) -> StoreResult<()> {
        self.inner.insert_user(u).await
    }
    async fn find_user_by_email(&self, e: &Email) -> StoreResult<Option<User>> {
        self.inner.find_user_by_email(e).await
    }
}
#[async_trait]
impl SessionStore for FlakyStore {
    async fn insert_session(&self, s: &Session) -> StoreResult<()> {
        self.inner.insert_session(s).await
    }
    async fn find_session(&self, h: &str) -> StoreResult<Option<Session>> {
        self.inner.find_session(h).await
    }
    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        self.inner.delete_expired_sessions(now).await
    }
    async fn delete_session(&self, h: &str) -> StoreResult<bool> {
        self.inner.delete_session(h).await
    }
}
#[async_trait]
impl PageStore for FlakyStore {
    async fn insert_page(&self, p: &Page) -> StoreResult<()> {
        self.inner.insert_page(p).await
    }
    async fn get_page(&self, c: &CompanyId, p: &PageId) -> StoreResult<Option<Page>> {
        self.inner.get_page(c, p).await
    }
    async fn list_pages(&self, c: &CompanyId) -> StoreResult<Vec<Page>> {
        self.inner.list_pages(c).await
    }
    async fn save_page(&self, p: &Page) -> StoreResult<bool> {
        self.inner.save_page(p).await
    }
    async fn delete_page(&self, c: &CompanyId, p: &PageId) -> StoreResult<bool> {
        self.inner.delete_page(c, p).await
    }
    async fn find_page_owner(&self, p: &PageId) -> StoreResult<Option<CompanyId>> {
        self.inner.find_page_owner(p).await
    }
    async fn find_link_owner(&self, l: &LinkId) -> StoreResult<Option<(CompanyId, PageId)>> {
        self.inner.find_link_owner(l).await
    }
    async fn all_pages(&self) -> StoreResult<Vec<Page>> {
        self.inner.all_pages().await
    }
}
#[async_trait]
impl SyncRunStore for FlakyStore {
    async fn insert_sync_run(&self, run: &SyncRun) -> StoreResult<()> {
        self.inner.insert_sync_run(run).await
    }
    async fn list_sync_runs(&self, query: &SyncRunQuery) -> StoreResult<Vec<SyncRun>> {
        self.inner.list_sync_runs(query).await
    }
}
#[async_trait]
impl InboxStore for FlakyStore {
    async fn insert_inbox_events(&self, events: &[InboxEvent]) -> StoreResult<Vec<InsertOutcome>> {
        self.check()?;
        self.inner.insert_inbox_events(events).await
    }
    async fn list_inbox_events(&self, c: &CompanyId, limit: u32) -> StoreResult<Vec<InboxEvent>> {
        self.inner.list_inbox_events(c, limit).await
    }
}
#[async_trait]
impl InboxLeaseStore for FlakyStore {
    async fn claim_inbox_events(
        &self,
        owner: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<InboxEvent>> {
        self.inner
            .claim_inbox_events(owner, now, lease_until, limit)
            .await
    }
    async fn finish_inbox_event(&self, id: &str, owner: &str, s: InboxStatus) -> StoreResult<bool> {
        self.inner.finish_inbox_event(id, owner, s).await
    }
    async fn defer_inbox_event(
        &self,
        id: &str,
        owner: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        self.inner.defer_inbox_event(id, owner, at).await
    }
}
#[async_trait]
impl ReplyStore for FlakyStore {
    async fn begin_reply(&self, r: &OutboxReply) -> StoreResult<BeginReply> {
        self.inner.begin_reply(r).await
    }
    async fn save_reply(&self, r: &OutboxReply) -> StoreResult<()> {
        self.inner.save_reply(r).await
    }
    async fn get_reply(&self, c: &CompanyId, id: &str) -> StoreResult<Option<OutboxReply>> {
        self.inner.get_reply(c, id).await
    }
    async fn list_replies(&self, q: &ReplyQuery) -> StoreResult<Vec<OutboxReply>> {
        self.inner.list_replies(q).await
    }
    async fn requeue_reply(
        &self,
        c: &CompanyId,
        id: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Requeue> {
        self.inner.requeue_reply(c, id, now).await
    }
}
#[async_trait]
impl ConversationStore for FlakyStore {
    async fn record_turn(&self, t: &ConversationTurn) -> StoreResult<bool> {
        self.inner.record_turn(t).await
    }
    async fn recent_turns(
        &self,
        c: &CompanyId,
        p: &PageId,
        conversation: &str,
        limit: u32,
    ) -> StoreResult<Vec<ConversationTurn>> {
        self.inner.recent_turns(c, p, conversation, limit).await
    }
    async fn get_conversation(
        &self,
        c: &CompanyId,
        p: &PageId,
        conversation: &str,
    ) -> StoreResult<Option<Conversation>> {
        self.inner.get_conversation(c, p, conversation).await
    }
    async fn set_conversation_pause(
        &self,
        c: &CompanyId,
        p: &PageId,
        conversation: &str,
        channel: Channel,
        until: Option<DateTime<Utc>>,
        reason: Option<&str>,
    ) -> StoreResult<Conversation> {
        self.inner
            .set_conversation_pause(c, p, conversation, channel, until, reason)
            .await
    }
    async fn list_conversations(
        &self,
        c: &CompanyId,
        p: Option<&PageId>,
        limit: u32,
    ) -> StoreResult<Vec<Conversation>> {
        self.inner.list_conversations(c, p, limit).await
    }
}
#[async_trait]
impl MetakockaCredentialStore for FlakyStore {
    async fn put_metakocka_credentials(&self, c: &StoredCredentials) -> StoreResult<()> {
        self.inner.put_metakocka_credentials(c).await
    }
    async fn get_metakocka_credentials(
        &self,
        c: &CompanyId,
        o: &CredentialOwner,
    ) -> StoreResult<Option<StoredCredentials>> {
        self.inner.get_metakocka_credentials(c, o).await
    }
    async fn delete_metakocka_credentials(
        &self,
        c: &CompanyId,
        o: &CredentialOwner,
    ) -> StoreResult<bool> {
        self.inner.delete_metakocka_credentials(c, o).await
    }
}
#[async_trait]
impl MetakockaErrorLogStore for FlakyStore {
    async fn insert_error_log(&self, e: &ErrorLogEntry) -> StoreResult<()> {
        self.check()?;
        self.inner.insert_error_log(e).await
    }
    async fn get_error_log(&self, c: &CompanyId, id: &str) -> StoreResult<Option<ErrorLogEntry>> {
        self.inner.get_error_log(c, id).await
    }
    async fn list_error_logs(
        &self,
        c: &CompanyId,
        f: &ErrorLogFilter,
        p: Paging,
    ) -> StoreResult<ErrorLogPage> {
        self.inner.list_error_logs(c, f, p).await
    }
    async fn resolve_error_logs(
        &self,
        c: &CompanyId,
        t: &ResolveTarget,
        r: &Resolution,
    ) -> StoreResult<u64> {
        self.inner.resolve_error_logs(c, t, r).await
    }
    async fn error_log_stats(
        &self,
        c: &CompanyId,
        f: &ErrorLogFilter,
    ) -> StoreResult<ErrorLogStats> {
        self.inner.error_log_stats(c, f).await
    }
}
#[async_trait]
impl MetakockaInventoryStore for FlakyStore {
    async fn replace_inventory(
        &self,
        c: &CompanyId,
        at: DateTime<Utc>,
        e: &[StockEntry],
    ) -> StoreResult<()> {
        self.inner.replace_inventory(c, at, e).await
    }
    async fn product_inventory(
        &self,
        c: &CompanyId,
        p: &ProductKey,
    ) -> StoreResult<Option<ProductInventory>> {
        self.inner.product_inventory(c, p).await
    }
    async fn companies_with_organization_credentials(&self) -> StoreResult<Vec<CompanyId>> {
        self.inner.companies_with_organization_credentials().await
    }
}
#[async_trait]
impl ProductStore for FlakyStore {
    async fn insert_product(&self, p: &Product) -> StoreResult<()> {
        self.inner.insert_product(p).await
    }
    async fn get_product(&self, c: &CompanyId, id: &str) -> StoreResult<Option<Product>> {
        self.inner.get_product(c, id).await
    }
    async fn list_products(
        &self,
        c: &CompanyId,
        q: &RecordQuery,
    ) -> StoreResult<RecordPage<Product>> {
        self.inner.list_products(c, q).await
    }
    async fn update_product(&self, p: &Product) -> StoreResult<bool> {
        self.inner.update_product(p).await
    }
    async fn delete_product(&self, c: &CompanyId, id: &str) -> StoreResult<bool> {
        self.inner.delete_product(c, id).await
    }
}
#[async_trait]
impl ContactStore for FlakyStore {
    async fn insert_contact(&self, p: &Contact) -> StoreResult<()> {
        self.inner.insert_contact(p).await
    }
    async fn get_contact(&self, c: &CompanyId, id: &str) -> StoreResult<Option<Contact>> {
        self.inner.get_contact(c, id).await
    }
    async fn list_contacts(
        &self,
        c: &CompanyId,
        q: &RecordQuery,
    ) -> StoreResult<RecordPage<Contact>> {
        self.inner.list_contacts(c, q).await
    }
    async fn update_contact(&self, p: &Contact) -> StoreResult<bool> {
        self.inner.update_contact(p).await
    }
    async fn delete_contact(&self, c: &CompanyId, id: &str) -> StoreResult<bool> {
        self.inner.delete_contact(c, id).await
    }
}
#[async_trait]
impl SalesDocumentStore for FlakyStore {
    async fn insert_sales_document(&self, d: &SalesDocument) -> StoreResult<()> {
        self.inner.insert_sales_document(d).await
    }
    async fn get_sales_document(
        &self,
        c: &CompanyId,
        id: &str,
    ) -> StoreResult<Option<SalesDocument>> {
        self.inner.get_sales_document(c, id).await
    }
    async fn list_sales_documents(
        &self,
        c: &CompanyId,
        q: &SalesDocumentQuery,
    ) -> StoreResult<RecordPage<SalesDocument>> {
        self.inner.list_sales_documents(c, q).await
    }
    async fn update_sales_document(&self, d: &SalesDocument) -> StoreResult<bool> {
        self.inner.update_sales_document(d).await
    }
    async fn delete_sales_document(&self, c: &CompanyId, id: &str) -> StoreResult<bool> {
        self.inner.delete_sales_document(c, id).await
    }
}
#[async_trait]
impl MetakockaMappingStore for FlakyStore {
    async fn put_mapping(&self, m: &Mapping) -> StoreResult<()> {
        self.inner.put_mapping(m).await
    }
    async fn get_mapping_by_crm(
        &self,
        c: &CompanyId,
        k: EntityKind,
        id: &str,
    ) -> StoreResult<Option<Mapping>> {
        self.inner.get_mapping_by_crm(c, k, id).await
    }
    async fn get_mapping_by_mk(
        &self,
        c: &CompanyId,
        k: EntityKind,
        id: &str,
    ) -> StoreResult<Option<Mapping>> {
        self.inner.get_mapping_by_mk(c, k, id).await
    }
    async fn list_mappings(&self, c: &CompanyId, k: EntityKind) -> StoreResult<Vec<Mapping>> {
        self.inner.list_mappings(c, k).await
    }
    async fn delete_mapping(&self, c: &CompanyId, k: EntityKind, id: &str) -> StoreResult<bool> {
        self.inner.delete_mapping(c, k, id).await
    }
    async fn write_pulled_products(
        &self,
        c: &CompanyId,
        w: &[PulledWrite<Product>],
    ) -> StoreResult<Vec<StoreResult<()>>> {
        self.inner.write_pulled_products(c, w).await
    }
}
#[async_trait]
impl MetakockaSyncSlotStore for FlakyStore {
    async fn claim_sync_slot(
        &self,
        c: &CompanyId,
        k: EntityKind,
        run: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<SlotClaim> {
        self.inner.claim_sync_slot(c, k, run, now, until).await
    }
    async fn renew_sync_slot(
        &self,
        c: &CompanyId,
        k: EntityKind,
        run: &str,
        until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        self.inner.renew_sync_slot(c, k, run, until).await
    }
    async fn request_sync_slot_cancel(
        &self,
        c: &CompanyId,
        k: EntityKind,
        run: &str,
    ) -> StoreResult<bool> {
        self.inner.request_sync_slot_cancel(c, k, run).await
    }
    async fn sync_slot_cancel_requested(
        &self,
        c: &CompanyId,
        k: EntityKind,
        run: &str,
    ) -> StoreResult<bool> {
        self.inner.sync_slot_cancel_requested(c, k, run).await
    }
    async fn release_sync_slot(&self, c: &CompanyId, k: EntityKind, run: &str) -> StoreResult<()> {
        self.inner.release_sync_slot(c, k, run).await
    }
}
#[async_trait]
impl MetakockaSyncStore for FlakyStore {
    async fn put_sync_settings(&self, s: &SyncSettings) -> StoreResult<()> {
        self.inner.put_sync_settings(s).await
    }
    async fn list_sync_settings(&self, c: &CompanyId) -> StoreResult<Vec<SyncSettings>> {
        self.inner.list_sync_settings(c).await
    }
    async fn auto_sync_settings(&self) -> StoreResult<Vec<SyncSettings>> {
        self.inner.auto_sync_settings().await
    }
    async fn insert_metakocka_run(&self, r: &MetakockaSyncRun) -> StoreResult<()> {
        self.inner.insert_metakocka_run(r).await
    }
    async fn save_metakocka_run(&self, r: &MetakockaSyncRun) -> StoreResult<bool> {
        self.inner.save_metakocka_run(r).await
    }
    async fn get_metakocka_run(
        &self,
        c: &CompanyId,
        id: &str,
    ) -> StoreResult<Option<MetakockaSyncRun>> {
        self.inner.get_metakocka_run(c, id).await
    }
    async fn list_metakocka_runs(
        &self,
        c: &CompanyId,
        k: Option<EntityKind>,
        limit: u32,
    ) -> StoreResult<Vec<MetakockaSyncRun>> {
        self.inner.list_metakocka_runs(c, k, limit).await
    }
    async fn put_sync_conflict(&self, x: &SyncConflict) -> StoreResult<()> {
        self.inner.put_sync_conflict(x).await
    }
    async fn get_sync_conflict(
        &self,
        c: &CompanyId,
        id: &str,
    ) -> StoreResult<Option<SyncConflict>> {
        self.inner.get_sync_conflict(c, id).await
    }
    async fn list_sync_conflicts(
        &self,
        c: &CompanyId,
        open: bool,
    ) -> StoreResult<Vec<SyncConflict>> {
        self.inner.list_sync_conflicts(c, open).await
    }
}
#[async_trait]
impl EmailStore for FlakyStore {
    async fn insert_email(&self, e: &StoredEmail) -> StoreResult<InsertOutcome> {
        self.inner.insert_email(e).await
    }
    async fn get_email(&self, c: &CompanyId, id: &str) -> StoreResult<Option<StoredEmail>> {
        self.inner.get_email(c, id).await
    }
    async fn find_email_by_message_id(
        &self,
        c: &CompanyId,
        m: &str,
    ) -> StoreResult<Option<StoredEmail>> {
        self.inner.find_email_by_message_id(c, m).await
    }
    async fn list_emails(
        &self,
        c: &CompanyId,
        limit: u32,
        offset: u32,
    ) -> StoreResult<RecordPage<StoredEmail>> {
        self.inner.list_emails(c, limit, offset).await
    }
    async fn update_email(&self, e: &StoredEmail) -> StoreResult<bool> {
        self.inner.update_email(e).await
    }
    async fn get_email_settings(
        &self,
        c: &CompanyId,
    ) -> StoreResult<Option<crm_mind::email::settings::EmailSettings>> {
        self.inner.get_email_settings(c).await
    }
    async fn put_email_settings(
        &self,
        s: &crm_mind::email::settings::EmailSettings,
    ) -> StoreResult<()> {
        self.inner.put_email_settings(s).await
    }
    async fn replace_email_links(
        &self,
        c: &CompanyId,
        id: &str,
        contacts: &[ContactLink],
        documents: &[DocumentLink],
    ) -> StoreResult<()> {
        self.inner
            .replace_email_links(c, id, contacts, documents)
            .await
    }
    async fn emails_of_contact(
        &self,
        c: &CompanyId,
        id: &str,
        limit: u32,
    ) -> StoreResult<Vec<StoredEmail>> {
        self.inner.emails_of_contact(c, id, limit).await
    }
    async fn emails_of_document(
        &self,
        c: &CompanyId,
        id: &str,
        limit: u32,
    ) -> StoreResult<Vec<StoredEmail>> {
        self.inner.emails_of_document(c, id, limit).await
    }
}
#[async_trait]
impl EmailTemplateStore for FlakyStore {
    async fn insert_email_template(&self, t: &EmailTemplate) -> StoreResult<()> {
        self.inner.insert_email_template(t).await
    }
    async fn get_email_template(
        &self,
        c: &CompanyId,
        id: &str,
    ) -> StoreResult<Option<EmailTemplate>> {
        self.inner.get_email_template(c, id).await
    }
    async fn list_email_templates(&self, c: &CompanyId) -> StoreResult<Vec<EmailTemplate>> {
        self.inner.list_email_templates(c).await
    }
    async fn update_email_template(&self, t: &EmailTemplate) -> StoreResult<bool> {
        self.inner.update_email_template(t).await
    }
    async fn delete_email_template(&self, c: &CompanyId, id: &str) -> StoreResult<bool> {
        self.inner.delete_email_template(c, id).await
    }
}
#[async_trait]
impl ReportStore for FlakyStore {
    async fn inventory_snapshot(&self, c: &CompanyId) -> StoreResult<Option<ProductInventory>> {
        self.inner.inventory_snapshot(c).await
    }
    async fn insert_report_schedule(&self, s: &ReportSchedule) -> StoreResult<()> {
        self.inner.insert_report_schedule(s).await
    }
    async fn get_report_schedule(
        &self,
        c: &CompanyId,
        id: &str,
    ) -> StoreResult<Option<ReportSchedule>> {
        self.inner.get_report_schedule(c, id).await
    }
    async fn list_report_schedules(&self, c: &CompanyId) -> StoreResult<Vec<ReportSchedule>> {
        self.inner.list_report_schedules(c).await
    }
    async fn delete_report_schedule(&self, c: &CompanyId, id: &str) -> StoreResult<bool> {
        self.inner.delete_report_schedule(c, id).await
    }
    async fn due_report_schedules(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<ReportSchedule>> {
        self.inner.due_report_schedules(now, limit).await
    }
    async fn claim_report_schedule(
        &self,
        c: &CompanyId,
        id: &str,
        due: DateTime<Utc>,
        next: DateTime<Utc>,
    ) -> StoreResult<bool> {
        self.inner.claim_report_schedule(c, id, due, next).await
    }
    async fn record_report_delivery(
        &self,
        c: &CompanyId,
        id: &str,
        o: &DeliveryOutcome,
    ) -> StoreResult<bool> {
        self.inner.record_report_delivery(c, id, o).await
    }
}
#[async_trait]
impl Store for FlakyStore {
    async fn ping(&self) -> StoreResult<()> {
        self.check()?;
        self.inner.ping().await
    }
    fn engine(&self) -> &'static str {
        "sqlite"
    }
}

#[tokio::test]
async fn a_store_outage_is_a_500_and_the_redelivery_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::for_data_dir(dir.path());
    settings.facebook_app_secret = Some(APP_SECRET.into());
    let flaky = Arc::new(FlakyStore {
        inner: SqliteStore::open(&settings.sqlite_path()).unwrap(),
        down: AtomicBool::new(false),
    });
    let state = crm_mind::startup::state_for(&settings, flaky.clone(), Cipher::new(&[3; 32]), None);
    let company = state.accounts.create_company("Shop").await.unwrap();
    state
        .dashboard
        .register_page(&company.id, "1001", "Shop", &"EAAB".into())
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(crm_mind::startup::serve(
        state.clone(),
        listener,
        std::future::pending(),
    ));
    let client = reqwest::Client::new();
    let body = text_message("1001", "mid.outage", "Are you open on Sunday?");
    let post = || {
        client
            .post(format!("{address}/webhook"))
            .header("X-Hub-Signature-256", sign(APP_SECRET.as_bytes(), &body))
            .body(body.clone())
            .send()
    };

    flaky.down.store(true, Ordering::SeqCst);
    let response = post().await.unwrap();
    assert_eq!(response.status(), 500);
    let text = response.text().await.unwrap();
    assert!(
        !text.contains("disk unplugged"),
        "the cause is not sent: {text}"
    );
    assert_eq!(
        client
            .get(format!("{address}/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        503
    );
    assert!(
        state
            .store
            .list_inbox_events(&company.id, 10)
            .await
            .unwrap()
            .is_empty()
    );

    flaky.down.store(false, Ordering::SeqCst);
    assert_eq!(post().await.unwrap().status(), 200, "Facebook's redelivery");
    assert_eq!(
        state
            .store
            .list_inbox_events(&company.id, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        client
            .get(format!("{address}/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

/// The error log is written on paths that are already failing: a store outage must not turn
/// a failed Metakocka call into a second failure of the caller.
#[tokio::test]
async fn recording_a_metakocka_error_while_the_store_is_down_does_not_fail_the_caller() {
    use crm_mind::metakocka::error_log::{EntityType, ErrorCategory, NewError};
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings::for_data_dir(dir.path());
    let flaky = Arc::new(FlakyStore {
        inner: SqliteStore::open(&settings.sqlite_path()).unwrap(),
        down: AtomicBool::new(true),
    });
    let state = crm_mind::startup::state_for(&settings, flaky.clone(), Cipher::new(&[3; 32]), None);
    let company = CompanyId::from("company-1");
    let error = NewError {
        company_id: company.clone(),
        user_id: None,
        category: ErrorCategory::Network,
        entity_type: EntityType::Product,
        entity_id: Some("p-1".into()),
        operation: "product_list".into(),
        message: "Metakocka did not answer".into(),
        details: serde_json::json!({}),
    };
    assert_eq!(state.metakocka_errors.record(error.clone()).await, None);

    flaky.down.store(false, Ordering::SeqCst);
    let stored = state
        .metakocka_errors
        .record(error)
        .await
        .expect("stored once the store is back");
    let page = state
        .metakocka_errors
        .list(
            &company,
            &ErrorLogFilter::default(),
            Paging {
                limit: 10,
                offset: 0,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        page.items,
        vec![stored],
        "only the entry written while the store was up"
    );
}

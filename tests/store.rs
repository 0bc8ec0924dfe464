//! The behaviour suite of the document store seam: every test runs on SQLite and, when
//! `CRM_MIND_TEST_MONGODB_URI` is set, on MongoDB (a database of its own per test). An engine
//! that passes this suite is one the rest of crm-mind can stand on.

#[path = "support/store_subjects.rs"]
mod store_subjects;

use chrono::{DateTime, Duration, Utc};
use crm_mind::domain::crm_link::HeaderSecret;
use crm_mind::domain::events::{InboxEvent, InboxMessage, InboxStatus};
use crm_mind::domain::{
    Channel, Company, CompanyId, CrmLink, CrmLinkType, Email, LinkHeader, LinkId, Page, PageId,
    Role, Sealed, Session, User, UserId,
};
use crm_mind::domain::{ChunkCounts, SyncOutcome, SyncRun, SyncTrigger};
use crm_mind::metakocka::credentials::{CredentialOwner, StoredCredentials};
use crm_mind::metakocka::error_log::query::day_of;
use crm_mind::metakocka::error_log::{
    EntityType, ErrorCategory, ErrorLogEntry, ErrorLogFilter, ErrorLogStats, ErrorStatus, NewError,
    Paging, Resolution, ResolveTarget,
};
use crm_mind::store::{DynStore, InsertOutcome, StoreError, SyncRunQuery};
use store_subjects::{now, subjects};

async fn company(store: &DynStore, name: &str) -> Company {
    let mut company = Company::new(name).unwrap();
    company.created_at = now();
    store.insert_company(&company).await.unwrap();
    company
}

fn page(company: &CompanyId, id: &str) -> Page {
    let mut page = Page::new(
        company.clone(),
        PageId::from(id),
        format!("Page {id}"),
        Sealed::from_stored("v1:sealed-token".into()),
    );
    page.created_at = now();
    page.updated_at = page.created_at;
    page
}

fn link(url: &str, channels: &[Channel]) -> CrmLink {
    CrmLink {
        id: LinkId::generate(),
        name: "Customer Database".into(),
        url: url.into(),
        link_type: CrmLinkType::Webhook,
        channels: channels.to_vec(),
        api_key: Some(Sealed::from_stored("v1:sealed-key".into())),
        headers: vec![
            LinkHeader {
                name: "X-Custom-Header".into(),
                value: HeaderSecret::Plain("value".into()),
            },
            LinkHeader {
                name: "X-API-Key".into(),
                value: HeaderSecret::Sealed(Sealed::from_stored("v1:sealed-header".into())),
            },
        ],
        description: Some("Main customer database".into()),
        is_active: true,
        created_at: now(),
        updated_at: now(),
        webhook_secret: Some(Sealed::from_stored("v1:sealed-webhook-secret".into())),
        refresh_minutes: Some(15),
    }
}

fn event(company: &CompanyId, page: &str, key: &str, received_at: DateTime<Utc>) -> InboxEvent {
    InboxEvent {
        id: uuid::Uuid::new_v4().to_string(),
        company_id: company.clone(),
        page_id: page.into(),
        channel: Channel::Messenger,
        natural_key: key.into(),
        sender_id: "psid-1".into(),
        message: InboxMessage::Text {
            mid: key.into(),
            text: format!("text of {key}"),
        },
        occurred_at: Some(received_at - Duration::seconds(1)),
        received_at,
        status: InboxStatus::Pending,
    }
}

#[tokio::test]
async fn companies_round_trip() {
    for s in subjects().await {
        let stored = company(&s.store, "Shop d.o.o.").await;
        assert_eq!(
            s.store.get_company(&stored.id).await.unwrap(),
            Some(stored.clone()),
            "{}",
            s.name
        );
        assert_eq!(
            s.store.get_company(&CompanyId::generate()).await.unwrap(),
            None
        );
        s.store.ping().await.unwrap();
    }
}

#[tokio::test]
async fn user_emails_are_unique_across_companies() {
    for s in subjects().await {
        let a = company(&s.store, "A").await;
        let b = company(&s.store, "B").await;
        let user = User {
            id: UserId::generate(),
            company_id: a.id.clone(),
            email: Email::parse("ana@shop.example").unwrap(),
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
            role: Role::Agent,
            created_at: now(),
        };
        s.store.insert_user(&user).await.unwrap();
        let found = s
            .store
            .find_user_by_email(&user.email)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found, user, "{}", s.name);
        let twin = User {
            id: UserId::generate(),
            company_id: b.id.clone(),
            ..user.clone()
        };
        assert!(
            matches!(
                s.store.insert_user(&twin).await,
                Err(StoreError::Conflict(_))
            ),
            "{}",
            s.name
        );
        assert!(
            s.store
                .find_user_by_email(&Email::parse("nobody@shop.example").unwrap())
                .await
                .unwrap()
                .is_none()
        );
    }
}

#[tokio::test]
async fn sessions_are_found_by_hash_and_expired_ones_removed() {
    for s in subjects().await {
        let c = company(&s.store, "A").await;
        let user = User {
            id: UserId::generate(),
            company_id: c.id.clone(),
            email: Email::parse("ana@shop.example").unwrap(),
            password_hash: "$argon2id$placeholder".into(),
            role: Role::Admin,
            created_at: now(),
        };
        s.store.insert_user(&user).await.unwrap();
        let session = |hash: &str, expires_at| Session {
            token_hash: hash.into(),
            user_id: user.id.clone(),
            company_id: c.id.clone(),
            role: Role::Admin,
            created_at: now(),
            expires_at,
        };
        let live = session("hash-live", now() + Duration::days(1));
        let dead = session("hash-dead", now() - Duration::seconds(5));
        s.store.insert_session(&live).await.unwrap();
        s.store.insert_session(&dead).await.unwrap();
        assert_eq!(
            s.store.find_session("hash-live").await.unwrap(),
            Some(live.clone()),
            "{}",
            s.name
        );
        assert_eq!(
            s.store.delete_expired_sessions(now()).await.unwrap(),
            1,
            "{}",
            s.name
        );
        assert!(s.store.find_session("hash-dead").await.unwrap().is_none());
        assert!(s.store.find_session("hash-live").await.unwrap().is_some());
    }
}

#[tokio::test]
async fn pages_are_scoped_to_their_company_and_unique_across_companies() {
    for s in subjects().await {
        let a = company(&s.store, "A").await;
        let b = company(&s.store, "B").await;
        let mut first = page(&a.id, "1001");
        first
            .add_link(link("https://crm.example/all", &Channel::ALL))
            .unwrap();
        first
            .legacy_crm_links
            .push(link("https://crm.example/legacy", &[]));
        s.store.insert_page(&first).await.unwrap();
        s.store.insert_page(&page(&a.id, "1002")).await.unwrap();

        assert_eq!(
            s.store.get_page(&a.id, &"1001".into()).await.unwrap(),
            Some(first.clone()),
            "{}: full round trip",
            s.name
        );
        assert_eq!(
            s.store.get_page(&b.id, &"1001".into()).await.unwrap(),
            None,
            "{}: B cannot read A's page",
            s.name
        );
        let listed: Vec<String> = s
            .store
            .list_pages(&a.id)
            .await
            .unwrap()
            .iter()
            .map(|p| p.page_id.to_string())
            .collect();
        assert_eq!(listed.len(), 2);
        assert!(listed.contains(&"1001".to_owned()) && listed.contains(&"1002".to_owned()));
        assert!(s.store.list_pages(&b.id).await.unwrap().is_empty());
        let listed_first = s
            .store
            .list_pages(&a.id)
            .await
            .unwrap()
            .into_iter()
            .find(|p| p.page_id.as_str() == "1001")
            .unwrap();
        assert_eq!(listed_first, first, "{}: list returns links too", s.name);

        assert!(
            matches!(
                s.store.insert_page(&page(&b.id, "1001")).await,
                Err(StoreError::Conflict(_))
            ),
            "{}",
            s.name
        );
        assert!(
            matches!(
                s.store.insert_page(&page(&a.id, "1001")).await,
                Err(StoreError::Conflict(_))
            ),
            "{}",
            s.name
        );
        assert_eq!(
            s.store.find_page_owner(&"1001".into()).await.unwrap(),
            Some(a.id.clone())
        );
        assert_eq!(s.store.find_page_owner(&"9999".into()).await.unwrap(), None);
        let mut everyone: Vec<(String, String)> = s
            .store
            .all_pages()
            .await
            .unwrap()
            .into_iter()
            .map(|p| (p.company_id.to_string(), p.page_id.to_string()))
            .collect();
        everyone.sort();
        let mut expected = vec![
            (a.id.to_string(), "1001".to_owned()),
            (a.id.to_string(), "1002".to_owned()),
        ];
        expected.sort();
        assert_eq!(
            everyone, expected,
            "{}: the scheduler sees every page",
            s.name
        );
        let legacy_link = first.legacy_crm_links[0].id.clone();
        assert_eq!(
            s.store.find_link_owner(&legacy_link).await.unwrap(),
            Some((a.id.clone(), PageId::from("1001"))),
            "{}: a link is routed to its company and page",
            s.name
        );
        assert_eq!(
            s.store.find_link_owner(&LinkId::generate()).await.unwrap(),
            None
        );

        assert!(
            !s.store.delete_page(&b.id, &"1001".into()).await.unwrap(),
            "{}: B cannot delete A's page",
            s.name
        );
        assert!(
            s.store
                .get_page(&a.id, &"1001".into())
                .await
                .unwrap()
                .is_some()
        );
        assert!(s.store.delete_page(&a.id, &"1001".into()).await.unwrap());
        assert_eq!(s.store.get_page(&a.id, &"1001".into()).await.unwrap(), None);
        assert_eq!(s.store.find_page_owner(&"1001".into()).await.unwrap(), None);
        // Once deleted, the page id is free for anyone.
        s.store.insert_page(&page(&b.id, "1001")).await.unwrap();
    }
}

#[tokio::test]
async fn saving_a_page_is_refused_when_someone_saved_in_between() {
    for s in subjects().await {
        let a = company(&s.store, "A").await;
        let original = page(&a.id, "1001");
        s.store.insert_page(&original).await.unwrap();

        let mut first = s
            .store
            .get_page(&a.id, &"1001".into())
            .await
            .unwrap()
            .unwrap();
        let mut second = first.clone();
        first
            .add_link(link("https://crm.example/one", &[Channel::Facebook]))
            .unwrap();
        second
            .add_link(link("https://crm.example/two", &[Channel::Messenger]))
            .unwrap();
        assert!(s.store.save_page(&first).await.unwrap(), "{}", s.name);
        assert!(
            !s.store.save_page(&second).await.unwrap(),
            "{}: a stale save is refused",
            s.name
        );

        let stored = s
            .store
            .get_page(&a.id, &"1001".into())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.version, original.version + 1);
        assert_eq!(stored.facebook_crm_links, first.facebook_crm_links);
        assert!(
            stored.messenger_crm_links.is_empty(),
            "{}: the stale change left no trace",
            s.name
        );

        // A save of another company's copy of the page changes nothing.
        let b = company(&s.store, "B").await;
        let mut foreign = stored.clone();
        foreign.company_id = b.id.clone();
        foreign.facebook_crm_links.clear();
        assert!(!s.store.save_page(&foreign).await.unwrap(), "{}", s.name);
        assert_eq!(
            s.store
                .get_page(&a.id, &"1001".into())
                .await
                .unwrap()
                .unwrap()
                .facebook_crm_links
                .len(),
            1
        );

        // Removing every link is a save like any other.
        let mut emptied = s
            .store
            .get_page(&a.id, &"1001".into())
            .await
            .unwrap()
            .unwrap();
        emptied.remove_link("https://crm.example/one", &Channel::ALL, now());
        assert!(s.store.save_page(&emptied).await.unwrap());
        assert_eq!(
            s.store
                .get_page(&a.id, &"1001".into())
                .await
                .unwrap()
                .unwrap()
                .all_links()
                .count(),
            0
        );
    }
}

#[tokio::test]
async fn inbox_events_are_stored_exactly_once() {
    for s in subjects().await {
        let a = company(&s.store, "A").await;
        let t0 = now();
        let batch = vec![
            event(&a.id, "1001", "mid.1", t0),
            event(&a.id, "1001", "mid.2", t0 + Duration::milliseconds(1)),
            event(&a.id, "1001", "mid.1", t0 + Duration::milliseconds(2)),
            // The same key on another page is another event.
            event(&a.id, "1002", "mid.1", t0 + Duration::milliseconds(3)),
        ];
        let outcomes = s.store.insert_inbox_events(&batch).await.unwrap();
        use InsertOutcome::{Duplicate, Inserted};
        assert_eq!(
            outcomes,
            [Inserted, Inserted, Duplicate, Inserted],
            "{}",
            s.name
        );
        let again = s.store.insert_inbox_events(&batch[..2]).await.unwrap();
        assert_eq!(again, [Duplicate, Duplicate], "{}", s.name);
        assert!(s.store.insert_inbox_events(&[]).await.unwrap().is_empty());

        let listed = s.store.list_inbox_events(&a.id, 10).await.unwrap();
        let order: Vec<(&str, &str)> = listed
            .iter()
            .map(|e| (e.page_id.as_str(), e.natural_key.as_str()))
            .collect();
        assert_eq!(
            order,
            [("1002", "mid.1"), ("1001", "mid.2"), ("1001", "mid.1")],
            "{}: newest first",
            s.name
        );
        assert_eq!(listed[2], batch[0], "{}: full round trip", s.name);
        assert_eq!(s.store.list_inbox_events(&a.id, 1).await.unwrap().len(), 1);

        let b = company(&s.store, "B").await;
        assert!(
            s.store
                .list_inbox_events(&b.id, 10)
                .await
                .unwrap()
                .is_empty(),
            "{}",
            s.name
        );
    }
}

#[tokio::test]
async fn events_received_in_the_same_millisecond_list_newest_insert_first() {
    for s in subjects().await {
        let a = company(&s.store, "A").await;
        let t = now();
        let batch: Vec<_> = (0..5)
            .map(|i| event(&a.id, "1001", &format!("m.{i}"), t))
            .collect();
        s.store.insert_inbox_events(&batch).await.unwrap();
        let keys: Vec<String> = s
            .store
            .list_inbox_events(&a.id, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.natural_key)
            .collect();
        assert_eq!(keys, ["m.4", "m.3", "m.2", "m.1", "m.0"], "{}", s.name);
    }
}

#[tokio::test]
async fn comment_events_keep_their_thread() {
    for s in subjects().await {
        let a = company(&s.store, "A").await;
        let mut comment = event(&a.id, "1001", "1395_1396", now());
        comment.channel = Channel::Facebook;
        comment.occurred_at = None;
        comment.message = InboxMessage::Comment {
            comment_id: "1395_1396".into(),
            post_id: Some("1375_1395".into()),
            parent_id: None,
            from_name: Some("Ana Novak".into()),
            text: "Ali imate še kaj zaloge? Čšž".into(),
        };
        s.store
            .insert_inbox_events(std::slice::from_ref(&comment))
            .await
            .unwrap();
        assert_eq!(
            s.store.list_inbox_events(&a.id, 5).await.unwrap(),
            vec![comment],
            "{}",
            s.name
        );
    }
}

fn sync_run(company: &CompanyId, page: &str, link: &LinkId, started_at: DateTime<Utc>) -> SyncRun {
    SyncRun {
        id: SyncRun::new_id(),
        company_id: company.clone(),
        page_id: page.into(),
        link_id: link.clone(),
        link_name: "Customer Database".into(),
        url: "https://crm.example/customers".into(),
        trigger: SyncTrigger::Schedule,
        outcome: SyncOutcome::Failed,
        error_kind: Some("unauthorized".into()),
        status_code: Some(401),
        error: Some("the CRM answered 401 Unauthorized: check the API key".into()),
        bytes_fetched: 5_000_000_000,
        pages_fetched: 3,
        complete: true,
        chunks: ChunkCounts {
            total: 10,
            new: 2,
            changed: 1,
            unchanged: 7,
            deleted: 4,
            embedded: 3,
        },
        started_at,
        finished_at: started_at + Duration::milliseconds(1500),
        duration_ms: 1500,
    }
}

#[tokio::test]
async fn sync_runs_list_newest_first_per_company_page_and_link() {
    for s in subjects().await {
        let a = company(&s.store, "A").await;
        let b = company(&s.store, "B").await;
        let (link_1, link_2) = (LinkId::generate(), LinkId::generate());
        let t0 = now();
        let older = sync_run(&a.id, "1001", &link_1, t0);
        let newer = sync_run(&a.id, "1001", &link_2, t0 + Duration::seconds(5));
        let other_page = sync_run(&a.id, "1002", &link_1, t0 + Duration::seconds(1));
        let other_company = sync_run(&b.id, "1001", &link_1, t0 + Duration::seconds(9));
        for run in [&older, &newer, &other_page, &other_company] {
            s.store.insert_sync_run(run).await.unwrap();
        }
        let query = |page: Option<&str>, link: Option<&LinkId>, limit| SyncRunQuery {
            company_id: a.id.clone(),
            page_id: page.map(PageId::from),
            link_id: link.cloned(),
            limit,
        };
        let page_runs = s
            .store
            .list_sync_runs(&query(Some("1001"), None, 10))
            .await
            .unwrap();
        assert_eq!(
            page_runs,
            vec![newer.clone(), older.clone()],
            "{}: a page's runs, newest first, round-tripped whole",
            s.name
        );
        let link_runs = s
            .store
            .list_sync_runs(&query(None, Some(&link_1), 10))
            .await
            .unwrap();
        assert_eq!(
            link_runs,
            vec![other_page.clone(), older.clone()],
            "{}",
            s.name
        );
        let latest = s.store.list_sync_runs(&query(None, None, 1)).await.unwrap();
        assert_eq!(
            latest,
            vec![newer.clone()],
            "{}: limit, and B's run unseen",
            s.name
        );
    }
}

// --- Metakocka credentials and error log -------------------------------------------------

fn credentials(company: &CompanyId, owner: CredentialOwner, key: &str) -> StoredCredentials {
    StoredCredentials {
        company_id: company.clone(),
        owner,
        mk_company_id: "4521".into(),
        secret_key: Sealed::from_stored(format!("v1:{key}")),
        created_by: UserId::from("admin-1"),
        created_at: now(),
        updated_by: UserId::from("admin-1"),
        updated_at: now(),
    }
}

#[tokio::test]
async fn metakocka_credentials_are_kept_per_company_and_owner() {
    for s in subjects().await {
        let a = company(&s.store, "A").await;
        let b = company(&s.store, "B").await;
        let ana = CredentialOwner::User(UserId::from("ana"));
        let org = credentials(&a.id, CredentialOwner::Organization, "org-key");
        s.store.put_metakocka_credentials(&org).await.unwrap();
        s.store
            .put_metakocka_credentials(&credentials(&a.id, ana.clone(), "ana-key"))
            .await
            .unwrap();
        let read = |company: CompanyId, owner: CredentialOwner| {
            let store = s.store.clone();
            async move {
                store
                    .get_metakocka_credentials(&company, &owner)
                    .await
                    .unwrap()
            }
        };
        assert_eq!(
            read(a.id.clone(), CredentialOwner::Organization).await,
            Some(org.clone()),
            "{}",
            s.name
        );
        assert_eq!(
            read(a.id.clone(), ana.clone())
                .await
                .unwrap()
                .secret_key
                .as_stored(),
            "v1:ana-key",
            "{}",
            s.name
        );
        assert_eq!(
            read(b.id.clone(), CredentialOwner::Organization).await,
            None,
            "{}: B sees none",
            s.name
        );

        // A replacement changes the key and the update stamp, not who created them.
        let mut replacement = credentials(&a.id, CredentialOwner::Organization, "new-key");
        replacement.created_by = UserId::from("someone-else");
        replacement.updated_by = UserId::from("admin-2");
        replacement.updated_at = now() + Duration::seconds(5);
        s.store
            .put_metakocka_credentials(&replacement)
            .await
            .unwrap();
        let stored = read(a.id.clone(), CredentialOwner::Organization)
            .await
            .unwrap();
        assert_eq!(stored.secret_key.as_stored(), "v1:new-key", "{}", s.name);
        assert_eq!(stored.updated_by.as_str(), "admin-2", "{}", s.name);
        assert_eq!(stored.updated_at, replacement.updated_at, "{}", s.name);
        assert_eq!(
            stored.created_by.as_str(),
            "admin-1",
            "{}: creator kept",
            s.name
        );

        assert!(
            !s.store
                .delete_metakocka_credentials(&b.id, &ana)
                .await
                .unwrap(),
            "{}",
            s.name
        );
        assert!(
            s.store
                .delete_metakocka_credentials(&a.id, &ana)
                .await
                .unwrap(),
            "{}",
            s.name
        );
        assert_eq!(read(a.id.clone(), ana.clone()).await, None, "{}", s.name);
        assert!(
            read(a.id.clone(), CredentialOwner::Organization)
                .await
                .is_some(),
            "{}",
            s.name
        );
    }
}

/// An error entry of `company`, created at `created_at`.
fn error_entry(
    company: &CompanyId,
    category: ErrorCategory,
    entity: EntityType,
    entity_id: &str,
    message: &str,
    created_at: DateTime<Utc>,
) -> ErrorLogEntry {
    let mut entry = NewError {
        company_id: company.clone(),
        user_id: Some(UserId::from("ana")),
        category,
        entity_type: entity,
        entity_id: Some(entity_id.into()),
        operation: "product_add".into(),
        message: message.into(),
        details: serde_json::json!({"opr_code": "1", "lines": [1, 2.5, "x"]}),
    }
    .into_entry(created_at);
    entry.created_at = created_at;
    entry
}

/// Four entries of A over three days and one of B; returns A's, oldest first.
async fn seed_error_logs(
    store: &DynStore,
    a: &CompanyId,
    b: &CompanyId,
    base: DateTime<Utc>,
) -> Vec<ErrorLogEntry> {
    let day = Duration::days(1);
    let entries = vec![
        error_entry(
            a,
            ErrorCategory::Auth,
            EntityType::Credentials,
            "org",
            "Invalid secret key",
            base - day * 2,
        ),
        error_entry(
            a,
            ErrorCategory::Validation,
            EntityType::Product,
            "p-1",
            "Product code is MISSING",
            base - day,
        ),
        error_entry(
            a,
            ErrorCategory::Network,
            EntityType::Product,
            "p-2",
            "Metakocka timed out",
            base - day + Duration::minutes(1),
        ),
        error_entry(
            a,
            ErrorCategory::Validation,
            EntityType::Contact,
            "c-1",
            "Partner Čebelica: email MISSING",
            base,
        ),
    ];
    for entry in &entries {
        store.insert_error_log(entry).await.unwrap();
    }
    store
        .insert_error_log(&error_entry(
            b,
            ErrorCategory::Validation,
            EntityType::Product,
            "p-1",
            "B's missing code",
            base,
        ))
        .await
        .unwrap();
    entries
}

fn ids(entries: &[ErrorLogEntry]) -> Vec<&str> {
    entries.iter().map(|e| e.id.as_str()).collect()
}

#[tokio::test]
async fn error_logs_filter_page_newest_first_and_stay_in_their_company() {
    for s in subjects().await {
        let a = company(&s.store, "A").await;
        let b = company(&s.store, "B").await;
        let base = now();
        let seeded = seed_error_logs(&s.store, &a.id, &b.id, base).await;
        let [auth, missing_code, timeout, partner] = [0, 1, 2, 3].map(|i| seeded[i].clone());
        let all = Paging {
            limit: 50,
            offset: 0,
        };
        let list = |filter: ErrorLogFilter, paging: Paging| {
            let (store, company) = (s.store.clone(), a.id.clone());
            async move {
                store
                    .list_error_logs(&company, &filter, paging)
                    .await
                    .unwrap()
            }
        };

        let everything = list(ErrorLogFilter::default(), all).await;
        assert_eq!(everything.total, 4, "{}: B's entry unseen", s.name);
        assert_eq!(
            ids(&everything.items),
            ids(&[
                partner.clone(),
                timeout.clone(),
                missing_code.clone(),
                auth.clone()
            ]),
            "{}",
            s.name
        );
        assert_eq!(everything.items[3], auth, "{}: round-trips whole", s.name);

        let second_page = list(
            ErrorLogFilter::default(),
            Paging {
                limit: 2,
                offset: 2,
            },
        )
        .await;
        assert_eq!(
            (second_page.total, ids(&second_page.items)),
            (4, ids(&[missing_code.clone(), auth.clone()])),
            "{}",
            s.name
        );
        let count_only = list(
            ErrorLogFilter::default(),
            Paging {
                limit: 0,
                offset: 0,
            },
        )
        .await;
        assert_eq!(
            (count_only.total, count_only.items.len()),
            (4, 0),
            "{}",
            s.name
        );

        let cases = [
            (
                ErrorLogFilter {
                    category: Some(ErrorCategory::Validation),
                    ..Default::default()
                },
                vec![&partner, &missing_code],
            ),
            (
                ErrorLogFilter {
                    entity_type: Some(EntityType::Product),
                    ..Default::default()
                },
                vec![&timeout, &missing_code],
            ),
            (
                ErrorLogFilter {
                    entity_id: Some("p-2".into()),
                    ..Default::default()
                },
                vec![&timeout],
            ),
            (
                ErrorLogFilter {
                    text: Some("missing".into()),
                    ..Default::default()
                },
                vec![&partner, &missing_code],
            ),
            (
                ErrorLogFilter {
                    text: Some("čEBELICA".into()),
                    ..Default::default()
                },
                vec![&partner],
            ),
            (
                ErrorLogFilter {
                    from: Some(missing_code.created_at),
                    to: Some(partner.created_at),
                    ..Default::default()
                },
                vec![&timeout, &missing_code],
            ),
            (
                ErrorLogFilter {
                    status: Some(ErrorStatus::Resolved),
                    ..Default::default()
                },
                vec![],
            ),
            (
                ErrorLogFilter {
                    category: Some(ErrorCategory::Validation),
                    entity_type: Some(EntityType::Contact),
                    ..Default::default()
                },
                vec![&partner],
            ),
        ];
        for (filter, expected) in cases {
            let found = list(filter.clone(), all).await;
            let expected: Vec<ErrorLogEntry> = expected.into_iter().cloned().collect();
            assert_eq!(ids(&found.items), ids(&expected), "{}: {filter:?}", s.name);
            assert_eq!(found.total, expected.len() as u64, "{}: {filter:?}", s.name);
            assert!(found.items.iter().all(|e| filter.matches(e)), "{}", s.name);
        }
        assert_eq!(
            s.store.get_error_log(&a.id, &auth.id).await.unwrap(),
            Some(auth.clone()),
            "{}",
            s.name
        );
        assert_eq!(
            s.store.get_error_log(&b.id, &auth.id).await.unwrap(),
            None,
            "{}: not B's",
            s.name
        );
    }
}

#[tokio::test]
async fn error_logs_resolve_by_ids_or_filter_only_open_ones_of_the_company() {
    for s in subjects().await {
        let a = company(&s.store, "A").await;
        let b = company(&s.store, "B").await;
        let base = now();
        let seeded = seed_error_logs(&s.store, &a.id, &b.id, base).await;
        let resolution = Resolution {
            notes: Some("Key re-entered".into()),
            resolved_by: UserId::from("admin-1"),
            resolved_at: base + Duration::minutes(5),
        };
        let by_ids = ResolveTarget::Ids(vec![seeded[0].id.clone(), "no-such-id".into()]);
        assert_eq!(
            s.store
                .resolve_error_logs(&a.id, &by_ids, &resolution)
                .await
                .unwrap(),
            1,
            "{}",
            s.name
        );
        assert_eq!(
            s.store
                .resolve_error_logs(&b.id, &by_ids, &resolution)
                .await
                .unwrap(),
            0,
            "{}: B cannot resolve A's",
            s.name
        );
        assert_eq!(
            s.store
                .resolve_error_logs(&a.id, &by_ids, &resolution)
                .await
                .unwrap(),
            0,
            "{}: already resolved",
            s.name
        );
        let resolved = s
            .store
            .get_error_log(&a.id, &seeded[0].id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(resolved.status, ErrorStatus::Resolved, "{}", s.name);
        assert_eq!(
            resolved.resolution_notes.as_deref(),
            Some("Key re-entered"),
            "{}",
            s.name
        );
        assert_eq!(
            resolved.resolved_by.as_ref().map(UserId::as_str),
            Some("admin-1"),
            "{}",
            s.name
        );
        assert_eq!(
            resolved.resolved_at,
            Some(resolution.resolved_at),
            "{}",
            s.name
        );

        let validation = ErrorLogFilter {
            category: Some(ErrorCategory::Validation),
            ..Default::default()
        };
        let by_filter = ResolveTarget::Filter(validation.clone());
        assert_eq!(
            s.store
                .resolve_error_logs(&a.id, &by_filter, &resolution)
                .await
                .unwrap(),
            2,
            "{}",
            s.name
        );
        let open = ErrorLogFilter {
            status: Some(ErrorStatus::Open),
            ..Default::default()
        };
        let still_open = s
            .store
            .list_error_logs(
                &a.id,
                &open,
                Paging {
                    limit: 10,
                    offset: 0,
                },
            )
            .await
            .unwrap();
        assert_eq!(
            ids(&still_open.items),
            vec![seeded[2].id.as_str()],
            "{}: the network error",
            s.name
        );
        let b_open = s
            .store
            .list_error_logs(
                &b.id,
                &open,
                Paging {
                    limit: 10,
                    offset: 0,
                },
            )
            .await
            .unwrap();
        assert_eq!(
            b_open.total, 1,
            "{}: B's validation error untouched",
            s.name
        );
    }
}

#[tokio::test]
async fn error_log_stats_count_by_status_category_entity_and_day() {
    for s in subjects().await {
        let a = company(&s.store, "A").await;
        let b = company(&s.store, "B").await;
        let base = now();
        let seeded = seed_error_logs(&s.store, &a.id, &b.id, base).await;
        let resolution = Resolution {
            notes: None,
            resolved_by: UserId::from("admin-1"),
            resolved_at: base,
        };
        s.store
            .resolve_error_logs(
                &a.id,
                &ResolveTarget::Ids(vec![seeded[0].id.clone()]),
                &resolution,
            )
            .await
            .unwrap();

        let stats = s
            .store
            .error_log_stats(&a.id, &ErrorLogFilter::default())
            .await
            .unwrap();
        let mut expected = ErrorLogStats::default();
        for entry in &seeded {
            let status = if entry.id == seeded[0].id {
                ErrorStatus::Resolved
            } else {
                ErrorStatus::Open
            };
            expected.add(
                status,
                entry.category,
                entry.entity_type,
                day_of(entry.created_at),
                1,
            );
        }
        assert_eq!(stats, expected, "{}", s.name);
        assert_eq!(
            stats.by_category.get(&ErrorCategory::Validation),
            Some(&2),
            "{}",
            s.name
        );
        assert_eq!(
            stats.by_status.get(&ErrorStatus::Open),
            Some(&3),
            "{}",
            s.name
        );

        let products = ErrorLogFilter {
            entity_type: Some(EntityType::Product),
            ..Default::default()
        };
        let product_stats = s.store.error_log_stats(&a.id, &products).await.unwrap();
        assert_eq!(product_stats.total, 2, "{}", s.name);
        assert_eq!(product_stats.by_entity_type.len(), 1, "{}", s.name);
    }
}

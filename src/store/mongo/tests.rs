//! The engine against a live server: set `CRM_MIND_TEST_MONGODB_URI` (for example to what
//! `scripts/mongo-test-server start` prints). Each test uses a fresh database and drops it
//! when it passes. Without the variable each test says it was skipped and passes.

use super::MongoStore;
use crate::domain::crm_link::HeaderSecret;
use crate::domain::events::{InboxEvent, InboxMessage, InboxStatus};
use crate::domain::{
    Channel, Company, CompanyId, CrmLink, CrmLinkType, Email, LinkHeader, LinkId, Page, Role,
    Sealed, Session, User, UserId,
};
use crate::store::{
    CompanyStore, InboxStore, InsertOutcome, PageStore, SessionStore, Store, StoreError, UserStore,
};
use chrono::{DateTime, Duration, SubsecRound, Utc};
use secrecy::SecretString;

async fn store() -> Option<MongoStore> {
    let Ok(uri) = std::env::var("CRM_MIND_TEST_MONGODB_URI") else {
        println!("skipped: CRM_MIND_TEST_MONGODB_URI not set");
        return None;
    };
    let database = format!("crm_mind_test_{}", uuid::Uuid::new_v4().simple());
    Some(
        MongoStore::connect(&SecretString::from(uri), &database)
            .await
            .expect("connect"),
    )
}

async fn drop_database(store: MongoStore) {
    store.db.drop().await.expect("dropping the test database");
}

/// Now, to the millisecond a BSON date keeps, so values compare equal after a round trip.
fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(3)
}

async fn company(store: &MongoStore, name: &str) -> Company {
    let company = Company {
        created_at: now(),
        ..Company::new(name).unwrap()
    };
    store.insert_company(&company).await.unwrap();
    company
}

fn page(company: &CompanyId, page_id: &str) -> Page {
    let mut page = Page::new(
        company.clone(),
        page_id.into(),
        "Shop".into(),
        Sealed::from_stored("sealed-token".into()),
    );
    page.created_at = now();
    page.updated_at = page.created_at;
    page
}

fn link(url: &str, channels: &[Channel]) -> CrmLink {
    CrmLink {
        id: LinkId::generate(),
        name: "CRM".into(),
        url: url.into(),
        link_type: CrmLinkType::Api,
        channels: channels.to_vec(),
        api_key: Some(Sealed::from_stored("sealed-key".into())),
        headers: vec![
            LinkHeader {
                name: "Accept".into(),
                value: HeaderSecret::Plain("application/json".into()),
            },
            LinkHeader {
                name: "X-Api-Key".into(),
                value: HeaderSecret::Sealed(Sealed::from_stored("sealed".into())),
            },
        ],
        description: Some("customers".into()),
        is_active: true,
        created_at: now(),
        updated_at: now(),
    }
}

fn event(company: &CompanyId, page_id: &str, key: &str, received_at: DateTime<Utc>) -> InboxEvent {
    InboxEvent {
        id: uuid::Uuid::new_v4().to_string(),
        company_id: company.clone(),
        page_id: page_id.into(),
        channel: Channel::Messenger,
        natural_key: key.into(),
        sender_id: "psid-1".into(),
        message: InboxMessage::Text {
            mid: key.into(),
            text: "Do you ship to Ljubljana?".into(),
        },
        occurred_at: Some(received_at - Duration::seconds(1)),
        received_at,
        status: InboxStatus::Pending,
    }
}

#[tokio::test]
async fn a_company_reads_back_as_stored_and_its_id_is_unique() {
    let Some(store) = store().await else { return };
    let shop = company(&store, "Shop").await;
    assert_eq!(
        store.get_company(&shop.id).await.unwrap(),
        Some(shop.clone())
    );
    assert_eq!(store.get_company(&"nobody".into()).await.unwrap(), None);
    assert!(matches!(
        store.insert_company(&shop).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.engine(), "mongodb");
    store.ping().await.unwrap();
    drop_database(store).await;
}

#[tokio::test]
async fn an_email_names_one_user_across_companies() {
    let Some(store) = store().await else { return };
    let (a, b) = (company(&store, "A").await, company(&store, "B").await);
    let user = User {
        id: UserId::generate(),
        company_id: a.id.clone(),
        email: Email::parse("ana@shop.si").unwrap(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        role: Role::Admin,
        created_at: now(),
    };
    store.insert_user(&user).await.unwrap();
    let found = store.find_user_by_email(&user.email).await.unwrap();
    assert_eq!(found, Some(user.clone()));

    let same_email = User {
        id: UserId::generate(),
        company_id: b.id,
        ..user.clone()
    };
    match store.insert_user(&same_email).await {
        Err(StoreError::Conflict(message)) => assert!(!message.contains("ana@"), "{message}"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    let nobody = Email::parse("nobody@shop.si").unwrap();
    assert_eq!(store.find_user_by_email(&nobody).await.unwrap(), None);
    drop_database(store).await;
}

#[tokio::test]
async fn sessions_are_found_by_token_hash_and_expired_ones_deleted() {
    let Some(store) = store().await else { return };
    let shop = company(&store, "Shop").await;
    let session = |hash: &str, expires_at| Session {
        token_hash: hash.into(),
        user_id: UserId::generate(),
        company_id: shop.id.clone(),
        role: Role::Agent,
        created_at: now(),
        expires_at,
    };
    let live = session("live", now() + Duration::hours(1));
    let expired = session("expired", now() - Duration::minutes(1));
    store.insert_session(&live).await.unwrap();
    store.insert_session(&expired).await.unwrap();
    assert!(matches!(
        store.insert_session(&live).await,
        Err(StoreError::Conflict(_))
    ));

    assert_eq!(
        store.find_session("live").await.unwrap(),
        Some(live.clone())
    );
    assert_eq!(store.find_session("unknown").await.unwrap(), None);
    assert_eq!(store.delete_expired_sessions(now()).await.unwrap(), 1);
    assert_eq!(store.find_session("expired").await.unwrap(), None);
    assert!(store.find_session("live").await.unwrap().is_some());
    drop_database(store).await;
}

#[tokio::test]
async fn pages_are_scoped_by_company() {
    let Some(store) = store().await else { return };
    let (a, b) = (company(&store, "A").await, company(&store, "B").await);
    let mut first = page(&a.id, "1001");
    first
        .add_link(link("https://crm.example/a", &Channel::ALL))
        .unwrap();
    first
        .legacy_crm_links
        .push(link("https://legacy.example/", &[]));
    let mut second = page(&a.id, "1002");
    second.created_at = first.created_at + Duration::seconds(1);
    store.insert_page(&second).await.unwrap();
    store.insert_page(&first).await.unwrap();

    assert_eq!(
        store.get_page(&a.id, &"1001".into()).await.unwrap(),
        Some(first.clone())
    );
    assert_eq!(
        store.get_page(&b.id, &"1001".into()).await.unwrap(),
        None,
        "B cannot read A's page"
    );
    assert_eq!(
        store.list_pages(&a.id).await.unwrap(),
        vec![first.clone(), second.clone()]
    );
    assert!(store.list_pages(&b.id).await.unwrap().is_empty());
    assert_eq!(
        store.get_company(&a.id).await.unwrap(),
        Some(a.clone()),
        "pages leave the company as it was"
    );

    assert!(
        !store.delete_page(&b.id, &"1001".into()).await.unwrap(),
        "B cannot delete A's page"
    );
    assert!(store.delete_page(&a.id, &"1001".into()).await.unwrap());
    assert!(!store.delete_page(&a.id, &"1001".into()).await.unwrap());
    assert_eq!(store.list_pages(&a.id).await.unwrap(), vec![second]);
    drop_database(store).await;
}

#[tokio::test]
async fn a_page_belongs_to_one_company() {
    let Some(store) = store().await else { return };
    let (a, b) = (company(&store, "A").await, company(&store, "B").await);
    let _no_pages = company(&store, "C").await; // two companies without pages do not clash
    store.insert_page(&page(&a.id, "1001")).await.unwrap();

    assert!(matches!(
        store.insert_page(&page(&b.id, "1001")).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store.insert_page(&page(&a.id, "1001")).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.list_pages(&a.id).await.unwrap().len(), 1);
    assert!(matches!(
        store.insert_page(&page(&"unknown".into(), "2002")).await,
        Err(StoreError::Unavailable(_))
    ));

    assert_eq!(
        store.find_page_owner(&"1001".into()).await.unwrap(),
        Some(a.id.clone())
    );
    assert_eq!(store.find_page_owner(&"9999".into()).await.unwrap(), None);
    assert!(store.delete_page(&a.id, &"1001".into()).await.unwrap());
    store.insert_page(&page(&b.id, "1001")).await.unwrap();
    assert_eq!(
        store.find_page_owner(&"1001".into()).await.unwrap(),
        Some(b.id)
    );
    drop_database(store).await;
}

#[tokio::test]
async fn a_save_from_a_stale_version_changes_nothing() {
    let Some(store) = store().await else { return };
    let a = company(&store, "A").await;
    let stored = page(&a.id, "1001");
    store.insert_page(&stored).await.unwrap();

    let mut mine = stored.clone();
    mine.add_link(link("https://crm.example/a", &[Channel::Messenger]))
        .unwrap();
    let mut theirs = stored.clone();
    theirs.page_name = "Renamed".into();

    assert!(store.save_page(&mine).await.unwrap());
    assert!(
        !store.save_page(&theirs).await.unwrap(),
        "version 0 is gone"
    );
    let read = store
        .get_page(&a.id, &"1001".into())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        read,
        Page {
            version: 1,
            ..mine.clone()
        }
    );

    let other = company(&store, "B").await;
    let foreign = Page {
        company_id: other.id,
        ..read.clone()
    };
    assert!(
        !store.save_page(&foreign).await.unwrap(),
        "B cannot save A's page"
    );
    assert!(store.save_page(&read).await.unwrap());
    assert_eq!(
        store
            .get_page(&a.id, &"1001".into())
            .await
            .unwrap()
            .unwrap()
            .version,
        2
    );
    drop_database(store).await;
}

#[tokio::test]
async fn inbox_batches_store_each_event_once() {
    let Some(store) = store().await else { return };
    let (a, b) = (company(&store, "A").await, company(&store, "B").await);
    let t0 = now();
    let first = vec![
        event(&a.id, "1001", "m.1", t0),
        event(&a.id, "1001", "m.2", t0 + Duration::seconds(1)),
        event(&a.id, "1001", "m.1", t0 + Duration::seconds(2)),
    ];
    use InsertOutcome::{Duplicate, Inserted};
    assert_eq!(
        store.insert_inbox_events(&first).await.unwrap(),
        [Inserted, Inserted, Duplicate]
    );

    let second = vec![
        event(&a.id, "1001", "m.2", t0 + Duration::seconds(3)),
        event(&a.id, "1001", "m.3", t0 + Duration::seconds(4)),
        event(&a.id, "2002", "m.1", t0 + Duration::seconds(5)), // another page, its own keys
        event(&b.id, "3003", "m.9", t0 + Duration::seconds(6)),
    ];
    assert_eq!(
        store.insert_inbox_events(&second).await.unwrap(),
        [Duplicate, Inserted, Inserted, Inserted]
    );
    assert!(store.insert_inbox_events(&[]).await.unwrap().is_empty());

    let listed = store.list_inbox_events(&a.id, 10).await.unwrap();
    let keys: Vec<(&str, &str)> = listed
        .iter()
        .map(|e| (e.page_id.as_str(), e.natural_key.as_str()))
        .collect();
    assert_eq!(
        keys,
        [
            ("2002", "m.1"),
            ("1001", "m.3"),
            ("1001", "m.2"),
            ("1001", "m.1")
        ],
        "newest first"
    );
    assert_eq!(listed[3], first[0]);
    assert_eq!(store.list_inbox_events(&a.id, 2).await.unwrap().len(), 2);
    assert!(store.list_inbox_events(&a.id, 0).await.unwrap().is_empty());
    assert_eq!(
        store.list_inbox_events(&b.id, 10).await.unwrap(),
        vec![second[3].clone()]
    );
    drop_database(store).await;
}

#[tokio::test]
async fn events_received_in_the_same_millisecond_list_newest_insert_first() {
    let Some(store) = store().await else { return };
    let a = company(&store, "A").await;
    let t = now();
    let batch: Vec<_> = (0..5)
        .map(|i| event(&a.id, "1001", &format!("m.{i}"), t))
        .collect();
    store.insert_inbox_events(&batch).await.unwrap();
    let keys: Vec<String> = store
        .list_inbox_events(&a.id, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.natural_key)
        .collect();
    assert_eq!(keys, ["m.4", "m.3", "m.2", "m.1", "m.0"]);
    drop_database(store).await;
}

#[tokio::test]
async fn connecting_twice_reapplies_migrations_harmlessly() {
    let Some(store) = store().await else { return };
    let uri = SecretString::from(std::env::var("CRM_MIND_TEST_MONGODB_URI").unwrap());
    let again = MongoStore::connect(&uri, store.db.name()).await.unwrap();
    again.ping().await.unwrap();
    drop_database(store).await;
}

#[tokio::test]
async fn a_bad_connection_string_is_not_echoed() {
    let uri = SecretString::from("mongodb://ana:hunter2@[bad".to_owned());
    let message = format!("{:#}", MongoStore::connect(&uri, "x").await.unwrap_err());
    assert!(!message.contains("hunter2"), "{message}");
}

#[tokio::test]
async fn an_unreachable_server_is_reported_without_the_password() {
    let uri = SecretString::from(
        "mongodb://ana:hunter2@127.0.0.1:9/?serverSelectionTimeoutMS=300".to_owned(),
    );
    let message = format!("{:#}", MongoStore::connect(&uri, "x").await.unwrap_err());
    assert!(message.contains("ping"), "{message}");
    assert!(!message.contains("hunter2"), "{message}");
}

#[tokio::test]
async fn times_are_bson_dates_and_the_indexes_exist() {
    use mongodb::bson::{Bson, Document, doc};
    let Some(store) = store().await else { return };
    let a = company(&store, "A").await;
    let mut stored = page(&a.id, "1001");
    stored
        .add_link(link("https://crm.example/a", &[Channel::Facebook]))
        .unwrap();
    store.insert_page(&stored).await.unwrap();
    store
        .insert_inbox_events(&[event(&a.id, "1001", "m.1", now())])
        .await
        .unwrap();

    let raw = |name: &str| store.collection::<Document>(name);
    let company = raw("companies").find_one(doc! {}).await.unwrap().unwrap();
    let page = company.get_array("pages").unwrap()[0]
        .as_document()
        .unwrap();
    let link = page.get_array("facebook_crm_links").unwrap()[0]
        .as_document()
        .unwrap();
    for (what, value) in [
        ("company.created_at", company.get("created_at")),
        ("page.updated_at", page.get("updated_at")),
        ("link.created_at", link.get("created_at")),
    ] {
        assert!(
            matches!(value, Some(Bson::DateTime(_))),
            "{what}: {value:?}"
        );
    }
    assert_eq!(link.get_str("type"), Ok("api"));
    assert_eq!(
        link.get_str("api_key"),
        Ok("sealed-key"),
        "stored sealed, as given"
    );
    let event = raw("inbox_events")
        .find_one(doc! {})
        .await
        .unwrap()
        .unwrap();
    assert!(
        matches!(event.get("received_at"), Some(Bson::DateTime(_))),
        "{event}"
    );
    assert_eq!(
        event.get_document("message").unwrap().get_str("kind"),
        Ok("text")
    );

    for (collection, index) in [
        ("companies", "pages_page_id_unique"),
        ("users", "email_unique"),
        ("sessions", "token_hash_unique"),
        ("sessions", "expires_at_ttl"),
        ("inbox_events", "page_natural_key_unique"),
        ("inbox_events", "company_received_at"),
    ] {
        let names = raw(collection).list_index_names().await.unwrap();
        assert!(names.iter().any(|n| n == index), "{collection}: {names:?}");
    }
    drop_database(store).await;
}

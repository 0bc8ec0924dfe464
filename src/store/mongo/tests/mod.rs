//! What only the MongoDB engine has to prove, against a live server: stored shapes (BSON
//! dates, indexes), repeatable migrations, and connection strings kept out of errors. The
//! behaviour both engines share is `tests/store.rs`.
//!
//! Set `CRM_MIND_TEST_MONGODB_URI` (for example to what `scripts/mongo-test-server start`
//! prints). Each test uses a fresh database and drops it when it passes. Without the variable
//! each test says it was skipped and passes.

mod reply_worker;

use super::MongoStore;
use crate::domain::crm_link::HeaderSecret;
use crate::domain::events::{InboxEvent, InboxMessage, InboxStatus};
use crate::domain::{
    Channel, Company, CompanyId, CrmLink, CrmLinkType, LinkHeader, LinkId, Page, Sealed,
};
use crate::store::{CompanyStore, InboxStore, PageStore, Store};
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
        webhook_secret: None,
        refresh_minutes: None,
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

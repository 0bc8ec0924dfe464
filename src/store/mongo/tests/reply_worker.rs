//! What only the MongoDB engine of the reply worker's store has to prove: that claims and
//! begins racing from several workers (there is no single writer thread here) still hand an
//! event and a send to one of them, that another company's reply or conversation under the
//! same key is refused rather than touched, and the stored shape of leases. The behaviour
//! both engines share is `tests/reply_store.rs`.

use super::{company, drop_database, event, now, store};
use crate::domain::conversation::{ConversationTurn, TurnAuthor};
use crate::domain::events::InboxStatus;
use crate::domain::reply::{OutboxReply, ReplyStatus, ReplyTimings};
use crate::domain::{Channel, CompanyId};
use crate::store::{
    BeginReply, ConversationStore, InboxLeaseStore, InboxStore, ReplyStore, StoreError,
};
use chrono::Duration;
use mongodb::bson::{Bson, Document, doc};
use std::collections::HashSet;

const WORKERS: usize = 4;

fn reply(company: &CompanyId, id: &str) -> OutboxReply {
    OutboxReply {
        id: id.into(),
        company_id: company.clone(),
        page_id: "p1".into(),
        channel: Channel::Messenger,
        conversation: "psid-1".into(),
        recipient_id: "psid-1".into(),
        question: "Do you ship to Ljubljana?".into(),
        answer: Some("Yes, in two days.".into()),
        facts: Vec::new(),
        model: Some("extractive".into()),
        status: ReplyStatus::Sending,
        reason: None,
        error_code: None,
        deliveries: Vec::new(),
        attempts: 0,
        timings: ReplyTimings::default(),
        created_at: now(),
        updated_at: now(),
    }
}

#[tokio::test]
async fn workers_claiming_at_once_each_get_different_events() {
    let Some(store) = store().await else { return };
    let a = company(&store, "A").await;
    let t0 = now();
    let events: Vec<_> = (0..24)
        .map(|i| {
            event(
                &a.id,
                "p1",
                &format!("m{i}"),
                t0 - Duration::seconds(60 - i),
            )
        })
        .collect();
    store.insert_inbox_events(&events).await.unwrap();

    let claims = (0..WORKERS).map(|w| {
        let store = store.clone();
        tokio::spawn(async move {
            let owner = format!("w{w}");
            let mut mine = Vec::new();
            loop {
                let batch = store
                    .claim_inbox_events(&owner, t0, t0 + Duration::seconds(60), 3)
                    .await
                    .unwrap();
                if batch.is_empty() {
                    return mine;
                }
                mine.extend(batch.into_iter().map(|e| e.id));
            }
        })
    });
    let mut claimed = Vec::new();
    for claim in claims {
        claimed.extend(claim.await.unwrap());
    }
    let distinct: HashSet<&String> = claimed.iter().collect();
    assert_eq!(claimed.len(), events.len(), "every event once: {claimed:?}");
    assert_eq!(distinct.len(), events.len(), "no event twice: {claimed:?}");
    drop_database(store).await;
}

#[tokio::test]
async fn a_lease_is_stored_as_owner_and_time_and_cleared_when_it_ends() {
    let Some(store) = store().await else { return };
    let a = company(&store, "A").await;
    let t0 = now();
    let ev = event(&a.id, "p1", "m1", t0);
    store
        .insert_inbox_events(std::slice::from_ref(&ev))
        .await
        .unwrap();
    let raw = || store.collection::<Document>("inbox_events");
    let stored = raw()
        .find_one(doc! { "id": &ev.id })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.get("available_at"),
        stored.get("received_at"),
        "due when received: {stored}"
    );
    assert!(matches!(
        stored.get("available_at"),
        Some(Bson::DateTime(_))
    ));

    // A lease already over when given is still handed out once, not once per slot.
    let past = t0 - Duration::seconds(1);
    let claimed = store.claim_inbox_events("w1", t0, past, 5).await.unwrap();
    assert_eq!(claimed.len(), 1, "{claimed:?}");

    let until = t0 + Duration::seconds(60);
    store.claim_inbox_events("w2", t0, until, 5).await.unwrap();
    let leased = raw()
        .find_one(doc! { "id": &ev.id })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(leased.get_str("status"), Ok("processing"));
    assert_eq!(leased.get_str("lease_owner"), Ok("w2"), "{leased}");
    assert_eq!(
        leased
            .get_datetime("lease_until")
            .unwrap()
            .timestamp_millis(),
        until.timestamp_millis()
    );

    assert!(
        store
            .finish_inbox_event(&ev.id, "w2", InboxStatus::Done)
            .await
            .unwrap()
    );
    let done = raw()
        .find_one(doc! { "id": &ev.id })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done.get_str("status"), Ok("done"));
    assert!(
        !done.contains_key("lease_owner") && !done.contains_key("lease_until"),
        "{done}"
    );
    drop_database(store).await;
}

#[tokio::test]
async fn an_event_stored_before_leases_existed_still_lists() {
    let Some(store) = store().await else { return };
    let a = company(&store, "A").await;
    let ev = event(&a.id, "p1", "m1", now());
    store
        .insert_inbox_events(std::slice::from_ref(&ev))
        .await
        .unwrap();
    store
        .collection::<Document>("inbox_events")
        .update_one(
            doc! { "id": &ev.id },
            doc! { "$unset": { "available_at": "" } },
        )
        .await
        .unwrap();
    let listed = store.list_inbox_events(&a.id, 10).await.unwrap();
    assert_eq!(listed, vec![ev]);
    drop_database(store).await;
}

#[tokio::test]
async fn workers_beginning_one_reply_at_once_start_one_send() {
    let Some(store) = store().await else { return };
    let a = company(&store, "A").await;
    let id = uuid::Uuid::new_v4().to_string();
    let begins = (0..WORKERS).map(|_| {
        let (store, reply) = (store.clone(), reply(&a.id, &id));
        tokio::spawn(async move { store.begin_reply(&reply).await.unwrap() })
    });
    let mut started = 0;
    for begin in begins {
        match begin.await.unwrap() {
            BeginReply::Started { attempt } => {
                assert_eq!(attempt, 1);
                started += 1;
            }
            BeginReply::Existing(existing) => assert_eq!(existing.status, ReplyStatus::Sending),
        }
    }
    assert_eq!(started, 1);
    drop_database(store).await;
}

#[tokio::test]
async fn another_companys_reply_under_the_same_id_is_refused_not_overwritten() {
    let Some(store) = store().await else { return };
    let (a, b) = (company(&store, "A").await, company(&store, "B").await);
    let id = uuid::Uuid::new_v4().to_string();
    let original = reply(&a.id, &id);
    store.begin_reply(&original).await.unwrap();

    let intruder = reply(&b.id, &id);
    assert!(matches!(
        store.begin_reply(&intruder).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store.save_reply(&intruder).await,
        Err(StoreError::Conflict(_))
    ));
    let kept = store.get_reply(&a.id, &id).await.unwrap().unwrap();
    assert_eq!(kept.company_id, a.id);
    assert_eq!(kept.status, ReplyStatus::Sending);
    assert_eq!(store.get_reply(&b.id, &id).await.unwrap(), None);
    drop_database(store).await;
}

#[tokio::test]
async fn another_companys_conversation_on_the_same_page_is_never_touched() {
    let Some(store) = store().await else { return };
    let (a, b) = (company(&store, "A").await, company(&store, "B").await);
    let t0 = now();
    let until = t0 + Duration::minutes(30);
    let paused = store
        .set_conversation_pause(
            &a.id,
            &"p1".into(),
            "psid-1",
            Channel::Messenger,
            Some(until),
            Some("manual"),
        )
        .await
        .unwrap();

    let resume = store
        .set_conversation_pause(
            &b.id,
            &"p1".into(),
            "psid-1",
            Channel::Messenger,
            None,
            None,
        )
        .await;
    assert!(matches!(resume, Err(StoreError::Conflict(_))), "{resume:?}");
    let turn = ConversationTurn {
        id: "m1".into(),
        company_id: b.id.clone(),
        page_id: "p1".into(),
        conversation: "psid-1".into(),
        channel: Channel::Messenger,
        author: TurnAuthor::Customer,
        text: "Hello?".into(),
        at: t0,
    };
    let recorded = store.record_turn(&turn).await;
    assert!(
        matches!(recorded, Err(StoreError::Conflict(_))),
        "{recorded:?}"
    );

    assert_eq!(
        store
            .get_conversation(&a.id, &"p1".into(), "psid-1")
            .await
            .unwrap(),
        Some(paused),
        "A's pause and counts stay as they were"
    );
    assert!(
        store
            .recent_turns(&b.id, &"p1".into(), "psid-1", 10)
            .await
            .unwrap()
            .is_empty(),
        "the refused turn is not kept"
    );
    drop_database(store).await;
}

#[tokio::test]
async fn the_reply_collections_have_their_indexes() {
    let Some(store) = store().await else { return };
    for (collection, index) in [
        ("inbox_events", "status_available_at"),
        ("inbox_events", "status_lease_until"),
        ("outbox_replies", "company_page_status_created"),
        ("outbox_replies", "company_created"),
        ("conversations", "page_conversation_unique"),
        ("conversations", "company_last_message"),
        ("conversation_turns", "page_id_unique"),
        ("conversation_turns", "company_page_conversation_at"),
    ] {
        let names = store
            .collection::<Document>(collection)
            .list_index_names()
            .await
            .unwrap();
        assert!(names.iter().any(|n| n == index), "{collection}: {names:?}");
    }
    drop_database(store).await;
}

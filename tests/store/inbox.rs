//! The inbox: events stored exactly once, listed newest first, comments with their thread.

use super::company;
use crate::store_subjects::{now, subjects};
use chrono::{DateTime, Duration, Utc};
use crm_mind::domain::events::{InboxEvent, InboxMessage, InboxStatus};
use crm_mind::domain::{Channel, CompanyId};
use crm_mind::store::InsertOutcome;

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

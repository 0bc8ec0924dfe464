//! The inbox: deduplicated batches, newest first.

use super::*;

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

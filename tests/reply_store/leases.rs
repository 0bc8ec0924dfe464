//! Inbox leases: one owner at a time, expiry, deferral.

use super::store_subjects::subjects;
use super::*;

#[tokio::test]
async fn a_claimed_event_is_not_claimed_again_until_its_lease_runs_out() {
    for s in subjects().await {
        let store = &s.store;
        let company = company(store).await;
        let t0 = now();
        let first = event(&company, "p1", "m1", t0 - Duration::seconds(2));
        let second = event(&company, "p1", "m2", t0 - Duration::seconds(1));
        store
            .insert_inbox_events(&[second.clone(), first.clone()])
            .await
            .unwrap();

        assert_eq!(
            claim_ids(store, "w1", t0, 10).await,
            vec![first.id.clone(), second.id.clone()],
            "{}: oldest first",
            s.name
        );
        assert!(
            claim_ids(store, "w2", t0 + Duration::seconds(30), 10)
                .await
                .is_empty(),
            "{}: leased events are not handed out twice",
            s.name
        );
        // w1 finishes the first; the second's worker "dies" and its lease runs out.
        assert!(
            store
                .finish_inbox_event(&first.id, "w1", InboxStatus::Done)
                .await
                .unwrap()
        );
        let after_expiry = t0 + Duration::seconds(61);
        assert_eq!(
            claim_ids(store, "w2", after_expiry, 10).await,
            vec![second.id.clone()],
            "{}: an expired lease hands the event to another worker",
            s.name
        );
        assert!(
            !store
                .finish_inbox_event(&second.id, "w1", InboxStatus::Done)
                .await
                .unwrap(),
            "{}: the old owner lost its lease",
            s.name
        );
        assert!(
            store
                .finish_inbox_event(&second.id, "w2", InboxStatus::Done)
                .await
                .unwrap()
        );
        assert!(
            claim_ids(store, "w3", t0 + Duration::days(1), 10)
                .await
                .is_empty(),
            "{}: done events are never claimed",
            s.name
        );
        let listed = store.list_inbox_events(&company, 10).await.unwrap();
        assert!(
            listed.iter().all(|e| e.status == InboxStatus::Done),
            "{}: {listed:?}",
            s.name
        );
    }
}

#[tokio::test]
async fn claims_respect_the_limit_and_deferred_events_wait_until_due() {
    for s in subjects().await {
        let store = &s.store;
        let company = company(store).await;
        let t0 = now();
        let events: Vec<_> = (0..3)
            .map(|i| {
                event(
                    &company,
                    "p1",
                    &format!("m{i}"),
                    t0 - Duration::seconds(10 - i),
                )
            })
            .collect();
        store.insert_inbox_events(&events).await.unwrap();
        assert_eq!(
            claim_ids(store, "w1", t0, 2).await,
            vec![events[0].id.clone(), events[1].id.clone()],
            "{}",
            s.name
        );
        assert!(
            store
                .defer_inbox_event(&events[0].id, "w1", t0 + Duration::seconds(30))
                .await
                .unwrap()
        );
        assert_eq!(
            claim_ids(store, "w1", t0 + Duration::seconds(1), 10).await,
            vec![events[2].id.clone()],
            "{}: a deferred event is not due yet",
            s.name
        );
        assert_eq!(
            claim_ids(store, "w1", t0 + Duration::seconds(31), 10).await,
            vec![events[0].id.clone()],
            "{}: and is taken once due",
            s.name
        );
    }
}

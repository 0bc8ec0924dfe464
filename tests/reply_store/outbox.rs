//! The outbox: one reply per event, requeue, listing.

use super::store_subjects::subjects;
use super::*;

#[tokio::test]
async fn one_event_gets_one_reply_unless_it_is_requeued() {
    for s in subjects().await {
        let store = &s.store;
        let company = company(store).await;
        let other = self::company(store).await;
        let t0 = now();
        let ev = event(&company, "p1", "m1", t0);
        store
            .insert_inbox_events(std::slice::from_ref(&ev))
            .await
            .unwrap();
        claim_ids(store, "w1", t0, 1).await;

        let reply = reply_for(&ev, t0);
        assert_eq!(
            store.begin_reply(&reply).await.unwrap(),
            BeginReply::Started { attempt: 1 },
            "{}",
            s.name
        );
        let BeginReply::Existing(existing) = store.begin_reply(&reply).await.unwrap() else {
            panic!("{}: a second begin must not start a second send", s.name);
        };
        assert_eq!(existing.status, ReplyStatus::Sending, "{}", s.name);

        // A crash leaves it `sending`: requeue refuses, nothing may resend it blindly.
        assert_eq!(
            store.requeue_reply(&company, &ev.id, t0).await.unwrap(),
            Requeue::NotRetryable(ReplyStatus::Sending),
            "{}",
            s.name
        );

        let mut failed = reply.clone();
        failed.status = ReplyStatus::Failed;
        failed.attempts = 1;
        failed.reason = Some("(#551) This person isn't available right now.".into());
        failed.error_code = Some(551);
        store.save_reply(&failed).await.unwrap();
        store
            .finish_inbox_event(&ev.id, "w1", InboxStatus::Failed)
            .await
            .unwrap();
        assert_eq!(
            store.get_reply(&company, &ev.id).await.unwrap(),
            Some(failed.clone()),
            "{}: the whole reply round-trips",
            s.name
        );
        assert_eq!(
            store.get_reply(&other, &ev.id).await.unwrap(),
            None,
            "{}: another company never sees it",
            s.name
        );
        assert_eq!(
            store.requeue_reply(&other, &ev.id, t0).await.unwrap(),
            Requeue::NotFound,
            "{}: nor requeues it",
            s.name
        );

        let later = t0 + Duration::seconds(5);
        let Requeue::Requeued(queued) = store.requeue_reply(&company, &ev.id, later).await.unwrap()
        else {
            panic!("{}: a failed reply can be asked for again", s.name);
        };
        assert_eq!(queued.status, ReplyStatus::Queued);
        assert_eq!(
            claim_ids(store, "w2", later, 10).await,
            vec![ev.id.clone()],
            "{}: its event is pending again",
            s.name
        );
        let mut retry = reply_for(&ev, later);
        retry.answer = Some("Yes, 3 pieces.".into());
        assert_eq!(
            store.begin_reply(&retry).await.unwrap(),
            BeginReply::Started { attempt: 2 },
            "{}: a queued reply starts again, counting the attempt",
            s.name
        );
        let stored = store.get_reply(&company, &ev.id).await.unwrap().unwrap();
        assert_eq!(stored.status, ReplyStatus::Sending);
        assert_eq!(stored.answer.as_deref(), Some("Yes, 3 pieces."));
        assert_eq!(stored.attempts, 2);

        let mut sent = stored.clone();
        sent.status = ReplyStatus::Sent;
        sent.deliveries = vec![Delivery {
            kind: DeliveryKind::Message,
            id: "m_abc".into(),
        }];
        store.save_reply(&sent).await.unwrap();
        assert_eq!(
            store.requeue_reply(&company, &ev.id, later).await.unwrap(),
            Requeue::NotRetryable(ReplyStatus::Sent),
            "{}: a sent reply is never sent again",
            s.name
        );
    }
}

#[tokio::test]
async fn replies_list_newest_first_filtered_by_page_and_status() {
    for s in subjects().await {
        let store = &s.store;
        let company = company(store).await;
        let other = self::company(store).await;
        let t0 = now();
        let mut ids = Vec::new();
        for (i, (page, status)) in [
            ("p1", ReplyStatus::Sent),
            ("p1", ReplyStatus::Failed),
            ("p2", ReplyStatus::Sent),
        ]
        .into_iter()
        .enumerate()
        {
            let ev = event(&company, page, &format!("m{i}"), t0);
            let mut reply = reply_for(&ev, t0 + Duration::seconds(i as i64));
            store.begin_reply(&reply).await.unwrap();
            reply.status = status;
            store.save_reply(&reply).await.unwrap();
            ids.push(ev.id);
        }
        let list = |page: Option<&str>, status| ReplyQuery {
            company_id: company.clone(),
            page_id: page.map(PageId::from),
            status,
            limit: 10,
        };
        let found: Vec<_> = store
            .list_replies(&list(None, None))
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(
            found,
            vec![ids[2].clone(), ids[1].clone(), ids[0].clone()],
            "{}",
            s.name
        );
        let sent_on_p1: Vec<_> = store
            .list_replies(&list(Some("p1"), Some(ReplyStatus::Sent)))
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(sent_on_p1, vec![ids[0].clone()], "{}", s.name);
        let foreign = store
            .list_replies(&ReplyQuery {
                company_id: other,
                page_id: None,
                status: None,
                limit: 10,
            })
            .await
            .unwrap();
        assert!(foreign.is_empty(), "{}", s.name);
    }
}

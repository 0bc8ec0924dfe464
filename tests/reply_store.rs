//! The behaviour suite of the reply worker's store: inbox leases, the outbox of replies and
//! conversations, on SQLite and (when `CRM_MIND_TEST_MONGODB_URI` is set) MongoDB.

#[path = "support/store_subjects.rs"]
mod store_subjects;

use chrono::{DateTime, Duration, Utc};
use crm_mind::domain::conversation::{ConversationTurn, TurnAuthor};
use crm_mind::domain::events::{InboxEvent, InboxMessage, InboxStatus};
use crm_mind::domain::reply::{CommentPolicy, Delivery, DeliveryKind, OutboxReply, ReplyStatus};
use crm_mind::domain::{Channel, Company, CompanyId, Page, PageId, Sealed};
use crm_mind::llm::Fact;
use crm_mind::store::{BeginReply, DynStore, ReplyQuery, Requeue};
use store_subjects::{now, subjects};

async fn company(store: &DynStore) -> CompanyId {
    let mut company = Company::new("Shop d.o.o.").unwrap();
    company.created_at = now();
    store.insert_company(&company).await.unwrap();
    company.id
}

fn event(company: &CompanyId, page: &str, key: &str, received_at: DateTime<Utc>) -> InboxEvent {
    InboxEvent {
        id: uuid::Uuid::now_v7().to_string(),
        company_id: company.clone(),
        page_id: page.into(),
        channel: Channel::Messenger,
        natural_key: key.into(),
        sender_id: "psid-1".into(),
        message: InboxMessage::Text {
            mid: key.into(),
            text: format!("text of {key}"),
        },
        occurred_at: Some(received_at),
        received_at,
        status: InboxStatus::Pending,
    }
}

fn reply_for(event: &InboxEvent, at: DateTime<Utc>) -> OutboxReply {
    OutboxReply {
        answer: Some("Yes, 4 pieces.".into()),
        facts: vec![Fact {
            text: "name: Red kettle\nstock: 4".into(),
            source: "Shop CRM (products[0])".into(),
        }],
        model: Some("extractive".into()),
        ..OutboxReply::for_event(event, "Is the red kettle in stock?", at)
    }
}

async fn claim_ids(store: &DynStore, owner: &str, at: DateTime<Utc>, limit: u32) -> Vec<String> {
    store
        .claim_inbox_events(owner, at, at + Duration::seconds(60), limit)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect()
}

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

fn turn(
    company: &CompanyId,
    id: &str,
    author: TurnAuthor,
    text: &str,
    at: DateTime<Utc>,
) -> ConversationTurn {
    ConversationTurn {
        id: id.into(),
        company_id: company.clone(),
        page_id: "p1".into(),
        conversation: "psid-1".into(),
        channel: Channel::Messenger,
        author,
        text: text.into(),
        at,
    }
}

#[tokio::test]
async fn conversations_keep_their_turns_once_and_in_order() {
    for s in subjects().await {
        let store = &s.store;
        let company = company(store).await;
        let t0 = now();
        let turns = [
            turn(&company, "m1", TurnAuthor::Customer, "Hi", t0),
            turn(
                &company,
                "m2",
                TurnAuthor::Bot,
                "Hello!",
                t0 + Duration::seconds(1),
            ),
            turn(
                &company,
                "m3",
                TurnAuthor::Customer,
                "Price of the kettle?",
                t0 + Duration::seconds(2),
            ),
            turn(
                &company,
                "m4",
                TurnAuthor::Agent,
                "It is 39 EUR.",
                t0 + Duration::seconds(3),
            ),
        ];
        for t in &turns {
            assert!(store.record_turn(t).await.unwrap(), "{}", s.name);
        }
        assert!(
            !store.record_turn(&turns[1]).await.unwrap(),
            "{}: the echo of a stored turn is not a new turn",
            s.name
        );
        let recent = store
            .recent_turns(&company, &"p1".into(), "psid-1", 3)
            .await
            .unwrap();
        assert_eq!(
            recent,
            turns[1..].to_vec(),
            "{}: the last three, oldest first",
            s.name
        );
        let conversation = store
            .get_conversation(&company, &"p1".into(), "psid-1")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(conversation.turns, 4, "{}", s.name);
        assert_eq!(
            conversation.last_customer_at,
            Some(t0 + Duration::seconds(2)),
            "{}: the 24-hour window counts from the customer's last message",
            s.name
        );
        assert_eq!(
            conversation.last_message_at,
            Some(t0 + Duration::seconds(3))
        );
        assert!(!conversation.is_paused(t0));

        let other = self::company(store).await;
        assert!(
            store
                .recent_turns(&other, &"p1".into(), "psid-1", 10)
                .await
                .unwrap()
                .is_empty(),
            "{}: another company reads nothing",
            s.name
        );
    }
}

#[tokio::test]
async fn a_conversation_is_paused_until_a_time_or_resumed() {
    for s in subjects().await {
        let store = &s.store;
        let company = company(store).await;
        let t0 = now();
        let until = t0 + Duration::minutes(30);
        let paused = store
            .set_conversation_pause(
                &company,
                &"p1".into(),
                "psid-9",
                Channel::Messenger,
                Some(until),
                Some("agent_reply"),
            )
            .await
            .unwrap();
        assert!(paused.is_paused(t0), "{}", s.name);
        assert!(!paused.is_paused(until + Duration::seconds(1)));
        assert_eq!(paused.pause_reason.as_deref(), Some("agent_reply"));
        assert_eq!(
            store
                .get_conversation(&company, &"p1".into(), "psid-9")
                .await
                .unwrap(),
            Some(paused.clone())
        );
        store
            .record_turn(&ConversationTurn {
                conversation: "psid-9".into(),
                ..turn(&company, "m9", TurnAuthor::Customer, "Hello?", t0)
            })
            .await
            .unwrap();
        let resumed = store
            .set_conversation_pause(
                &company,
                &"p1".into(),
                "psid-9",
                Channel::Messenger,
                None,
                None,
            )
            .await
            .unwrap();
        assert!(!resumed.is_paused(t0), "{}", s.name);
        assert_eq!(
            resumed.turns, 1,
            "{}: a pause keeps the conversation's turns",
            s.name
        );

        store
            .record_turn(&ConversationTurn {
                conversation: "psid-2".into(),
                ..turn(
                    &company,
                    "m10",
                    TurnAuthor::Customer,
                    "Hi",
                    t0 + Duration::seconds(5),
                )
            })
            .await
            .unwrap();
        let listed: Vec<_> = store
            .list_conversations(&company, Some(&"p1".into()), 10)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.conversation)
            .collect();
        assert_eq!(listed, vec!["psid-2", "psid-9"], "{}", s.name);
        let other = self::company(store).await;
        assert!(
            store
                .list_conversations(&other, None, 10)
                .await
                .unwrap()
                .is_empty()
        );
    }
}

#[tokio::test]
async fn a_page_keeps_its_reply_settings() {
    for s in subjects().await {
        let store = &s.store;
        let company = company(store).await;
        let mut page = Page::new(
            company.clone(),
            "p1".into(),
            "Shop".into(),
            Sealed::from_stored("v1:sealed".into()),
        );
        page.created_at = now();
        page.updated_at = page.created_at;
        store.insert_page(&page).await.unwrap();
        let mut stored = store
            .get_page(&company, &page.page_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.reply.comment_policy, CommentPolicy::Public);
        stored.reply.comment_policy = CommentPolicy::Both;
        stored.reply.answer_comment_replies = true;
        stored.reply.token_invalid_at = Some(now());
        assert!(store.save_page(&stored).await.unwrap());
        let again = store
            .get_page(&company, &page.page_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(again.reply, stored.reply, "{}", s.name);
    }
}

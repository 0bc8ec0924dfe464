//! Conversations, their turns and pauses; a page's reply settings.

use super::store_subjects::subjects;
use super::*;

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

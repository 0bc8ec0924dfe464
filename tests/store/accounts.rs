//! Companies, users (emails unique across companies) and sessions.

use super::company;
use crate::store_subjects::{now, subjects};
use chrono::Duration;
use crm_mind::domain::{CompanyId, Email, Role, Session, User, UserId};
use crm_mind::store::StoreError;

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

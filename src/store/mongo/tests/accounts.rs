//! Companies, users and sessions.

use super::*;

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

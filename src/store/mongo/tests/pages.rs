//! Pages with their CRM links: scoping, ownership, optimistic saves.

use super::*;

#[tokio::test]
async fn pages_are_scoped_by_company() {
    let Some(store) = store().await else { return };
    let (a, b) = (company(&store, "A").await, company(&store, "B").await);
    let mut first = page(&a.id, "1001");
    first
        .add_link(link("https://crm.example/a", &Channel::ALL))
        .unwrap();
    first
        .legacy_crm_links
        .push(link("https://legacy.example/", &[]));
    let mut second = page(&a.id, "1002");
    second.created_at = first.created_at + Duration::seconds(1);
    store.insert_page(&second).await.unwrap();
    store.insert_page(&first).await.unwrap();

    assert_eq!(
        store.get_page(&a.id, &"1001".into()).await.unwrap(),
        Some(first.clone())
    );
    assert_eq!(
        store.get_page(&b.id, &"1001".into()).await.unwrap(),
        None,
        "B cannot read A's page"
    );
    assert_eq!(
        store.list_pages(&a.id).await.unwrap(),
        vec![first.clone(), second.clone()]
    );
    assert!(store.list_pages(&b.id).await.unwrap().is_empty());
    assert_eq!(
        store.get_company(&a.id).await.unwrap(),
        Some(a.clone()),
        "pages leave the company as it was"
    );

    assert!(
        !store.delete_page(&b.id, &"1001".into()).await.unwrap(),
        "B cannot delete A's page"
    );
    assert!(store.delete_page(&a.id, &"1001".into()).await.unwrap());
    assert!(!store.delete_page(&a.id, &"1001".into()).await.unwrap());
    assert_eq!(store.list_pages(&a.id).await.unwrap(), vec![second]);
    drop_database(store).await;
}

#[tokio::test]
async fn a_page_belongs_to_one_company() {
    let Some(store) = store().await else { return };
    let (a, b) = (company(&store, "A").await, company(&store, "B").await);
    let _no_pages = company(&store, "C").await; // two companies without pages do not clash
    store.insert_page(&page(&a.id, "1001")).await.unwrap();

    assert!(matches!(
        store.insert_page(&page(&b.id, "1001")).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store.insert_page(&page(&a.id, "1001")).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.list_pages(&a.id).await.unwrap().len(), 1);
    assert!(matches!(
        store.insert_page(&page(&"unknown".into(), "2002")).await,
        Err(StoreError::Unavailable(_))
    ));

    assert_eq!(
        store.find_page_owner(&"1001".into()).await.unwrap(),
        Some(a.id.clone())
    );
    assert_eq!(store.find_page_owner(&"9999".into()).await.unwrap(), None);
    assert!(store.delete_page(&a.id, &"1001".into()).await.unwrap());
    store.insert_page(&page(&b.id, "1001")).await.unwrap();
    assert_eq!(
        store.find_page_owner(&"1001".into()).await.unwrap(),
        Some(b.id)
    );
    drop_database(store).await;
}

#[tokio::test]
async fn a_save_from_a_stale_version_changes_nothing() {
    let Some(store) = store().await else { return };
    let a = company(&store, "A").await;
    let stored = page(&a.id, "1001");
    store.insert_page(&stored).await.unwrap();

    let mut mine = stored.clone();
    mine.add_link(link("https://crm.example/a", &[Channel::Messenger]))
        .unwrap();
    let mut theirs = stored.clone();
    theirs.page_name = "Renamed".into();

    assert!(store.save_page(&mine).await.unwrap());
    assert!(
        !store.save_page(&theirs).await.unwrap(),
        "version 0 is gone"
    );
    let read = store
        .get_page(&a.id, &"1001".into())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        read,
        Page {
            version: 1,
            ..mine.clone()
        }
    );

    let other = company(&store, "B").await;
    let foreign = Page {
        company_id: other.id,
        ..read.clone()
    };
    assert!(
        !store.save_page(&foreign).await.unwrap(),
        "B cannot save A's page"
    );
    assert!(store.save_page(&read).await.unwrap());
    assert_eq!(
        store
            .get_page(&a.id, &"1001".into())
            .await
            .unwrap()
            .unwrap()
            .version,
        2
    );
    drop_database(store).await;
}

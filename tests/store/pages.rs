//! Pages (scoped to their company, unique across companies, saved only over the version
//! read) and their CRM links' sync runs.

use super::company;
use crate::store_subjects::{now, subjects};
use chrono::{DateTime, Duration, Utc};
use crm_mind::domain::crm_link::HeaderSecret;
use crm_mind::domain::{
    Channel, CompanyId, CrmLink, CrmLinkType, LinkHeader, LinkId, Page, PageId, Sealed,
};
use crm_mind::domain::{ChunkCounts, SyncOutcome, SyncRun, SyncTrigger};
use crm_mind::store::{StoreError, SyncRunQuery};

fn page(company: &CompanyId, id: &str) -> Page {
    let mut page = Page::new(
        company.clone(),
        PageId::from(id),
        format!("Page {id}"),
        Sealed::from_stored("v1:sealed-token".into()),
    );
    page.created_at = now();
    page.updated_at = page.created_at;
    page
}

fn link(url: &str, channels: &[Channel]) -> CrmLink {
    CrmLink {
        id: LinkId::generate(),
        name: "Customer Database".into(),
        url: url.into(),
        link_type: CrmLinkType::Webhook,
        channels: channels.to_vec(),
        api_key: Some(Sealed::from_stored("v1:sealed-key".into())),
        headers: vec![
            LinkHeader {
                name: "X-Custom-Header".into(),
                value: HeaderSecret::Plain("value".into()),
            },
            LinkHeader {
                name: "X-API-Key".into(),
                value: HeaderSecret::Sealed(Sealed::from_stored("v1:sealed-header".into())),
            },
        ],
        description: Some("Main customer database".into()),
        is_active: true,
        created_at: now(),
        updated_at: now(),
        webhook_secret: Some(Sealed::from_stored("v1:sealed-webhook-secret".into())),
        refresh_minutes: Some(15),
    }
}

#[tokio::test]
async fn pages_are_scoped_to_their_company_and_unique_across_companies() {
    for s in subjects().await {
        let a = company(&s.store, "A").await;
        let b = company(&s.store, "B").await;
        let mut first = page(&a.id, "1001");
        first
            .add_link(link("https://crm.example/all", &Channel::ALL))
            .unwrap();
        first
            .legacy_crm_links
            .push(link("https://crm.example/legacy", &[]));
        s.store.insert_page(&first).await.unwrap();
        s.store.insert_page(&page(&a.id, "1002")).await.unwrap();

        assert_eq!(
            s.store.get_page(&a.id, &"1001".into()).await.unwrap(),
            Some(first.clone()),
            "{}: full round trip",
            s.name
        );
        assert_eq!(
            s.store.get_page(&b.id, &"1001".into()).await.unwrap(),
            None,
            "{}: B cannot read A's page",
            s.name
        );
        let listed: Vec<String> = s
            .store
            .list_pages(&a.id)
            .await
            .unwrap()
            .iter()
            .map(|p| p.page_id.to_string())
            .collect();
        assert_eq!(listed.len(), 2);
        assert!(listed.contains(&"1001".to_owned()) && listed.contains(&"1002".to_owned()));
        assert!(s.store.list_pages(&b.id).await.unwrap().is_empty());
        let listed_first = s
            .store
            .list_pages(&a.id)
            .await
            .unwrap()
            .into_iter()
            .find(|p| p.page_id.as_str() == "1001")
            .unwrap();
        assert_eq!(listed_first, first, "{}: list returns links too", s.name);

        assert!(
            matches!(
                s.store.insert_page(&page(&b.id, "1001")).await,
                Err(StoreError::Conflict(_))
            ),
            "{}",
            s.name
        );
        assert!(
            matches!(
                s.store.insert_page(&page(&a.id, "1001")).await,
                Err(StoreError::Conflict(_))
            ),
            "{}",
            s.name
        );
        assert_eq!(
            s.store.find_page_owner(&"1001".into()).await.unwrap(),
            Some(a.id.clone())
        );
        assert_eq!(s.store.find_page_owner(&"9999".into()).await.unwrap(), None);
        let mut everyone: Vec<(String, String)> = s
            .store
            .all_pages()
            .await
            .unwrap()
            .into_iter()
            .map(|p| (p.company_id.to_string(), p.page_id.to_string()))
            .collect();
        everyone.sort();
        let mut expected = vec![
            (a.id.to_string(), "1001".to_owned()),
            (a.id.to_string(), "1002".to_owned()),
        ];
        expected.sort();
        assert_eq!(
            everyone, expected,
            "{}: the scheduler sees every page",
            s.name
        );
        let legacy_link = first.legacy_crm_links[0].id.clone();
        assert_eq!(
            s.store.find_link_owner(&legacy_link).await.unwrap(),
            Some((a.id.clone(), PageId::from("1001"))),
            "{}: a link is routed to its company and page",
            s.name
        );
        assert_eq!(
            s.store.find_link_owner(&LinkId::generate()).await.unwrap(),
            None
        );

        assert!(
            !s.store.delete_page(&b.id, &"1001".into()).await.unwrap(),
            "{}: B cannot delete A's page",
            s.name
        );
        assert!(
            s.store
                .get_page(&a.id, &"1001".into())
                .await
                .unwrap()
                .is_some()
        );
        assert!(s.store.delete_page(&a.id, &"1001".into()).await.unwrap());
        assert_eq!(s.store.get_page(&a.id, &"1001".into()).await.unwrap(), None);
        assert_eq!(s.store.find_page_owner(&"1001".into()).await.unwrap(), None);
        // Once deleted, the page id is free for anyone.
        s.store.insert_page(&page(&b.id, "1001")).await.unwrap();
    }
}

#[tokio::test]
async fn saving_a_page_is_refused_when_someone_saved_in_between() {
    for s in subjects().await {
        let a = company(&s.store, "A").await;
        let original = page(&a.id, "1001");
        s.store.insert_page(&original).await.unwrap();

        let mut first = s
            .store
            .get_page(&a.id, &"1001".into())
            .await
            .unwrap()
            .unwrap();
        let mut second = first.clone();
        first
            .add_link(link("https://crm.example/one", &[Channel::Facebook]))
            .unwrap();
        second
            .add_link(link("https://crm.example/two", &[Channel::Messenger]))
            .unwrap();
        assert!(s.store.save_page(&first).await.unwrap(), "{}", s.name);
        assert!(
            !s.store.save_page(&second).await.unwrap(),
            "{}: a stale save is refused",
            s.name
        );

        let stored = s
            .store
            .get_page(&a.id, &"1001".into())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.version, original.version + 1);
        assert_eq!(stored.facebook_crm_links, first.facebook_crm_links);
        assert!(
            stored.messenger_crm_links.is_empty(),
            "{}: the stale change left no trace",
            s.name
        );

        // A save of another company's copy of the page changes nothing.
        let b = company(&s.store, "B").await;
        let mut foreign = stored.clone();
        foreign.company_id = b.id.clone();
        foreign.facebook_crm_links.clear();
        assert!(!s.store.save_page(&foreign).await.unwrap(), "{}", s.name);
        assert_eq!(
            s.store
                .get_page(&a.id, &"1001".into())
                .await
                .unwrap()
                .unwrap()
                .facebook_crm_links
                .len(),
            1
        );

        // Removing every link is a save like any other.
        let mut emptied = s
            .store
            .get_page(&a.id, &"1001".into())
            .await
            .unwrap()
            .unwrap();
        emptied.remove_link("https://crm.example/one", &Channel::ALL, now());
        assert!(s.store.save_page(&emptied).await.unwrap());
        assert_eq!(
            s.store
                .get_page(&a.id, &"1001".into())
                .await
                .unwrap()
                .unwrap()
                .all_links()
                .count(),
            0
        );
    }
}

fn sync_run(company: &CompanyId, page: &str, link: &LinkId, started_at: DateTime<Utc>) -> SyncRun {
    SyncRun {
        id: SyncRun::new_id(),
        company_id: company.clone(),
        page_id: page.into(),
        link_id: link.clone(),
        link_name: "Customer Database".into(),
        url: "https://crm.example/customers".into(),
        trigger: SyncTrigger::Schedule,
        outcome: SyncOutcome::Failed,
        error_kind: Some("unauthorized".into()),
        status_code: Some(401),
        error: Some("the CRM answered 401 Unauthorized: check the API key".into()),
        bytes_fetched: 5_000_000_000,
        pages_fetched: 3,
        complete: true,
        chunks: ChunkCounts {
            total: 10,
            new: 2,
            changed: 1,
            unchanged: 7,
            deleted: 4,
            embedded: 3,
        },
        started_at,
        finished_at: started_at + Duration::milliseconds(1500),
        duration_ms: 1500,
    }
}

#[tokio::test]
async fn sync_runs_list_newest_first_per_company_page_and_link() {
    for s in subjects().await {
        let a = company(&s.store, "A").await;
        let b = company(&s.store, "B").await;
        let (link_1, link_2) = (LinkId::generate(), LinkId::generate());
        let t0 = now();
        let older = sync_run(&a.id, "1001", &link_1, t0);
        let newer = sync_run(&a.id, "1001", &link_2, t0 + Duration::seconds(5));
        let other_page = sync_run(&a.id, "1002", &link_1, t0 + Duration::seconds(1));
        let other_company = sync_run(&b.id, "1001", &link_1, t0 + Duration::seconds(9));
        for run in [&older, &newer, &other_page, &other_company] {
            s.store.insert_sync_run(run).await.unwrap();
        }
        let query = |page: Option<&str>, link: Option<&LinkId>, limit| SyncRunQuery {
            company_id: a.id.clone(),
            page_id: page.map(PageId::from),
            link_id: link.cloned(),
            limit,
        };
        let page_runs = s
            .store
            .list_sync_runs(&query(Some("1001"), None, 10))
            .await
            .unwrap();
        assert_eq!(
            page_runs,
            vec![newer.clone(), older.clone()],
            "{}: a page's runs, newest first, round-tripped whole",
            s.name
        );
        let link_runs = s
            .store
            .list_sync_runs(&query(None, Some(&link_1), 10))
            .await
            .unwrap();
        assert_eq!(
            link_runs,
            vec![other_page.clone(), older.clone()],
            "{}",
            s.name
        );
        let latest = s.store.list_sync_runs(&query(None, None, 1)).await.unwrap();
        assert_eq!(
            latest,
            vec![newer.clone()],
            "{}: limit, and B's run unseen",
            s.name
        );
    }
}

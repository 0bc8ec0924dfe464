//! Paging and the per-company limits, counted by the fake: how many calls a read takes, and
//! how many of one company's calls were in flight at once.

use crate::fake_metakocka::{COMPANY_ID, FakeMetakocka};
use crm_mind::metakocka::client::PageProgress;
use crm_mind::metakocka::types::{Document, ProductListQuery, SearchQuery};
use std::collections::HashSet;
use std::time::Duration;

#[tokio::test]
async fn a_product_list_is_read_a_thousand_at_a_time_until_a_page_is_short() {
    let fake = FakeMetakocka::start().await;
    fake.seed_products(COMPANY_ID, 2500);
    let mut progress = Vec::new();
    let total = fake
        .client()
        .product_list_pages(
            &fake.credentials(),
            &ProductListQuery::default(),
            |at, page| progress.push((at, page.len())),
        )
        .await
        .unwrap();
    assert_eq!(total, 2500);
    assert_eq!(fake.calls("json/product_list"), 3);
    let received: Vec<_> = progress
        .iter()
        .map(|(at, len)| (at.received, *len))
        .collect();
    assert_eq!(received, [(1000, 1000), (2000, 1000), (2500, 500)]);

    let all = fake
        .client()
        .product_list_all(&fake.credentials(), &ProductListQuery::default())
        .await
        .unwrap();
    let codes: HashSet<_> = all.iter().filter_map(|p| p.code.clone()).collect();
    assert_eq!(codes.len(), 2500, "no product twice, none missed");
    let weight = all[0].weight.map(|w| w.to_string());
    assert_eq!(weight.as_deref(), Some("1.26"), "the fake writes \"1,26\"");
}

#[tokio::test]
async fn search_pages_by_a_hundred_until_all_matches_are_read() {
    let fake = FakeMetakocka::start().await;
    let (client, credentials) = (fake.client(), fake.credentials());
    for i in 0..250 {
        let document = Document {
            doc_type: Some("sales_order".to_owned()),
            title: Some(format!("order {i}")),
            ..Document::default()
        };
        client.put_document(&credentials, &document).await.unwrap();
    }
    let query = SearchQuery {
        doc_type: "sales_order".to_owned(),
        ..SearchQuery::default()
    };
    let mut last = None;
    let total = client
        .search_pages(&credentials, &query, |at, _| last = Some(at))
        .await
        .unwrap();
    assert_eq!(total, 250);
    assert_eq!(fake.calls("search"), 3);
    assert_eq!(
        last,
        Some(PageProgress {
            page: 3,
            received: 250,
            total: Some(250)
        })
    );
}

#[tokio::test]
async fn one_search_and_two_other_calls_at_a_time_per_company() {
    let fake = FakeMetakocka::start().await;
    let other_company = fake.add_company("17", "another-secret");
    fake.set_delay(Duration::from_millis(40));
    let client = fake.client();
    let query = SearchQuery {
        doc_type: "sales_order".to_owned(),
        ..SearchQuery::default()
    };
    let mut calls = Vec::new();
    for credentials in [fake.credentials(), other_company.clone()] {
        for _ in 0..4 {
            let (searcher, who, query) = (client.clone(), credentials.clone(), query.clone());
            calls.push(tokio::spawn(async move {
                searcher.search_all(&who, &query).await.map(drop)
            }));
            let (lister, who) = (client.clone(), credentials.clone());
            calls.push(tokio::spawn(async move {
                lister.warehouse_list(&who).await.map(drop)
            }));
        }
    }
    for call in calls {
        call.await.unwrap().unwrap();
    }
    for company in [COMPANY_ID, "17"] {
        assert_eq!(
            fake.max_concurrent_searches(company),
            1,
            "company {company}"
        );
        assert_eq!(
            fake.max_concurrent_other_calls(company),
            2,
            "company {company}"
        );
    }
    assert_eq!(fake.calls("search"), 8);
}

//! The Metakocka error log: filtered and paged newest first, resolved, counted, always within
//! its company.

use super::company;
use crate::store_subjects::{now, subjects};
use chrono::{DateTime, Duration, Utc};
use crm_mind::domain::{CompanyId, UserId};
use crm_mind::metakocka::error_log::query::day_of;
use crm_mind::metakocka::error_log::{
    EntityType, ErrorCategory, ErrorLogEntry, ErrorLogFilter, ErrorLogStats, ErrorStatus, NewError,
    Paging, Resolution, ResolveTarget,
};
use crm_mind::store::DynStore;

/// An error entry of `company`, created at `created_at`.
fn error_entry(
    company: &CompanyId,
    category: ErrorCategory,
    entity: EntityType,
    entity_id: &str,
    message: &str,
    created_at: DateTime<Utc>,
) -> ErrorLogEntry {
    let mut entry = NewError {
        company_id: company.clone(),
        user_id: Some(UserId::from("ana")),
        category,
        entity_type: entity,
        entity_id: Some(entity_id.into()),
        operation: "product_add".into(),
        message: message.into(),
        details: serde_json::json!({"opr_code": "1", "lines": [1, 2.5, "x"]}),
    }
    .into_entry(created_at);
    entry.created_at = created_at;
    entry
}

/// Four entries of A over three days and one of B; returns A's, oldest first.
async fn seed_error_logs(
    store: &DynStore,
    a: &CompanyId,
    b: &CompanyId,
    base: DateTime<Utc>,
) -> Vec<ErrorLogEntry> {
    let day = Duration::days(1);
    let entries = vec![
        error_entry(
            a,
            ErrorCategory::Auth,
            EntityType::Credentials,
            "org",
            "Invalid secret key",
            base - day * 2,
        ),
        error_entry(
            a,
            ErrorCategory::Validation,
            EntityType::Product,
            "p-1",
            "Product code is MISSING",
            base - day,
        ),
        error_entry(
            a,
            ErrorCategory::Network,
            EntityType::Product,
            "p-2",
            "Metakocka timed out",
            base - day + Duration::minutes(1),
        ),
        error_entry(
            a,
            ErrorCategory::Validation,
            EntityType::Contact,
            "c-1",
            "Partner Čebelica: email MISSING",
            base,
        ),
    ];
    for entry in &entries {
        store.insert_error_log(entry).await.unwrap();
    }
    store
        .insert_error_log(&error_entry(
            b,
            ErrorCategory::Validation,
            EntityType::Product,
            "p-1",
            "B's missing code",
            base,
        ))
        .await
        .unwrap();
    entries
}

fn ids(entries: &[ErrorLogEntry]) -> Vec<&str> {
    entries.iter().map(|e| e.id.as_str()).collect()
}

#[tokio::test]
async fn error_logs_filter_page_newest_first_and_stay_in_their_company() {
    for s in subjects().await {
        let a = company(&s.store, "A").await;
        let b = company(&s.store, "B").await;
        let base = now();
        let seeded = seed_error_logs(&s.store, &a.id, &b.id, base).await;
        let [auth, missing_code, timeout, partner] = [0, 1, 2, 3].map(|i| seeded[i].clone());
        let all = Paging {
            limit: 50,
            offset: 0,
        };
        let list = |filter: ErrorLogFilter, paging: Paging| {
            let (store, company) = (s.store.clone(), a.id.clone());
            async move {
                store
                    .list_error_logs(&company, &filter, paging)
                    .await
                    .unwrap()
            }
        };

        let everything = list(ErrorLogFilter::default(), all).await;
        assert_eq!(everything.total, 4, "{}: B's entry unseen", s.name);
        assert_eq!(
            ids(&everything.items),
            ids(&[
                partner.clone(),
                timeout.clone(),
                missing_code.clone(),
                auth.clone()
            ]),
            "{}",
            s.name
        );
        assert_eq!(everything.items[3], auth, "{}: round-trips whole", s.name);

        let second_page = list(
            ErrorLogFilter::default(),
            Paging {
                limit: 2,
                offset: 2,
            },
        )
        .await;
        assert_eq!(
            (second_page.total, ids(&second_page.items)),
            (4, ids(&[missing_code.clone(), auth.clone()])),
            "{}",
            s.name
        );
        let count_only = list(
            ErrorLogFilter::default(),
            Paging {
                limit: 0,
                offset: 0,
            },
        )
        .await;
        assert_eq!(
            (count_only.total, count_only.items.len()),
            (4, 0),
            "{}",
            s.name
        );

        let cases = [
            (
                ErrorLogFilter {
                    category: Some(ErrorCategory::Validation),
                    ..Default::default()
                },
                vec![&partner, &missing_code],
            ),
            (
                ErrorLogFilter {
                    entity_type: Some(EntityType::Product),
                    ..Default::default()
                },
                vec![&timeout, &missing_code],
            ),
            (
                ErrorLogFilter {
                    entity_id: Some("p-2".into()),
                    ..Default::default()
                },
                vec![&timeout],
            ),
            (
                ErrorLogFilter {
                    text: Some("missing".into()),
                    ..Default::default()
                },
                vec![&partner, &missing_code],
            ),
            (
                ErrorLogFilter {
                    text: Some("čEBELICA".into()),
                    ..Default::default()
                },
                vec![&partner],
            ),
            (
                ErrorLogFilter {
                    from: Some(missing_code.created_at),
                    to: Some(partner.created_at),
                    ..Default::default()
                },
                vec![&timeout, &missing_code],
            ),
            (
                ErrorLogFilter {
                    status: Some(ErrorStatus::Resolved),
                    ..Default::default()
                },
                vec![],
            ),
            (
                ErrorLogFilter {
                    category: Some(ErrorCategory::Validation),
                    entity_type: Some(EntityType::Contact),
                    ..Default::default()
                },
                vec![&partner],
            ),
        ];
        for (filter, expected) in cases {
            let found = list(filter.clone(), all).await;
            let expected: Vec<ErrorLogEntry> = expected.into_iter().cloned().collect();
            assert_eq!(ids(&found.items), ids(&expected), "{}: {filter:?}", s.name);
            assert_eq!(found.total, expected.len() as u64, "{}: {filter:?}", s.name);
            assert!(found.items.iter().all(|e| filter.matches(e)), "{}", s.name);
        }
        assert_eq!(
            s.store.get_error_log(&a.id, &auth.id).await.unwrap(),
            Some(auth.clone()),
            "{}",
            s.name
        );
        assert_eq!(
            s.store.get_error_log(&b.id, &auth.id).await.unwrap(),
            None,
            "{}: not B's",
            s.name
        );
    }
}

#[tokio::test]
async fn error_logs_resolve_by_ids_or_filter_only_open_ones_of_the_company() {
    for s in subjects().await {
        let a = company(&s.store, "A").await;
        let b = company(&s.store, "B").await;
        let base = now();
        let seeded = seed_error_logs(&s.store, &a.id, &b.id, base).await;
        let resolution = Resolution {
            notes: Some("Key re-entered".into()),
            resolved_by: UserId::from("admin-1"),
            resolved_at: base + Duration::minutes(5),
        };
        let by_ids = ResolveTarget::Ids(vec![seeded[0].id.clone(), "no-such-id".into()]);
        assert_eq!(
            s.store
                .resolve_error_logs(&a.id, &by_ids, &resolution)
                .await
                .unwrap(),
            1,
            "{}",
            s.name
        );
        assert_eq!(
            s.store
                .resolve_error_logs(&b.id, &by_ids, &resolution)
                .await
                .unwrap(),
            0,
            "{}: B cannot resolve A's",
            s.name
        );
        assert_eq!(
            s.store
                .resolve_error_logs(&a.id, &by_ids, &resolution)
                .await
                .unwrap(),
            0,
            "{}: already resolved",
            s.name
        );
        let resolved = s
            .store
            .get_error_log(&a.id, &seeded[0].id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(resolved.status, ErrorStatus::Resolved, "{}", s.name);
        assert_eq!(
            resolved.resolution_notes.as_deref(),
            Some("Key re-entered"),
            "{}",
            s.name
        );
        assert_eq!(
            resolved.resolved_by.as_ref().map(UserId::as_str),
            Some("admin-1"),
            "{}",
            s.name
        );
        assert_eq!(
            resolved.resolved_at,
            Some(resolution.resolved_at),
            "{}",
            s.name
        );

        let validation = ErrorLogFilter {
            category: Some(ErrorCategory::Validation),
            ..Default::default()
        };
        let by_filter = ResolveTarget::Filter(validation.clone());
        assert_eq!(
            s.store
                .resolve_error_logs(&a.id, &by_filter, &resolution)
                .await
                .unwrap(),
            2,
            "{}",
            s.name
        );
        let open = ErrorLogFilter {
            status: Some(ErrorStatus::Open),
            ..Default::default()
        };
        let still_open = s
            .store
            .list_error_logs(
                &a.id,
                &open,
                Paging {
                    limit: 10,
                    offset: 0,
                },
            )
            .await
            .unwrap();
        assert_eq!(
            ids(&still_open.items),
            vec![seeded[2].id.as_str()],
            "{}: the network error",
            s.name
        );
        let b_open = s
            .store
            .list_error_logs(
                &b.id,
                &open,
                Paging {
                    limit: 10,
                    offset: 0,
                },
            )
            .await
            .unwrap();
        assert_eq!(
            b_open.total, 1,
            "{}: B's validation error untouched",
            s.name
        );
    }
}

#[tokio::test]
async fn error_log_stats_count_by_status_category_entity_and_day() {
    for s in subjects().await {
        let a = company(&s.store, "A").await;
        let b = company(&s.store, "B").await;
        let base = now();
        let seeded = seed_error_logs(&s.store, &a.id, &b.id, base).await;
        let resolution = Resolution {
            notes: None,
            resolved_by: UserId::from("admin-1"),
            resolved_at: base,
        };
        s.store
            .resolve_error_logs(
                &a.id,
                &ResolveTarget::Ids(vec![seeded[0].id.clone()]),
                &resolution,
            )
            .await
            .unwrap();

        let stats = s
            .store
            .error_log_stats(&a.id, &ErrorLogFilter::default())
            .await
            .unwrap();
        let mut expected = ErrorLogStats::default();
        for entry in &seeded {
            let status = if entry.id == seeded[0].id {
                ErrorStatus::Resolved
            } else {
                ErrorStatus::Open
            };
            expected.add(
                status,
                entry.category,
                entry.entity_type,
                day_of(entry.created_at),
                1,
            );
        }
        assert_eq!(stats, expected, "{}", s.name);
        assert_eq!(
            stats.by_category.get(&ErrorCategory::Validation),
            Some(&2),
            "{}",
            s.name
        );
        assert_eq!(
            stats.by_status.get(&ErrorStatus::Open),
            Some(&3),
            "{}",
            s.name
        );

        let products = ErrorLogFilter {
            entity_type: Some(EntityType::Product),
            ..Default::default()
        };
        let product_stats = s.store.error_log_stats(&a.id, &products).await.unwrap();
        assert_eq!(product_stats.total, 2, "{}", s.name);
        assert_eq!(product_stats.by_entity_type.len(), 1, "{}", s.name);
    }
}

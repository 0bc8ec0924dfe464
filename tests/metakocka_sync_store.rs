//! The behaviour suite of the Metakocka sync stores (`metakocka_*_mappings`,
//! `metakocka_sync_settings`, `metakocka_sync_runs`, `metakocka_sync_conflicts`) on SQLite
//! and (when `CRM_MIND_TEST_MONGODB_URI` is set) MongoDB: mappings found from either side,
//! one CRM record per Metakocka record, runs newest first with their progress, open
//! conflicts, a pull's page of products written but for the records that fail, the sync
//! slot held by one run at a time, and one company never seeing another's.

#[path = "support/store_subjects.rs"]
mod store_subjects;

use crm_mind::domain::CompanyId;
use crm_mind::metakocka::sync::model::*;
use crm_mind::records::RecordQuery;
use crm_mind::records::product::Product;
use crm_mind::store::{DynStore, StoreError};
use rust_decimal::Decimal;
use serde_json::json;
use store_subjects::{now, subjects};

fn mapping(company: &str, kind: EntityKind, crm_id: &str, mk_id: &str) -> Mapping {
    Mapping {
        company_id: company.into(),
        kind,
        crm_id: crm_id.into(),
        mk_id: mk_id.into(),
        count_code: Some(format!("PA_{mk_id}_PA")),
        status: MappingStatus::Synced,
        last_synced_at: Some(now()),
        crm_hash: Some("aa".into()),
        mk_hash: Some("bb".into()),
        last_error: None,
    }
}

fn run(company: &str, id: &str, kind: EntityKind) -> MetakockaSyncRun {
    MetakockaSyncRun {
        id: id.into(),
        company_id: company.into(),
        kind,
        direction: Direction::Both,
        trigger: RunTrigger::Bulk,
        started_at: now(),
        finished_at: None,
        counts: RunCounts {
            total: 10,
            ..RunCounts::default()
        },
        state: RunState::Running,
        stopped_at: None,
        errors: vec![],
    }
}

#[tokio::test]
async fn mappings_are_found_from_either_side_and_are_one_to_one() {
    for subject in subjects().await {
        let store: &DynStore = &subject.store;
        let (a, b): (CompanyId, CompanyId) = ("company-a".into(), "company-b".into());
        let first = mapping("company-a", EntityKind::Product, "crm-1", "mk-1");
        store.put_mapping(&first).await.unwrap();
        let by_mk = store
            .get_mapping_by_mk(&a, EntityKind::Product, "mk-1")
            .await
            .unwrap();
        assert_eq!(by_mk.as_ref(), Some(&first), "{}", subject.name);
        // The same ids of another kind or company are other mappings.
        assert_eq!(
            store
                .get_mapping_by_crm(&a, EntityKind::Contact, "crm-1")
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            store
                .get_mapping_by_crm(&b, EntityKind::Product, "crm-1")
                .await
                .unwrap(),
            None
        );
        let err = store
            .put_mapping(&mapping("company-a", EntityKind::Product, "crm-2", "mk-1"))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{}", subject.name);
        store
            .put_mapping(&mapping("company-b", EntityKind::Product, "crm-2", "mk-1"))
            .await
            .unwrap();

        let mut changed = first.clone();
        changed.status = MappingStatus::Conflict;
        changed.last_error = Some("both sides changed".into());
        store.put_mapping(&changed).await.unwrap();
        let listed = store.list_mappings(&a, EntityKind::Product).await.unwrap();
        assert_eq!(listed, vec![changed], "{}", subject.name);

        assert!(
            store
                .delete_mapping(&a, EntityKind::Product, "crm-1")
                .await
                .unwrap()
        );
        assert!(
            !store
                .delete_mapping(&a, EntityKind::Product, "crm-1")
                .await
                .unwrap()
        );
        assert_eq!(
            store
                .list_mappings(&b, EntityKind::Product)
                .await
                .unwrap()
                .len(),
            1
        );
    }
}

#[tokio::test]
async fn settings_runs_and_conflicts_round_trip_per_company() {
    for subject in subjects().await {
        let store: &DynStore = &subject.store;
        let a: CompanyId = "company-a".into();
        let mut settings = SyncSettings::default_for(&a, EntityKind::Contact);
        settings.auto = true;
        settings.interval_minutes = 15;
        settings.conflict_rule = ConflictRule::NewestWins;
        settings.updated_at = now();
        store.put_sync_settings(&settings).await.unwrap();
        let other = SyncSettings::default_for(&"company-b".into(), EntityKind::Product);
        store.put_sync_settings(&other).await.unwrap();
        assert_eq!(
            store.list_sync_settings(&a).await.unwrap(),
            vec![settings.clone()]
        );
        assert_eq!(store.auto_sync_settings().await.unwrap(), vec![settings]);

        let older = run("company-a", "0190-a", EntityKind::Product);
        let mut newer = run("company-a", "0190-b", EntityKind::Contact);
        store.insert_metakocka_run(&older).await.unwrap();
        store.insert_metakocka_run(&newer).await.unwrap();
        store
            .insert_metakocka_run(&run("company-b", "0190-c", EntityKind::Product))
            .await
            .unwrap();
        newer.counts.processed = 4;
        newer.counts.failed = 1;
        newer.errors = vec!["contact c-1: refused".into()];
        assert!(store.save_metakocka_run(&newer).await.unwrap());
        let listed = store.list_metakocka_runs(&a, None, 10).await.unwrap();
        assert_eq!(
            listed,
            vec![newer.clone(), older.clone()],
            "{}",
            subject.name
        );
        assert_eq!(
            store
                .list_metakocka_runs(&a, Some(EntityKind::Product), 10)
                .await
                .unwrap(),
            vec![older]
        );
        assert_eq!(
            store
                .get_metakocka_run(&"company-b".into(), "0190-b")
                .await
                .unwrap(),
            None
        );
        let mut stranger = newer.clone();
        stranger.company_id = "company-b".into();
        assert!(!store.save_metakocka_run(&stranger).await.unwrap());

        let mut conflict = SyncConflict {
            id: "0190-x".into(),
            company_id: a.clone(),
            kind: EntityKind::Product,
            crm_id: "crm-1".into(),
            mk_id: "mk-1".into(),
            crm_snapshot: json!({"name": "Oil"}),
            mk_snapshot: json!({"name": "Olive oil"}),
            detected_at: now(),
            resolved_with: None,
            resolved_at: None,
        };
        store.put_sync_conflict(&conflict).await.unwrap();
        assert_eq!(
            store.list_sync_conflicts(&a, true).await.unwrap(),
            vec![conflict.clone()]
        );
        conflict.resolved_with = Some(Side::Metakocka);
        conflict.resolved_at = Some(now());
        store.put_sync_conflict(&conflict).await.unwrap();
        assert!(
            store
                .list_sync_conflicts(&a, true)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            store.get_sync_conflict(&a, "0190-x").await.unwrap(),
            Some(conflict)
        );
        assert_eq!(
            store
                .get_sync_conflict(&"company-b".into(), "0190-x")
                .await
                .unwrap(),
            None
        );
    }
}

fn product(company: &str, id: &str, code: &str) -> Product {
    Product {
        id: id.into(),
        company_id: company.into(),
        code: code.into(),
        name: format!("Product {code}"),
        description: None,
        unit: Some("kos".into()),
        price: Decimal::ZERO,
        currency: "EUR".into(),
        vat_rate: Decimal::ZERO,
        active: true,
        created_at: now(),
        updated_at: now(),
    }
}

fn pulled(record: Option<RecordWrite<Product>>, mapping: Mapping) -> PulledWrite<Product> {
    PulledWrite { record, mapping }
}

#[tokio::test]
async fn a_page_of_pulled_products_is_written_but_for_the_records_that_fail() {
    for subject in subjects().await {
        let (store, name) = (&subject.store, subject.name);
        let a: CompanyId = "company-a".into();
        let kept = product("company-a", "p-kept", "KEPT");
        store.insert_product(&kept).await.unwrap();
        let mut renamed = kept.clone();
        renamed.name = "Renamed in Metakocka".into();
        let m = |crm: &str, mk: &str| mapping("company-a", EntityKind::Product, crm, mk);
        store
            .put_mapping(&m("p-earlier", "mk-taken"))
            .await
            .unwrap();
        let writes = vec![
            pulled(
                Some(RecordWrite::Insert(product("company-a", "p-new", "NEW"))),
                m("p-new", "mk-new"),
            ),
            // The code is taken: neither this product nor its mapping is written.
            pulled(
                Some(RecordWrite::Insert(product("company-a", "p-dup", "KEPT"))),
                m("p-dup", "mk-dup"),
            ),
            pulled(
                Some(RecordWrite::Update(renamed.clone())),
                m("p-kept", "mk-kept"),
            ),
            // Gone since it was read.
            pulled(
                Some(RecordWrite::Update(product("company-a", "p-gone", "GONE"))),
                m("p-gone", "mk-gone"),
            ),
            // Another company's record never lands in this one's page.
            pulled(
                Some(RecordWrite::Insert(product("company-b", "p-b", "B"))),
                mapping("company-b", EntityKind::Product, "p-b", "mk-b"),
            ),
            // The Metakocka record is mapped to another product already.
            pulled(None, m("p-other", "mk-taken")),
        ];
        let results = store.write_pulled_products(&a, &writes).await.unwrap();
        let failed: Vec<bool> = results.iter().map(Result::is_err).collect();
        assert_eq!(failed, [false, true, false, true, true, true], "{name}");
        assert!(matches!(results[1], Err(StoreError::Conflict(_))), "{name}");

        let stored = store
            .list_products(&a, &RecordQuery::new(None, Some(50), None))
            .await
            .unwrap();
        let names: Vec<(&str, &str)> = (stored.items.iter())
            .map(|p| (p.code.as_str(), p.name.as_str()))
            .collect();
        assert_eq!(
            names,
            [("KEPT", "Renamed in Metakocka"), ("NEW", "Product NEW")],
            "{name}"
        );
        let mapped: Vec<(String, String)> = (store.list_mappings(&a, EntityKind::Product).await)
            .unwrap()
            .into_iter()
            .map(|m| (m.crm_id, m.mk_id))
            .collect();
        assert_eq!(
            mapped,
            [
                ("p-earlier".to_owned(), "mk-taken".to_owned()),
                ("p-kept".to_owned(), "mk-kept".to_owned()),
                ("p-new".to_owned(), "mk-new".to_owned())
            ],
            "{name}"
        );
        let b: CompanyId = "company-b".into();
        assert!(
            store.get_product(&b, "p-b").await.unwrap().is_none(),
            "{name}"
        );
        // An empty page is no write at all.
        assert!(
            store
                .write_pulled_products(&a, &[])
                .await
                .unwrap()
                .is_empty()
        );
    }
}

#[tokio::test]
async fn a_sync_slot_is_held_by_one_run_until_released_or_its_lease_runs_out() {
    for subject in subjects().await {
        let (store, name) = (&subject.store, subject.name);
        let (a, b): (CompanyId, CompanyId) = ("company-a".into(), "company-b".into());
        let (at, minute) = (now(), chrono::TimeDelta::minutes(1));
        let kind = EntityKind::Product;
        let claim = |company: &CompanyId, run: &str, at: chrono::DateTime<chrono::Utc>| {
            let (company, run) = (company.clone(), run.to_owned());
            let store = store.clone();
            async move {
                store
                    .claim_sync_slot(&company, kind, &run, at, at + minute)
                    .await
                    .unwrap()
            }
        };
        let free = SlotClaim::Claimed { abandoned: None };
        assert_eq!(claim(&a, "run-1", at).await, free, "{name}");
        let held = SlotClaim::Held {
            run_id: "run-1".into(),
        };
        assert_eq!(claim(&a, "run-2", at).await, held, "{name}");
        // Another company's slot, and another kind's, are their own.
        assert_eq!(claim(&b, "run-b", at).await, free, "{name}");
        let contact = store
            .claim_sync_slot(&a, EntityKind::Contact, "run-c", at, at + minute)
            .await
            .unwrap();
        assert_eq!(contact, free, "{name}");

        // Renewed, the lease outlives its first minute; only its holder renews it.
        let later = at + chrono::TimeDelta::seconds(90);
        assert!(
            store
                .renew_sync_slot(&a, kind, "run-1", later + minute)
                .await
                .unwrap()
        );
        assert!(
            !store
                .renew_sync_slot(&a, kind, "run-2", later + minute)
                .await
                .unwrap()
        );
        assert_eq!(claim(&a, "run-2", later).await, held, "{name}");

        // Once the lease ran out (the holder's process stopped), the next run takes it over.
        let stale = later + chrono::TimeDelta::minutes(5);
        let taken = SlotClaim::Claimed {
            abandoned: Some("run-1".into()),
        };
        assert_eq!(claim(&a, "run-2", stale).await, taken, "{name}");
        assert!(
            !store
                .renew_sync_slot(&a, kind, "run-1", stale + minute)
                .await
                .unwrap()
        );

        // Released by a run that lost it: nothing; by its holder: free.
        store.release_sync_slot(&a, kind, "run-1").await.unwrap();
        let held_by_2 = SlotClaim::Held {
            run_id: "run-2".into(),
        };
        assert_eq!(claim(&a, "run-3", stale).await, held_by_2, "{name}");
        store.release_sync_slot(&a, kind, "run-2").await.unwrap();
        assert_eq!(claim(&a, "run-3", stale).await, free, "{name}");
    }
}

#[tokio::test]
async fn a_cancel_asked_through_the_slot_reaches_only_its_holder() {
    for subject in subjects().await {
        let (store, name) = (&subject.store, subject.name);
        let a: CompanyId = "company-a".into();
        let (at, kind) = (now(), EntityKind::Contact);
        let until = at + chrono::TimeDelta::minutes(1);
        store
            .claim_sync_slot(&a, kind, "run-1", at, until)
            .await
            .unwrap();
        assert!(
            !store
                .sync_slot_cancel_requested(&a, kind, "run-1")
                .await
                .unwrap(),
            "{name}"
        );
        // Asked of a run that does not hold the slot: nothing to ask.
        assert!(
            !store
                .request_sync_slot_cancel(&a, kind, "run-9")
                .await
                .unwrap()
        );
        assert!(
            !store
                .sync_slot_cancel_requested(&a, kind, "run-1")
                .await
                .unwrap()
        );
        assert!(
            store
                .request_sync_slot_cancel(&a, kind, "run-1")
                .await
                .unwrap()
        );
        assert!(
            store
                .sync_slot_cancel_requested(&a, kind, "run-1")
                .await
                .unwrap(),
            "{name}"
        );
        // A run that lost its slot is told to stop too; the next holder starts unasked.
        store.release_sync_slot(&a, kind, "run-1").await.unwrap();
        assert!(
            store
                .sync_slot_cancel_requested(&a, kind, "run-1")
                .await
                .unwrap()
        );
        store
            .claim_sync_slot(&a, kind, "run-2", at, until)
            .await
            .unwrap();
        assert!(
            !store
                .sync_slot_cancel_requested(&a, kind, "run-2")
                .await
                .unwrap(),
            "{name}"
        );
    }
}

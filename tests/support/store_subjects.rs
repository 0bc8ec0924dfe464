//! The store engines a behaviour suite runs on: SQLite always, and MongoDB (a database of
//! its own per call) when `CRM_MIND_TEST_MONGODB_URI` is set, which CI requires.
#![allow(dead_code)] // each test crate uses a subset

use chrono::{DateTime, Utc};
use crm_mind::store::DynStore;
use crm_mind::store::mongo::MongoStore;
use crm_mind::store::sqlite::SqliteStore;
use std::sync::Arc;
use tempfile::TempDir;

/// A store under test and what keeps it alive.
pub struct Subject {
    pub name: &'static str,
    pub store: DynStore,
    _dir: Option<TempDir>,
}

pub async fn subjects() -> Vec<Subject> {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = SqliteStore::open(&dir.path().join("crm-mind.sqlite3")).unwrap();
    let mut subjects = vec![Subject {
        name: "sqlite",
        store: Arc::new(sqlite),
        _dir: Some(dir),
    }];
    match std::env::var("CRM_MIND_TEST_MONGODB_URI")
        .ok()
        .filter(|v| !v.is_empty())
    {
        Some(uri) => {
            let db = format!("crm_mind_store_{}", uuid::Uuid::new_v4().simple());
            let mongo = MongoStore::connect(&uri.into(), &db)
                .await
                .expect("MongoDB test server reachable");
            subjects.push(Subject {
                name: "mongodb",
                store: Arc::new(mongo),
                _dir: None,
            });
        }
        None if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!(
                "CI=true but CRM_MIND_TEST_MONGODB_URI is not set: the MongoDB suite must run in CI"
            )
        }
        None => eprintln!("skipped: MongoDB engine (CRM_MIND_TEST_MONGODB_URI not set)"),
    }
    subjects
}

/// Now, at the millisecond precision both engines keep.
pub fn now() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(Utc::now().timestamp_millis()).unwrap()
}

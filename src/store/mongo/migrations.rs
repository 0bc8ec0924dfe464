//! The start-up runner for `migrations/mongo/`: creates the collections and their indexes.
//!
//! Each file lists collections and the indexes each must have. Every step is idempotent
//! (an existing collection is left alone, an index that exists with the same options is a
//! no-op), so the runner applies every file at every start and keeps no record of its own;
//! several instances starting at once are safe. An index that exists under the same name
//! with other options stops start-up with a message naming it, rather than serving without
//! the guarantee a file promises.

use anyhow::Context;
use mongodb::bson::Document;
use mongodb::error::ErrorKind;
use mongodb::options::IndexOptions;
use mongodb::{Database, IndexModel};
use serde::Deserialize;
use std::time::Duration;

/// The migration files in the order they apply.
const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_init.json",
        include_str!("../../../migrations/mongo/0001_init.json"),
    ),
    (
        "0002_sync_runs.json",
        include_str!("../../../migrations/mongo/0002_sync_runs.json"),
    ),
    (
        "0003_replies.json",
        include_str!("../../../migrations/mongo/0003_replies.json"),
    ),
    (
        "0004_metakocka.json",
        include_str!("../../../migrations/mongo/0004_metakocka.json"),
    ),
    (
        "0005_inventory.json",
        include_str!("../../../migrations/mongo/0005_inventory.json"),
    ),
    (
        "0006_records.json",
        include_str!("../../../migrations/mongo/0006_records.json"),
    ),
    (
        "0007_sales_documents.json",
        include_str!("../../../migrations/mongo/0007_sales_documents.json"),
    ),
    (
        "0008_metakocka_sync.json",
        include_str!("../../../migrations/mongo/0008_metakocka_sync.json"),
    ),
    (
        "0009_emails.json",
        include_str!("../../../migrations/mongo/0009_emails.json"),
    ),
    (
        "0010_metakocka_sync_slots.json",
        include_str!("../../../migrations/mongo/0010_metakocka_sync_slots.json"),
    ),
    (
        "0011_email_settings.json",
        include_str!("../../../migrations/mongo/0011_email_settings.json"),
    ),
    (
        "0013_report_schedules.json",
        include_str!("../../../migrations/mongo/0013_report_schedules.json"),
    ),
];

/// The server's code for "a collection of this name exists": another instance created it.
const NAMESPACE_EXISTS: i32 = 48;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Migration {
    #[allow(dead_code)] // documentation for readers of the file
    about: String,
    collections: Vec<CollectionSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CollectionSpec {
    name: String,
    indexes: Vec<IndexSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IndexSpec {
    name: String,
    /// A `Document` keeps the keys in the file's order, which is the index's order.
    keys: Document,
    #[serde(default)]
    unique: bool,
    partial_filter: Option<Document>,
    expire_after_seconds: Option<u64>,
    #[allow(dead_code)] // documentation for readers of the file
    why: String,
}

impl IndexSpec {
    fn model(&self) -> IndexModel {
        let options = IndexOptions::builder()
            .name(self.name.clone())
            .unique(self.unique.then_some(true))
            .partial_filter_expression(self.partial_filter.clone())
            .expire_after(self.expire_after_seconds.map(Duration::from_secs))
            .build();
        IndexModel::builder()
            .keys(self.keys.clone())
            .options(options)
            .build()
    }
}

fn parse(name: &str, text: &str) -> anyhow::Result<Migration> {
    serde_json::from_str(text).with_context(|| format!("reading migrations/mongo/{name}"))
}

/// Applies every file of `migrations/mongo/` to `db`.
pub(super) async fn run(db: &Database) -> anyhow::Result<()> {
    for (file, text) in MIGRATIONS {
        let migration = parse(file, text)?;
        let existing = db
            .list_collection_names()
            .await
            .context("listing MongoDB collections")?;
        for collection in &migration.collections {
            if !existing.contains(&collection.name) {
                create_collection(db, &collection.name).await?;
            }
            if collection.indexes.is_empty() {
                continue;
            }
            let names: Vec<&str> = collection.indexes.iter().map(|i| i.name.as_str()).collect();
            db.collection::<Document>(&collection.name)
                .create_indexes(collection.indexes.iter().map(IndexSpec::model))
                .await
                .with_context(|| {
                    format!(
                        "creating indexes {names:?} on MongoDB collection `{}` \
                         (migrations/mongo/{file}); an index of the same name with other \
                         options must be dropped first",
                        collection.name
                    )
                })?;
        }
        tracing::debug!(file, "MongoDB migration applied");
    }
    Ok(())
}

async fn create_collection(db: &Database, name: &str) -> anyhow::Result<()> {
    let Err(e) = db.create_collection(name).await else {
        return Ok(());
    };
    let created_meanwhile =
        matches!(e.kind.as_ref(), ErrorKind::Command(c) if c.code == NAMESPACE_EXISTS);
    if created_meanwhile {
        Ok(())
    } else {
        Err(e).with_context(|| format!("creating MongoDB collection `{name}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_parses_and_compound_keys_keep_their_order() {
        let migrations: Vec<Migration> = MIGRATIONS
            .iter()
            .map(|(name, text)| parse(name, text).unwrap())
            .collect();
        let inbox = migrations[0]
            .collections
            .iter()
            .find(|c| c.name == "inbox_events")
            .unwrap();
        let unique = inbox
            .indexes
            .iter()
            .find(|i| i.name == "page_natural_key_unique")
            .unwrap();
        let keys: Vec<&str> = unique.keys.keys().map(String::as_str).collect();
        assert_eq!(keys, ["page_id", "natural_key"]);
        assert!(unique.unique);
    }

    #[test]
    fn the_collections_the_engine_uses_are_all_created() {
        use super::super::metakocka_credentials::METAKOCKA_CREDENTIALS;
        use super::super::metakocka_error_logs::METAKOCKA_ERROR_LOGS;
        use super::super::records::{COMPANIES, INBOX_EVENTS, SESSIONS, USERS};
        let created: Vec<String> = MIGRATIONS
            .iter()
            .flat_map(|(name, text)| parse(name, text).unwrap().collections)
            .map(|c| c.name)
            .collect();
        for name in [
            COMPANIES,
            USERS,
            SESSIONS,
            INBOX_EVENTS,
            METAKOCKA_CREDENTIALS,
            METAKOCKA_ERROR_LOGS,
        ] {
            assert!(created.iter().any(|c| c == name), "{name} is not created");
        }
    }

    #[test]
    fn the_page_index_filter_keeps_its_operator() {
        let migration = parse(MIGRATIONS[0].0, MIGRATIONS[0].1).unwrap();
        let page_index = &migration.collections[0].indexes[0];
        let filter = page_index.partial_filter.as_ref().unwrap();
        let exists = filter.get_document("pages.page_id").unwrap();
        assert_eq!(exists.get_bool("$exists"), Ok(true));
    }
}

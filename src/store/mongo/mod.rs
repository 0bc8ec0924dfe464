//! The production engine: MongoDB (a replica set), through the official `mongodb` driver.
//!
//! [`MongoStore`] owns connecting, the start-up ping and running `migrations/mongo/`
//! (`migrations.rs`); one file per collection implements its part of the store traits,
//! `records.rs` holds the BSON shapes and `errors.rs` the mapping of driver errors.
//!
//! Collections, named as in the architecture: `companies` (each holding its `pages`, each
//! page its three CRM link lists), `users`, `sessions`, `inbox_events` (its reply-worker
//! leases in `leases.rs`), `crm_sync_runs` (`sync_runs.rs`, which holds its own record
//! shape), `outbox_replies` (`replies.rs`), `conversations` and `conversation_turns`
//! (`conversations.rs`), `metakocka_credentials` and `metakocka_error_logs`
//! (`metakocka_*.rs`), `products`, `contacts` and `sales_documents` (`products.rs`,
//! `contacts.rs`, `sales_documents.rs`), the last ones with their own record shapes, the
//! Metakocka sync's mappings, settings, runs and conflicts (`metakocka_mappings.rs`,
//! `metakocka_sync.rs`); `emails`, their link collections and `email_templates`
//! (`emails.rs`, `email_templates.rs`). Every query filters
//! by `company_id` (or the company's `_id`), except the lookups the traits document as
//! unscoped: by page id, email and token hash, each a globally unique key, and the reply
//! worker's leases, which serve every company and find an event by its uuid.
//!
//! The connection string may hold a password, so it never appears in an error or a log.

mod companies;
mod contacts;
mod conversations;
mod email_templates;
mod emails;
mod errors;
mod inbox;
mod leases;
mod metakocka_credentials;
mod metakocka_error_logs;
mod metakocka_inventory;
mod metakocka_mappings;
mod metakocka_sync;
mod metakocka_sync_slots;
mod migrations;
mod pages;
mod products;
mod records;
mod replies;
mod reports;
mod sales_documents;
mod sessions;
mod sync_runs;
mod users;

#[cfg(test)]
mod tests;

use super::{Store, StoreResult};
use anyhow::Context;
use async_trait::async_trait;
use mongodb::bson::doc;
use mongodb::options::{Acknowledgment, ClientOptions, WriteConcern};
use mongodb::{Client, Collection, Database};
use secrecy::{ExposeSecret, SecretString};

/// A handle on one MongoDB database. Cloning is cheap: the driver's client is a shared pool.
#[derive(Clone)]
pub struct MongoStore {
    db: Database,
}

/// Names the database only: the client's options hold the credentials.
impl std::fmt::Debug for MongoStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MongoStore")
            .field("database", &self.db.name())
            .finish_non_exhaustive()
    }
}

impl MongoStore {
    /// Connects, checks the server answers (ping), and creates collections/indexes from migrations/mongo.
    pub async fn connect(uri: &SecretString, database: &str) -> anyhow::Result<Self> {
        let mut options = ClientOptions::parse(uri.expose_secret())
            .await
            .map_err(|e| anyhow::anyhow!(parse_failure(uri.expose_secret(), &e)))?;
        options
            .app_name
            .get_or_insert_with(|| "crm-mind".to_owned());
        // The webhook answers 200 only once its events are stored, so an acknowledged write
        // must survive a primary's failure: majority and journaled, unless the operator's
        // connection string chose otherwise.
        options.write_concern.get_or_insert_with(|| {
            WriteConcern::builder()
                .w(Acknowledgment::Majority)
                .journal(true)
                .build()
        });
        let client = Client::with_options(options).context("configuring the MongoDB client")?;
        let store = Self {
            db: client.database(database),
        };
        store
            .db
            .run_command(doc! { "ping": 1 })
            .await
            .with_context(|| format!("MongoDB did not answer a ping (database `{database}`)"))?;
        migrations::run(&store.db)
            .await
            .with_context(|| format!("migrating MongoDB database `{database}`"))?;
        Ok(store)
    }

    fn collection<T: Send + Sync>(&self, name: &str) -> Collection<T> {
        self.db.collection(name)
    }
}

/// Why a connection string does not parse. The driver's messages quote parts of the string;
/// when it holds user info, a quoted part may be the password, so the message is withheld.
fn parse_failure(uri: &str, e: &mongodb::error::Error) -> String {
    const HINT: &str = "check the scheme (mongodb:// or mongodb+srv://), the hosts, and that \
                        the user name and password are percent-encoded";
    if uri.contains('@') {
        format!(
            "the MongoDB connection string does not parse \
             (details withheld: it holds credentials); {HINT}"
        )
    } else {
        format!("the MongoDB connection string does not parse: {e}; {HINT}")
    }
}

#[async_trait]
impl Store for MongoStore {
    async fn ping(&self) -> StoreResult<()> {
        self.db
            .run_command(doc! { "ping": 1 })
            .await
            .map(|_| ())
            .map_err(errors::store_error)
    }

    fn engine(&self) -> &'static str {
        "mongodb"
    }
}

//! The embedded default engine: SQLite in `$DATA_DIR/crm-mind.sqlite3`.
//!
//! WAL mode lets readers run beside the writer. Writes go through [`writer::Writer`] (one
//! thread, group commit, `synchronous=FULL` so an acknowledged write survives a power cut);
//! reads take a connection from a small pool on tokio's blocking threads.

mod accounts;
mod conversations;
mod email_templates;
mod emails;
mod inbox;
mod metakocka_credentials;
mod metakocka_error_logs;
mod metakocka_inventory;
mod metakocka_mappings;
mod metakocka_sync;
mod metakocka_sync_slots;
mod pages;
mod records_contacts;
mod records_products;
mod records_sales_documents;
mod records_table;
mod replies;
mod reports;
mod sync_runs;
mod writer;

use super::{Store, StoreError, StoreResult};
use anyhow::Context;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use writer::Writer;

/// Schema steps in order; `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[&str] = &[
    include_str!("../../../migrations/sqlite/0001_init.sql"),
    include_str!("../../../migrations/sqlite/0002_sync_runs.sql"),
    include_str!("../../../migrations/sqlite/0003_replies.sql"),
    include_str!("../../../migrations/sqlite/0004_metakocka.sql"),
    include_str!("../../../migrations/sqlite/0005_inventory.sql"),
    include_str!("../../../migrations/sqlite/0006_records.sql"),
    include_str!("../../../migrations/sqlite/0007_sales_documents.sql"),
    include_str!("../../../migrations/sqlite/0008_metakocka_sync.sql"),
    include_str!("../../../migrations/sqlite/0009_emails.sql"),
    include_str!("../../../migrations/sqlite/0010_metakocka_sync_slots.sql"),
    include_str!("../../../migrations/sqlite/0011_email_settings.sql"),
    include_str!("../../../migrations/sqlite/0013_report_schedules.sql"),
];

/// Idle read connections kept open; more are opened under load and closed after.
const MAX_IDLE_READERS: usize = 8;

#[derive(Clone)]
pub struct SqliteStore {
    path: Arc<PathBuf>,
    writer: Writer,
    readers: Arc<Mutex<Vec<Connection>>>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub fn open(path: &Path) -> anyhow::Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("creating the data directory {}", dir.display()))?;
        }
        let mut conn = Connection::open(path)
            .with_context(|| format!("opening the SQLite database {}", path.display()))?;
        configure(&conn)?;
        conn.execute_batch("PRAGMA journal_mode = WAL;")
            .context("switching SQLite to WAL mode")?;
        migrate(&mut conn)?;
        let writer = Writer::spawn(conn).context("starting the SQLite writer thread")?;
        Ok(Self {
            path: Arc::new(path.to_owned()),
            writer,
            readers: Arc::new(Mutex::new(Vec::new())),
        })
    }

    /// Runs a read on a pooled connection off the async threads.
    async fn read<T, F>(&self, job: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let store = self.clone();
        tokio::task::spawn_blocking(move || {
            let conn = match store.readers.lock().expect("reader pool lock").pop() {
                Some(conn) => conn,
                None => store.open_reader()?,
            };
            let result = job(&conn);
            let mut idle = store.readers.lock().expect("reader pool lock");
            if idle.len() < MAX_IDLE_READERS {
                idle.push(conn);
            }
            result
        })
        .await
        .map_err(|e| StoreError::Unavailable(format!("a SQLite read task failed: {e}")))?
    }

    fn open_reader(&self) -> StoreResult<Connection> {
        let conn = Connection::open_with_flags(
            self.path.as_path(),
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(unavailable)?;
        configure(&conn).map_err(|e| StoreError::Unavailable(e.to_string()))?;
        Ok(conn)
    }
}

fn configure(conn: &Connection) -> anyhow::Result<()> {
    conn.execute_batch(
        "PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = 5000;",
    )
    .context("configuring the SQLite connection")
}

fn migrate(conn: &mut Connection) -> anyhow::Result<()> {
    let applied: usize = conn
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .context("reading the schema version")?;
    anyhow::ensure!(
        applied <= MIGRATIONS.len(),
        "the database schema (version {applied}) is newer than this crm-mind knows ({}); use a newer crm-mind",
        MIGRATIONS.len()
    );
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)
            .with_context(|| format!("applying SQLite migration {}", index + 1))?;
        tx.pragma_update(None, "user_version", index + 1)?;
        tx.commit()?;
    }
    Ok(())
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        self.read(|conn| {
            conn.query_row("SELECT 1", [], |_| Ok(()))
                .map_err(unavailable)
        })
        .await
    }

    fn engine(&self) -> &'static str {
        "sqlite"
    }
}

pub(super) fn unavailable(e: rusqlite::Error) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

fn from_millis(ms: i64) -> StoreResult<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| corrupt(format!("time {ms} out of range")))
}

/// Whether `e` is a UNIQUE or PRIMARY KEY violation.
fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _)
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
    )
}

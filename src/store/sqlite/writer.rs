//! The single writer thread of the SQLite engine, with group commit.
//!
//! SQLite allows one writer at a time, and a durable commit costs an fsync. So every write
//! goes to one thread that takes all jobs waiting in its queue, runs each in its own
//! SAVEPOINT inside one transaction, commits once, and only then answers each caller. Under
//! load one fsync covers hundreds of webhook events; alone, a job commits at once. A job that
//! fails rolls back to its savepoint without spoiling the others in the batch.

use super::super::{StoreError, StoreResult};
use rusqlite::{Connection, Transaction};
use std::sync::mpsc;
use tokio::sync::oneshot;

/// Upper bound of jobs in one transaction, so one commit never holds readers' view too long.
const MAX_BATCH: usize = 1_024;

type Reply = Box<dyn FnOnce(StoreResult<()>) + Send>;
type Job = Box<dyn FnOnce(&Transaction<'_>) -> Reply + Send>;

#[derive(Clone)]
pub(super) struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    pub(super) fn spawn(conn: Connection) -> std::io::Result<Self> {
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || run(conn, queue))?;
        Ok(Self { jobs })
    }

    /// Runs `job` in the next transaction and returns its result once that has committed.
    pub(super) async fn write<T, F>(&self, job: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let (done, result) = oneshot::channel();
        let job: Job = Box::new(move |tx: &Transaction<'_>| {
            let outcome = in_savepoint(tx, job);
            Box::new(move |commit: StoreResult<()>| {
                let _ = done.send(commit.and(outcome));
            })
        });
        self.jobs
            .send(job)
            .map_err(|_| StoreError::Unavailable("the SQLite writer has stopped".into()))?;
        result
            .await
            .map_err(|_| StoreError::Unavailable("the SQLite writer has stopped".into()))?
    }
}

fn in_savepoint<T>(
    tx: &Transaction<'_>,
    job: impl FnOnce(&Connection) -> StoreResult<T>,
) -> StoreResult<T> {
    tx.execute_batch("SAVEPOINT job")
        .map_err(super::unavailable)?;
    let outcome = job(tx);
    let end = if outcome.is_ok() {
        "RELEASE job"
    } else {
        "ROLLBACK TO job; RELEASE job"
    };
    tx.execute_batch(end).map_err(super::unavailable)?;
    outcome
}

fn run(mut conn: Connection, queue: mpsc::Receiver<Job>) {
    // recv() fails once every Writer handle is gone: the store was dropped.
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let tx = match conn.transaction() {
            Ok(tx) => tx,
            Err(e) => {
                // Dropping the batch answers each caller with Unavailable.
                tracing::error!(error = %e, "could not begin a SQLite transaction");
                continue;
            }
        };
        let replies: Vec<Reply> = batch.into_iter().map(|job| job(&tx)).collect();
        let commit = tx.commit().map_err(super::unavailable);
        for reply in replies {
            reply(commit.clone());
        }
    }
}

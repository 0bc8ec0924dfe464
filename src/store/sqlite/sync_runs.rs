//! Sync-run history in SQLite: one row per run, the run itself as JSON.

use super::{SqliteStore, corrupt, millis, unavailable};
use crate::domain::SyncRun;
use crate::store::{StoreResult, SyncRunQuery, SyncRunStore};
use async_trait::async_trait;
use rusqlite::params;

#[async_trait]
impl SyncRunStore for SqliteStore {
    async fn insert_sync_run(&self, run: &SyncRun) -> StoreResult<()> {
        let json = serde_json::to_string(run).map_err(corrupt)?;
        let run = run.clone();
        self.writer
            .write(move |conn| {
                conn.prepare_cached(
                    "INSERT INTO crm_sync_runs (id, company_id, page_id, link_id, started_at, run)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .and_then(|mut stmt| {
                    stmt.execute(params![
                        run.id,
                        run.company_id.as_str(),
                        run.page_id.as_str(),
                        run.link_id.as_str(),
                        millis(run.started_at),
                        json
                    ])
                })
                .map(|_| ())
                .map_err(unavailable)
            })
            .await
    }

    async fn list_sync_runs(&self, query: &SyncRunQuery) -> StoreResult<Vec<SyncRun>> {
        let query = query.clone();
        self.read(move |conn| {
            // NULL parameters mean "any": one statement serves every combination of filters.
            let mut stmt = conn
                .prepare_cached(
                    "SELECT run FROM crm_sync_runs
                     WHERE company_id = ?1
                       AND (?2 IS NULL OR page_id = ?2)
                       AND (?3 IS NULL OR link_id = ?3)
                     ORDER BY started_at DESC, id DESC LIMIT ?4",
                )
                .map_err(unavailable)?;
            stmt.query_map(
                params![
                    query.company_id.as_str(),
                    query.page_id.as_ref().map(|p| p.as_str()),
                    query.link_id.as_ref().map(|l| l.as_str()),
                    query.limit
                ],
                |row| row.get::<_, String>(0),
            )
            .map_err(unavailable)?
            .map(|json| serde_json::from_str(&json.map_err(unavailable)?).map_err(corrupt))
            .collect()
        })
        .await
    }
}

//! `metakocka_sync_settings`, `metakocka_sync_runs` and `metakocka_sync_conflicts` in
//! SQLite. A run's errors summary and a conflict's snapshots are JSON text.

use super::{SqliteStore, corrupt, from_millis, millis, unavailable};
use crate::domain::CompanyId;
use crate::metakocka::sync::model::{
    ConflictRule, Direction, EntityKind, MetakockaSyncRun, RunCounts, RunState, RunTrigger, Side,
    SyncConflict, SyncSettings,
};
use crate::store::{MetakockaSyncStore, StoreResult};
use async_trait::async_trait;
use rusqlite::{Row, params};

const SETTINGS: &str =
    "company_id, kind, auto, interval_minutes, direction, conflict_rule, updated_at";
const RUNS: &str = "company_id, id, kind, direction, trigger, started_at, finished_at, total,
     processed, created, updated, skipped, failed, conflicts, state, stopped_at, errors";
const CONFLICTS: &str = "company_id, id, kind, crm_id, mk_id, crm_snapshot, mk_snapshot,
     detected_at, resolved_with, resolved_at";

fn parsed<T>(value: &str, what: &str, parse: impl Fn(&str) -> Option<T>) -> StoreResult<T> {
    parse(value).ok_or_else(|| corrupt(format!("{what} {value:?}")))
}

#[async_trait]
impl MetakockaSyncStore for SqliteStore {
    async fn put_sync_settings(&self, settings: &SyncSettings) -> StoreResult<()> {
        let s = settings.clone();
        self.writer
            .write(move |conn| {
                conn.execute(
                    &format!(
                        "INSERT OR REPLACE INTO metakocka_sync_settings ({SETTINGS})
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
                    ),
                    params![
                        s.company_id.as_str(),
                        s.kind.as_str(),
                        s.auto,
                        s.interval_minutes,
                        s.direction.as_str(),
                        s.conflict_rule.as_str(),
                        millis(s.updated_at),
                    ],
                )
                .map(drop)
                .map_err(unavailable)
            })
            .await
    }

    async fn list_sync_settings(&self, company: &CompanyId) -> StoreResult<Vec<SyncSettings>> {
        let company = company.clone();
        self.select(
            format!(
                "SELECT {SETTINGS} FROM metakocka_sync_settings WHERE company_id = ?1 ORDER BY kind"
            ),
            vec![company.as_str().to_owned()],
            read_settings,
        )
        .await
    }

    async fn auto_sync_settings(&self) -> StoreResult<Vec<SyncSettings>> {
        self.select(
            format!(
                "SELECT {SETTINGS} FROM metakocka_sync_settings WHERE auto = 1
                 ORDER BY company_id, kind"
            ),
            vec![],
            read_settings,
        )
        .await
    }

    async fn insert_metakocka_run(&self, run: &MetakockaSyncRun) -> StoreResult<()> {
        self.write_run(run, "INSERT").await.map(drop)
    }

    async fn save_metakocka_run(&self, run: &MetakockaSyncRun) -> StoreResult<bool> {
        self.write_run(run, "UPDATE").await
    }

    async fn get_metakocka_run(
        &self,
        company: &CompanyId,
        id: &str,
    ) -> StoreResult<Option<MetakockaSyncRun>> {
        let found = self
            .select(
                format!("SELECT {RUNS} FROM metakocka_sync_runs WHERE company_id = ?1 AND id = ?2"),
                vec![company.as_str().to_owned(), id.to_owned()],
                read_run,
            )
            .await?;
        Ok(found.into_iter().next())
    }

    async fn list_metakocka_runs(
        &self,
        company: &CompanyId,
        kind: Option<EntityKind>,
        limit: u32,
    ) -> StoreResult<Vec<MetakockaSyncRun>> {
        let (condition, mut values) = match kind {
            Some(kind) => (" AND kind = ?2", vec![kind.as_str().to_owned()]),
            None => ("", vec![]),
        };
        values.insert(0, company.as_str().to_owned());
        self.select(
            format!(
                "SELECT {RUNS} FROM metakocka_sync_runs WHERE company_id = ?1{condition}
                 ORDER BY id DESC LIMIT {limit}"
            ),
            values,
            read_run,
        )
        .await
    }

    async fn put_sync_conflict(&self, conflict: &SyncConflict) -> StoreResult<()> {
        let c = conflict.clone();
        self.writer
            .write(move |conn| {
                conn.execute(
                    &format!(
                        "INSERT OR REPLACE INTO metakocka_sync_conflicts ({CONFLICTS})
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
                    ),
                    params![
                        c.company_id.as_str(),
                        c.id,
                        c.kind.as_str(),
                        c.crm_id,
                        c.mk_id,
                        c.crm_snapshot.to_string(),
                        c.mk_snapshot.to_string(),
                        millis(c.detected_at),
                        c.resolved_with.map(Side::as_str),
                        c.resolved_at.map(millis),
                    ],
                )
                .map(drop)
                .map_err(unavailable)
            })
            .await
    }

    async fn get_sync_conflict(
        &self,
        company: &CompanyId,
        id: &str,
    ) -> StoreResult<Option<SyncConflict>> {
        let found = self
            .select(
                format!(
                    "SELECT {CONFLICTS} FROM metakocka_sync_conflicts
                     WHERE company_id = ?1 AND id = ?2"
                ),
                vec![company.as_str().to_owned(), id.to_owned()],
                read_conflict,
            )
            .await?;
        Ok(found.into_iter().next())
    }

    async fn list_sync_conflicts(
        &self,
        company: &CompanyId,
        open_only: bool,
    ) -> StoreResult<Vec<SyncConflict>> {
        let condition = if open_only {
            " AND resolved_with IS NULL"
        } else {
            ""
        };
        self.select(
            format!(
                "SELECT {CONFLICTS} FROM metakocka_sync_conflicts
                 WHERE company_id = ?1{condition} ORDER BY id DESC"
            ),
            vec![company.as_str().to_owned()],
            read_conflict,
        )
        .await
    }
}

impl SqliteStore {
    /// Rows of `sql` (text parameters), each read with `read`.
    async fn select<T: Send + 'static>(
        &self,
        sql: String,
        values: Vec<String>,
        read: fn(&Row<'_>) -> rusqlite::Result<StoreResult<T>>,
    ) -> StoreResult<Vec<T>> {
        self.read(move |conn| {
            let mut select = conn.prepare_cached(&sql).map_err(unavailable)?;
            let rows = select
                .query_map(rusqlite::params_from_iter(values.iter()), read)
                .map_err(unavailable)?;
            rows.map(|row| row.map_err(unavailable)?).collect()
        })
        .await
    }

    /// `INSERT` or `UPDATE` of the whole run; whether a row was written.
    async fn write_run(&self, run: &MetakockaSyncRun, verb: &'static str) -> StoreResult<bool> {
        let r = run.clone();
        let errors = serde_json::to_string(&r.errors).unwrap_or_else(|_| "[]".to_owned());
        self.writer
            .write(move |conn| {
                let sql = if verb == "INSERT" {
                    format!(
                        "INSERT INTO metakocka_sync_runs ({RUNS}) VALUES
                         (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"
                    )
                } else {
                    "UPDATE metakocka_sync_runs SET kind = ?3, direction = ?4, trigger = ?5,
                       started_at = ?6, finished_at = ?7, total = ?8, processed = ?9,
                       created = ?10, updated = ?11, skipped = ?12, failed = ?13,
                       conflicts = ?14, state = ?15, stopped_at = ?16, errors = ?17
                     WHERE company_id = ?1 AND id = ?2"
                        .to_owned()
                };
                let c = r.counts;
                conn.execute(
                    &sql,
                    params![
                        r.company_id.as_str(),
                        r.id,
                        r.kind.as_str(),
                        r.direction.as_str(),
                        r.trigger.as_str(),
                        millis(r.started_at),
                        r.finished_at.map(millis),
                        c.total,
                        c.processed,
                        c.created,
                        c.updated,
                        c.skipped,
                        c.failed,
                        c.conflicts,
                        r.state.as_str(),
                        r.stopped_at,
                        errors,
                    ],
                )
                .map(|n| n > 0)
                .map_err(unavailable)
            })
            .await
    }
}

fn read_settings(row: &Row<'_>) -> rusqlite::Result<StoreResult<SyncSettings>> {
    let (company, kind, auto, interval): (String, String, bool, u32) =
        (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
    let (direction, rule, updated): (String, String, i64) = (row.get(4)?, row.get(5)?, row.get(6)?);
    Ok((|| {
        Ok(SyncSettings {
            company_id: CompanyId::from(company),
            kind: parsed(&kind, "entity kind", EntityKind::parse)?,
            auto,
            interval_minutes: interval,
            direction: parsed(&direction, "direction", Direction::parse)?,
            conflict_rule: parsed(&rule, "conflict rule", ConflictRule::parse)?,
            updated_at: from_millis(updated)?,
        })
    })())
}

fn read_run(row: &Row<'_>) -> rusqlite::Result<StoreResult<MetakockaSyncRun>> {
    let (company, id, kind, direction, trigger): (String, String, String, String, String) = (
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
    );
    let (started, finished): (i64, Option<i64>) = (row.get(5)?, row.get(6)?);
    let counts = RunCounts {
        total: row.get(7)?,
        processed: row.get(8)?,
        created: row.get(9)?,
        updated: row.get(10)?,
        skipped: row.get(11)?,
        failed: row.get(12)?,
        conflicts: row.get(13)?,
    };
    let (state, stopped_at, errors): (String, Option<String>, String) =
        (row.get(14)?, row.get(15)?, row.get(16)?);
    Ok((|| {
        Ok(MetakockaSyncRun {
            id,
            company_id: CompanyId::from(company),
            kind: parsed(&kind, "entity kind", EntityKind::parse)?,
            direction: parsed(&direction, "direction", Direction::parse)?,
            trigger: parsed(&trigger, "trigger", RunTrigger::parse)?,
            started_at: from_millis(started)?,
            finished_at: finished.map(from_millis).transpose()?,
            counts,
            state: parsed(&state, "run state", RunState::parse)?,
            stopped_at,
            errors: serde_json::from_str(&errors)
                .map_err(|e| corrupt(format!("a run's errors: {e}")))?,
        })
    })())
}

fn read_conflict(row: &Row<'_>) -> rusqlite::Result<StoreResult<SyncConflict>> {
    let (company, id, kind, crm_id, mk_id): (String, String, String, String, String) = (
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
    );
    let (crm, mk, detected): (String, String, i64) = (row.get(5)?, row.get(6)?, row.get(7)?);
    let (resolved_with, resolved_at): (Option<String>, Option<i64>) = (row.get(8)?, row.get(9)?);
    let json = |text: &str| {
        serde_json::from_str(text).map_err(|e| corrupt(format!("a conflict's snapshot: {e}")))
    };
    Ok((|| {
        Ok(SyncConflict {
            id,
            company_id: CompanyId::from(company),
            kind: parsed(&kind, "entity kind", EntityKind::parse)?,
            crm_id,
            mk_id,
            crm_snapshot: json(&crm)?,
            mk_snapshot: json(&mk)?,
            detected_at: from_millis(detected)?,
            resolved_with: resolved_with
                .map(|s| parsed(&s, "side", Side::parse))
                .transpose()?,
            resolved_at: resolved_at.map(from_millis).transpose()?,
        })
    })())
}

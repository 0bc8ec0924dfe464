//! `metakocka_sync_slots` in SQLite. A claim reads and writes the slot in one job of the
//! single writer, so within a process two claims never interleave; across processes the
//! write transaction does the same.

use super::{SqliteStore, millis, unavailable};
use crate::domain::CompanyId;
use crate::metakocka::sync::model::{EntityKind, SlotClaim};
use crate::store::{MetakockaSyncSlotStore, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

#[async_trait]
impl MetakockaSyncSlotStore for SqliteStore {
    async fn claim_sync_slot(
        &self,
        company: &CompanyId,
        kind: EntityKind,
        run_id: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> StoreResult<SlotClaim> {
        let (company, run_id) = (company.clone(), run_id.to_owned());
        self.writer
            .write(move |conn| {
                let holder: Option<(String, i64)> = conn
                    .query_row(
                        "SELECT run_id, lease_until FROM metakocka_sync_slots
                         WHERE company_id = ?1 AND kind = ?2",
                        params![company.as_str(), kind.as_str()],
                        |row| Ok((row.get(0)?, row.get(1)?)),
                    )
                    .optional()
                    .map_err(unavailable)?;
                let abandoned = match holder {
                    Some((holder, until)) if until >= millis(now) => {
                        return Ok(SlotClaim::Held { run_id: holder });
                    }
                    Some((holder, _)) => Some(holder),
                    None => None,
                };
                conn.execute(
                    "INSERT OR REPLACE INTO metakocka_sync_slots
                       (company_id, kind, run_id, lease_until, cancel_requested)
                     VALUES (?1, ?2, ?3, ?4, 0)",
                    params![company.as_str(), kind.as_str(), run_id, millis(lease_until)],
                )
                .map_err(unavailable)?;
                Ok(SlotClaim::Claimed { abandoned })
            })
            .await
    }

    async fn renew_sync_slot(
        &self,
        company: &CompanyId,
        kind: EntityKind,
        run_id: &str,
        lease_until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let (company, run_id) = (company.clone(), run_id.to_owned());
        self.writer
            .write(move |conn| {
                conn.execute(
                    "UPDATE metakocka_sync_slots SET lease_until = ?4
                     WHERE company_id = ?1 AND kind = ?2 AND run_id = ?3",
                    params![company.as_str(), kind.as_str(), run_id, millis(lease_until)],
                )
                .map(|changed| changed > 0)
                .map_err(unavailable)
            })
            .await
    }

    async fn request_sync_slot_cancel(
        &self,
        company: &CompanyId,
        kind: EntityKind,
        run_id: &str,
    ) -> StoreResult<bool> {
        let (company, run_id) = (company.clone(), run_id.to_owned());
        self.writer
            .write(move |conn| {
                conn.execute(
                    "UPDATE metakocka_sync_slots SET cancel_requested = 1
                     WHERE company_id = ?1 AND kind = ?2 AND run_id = ?3",
                    params![company.as_str(), kind.as_str(), run_id],
                )
                .map(|changed| changed > 0)
                .map_err(unavailable)
            })
            .await
    }

    async fn sync_slot_cancel_requested(
        &self,
        company: &CompanyId,
        kind: EntityKind,
        run_id: &str,
    ) -> StoreResult<bool> {
        let (company, run_id) = (company.clone(), run_id.to_owned());
        self.read(move |conn| {
            let requested: Option<bool> = conn
                .query_row(
                    "SELECT cancel_requested FROM metakocka_sync_slots
                     WHERE company_id = ?1 AND kind = ?2 AND run_id = ?3",
                    params![company.as_str(), kind.as_str(), run_id],
                    |row| row.get(0),
                )
                .optional()
                .map_err(unavailable)?;
            Ok(requested.unwrap_or(true))
        })
        .await
    }

    async fn release_sync_slot(
        &self,
        company: &CompanyId,
        kind: EntityKind,
        run_id: &str,
    ) -> StoreResult<()> {
        let (company, run_id) = (company.clone(), run_id.to_owned());
        self.writer
            .write(move |conn| {
                conn.execute(
                    "DELETE FROM metakocka_sync_slots
                     WHERE company_id = ?1 AND kind = ?2 AND run_id = ?3",
                    params![company.as_str(), kind.as_str(), run_id],
                )
                .map(drop)
                .map_err(unavailable)
            })
            .await
    }
}

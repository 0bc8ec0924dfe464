//! The reply worker's tables in SQLite: leases on `inbox_events` and `outbox_replies`.
//!
//! Every write here is one job of the single writer thread, so a claim (select the due
//! events, then lease them) and a begin (look, then insert or update) are atomic without
//! further locking: no other write runs between their statements.

use super::inbox::{EVENT_COLUMNS, event_row};
use super::{SqliteStore, corrupt, from_millis, millis, unavailable};
use crate::domain::CompanyId;
use crate::domain::events::{InboxEvent, InboxStatus};
use crate::domain::reply::{OutboxReply, ReplyStatus};
use crate::store::{BeginReply, InboxLeaseStore, ReplyQuery, ReplyStore, Requeue, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

#[async_trait]
impl InboxLeaseStore for SqliteStore {
    async fn claim_inbox_events(
        &self,
        owner: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<InboxEvent>> {
        let owner = owner.to_owned();
        self.writer
            .write(move |conn| {
                let sql = format!(
                    "UPDATE inbox_events SET status = 'processing', lease_owner = ?1, lease_until = ?2
                     WHERE id IN (
                         SELECT id FROM inbox_events
                         WHERE (status = 'pending' AND available_at <= ?3)
                            OR (status = 'processing' AND lease_until < ?3)
                         ORDER BY received_at, rowid LIMIT ?4)
                     RETURNING {EVENT_COLUMNS}, received_at, rowid"
                );
                let mut stmt = conn.prepare_cached(&sql).map_err(unavailable)?;
                let mut claimed: Vec<(i64, i64, InboxEvent)> = stmt
                    .query_map(
                        params![owner, millis(lease_until), millis(now), limit],
                        |row| Ok((row.get(10)?, row.get(11)?, event_row(row)?)),
                    )
                    .map_err(unavailable)?
                    .map(|row| {
                        let (received, rowid, event) = row.map_err(unavailable)?;
                        Ok((received, rowid, event?))
                    })
                    .collect::<StoreResult<_>>()?;
                // RETURNING gives rows in no promised order; the worker wants oldest first.
                claimed.sort_by_key(|(received, rowid, _)| (*received, *rowid));
                Ok(claimed.into_iter().map(|(_, _, event)| event).collect())
            })
            .await
    }

    async fn finish_inbox_event(
        &self,
        event_id: &str,
        owner: &str,
        status: InboxStatus,
    ) -> StoreResult<bool> {
        let (event_id, owner) = (event_id.to_owned(), owner.to_owned());
        self.writer
            .write(move |conn| {
                let updated = conn
                    .execute(
                        "UPDATE inbox_events SET status = ?1, lease_owner = NULL, lease_until = NULL
                         WHERE id = ?2 AND status = 'processing' AND lease_owner = ?3",
                        params![status.as_str(), event_id, owner],
                    )
                    .map_err(unavailable)?;
                Ok(updated == 1)
            })
            .await
    }

    async fn defer_inbox_event(
        &self,
        event_id: &str,
        owner: &str,
        available_at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let (event_id, owner) = (event_id.to_owned(), owner.to_owned());
        self.writer
            .write(move |conn| {
                let updated = conn
                    .execute(
                        "UPDATE inbox_events
                         SET status = 'pending', available_at = ?1, lease_owner = NULL, lease_until = NULL
                         WHERE id = ?2 AND status = 'processing' AND lease_owner = ?3",
                        params![millis(available_at), event_id, owner],
                    )
                    .map_err(unavailable)?;
                Ok(updated == 1)
            })
            .await
    }
}

#[async_trait]
impl ReplyStore for SqliteStore {
    async fn begin_reply(&self, reply: &OutboxReply) -> StoreResult<BeginReply> {
        let mut reply = reply.clone();
        self.writer
            .write(move |conn| {
                let existing = load_reply(conn, &reply.company_id, &reply.id)?;
                let attempt = match existing {
                    None => 1,
                    Some(existing) if existing.status == ReplyStatus::Queued => {
                        existing.attempts + 1
                    }
                    Some(existing) => return Ok(BeginReply::Existing(Box::new(existing))),
                };
                reply.status = ReplyStatus::Sending;
                reply.attempts = attempt;
                if attempt > 1 {
                    // The first attempt's creation time stays: the list is ordered by it.
                    let created: i64 = conn
                        .query_row(
                            "SELECT created_at FROM outbox_replies WHERE id = ?1",
                            [&reply.id],
                            |row| row.get(0),
                        )
                        .map_err(unavailable)?;
                    reply.created_at = from_millis(created)?;
                }
                write_reply(conn, &reply)?;
                Ok(BeginReply::Started { attempt })
            })
            .await
    }

    async fn save_reply(&self, reply: &OutboxReply) -> StoreResult<()> {
        let reply = reply.clone();
        self.writer
            .write(move |conn| write_reply(conn, &reply))
            .await
    }

    async fn get_reply(&self, company: &CompanyId, id: &str) -> StoreResult<Option<OutboxReply>> {
        let (company, id) = (company.clone(), id.to_owned());
        self.read(move |conn| load_reply(conn, &company, &id)).await
    }

    async fn list_replies(&self, query: &ReplyQuery) -> StoreResult<Vec<OutboxReply>> {
        let query = query.clone();
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT reply FROM outbox_replies
                     WHERE company_id = ?1 AND (?2 IS NULL OR page_id = ?2) AND (?3 IS NULL OR status = ?3)
                     ORDER BY created_at DESC, id DESC LIMIT ?4",
                )
                .map_err(unavailable)?;
            stmt.query_map(
                params![
                    query.company_id.as_str(),
                    query.page_id.as_ref().map(|p| p.as_str()),
                    query.status.map(ReplyStatus::as_str),
                    query.limit
                ],
                |row| row.get::<_, String>(0),
            )
            .map_err(unavailable)?
            .map(|json| parse_reply(&json.map_err(unavailable)?))
            .collect()
        })
        .await
    }

    async fn requeue_reply(
        &self,
        company: &CompanyId,
        id: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Requeue> {
        let (company, id) = (company.clone(), id.to_owned());
        self.writer
            .write(move |conn| {
                let Some(mut reply) = load_reply(conn, &company, &id)? else {
                    return Ok(Requeue::NotFound);
                };
                if !reply.status.retryable() {
                    return Ok(Requeue::NotRetryable(reply.status));
                }
                reply.status = ReplyStatus::Queued;
                reply.updated_at = now;
                write_reply(conn, &reply)?;
                conn.execute(
                    "UPDATE inbox_events
                     SET status = 'pending', available_at = ?1, lease_owner = NULL, lease_until = NULL
                     WHERE id = ?2 AND company_id = ?3",
                    params![millis(now), id, company.as_str()],
                )
                .map_err(unavailable)?;
                Ok(Requeue::Requeued(Box::new(reply)))
            })
            .await
    }
}

fn load_reply(
    conn: &Connection,
    company: &CompanyId,
    id: &str,
) -> StoreResult<Option<OutboxReply>> {
    conn.query_row(
        "SELECT reply FROM outbox_replies WHERE company_id = ?1 AND id = ?2",
        [company.as_str(), id],
        |row| row.get::<_, String>(0),
    )
    .optional()
    .map_err(unavailable)?
    .map(|json| parse_reply(&json))
    .transpose()
}

fn write_reply(conn: &Connection, reply: &OutboxReply) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO outbox_replies (id, company_id, page_id, status, created_at, reply)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, reply = excluded.reply
         WHERE outbox_replies.company_id = excluded.company_id",
        params![
            reply.id,
            reply.company_id.as_str(),
            reply.page_id.as_str(),
            reply.status.as_str(),
            millis(reply.created_at),
            serde_json::to_string(reply).map_err(corrupt)?
        ],
    )
    .map_err(unavailable)?;
    Ok(())
}

fn parse_reply(json: &str) -> StoreResult<OutboxReply> {
    serde_json::from_str(json).map_err(corrupt)
}

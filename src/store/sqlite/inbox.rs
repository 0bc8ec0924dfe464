//! The inbox of events that want a reply, in SQLite.

use super::{SqliteStore, corrupt, from_millis, millis, unavailable};
use crate::domain::events::{InboxEvent, InboxStatus};
use crate::domain::{Channel, CompanyId};
use crate::store::{InboxStore, InsertOutcome, StoreResult};
use async_trait::async_trait;
use rusqlite::{Row, params};

/// The columns [`event_row`] reads, in its order.
pub(super) const EVENT_COLUMNS: &str = "id, company_id, page_id, natural_key, channel, sender_id, \
     message, occurred_at, received_at, status";

#[async_trait]
impl InboxStore for SqliteStore {
    async fn insert_inbox_events(&self, events: &[InboxEvent]) -> StoreResult<Vec<InsertOutcome>> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let events = events.to_vec();
        self.writer
            .write(move |conn| {
                let mut stmt = conn
                    .prepare_cached(
                        "INSERT INTO inbox_events (id, company_id, page_id, natural_key, channel, sender_id,
                                                   message, occurred_at, received_at, status, available_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?9)
                         ON CONFLICT (page_id, natural_key) DO NOTHING",
                    )
                    .map_err(unavailable)?;
                events
                    .iter()
                    .map(|event| {
                        let inserted = stmt
                            .execute(params![
                                event.id,
                                event.company_id.as_str(),
                                event.page_id.as_str(),
                                event.natural_key,
                                event.channel.as_str(),
                                event.sender_id,
                                serde_json::to_string(&event.message).map_err(corrupt)?,
                                event.occurred_at.map(millis),
                                millis(event.received_at),
                                event.status.as_str()
                            ])
                            .map_err(unavailable)?;
                        Ok(if inserted == 1 {
                            InsertOutcome::Inserted
                        } else {
                            InsertOutcome::Duplicate
                        })
                    })
                    .collect()
            })
            .await
    }

    async fn list_inbox_events(
        &self,
        company: &CompanyId,
        limit: u32,
    ) -> StoreResult<Vec<InboxEvent>> {
        let company = company.clone();
        self.read(move |conn| {
            let sql = format!(
                "SELECT {EVENT_COLUMNS} FROM inbox_events WHERE company_id = ?1
                 ORDER BY received_at DESC, rowid DESC LIMIT ?2"
            );
            let mut stmt = conn.prepare_cached(&sql).map_err(unavailable)?;
            stmt.query_map(params![company.as_str(), limit], event_row)
                .map_err(unavailable)?
                .map(|row| row.map_err(unavailable)?)
                .collect()
        })
        .await
    }
}

pub(super) fn event_row(row: &Row<'_>) -> rusqlite::Result<StoreResult<InboxEvent>> {
    let id: String = row.get(0)?;
    let company_id: String = row.get(1)?;
    let page_id: String = row.get(2)?;
    let natural_key: String = row.get(3)?;
    let channel: String = row.get(4)?;
    let sender_id: String = row.get(5)?;
    let message: String = row.get(6)?;
    let occurred_at: Option<i64> = row.get(7)?;
    let received_at: i64 = row.get(8)?;
    let status: String = row.get(9)?;
    Ok((|| {
        Ok(InboxEvent {
            id,
            company_id: company_id.into(),
            page_id: page_id.into(),
            channel: Channel::parse("channel", &channel).map_err(corrupt)?,
            natural_key,
            sender_id,
            message: serde_json::from_str(&message).map_err(corrupt)?,
            occurred_at: occurred_at.map(from_millis).transpose()?,
            received_at: from_millis(received_at)?,
            status: InboxStatus::parse(&status)
                .ok_or_else(|| corrupt(format!("unknown inbox status {status:?}")))?,
        })
    })())
}

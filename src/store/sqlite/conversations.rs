//! Conversations and their turns in SQLite.

use super::{SqliteStore, corrupt, from_millis, millis, unavailable};
use crate::domain::conversation::{Conversation, ConversationTurn, TurnAuthor};
use crate::domain::{Channel, CompanyId, PageId};
use crate::store::{ConversationStore, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

const CONVERSATION_COLUMNS: &str = "company_id, page_id, conversation, channel, last_customer_at, \
     last_message_at, paused_until, pause_reason, turns";

#[async_trait]
impl ConversationStore for SqliteStore {
    async fn record_turn(&self, turn: &ConversationTurn) -> StoreResult<bool> {
        let turn = turn.clone();
        self.writer
            .write(move |conn| {
                let inserted = conn
                    .execute(
                        "INSERT INTO conversation_turns (page_id, id, company_id, conversation, channel, author, text, at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                         ON CONFLICT (page_id, id) DO NOTHING",
                        params![
                            turn.page_id.as_str(),
                            turn.id,
                            turn.company_id.as_str(),
                            turn.conversation,
                            turn.channel.as_str(),
                            turn.author.as_str(),
                            turn.text,
                            millis(turn.at)
                        ],
                    )
                    .map_err(unavailable)?;
                if inserted == 0 {
                    return Ok(false);
                }
                let customer_at = (turn.author == TurnAuthor::Customer).then(|| millis(turn.at));
                conn.execute(
                    "INSERT INTO conversations (company_id, page_id, conversation, channel, last_customer_at, last_message_at, turns)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1)
                     ON CONFLICT (page_id, conversation) DO UPDATE SET
                         last_customer_at = max(coalesce(last_customer_at, excluded.last_customer_at),
                                                coalesce(excluded.last_customer_at, last_customer_at)),
                         last_message_at = max(coalesce(last_message_at, 0), excluded.last_message_at),
                         turns = turns + 1
                     WHERE conversations.company_id = excluded.company_id",
                    params![
                        turn.company_id.as_str(),
                        turn.page_id.as_str(),
                        turn.conversation,
                        turn.channel.as_str(),
                        customer_at,
                        millis(turn.at)
                    ],
                )
                .map_err(unavailable)?;
                Ok(true)
            })
            .await
    }

    async fn recent_turns(
        &self,
        company: &CompanyId,
        page_id: &PageId,
        conversation: &str,
        limit: u32,
    ) -> StoreResult<Vec<ConversationTurn>> {
        let (company, page_id, conversation) =
            (company.clone(), page_id.clone(), conversation.to_owned());
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT id, company_id, page_id, conversation, channel, author, text, at
                     FROM conversation_turns
                     WHERE company_id = ?1 AND page_id = ?2 AND conversation = ?3
                     ORDER BY at DESC, rowid DESC LIMIT ?4",
                )
                .map_err(unavailable)?;
            let mut turns = stmt
                .query_map(
                    params![company.as_str(), page_id.as_str(), conversation, limit],
                    turn_row,
                )
                .map_err(unavailable)?
                .map(|row| row.map_err(unavailable)?)
                .collect::<StoreResult<Vec<_>>>()?;
            turns.reverse();
            Ok(turns)
        })
        .await
    }

    async fn get_conversation(
        &self,
        company: &CompanyId,
        page_id: &PageId,
        conversation: &str,
    ) -> StoreResult<Option<Conversation>> {
        let (company, page_id, conversation) =
            (company.clone(), page_id.clone(), conversation.to_owned());
        self.read(move |conn| load_conversation(conn, &company, &page_id, &conversation))
            .await
    }

    async fn set_conversation_pause(
        &self,
        company: &CompanyId,
        page_id: &PageId,
        conversation: &str,
        channel: Channel,
        until: Option<DateTime<Utc>>,
        reason: Option<&str>,
    ) -> StoreResult<Conversation> {
        let (company, page_id, conversation) =
            (company.clone(), page_id.clone(), conversation.to_owned());
        let reason = reason.map(str::to_owned);
        self.writer
            .write(move |conn| {
                conn.execute(
                    "INSERT INTO conversations (company_id, page_id, conversation, channel, paused_until, pause_reason)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT (page_id, conversation) DO UPDATE SET
                         paused_until = excluded.paused_until, pause_reason = excluded.pause_reason
                     WHERE conversations.company_id = excluded.company_id",
                    params![
                        company.as_str(),
                        page_id.as_str(),
                        conversation,
                        channel.as_str(),
                        until.map(millis),
                        reason
                    ],
                )
                .map_err(unavailable)?;
                load_conversation(conn, &company, &page_id, &conversation)?.ok_or_else(|| {
                    crate::store::StoreError::Conflict(format!(
                        "conversation {conversation} of page {page_id} belongs to another company"
                    ))
                })
            })
            .await
    }

    async fn list_conversations(
        &self,
        company: &CompanyId,
        page_id: Option<&PageId>,
        limit: u32,
    ) -> StoreResult<Vec<Conversation>> {
        let (company, page_id) = (company.clone(), page_id.cloned());
        self.read(move |conn| {
            let sql = format!(
                "SELECT {CONVERSATION_COLUMNS} FROM conversations
                 WHERE company_id = ?1 AND (?2 IS NULL OR page_id = ?2)
                 ORDER BY coalesce(last_message_at, 0) DESC, conversation LIMIT ?3"
            );
            let mut stmt = conn.prepare_cached(&sql).map_err(unavailable)?;
            stmt.query_map(
                params![
                    company.as_str(),
                    page_id.as_ref().map(PageId::as_str),
                    limit
                ],
                conversation_row,
            )
            .map_err(unavailable)?
            .map(|row| row.map_err(unavailable)?)
            .collect()
        })
        .await
    }
}

fn load_conversation(
    conn: &Connection,
    company: &CompanyId,
    page_id: &PageId,
    conversation: &str,
) -> StoreResult<Option<Conversation>> {
    let sql = format!(
        "SELECT {CONVERSATION_COLUMNS} FROM conversations
         WHERE company_id = ?1 AND page_id = ?2 AND conversation = ?3"
    );
    conn.query_row(
        &sql,
        params![company.as_str(), page_id.as_str(), conversation],
        conversation_row,
    )
    .optional()
    .map_err(unavailable)?
    .transpose()
}

fn optional_time(ms: Option<i64>) -> StoreResult<Option<DateTime<Utc>>> {
    ms.map(from_millis).transpose()
}

fn conversation_row(row: &Row<'_>) -> rusqlite::Result<StoreResult<Conversation>> {
    let company_id: String = row.get(0)?;
    let page_id: String = row.get(1)?;
    let conversation: String = row.get(2)?;
    let channel: String = row.get(3)?;
    let last_customer_at: Option<i64> = row.get(4)?;
    let last_message_at: Option<i64> = row.get(5)?;
    let paused_until: Option<i64> = row.get(6)?;
    let pause_reason: Option<String> = row.get(7)?;
    let turns: i64 = row.get(8)?;
    Ok((|| {
        Ok(Conversation {
            company_id: company_id.into(),
            page_id: page_id.into(),
            conversation,
            channel: Channel::parse("channel", &channel).map_err(corrupt)?,
            last_customer_at: optional_time(last_customer_at)?,
            last_message_at: optional_time(last_message_at)?,
            paused_until: optional_time(paused_until)?,
            pause_reason,
            turns: u64::try_from(turns).map_err(corrupt)?,
        })
    })())
}

fn turn_row(row: &Row<'_>) -> rusqlite::Result<StoreResult<ConversationTurn>> {
    let id: String = row.get(0)?;
    let company_id: String = row.get(1)?;
    let page_id: String = row.get(2)?;
    let conversation: String = row.get(3)?;
    let channel: String = row.get(4)?;
    let author: String = row.get(5)?;
    let text: String = row.get(6)?;
    let at: i64 = row.get(7)?;
    Ok((|| {
        Ok(ConversationTurn {
            id,
            company_id: company_id.into(),
            page_id: page_id.into(),
            conversation,
            channel: Channel::parse("channel", &channel).map_err(corrupt)?,
            author: TurnAuthor::parse(&author)
                .ok_or_else(|| corrupt(format!("unknown turn author {author:?}")))?,
            text,
            at: from_millis(at)?,
        })
    })())
}

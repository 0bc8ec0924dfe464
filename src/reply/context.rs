//! What the bot may do with an event, and what it knows when it answers: the reasons not to
//! answer (invalid token, paused conversation, comment policy, a thread the page already
//! answered, the 24-hour window, a resting page), the Messenger history and the parent
//! comment of a reply below a comment.

use super::worker::ReplyService;
use crate::domain::conversation::{Conversation, TurnAuthor, comment_thread_key, conversation_key};
use crate::domain::events::{InboxEvent, InboxMessage};
use crate::domain::reply::ReplyStatus;
use crate::domain::{Channel, Page};
use crate::llm::Turn;
use crate::store::StoreError;
use chrono::{DateTime, Utc};

impl ReplyService {
    /// Why the bot must not answer this event now, if it must not.
    pub(super) async fn reason_not_to_answer(
        &self,
        event: &InboxEvent,
        page: &Page,
        conversation: Option<&Conversation>,
        now: DateTime<Utc>,
    ) -> Result<Option<(ReplyStatus, String)>, StoreError> {
        if let Some(at) = page.reply.token_invalid_at {
            return Ok(Some((
                ReplyStatus::Failed,
                format!(
                    "the page's access token was refused on {at} (Graph API code 190): reconnect the page, then retry"
                ),
            )));
        }
        if let Some(conversation) = conversation.filter(|c| c.is_paused(now)) {
            let why = conversation.pause_reason.as_deref().unwrap_or("manual");
            return Ok(Some((
                ReplyStatus::Skipped,
                format!("the bot is paused in this conversation ({why})"),
            )));
        }
        match &event.message {
            InboxMessage::Comment {
                comment_id,
                post_id,
                parent_id,
                ..
            } => {
                let below_a_comment =
                    comment_thread_key(comment_id, post_id.as_deref(), parent_id.as_deref())
                        != format!("thread:{comment_id}");
                if below_a_comment && !page.reply.answer_comment_replies {
                    return Ok(Some((
                        ReplyStatus::Skipped,
                        "a reply below another comment; the page answers top-level comments only"
                            .to_owned(),
                    )));
                }
                if self.page_answered_since(event).await? {
                    return Ok(Some((
                        ReplyStatus::Skipped,
                        "the page already answered in this comment thread".to_owned(),
                    )));
                }
            }
            _ => {
                let last = conversation
                    .and_then(|c| c.last_customer_at)
                    .into_iter()
                    .chain(event.occurred_at)
                    .max()
                    .unwrap_or(event.received_at);
                if now - last > self.inner.settings.messaging_window {
                    return Ok(Some((
                        ReplyStatus::NeedsReview,
                        format!(
                            "outside the 24-hour messaging window: the customer last wrote at {last}"
                        ),
                    )));
                }
            }
        }
        Ok(None)
    }

    /// The text of the comment this comment replies to, when it is a stored turn.
    pub(super) async fn parent_comment(
        &self,
        event: &InboxEvent,
        conversation: &str,
    ) -> Result<Option<String>, StoreError> {
        let InboxMessage::Comment {
            post_id,
            parent_id: Some(parent_id),
            ..
        } = &event.message
        else {
            return Ok(None);
        };
        if Some(parent_id) == post_id.as_ref() {
            return Ok(None); // a top-level comment: its parent is the post
        }
        let turns = self
            .inner
            .store
            .recent_turns(&event.company_id, &event.page_id, conversation, 50)
            .await?;
        Ok(turns
            .into_iter()
            .find(|t| &t.id == parent_id)
            .map(|t| t.text))
    }

    /// Whether the page (by hand or by the bot) commented in the thread after this comment
    /// arrived. Receipt times, not `created_time`: Facebook gives comments whole seconds,
    /// too coarse to order a comment and the answer to it.
    async fn page_answered_since(&self, event: &InboxEvent) -> Result<bool, StoreError> {
        let asked_at = event.received_at;
        let turns = self
            .inner
            .store
            .recent_turns(
                &event.company_id,
                &event.page_id,
                &conversation_key(event),
                50,
            )
            .await?;
        Ok(turns
            .iter()
            .any(|t| t.author != TurnAuthor::Customer && t.at > asked_at))
    }

    /// The earlier turns of the conversation, oldest first, without the event's own.
    pub(super) async fn history(
        &self,
        event: &InboxEvent,
        conversation: &str,
    ) -> Result<Vec<Turn>, StoreError> {
        if event.channel != Channel::Messenger {
            return Ok(Vec::new());
        }
        let limit = self.inner.settings.history_turns;
        if limit == 0 {
            return Ok(Vec::new());
        }
        let turns = self
            .inner
            .store
            .recent_turns(&event.company_id, &event.page_id, conversation, limit + 1)
            .await?;
        let mut history: Vec<Turn> = turns
            .into_iter()
            .filter(|t| t.id != event.natural_key)
            .map(|t| Turn {
                from: match t.author {
                    TurnAuthor::Customer => "customer",
                    TurnAuthor::Bot | TurnAuthor::Agent => "page",
                }
                .to_owned(),
                text: t.text,
            })
            .collect();
        let excess = history.len().saturating_sub(limit as usize);
        history.drain(..excess);
        Ok(history)
    }

    pub(super) fn resting_until(&self, page: &Page, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let mut resting = self.inner.resting.lock();
        match resting.get(&page.page_id) {
            Some(&until) if until > now => Some(until),
            Some(_) => {
                resting.remove(&page.page_id);
                None
            }
            None => None,
        }
    }
}

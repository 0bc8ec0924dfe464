//! Sending an answer through the Graph API, and what each documented error means for the
//! reply (issue 4, item 5).
//!
//! The client already retried throttling and transient errors within its bounds; what
//! reaches here is final for this attempt:
//! * throttled → nothing was sent: the reply waits and the page rests;
//! * transient (5xx, timeouts) → dead letter (`failed`), retryable from the dashboard;
//! * 190 → `failed`, and the page stops sending until it is reconnected;
//! * permanent (10, 200–299, 368, 551, unknown) → dead letter with Facebook's reason;
//! * 10900 (the comment already has a private reply) → counted as sent;
//! * a long message sent in part, or an unreadable success → `needs_review`: a person
//!   decides, since sending again would repeat what arrived.

use super::worker::ReplyService;
use crate::domain::Page;
use crate::domain::events::{InboxEvent, InboxMessage};
use crate::domain::reply::{CommentPolicy, Delivery, DeliveryKind, ReplyStatus};
use crate::facebook::graph::{ErrorClass, GraphError};
use secrecy::SecretString;
use std::time::Instant;

/// What the Graph API made of one answer.
pub(super) struct Delivered {
    pub deliveries: Vec<Delivery>,
    pub outcome: Outcome,
    pub send_ms: u64,
}

pub(super) enum Outcome {
    Sent {
        note: Option<String>,
    },
    Throttled {
        reason: String,
        code: Option<i64>,
    },
    TokenInvalid {
        reason: String,
        code: Option<i64>,
    },
    Failed {
        status: ReplyStatus,
        reason: String,
        code: Option<i64>,
    },
}

impl ReplyService {
    pub(super) async fn deliver(&self, event: &InboxEvent, page: &Page, text: &str) -> Delivered {
        let started = Instant::now();
        let mut deliveries = Vec::new();
        let outcome = match self.inner.cipher.open(&page.access_token) {
            Err(_) => Outcome::Failed {
                status: ReplyStatus::Failed,
                reason: "the page's stored token cannot be decrypted with this server's key (CRM_MIND_SECRET_KEY changed?): reconnect the page".into(),
                code: None,
            },
            Ok(token) => self.send(event, page, &token, text, &mut deliveries).await,
        };
        Delivered {
            deliveries,
            outcome,
            send_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        }
    }

    async fn send(
        &self,
        event: &InboxEvent,
        page: &Page,
        token: &SecretString,
        text: &str,
        deliveries: &mut Vec<Delivery>,
    ) -> Outcome {
        let graph = &self.inner.graph;
        let page_id = page.page_id.as_str();
        let InboxMessage::Comment { comment_id, .. } = &event.message else {
            return match graph
                .send_message(page_id, token, &event.sender_id, text)
                .await
            {
                Ok(ids) => {
                    deliveries.extend(ids.into_iter().map(|id| Delivery {
                        kind: DeliveryKind::Message,
                        id,
                    }));
                    Outcome::Sent { note: None }
                }
                Err(e) => {
                    deliveries.extend(e.sent_message_ids().iter().map(|id| Delivery {
                        kind: DeliveryKind::Message,
                        id: id.clone(),
                    }));
                    outcome_of(&e, !deliveries.is_empty())
                }
            };
        };
        let policy = page.reply.comment_policy;
        if matches!(policy, CommentPolicy::Public | CommentPolicy::Both) {
            match graph.reply_to_comment(comment_id, token, text).await {
                Ok(id) => deliveries.push(Delivery {
                    kind: DeliveryKind::PublicComment,
                    id,
                }),
                Err(e) => return outcome_of(&e, false),
            }
        }
        if matches!(policy, CommentPolicy::Private | CommentPolicy::Both) {
            match graph.private_reply(page_id, token, comment_id, text).await {
                Ok(id) => deliveries.push(Delivery {
                    kind: DeliveryKind::PrivateReply,
                    id,
                }),
                Err(e) => return outcome_of(&e, !deliveries.is_empty()),
            }
        }
        Outcome::Sent { note: None }
    }
}

/// The reply's fate after a failed call; `partly` when something already went out.
fn outcome_of(error: &GraphError, partly: bool) -> Outcome {
    let code = error.code();
    metrics::counter!("graph_api_errors_total", "code" => code.map_or_else(|| "none".to_owned(), |c| c.to_string()))
        .increment(1);
    let reason = error.to_string();
    if partly {
        return Outcome::Failed {
            status: ReplyStatus::NeedsReview,
            reason: format!("only part of the answer was sent: {reason}"),
            code,
        };
    }
    match error.class() {
        ErrorClass::AlreadyDone => Outcome::Sent {
            note: Some(format!("Facebook says this was answered already: {reason}")),
        },
        ErrorClass::Throttled => Outcome::Throttled { reason, code },
        ErrorClass::TokenInvalid => Outcome::TokenInvalid {
            reason: format!(
                "the page's access token is invalid or expired: reconnect the page ({reason})"
            ),
            code,
        },
        ErrorClass::Transient => Outcome::Failed {
            status: ReplyStatus::Failed,
            reason: format!("the Graph API kept failing: {reason}"),
            code,
        },
        ErrorClass::Permanent { reason } => Outcome::Failed {
            status: if matches!(error, GraphError::InvalidResponse { .. }) {
                ReplyStatus::NeedsReview
            } else {
                ReplyStatus::Failed
            },
            reason,
            code,
        },
    }
}

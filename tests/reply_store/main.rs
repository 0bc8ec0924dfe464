//! The behaviour suite of the reply worker's store: inbox leases, the outbox of replies and
//! conversations, on SQLite and (when `CRM_MIND_TEST_MONGODB_URI` is set) MongoDB.

#[path = "../support/store_subjects.rs"]
mod store_subjects;

use chrono::{DateTime, Duration, Utc};
use crm_mind::domain::conversation::{ConversationTurn, TurnAuthor};
use crm_mind::domain::events::{InboxEvent, InboxMessage, InboxStatus};
use crm_mind::domain::reply::{CommentPolicy, Delivery, DeliveryKind, OutboxReply, ReplyStatus};
use crm_mind::domain::{Channel, Company, CompanyId, Page, PageId, Sealed};
use crm_mind::llm::Fact;
use crm_mind::store::{BeginReply, DynStore, ReplyQuery, Requeue};
use store_subjects::now;

pub async fn company(store: &DynStore) -> CompanyId {
    let mut company = Company::new("Shop d.o.o.").unwrap();
    company.created_at = now();
    store.insert_company(&company).await.unwrap();
    company.id
}

pub fn event(company: &CompanyId, page: &str, key: &str, received_at: DateTime<Utc>) -> InboxEvent {
    InboxEvent {
        id: uuid::Uuid::now_v7().to_string(),
        company_id: company.clone(),
        page_id: page.into(),
        channel: Channel::Messenger,
        natural_key: key.into(),
        sender_id: "psid-1".into(),
        message: InboxMessage::Text {
            mid: key.into(),
            text: format!("text of {key}"),
        },
        occurred_at: Some(received_at),
        received_at,
        status: InboxStatus::Pending,
    }
}

pub fn reply_for(event: &InboxEvent, at: DateTime<Utc>) -> OutboxReply {
    OutboxReply {
        answer: Some("Yes, 4 pieces.".into()),
        facts: vec![Fact {
            text: "name: Red kettle\nstock: 4".into(),
            source: "Shop CRM (products[0])".into(),
        }],
        model: Some("extractive".into()),
        ..OutboxReply::for_event(event, "Is the red kettle in stock?", at)
    }
}

pub async fn claim_ids(
    store: &DynStore,
    owner: &str,
    at: DateTime<Utc>,
    limit: u32,
) -> Vec<String> {
    store
        .claim_inbox_events(owner, at, at + Duration::seconds(60), limit)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect()
}

mod conversations;
mod leases;
mod outbox;

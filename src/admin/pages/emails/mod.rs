//! The emails pages: the company's emails, newest first, and one email with its Metakocka
//! context (partner, documents, products and CRM chunks, each with its source), a form to
//! fill a reply template (`compose`) and a form to ask for an AI draft, shown with the facts
//! it used. They call [`crate::email::Emails`] like the `/api/emails` routes do.

mod compose;

use crate::admin::error::AdminError;
use crate::admin::render::Rendered;
use crate::admin::session::{AdminSession, page};
use crate::email::StoredEmail;
use crate::email::context::EmailContext;
use crate::http::AppState;
use crate::records::{DEFAULT_LIMIT, MAX_LIMIT};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use minijinja::{Value, context};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/emails", get(list))
        .route("/emails/{id}", get(show))
        .route("/emails/{id}/populate", post(compose::populate))
        .route("/emails/{id}/draft", post(compose::draft))
}

#[derive(Deserialize)]
pub struct ListQuery {
    offset: Option<u32>,
}

fn when(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn mailbox(m: &crate::email::Mailbox) -> String {
    match &m.name {
        Some(name) if !name.is_empty() => format!("{name} <{}>", m.address),
        _ => m.address.clone(),
    }
}

/// `GET /admin/emails`.
pub async fn list(
    State(state): State<AppState>,
    session: AdminSession,
    Query(query): Query<ListQuery>,
) -> Result<Rendered, AdminError> {
    let offset = query.offset.unwrap_or(0);
    let limit = DEFAULT_LIMIT.min(MAX_LIMIT);
    let found = state
        .store
        .list_emails(session.company(), limit, offset)
        .await?;
    let rows: Vec<_> = found
        .items
        .iter()
        .map(|e| {
            context! {
                id => &e.id,
                from => mailbox(&e.from),
                subject => &e.subject,
                received_at => when(e.received_at),
                language => e.language.as_str(),
                drafts => e.drafts.len(),
                enriched => e.enrichment.is_some(),
            }
        })
        .collect();
    let has_next = u64::from(offset) + u64::from(limit) < found.total;
    page(
        &session,
        "emails.html",
        "emails",
        context! {
            emails => rows,
            total => found.total,
            next_offset => has_next.then(|| offset + limit),
            prev_offset => (offset > 0).then(|| offset.saturating_sub(limit)),
        },
    )
}

/// The company's email `id`; another company's is "not found", like a missing one.
async fn own_email(
    state: &AppState,
    session: &AdminSession,
    id: &str,
) -> Result<StoredEmail, AdminError> {
    state
        .store
        .get_email(session.company(), id)
        .await?
        .ok_or_else(|| AdminError::NotFound("No such email.".into()))
}

/// What the email page shows besides the forms' own results.
pub(super) struct EmailView {
    email: StoredEmail,
    context: EmailContext,
}

impl EmailView {
    async fn load(state: &AppState, session: &AdminSession, id: &str) -> Result<Self, AdminError> {
        let email = own_email(state, session, id).await?;
        let (email, context) = state
            .emails
            .context(Some(&session.session.user_id), email)
            .await?;
        Ok(Self { email, context })
    }

    fn value(&self) -> Value {
        let e = &self.email;
        let drafts: Vec<_> = e
            .drafts
            .iter()
            .rev()
            .map(|d| {
                context! {
                    id => &d.id,
                    subject => &d.subject,
                    body => &d.body,
                    model => &d.model,
                    created_at => when(d.created_at),
                    facts => Value::from_serialize(&d.facts),
                }
            })
            .collect();
        context! {
            id => &e.id,
            from => mailbox(&e.from),
            to => e.to.iter().map(mailbox).collect::<Vec<_>>().join(", "),
            subject => &e.subject,
            received_at => when(e.received_at),
            language => e.language.as_str(),
            text => e.text.clone().unwrap_or_else(|| e.body.new_text.clone()),
            context => Value::from_serialize(&self.context),
            drafts => drafts,
        }
    }
}

/// Renders the email page with the forms' state (`compose`'s results and errors).
pub(super) async fn render(
    state: &AppState,
    session: &AdminSession,
    view: &EmailView,
    forms: Value,
) -> Result<Rendered, AdminError> {
    let templates: Vec<_> = state
        .store
        .list_email_templates(session.company())
        .await?
        .into_iter()
        .map(|t| context! { id => t.id, name => t.name, language => t.language.as_str() })
        .collect();
    page(
        session,
        "email.html",
        "emails",
        context! { email => view.value(), templates => templates, ..forms },
    )
}

#[derive(Deserialize)]
pub struct ShowQuery {
    flash: Option<String>,
}

/// `GET /admin/emails/{id}`.
pub async fn show(
    State(state): State<AppState>,
    session: AdminSession,
    Path(id): Path<String>,
    Query(query): Query<ShowQuery>,
) -> Result<Rendered, AdminError> {
    let view = EmailView::load(&state, &session, &id).await?;
    render(
        &state,
        &session,
        &view,
        context! { flash => query.flash, errors => context! {}, form => context! {} },
    )
    .await
}

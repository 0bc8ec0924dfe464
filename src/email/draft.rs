//! Reply drafts for an email (`POST /api/ai/generate-response`): written from the email's
//! context only, in the email's language unless told otherwise, with the facts used and
//! their sources. The configured chat model writes them from `prompts/email_reply.md`; the
//! extractive default (no model server) fills the best-matching default template instead,
//! and says it will check with a colleague when no template fits or a value is missing.
//! Drafts are stored with the email; crm-mind sends one only when asked and an SMTP relay
//! is configured ([`super::smtp`]).

use super::context::EmailContext;
use super::facts::{CustomerFacts, customer_facts, facts};
use super::language::Language;
use super::populate::ValueSources;
use super::templates::{EmailTemplate, Rendered, render};
use super::{Emails, StoredEmail, defaults};
use crate::domain::UserId;
use crate::llm::{AnswerRequest, ChatError, Fact, HANDOVER_EN, HANDOVER_SL};
use crate::store::StoreError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The built-in prompt (`prompts/email_reply.md`).
const PROMPT: &str = include_str!("../../prompts/email_reply.md");

/// A fact a draft used, and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SourcedFact {
    pub fact: String,
    pub source: String,
}

/// A reply draft, stored with its email.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Draft {
    pub id: String,
    pub subject: String,
    pub body: String,
    pub language: Language,
    pub facts: Vec<SourcedFact>,
    /// The chat model that wrote it (`extractive` for the default).
    pub model: String,
    pub template_id: Option<String>,
    /// The default template the extractive draft filled (`order_status`, ...).
    pub default_template: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The last send through the SMTP relay, when there was one.
    #[serde(default)]
    pub delivery: Option<super::smtp::Delivery>,
}

/// What the agent asks for.
#[derive(Debug, Clone, Default)]
pub struct DraftRequest {
    pub template: Option<EmailTemplate>,
    pub tone: Option<String>,
    pub language: Option<Language>,
    pub agent_name: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum DraftError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Model(#[from] ChatError),
    #[error("the email prompt could not be filled: {0}")]
    Prompt(String),
}

/// The signature of an extractive draft when the request names no agent.
fn team(language: Language) -> &'static str {
    match language {
        Language::En => "Customer support",
        Language::Sl => "Služba za stranke",
    }
}

fn reply_subject(email: &StoredEmail) -> String {
    let subject = email.subject.trim();
    if subject.to_lowercase().starts_with("re:") {
        subject.to_owned()
    } else {
        format!("Re: {subject}")
    }
}

fn sourced(facts: &[Fact]) -> Vec<SourcedFact> {
    (facts.iter())
        .map(|f| SourcedFact {
            fact: f.text.clone(),
            source: f.source.clone(),
        })
        .collect()
}

impl Emails {
    /// Writes a draft for `email`, stores it with the email and returns it.
    pub async fn draft(
        &self,
        user: Option<&UserId>,
        email: StoredEmail,
        request: DraftRequest,
    ) -> Result<Draft, DraftError> {
        let (mut email, context) = self.context(user, email).await?;
        let language = request.language.unwrap_or(email.language);
        let facts = facts(&context, language);
        let customer = customer_facts(&context, language);
        let sources = ValueSources {
            agent_name: Some(
                (request.agent_name.clone()).unwrap_or_else(|| team(language).to_owned()),
            ),
            ..ValueSources::default()
        };
        let values = self
            .template_values(&email.company_id, user, language, Some(&context), &sources)
            .await?;
        // The agent's template, filled: the draft itself for the extractive default, the
        // model's starting point otherwise. A missing value leaves it out.
        let chosen = request
            .template
            .as_ref()
            .and_then(|t| t.render(&values).ok());
        let (subject, body, default_template) = if self.model.name() == "extractive" {
            self.extractive(&email, &context, language, chosen, &values)
        } else {
            let body = self
                .written_by_model(
                    &email,
                    language,
                    &request,
                    &facts,
                    &customer,
                    chosen.as_ref(),
                )
                .await?;
            (reply_subject(&email), body, None)
        };
        let draft = Draft {
            id: crate::records::new_id(),
            subject,
            body,
            language,
            facts: sourced(&[facts, customer.insights, customer.suggestions].concat()),
            model: self.model.name().to_owned(),
            template_id: request.template.map(|t| t.id),
            default_template,
            created_at: crate::records::now(),
            delivery: None,
        };
        email.drafts.push(draft.clone());
        self.store.update_email(&email).await?;
        Ok(draft)
    }

    /// The agent's template, else the best default template, filled; else the hand-over.
    fn extractive(
        &self,
        email: &StoredEmail,
        context: &EmailContext,
        language: Language,
        chosen: Option<Rendered>,
        values: &std::collections::BTreeMap<String, String>,
    ) -> (String, String, Option<String>) {
        if let Some(rendered) = chosen {
            return (rendered.subject, rendered.body, None);
        }
        let best = defaults::best_for(context).and_then(|name| {
            let template = defaults::named(name, language)?;
            let rendered = render(&template.subject, &template.body, language, values).ok()?;
            Some((rendered, name))
        });
        match best {
            Some((rendered, name)) => (rendered.subject, rendered.body, Some(name.to_owned())),
            None => {
                let handover = match language {
                    Language::En => HANDOVER_EN,
                    Language::Sl => HANDOVER_SL,
                };
                (reply_subject(email), handover.to_owned(), None)
            }
        }
    }

    async fn written_by_model(
        &self,
        email: &StoredEmail,
        language: Language,
        request: &DraftRequest,
        facts: &[Fact],
        customer: &CustomerFacts,
        template: Option<&Rendered>,
    ) -> Result<String, DraftError> {
        let company = self.store.get_company(&email.company_id).await?;
        let listed = |facts: &[Fact]| {
            let lines: Vec<String> = (facts.iter())
                .map(|f| format!("- {} (source: {})", f.text, f.source))
                .collect();
            if lines.is_empty() {
                "(none)".to_owned()
            } else {
                lines.join("\n")
            }
        };
        let mut env = minijinja::Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        let system_prompt = env
            .render_str(
                PROMPT,
                minijinja::context! {
                    company_name => company.map(|c| c.name).unwrap_or_default(),
                    language => match language { Language::En => "English", Language::Sl => "Slovenian" },
                    tone => request.tone.clone().unwrap_or_else(|| "friendly and professional".to_owned()),
                    template => template.map(|t| t.body.clone()).unwrap_or_default(),
                    facts => listed(facts),
                    insights => listed(&customer.insights),
                    recommendations => listed(&customer.suggestions),
                    subject => email.subject.clone(),
                    message => email.body.new_text.clone(),
                },
            )
            .map_err(|e| DraftError::Prompt(e.to_string()))?;
        let answer = self
            .model
            .answer(&AnswerRequest {
                system_prompt,
                question: email.body.new_text.clone(),
                facts: [
                    facts,
                    customer.insights.as_slice(),
                    customer.suggestions.as_slice(),
                ]
                .concat(),
                history: Vec::new(),
            })
            .await?;
        Ok(answer.text)
    }
}

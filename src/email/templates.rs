//! Reply templates (`email_templates`) with placeholders such as `{{ order.status }}`,
//! rendered with minijinja in strict mode: a placeholder without a value is an error that
//! names it, never a silent blank, and a template with an unknown placeholder is not saved.

use crate::domain::{CompanyId, FieldError};
use crate::email::language::Language;
use chrono::{DateTime, Utc};
use minijinja::{Environment, UndefinedBehavior};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Every placeholder a template may use.
pub const PLACEHOLDERS: &[&str] = &[
    "partner.name",
    "partner.email",
    "order.number",
    "order.status",
    "order.date",
    "order.total",
    "order.items",
    "product.name",
    "product.code",
    "product.price",
    "product.stock",
    "company.name",
    "agent.name",
    // Products to suggest to the partner, one per line, from their purchase history.
    "recommendations",
];

/// A stored template of one company.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EmailTemplate {
    pub id: String,
    pub company_id: CompanyId,
    pub name: String,
    pub language: Language,
    pub subject: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The body of `POST /api/emails/templates` and `PUT /api/emails/templates/{id}`.
/// Texts are trimmed; `subject` and `body` are templates whose placeholders must be known
/// ones (docs/emails.md), which a schema cannot say.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    #[schema(min_length = 1, max_length = 100, pattern = r"\S|[\x1c-\x1f\uFEFF]")]
    pub name: String,
    #[schema(value_type = Language)]
    pub language: String,
    #[schema(min_length = 1, max_length = 300, pattern = r"\S|[\x1c-\x1f\uFEFF]")]
    pub subject: String,
    #[schema(min_length = 1, max_length = 20000, pattern = r"\S|[\x1c-\x1f\uFEFF]")]
    pub body: String,
}

/// Why a template could not be filled.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The placeholder has no value for this email, partner, document or product.
    #[error(
        "the placeholder {{{{{0}}}}} has no value here; name the record it comes from (email_id, partner_id, document_id, product_id) or give agent_name"
    )]
    MissingValue(String),
    #[error("the template could not be rendered: {0}")]
    Template(String),
}

/// A filled template.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Rendered {
    pub subject: String,
    pub body: String,
    pub language: Language,
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env
}

/// The placeholders `source` uses (`order.status`), or why it does not parse.
fn placeholders(field: &'static str, source: &str) -> Result<BTreeSet<String>, FieldError> {
    let env = environment();
    let template = env
        .template_from_str(source)
        .map_err(|e| FieldError::new(field, format!("is not a valid template: {e}")))?;
    Ok(template.undeclared_variables(true).into_iter().collect())
}

impl TemplateInput {
    /// Checks the fields and that every placeholder is a known one.
    fn parse(&self) -> Result<(String, Language, String, String), FieldError> {
        let name = crate::records::required_text("name", &self.name, 100)?;
        let language = Language::parse(&self.language)
            .ok_or_else(|| FieldError::new("language", "must be en or sl"))?;
        let subject = crate::records::required_text("subject", &self.subject, 300)?;
        let body = crate::records::required_text("body", &self.body, 20_000)?;
        for (field, text) in [("subject", &subject), ("body", &body)] {
            let unknown: Vec<String> = placeholders(field, text)?
                .into_iter()
                .filter(|p| !PLACEHOLDERS.contains(&p.as_str()))
                .collect();
            if !unknown.is_empty() {
                return Err(FieldError::new(
                    field,
                    format!(
                        "uses unknown placeholders {}; the known ones are {}",
                        unknown.join(", "),
                        PLACEHOLDERS.join(", ")
                    ),
                ));
            }
        }
        Ok((name, language, subject, body))
    }
}

impl EmailTemplate {
    pub fn create(
        company: &CompanyId,
        input: &TemplateInput,
        now: DateTime<Utc>,
    ) -> Result<Self, FieldError> {
        let (name, language, subject, body) = input.parse()?;
        Ok(Self {
            id: crate::records::new_id(),
            company_id: company.clone(),
            name,
            language,
            subject,
            body,
            created_at: now,
            updated_at: now,
        })
    }

    pub fn replace(&mut self, input: &TemplateInput, now: DateTime<Utc>) -> Result<(), FieldError> {
        (self.name, self.language, self.subject, self.body) = input.parse()?;
        self.updated_at = now;
        Ok(())
    }

    /// The template filled with `values` (`"order.status"` → `"shipped"`), already formatted
    /// for the template's language.
    pub fn render(&self, values: &BTreeMap<String, String>) -> Result<Rendered, RenderError> {
        render(&self.subject, &self.body, self.language, values)
    }
}

/// `subject` and `body` filled with `values`; the first placeholder without a value (in
/// the order of [`PLACEHOLDERS`]) is the error.
pub fn render(
    subject: &str,
    body: &str,
    language: Language,
    values: &BTreeMap<String, String>,
) -> Result<Rendered, RenderError> {
    let mut used = BTreeSet::new();
    for text in [subject, body] {
        used.extend(placeholders("body", text).map_err(|e| RenderError::Template(e.to_string()))?);
    }
    if let Some(missing) = PLACEHOLDERS
        .iter()
        .find(|p| used.contains(**p) && !values.contains_key(**p))
    {
        return Err(RenderError::MissingValue((*missing).to_owned()));
    }
    // Nested as `{"order": {"status": ...}}`, the shape `order.status` reads; a name
    // without a dot (`recommendations`) stays at the top.
    let mut nested: BTreeMap<&str, BTreeMap<&str, &str>> = BTreeMap::new();
    let mut top: BTreeMap<&str, minijinja::Value> = BTreeMap::new();
    for (key, value) in values {
        match key.split_once('.') {
            Some((object, field)) => {
                nested.entry(object).or_default().insert(field, value);
            }
            None => {
                top.insert(key, minijinja::Value::from(value.as_str()));
            }
        }
    }
    for (object, fields) in nested {
        top.insert(object, minijinja::Value::from_serialize(&fields));
    }
    let env = environment();
    let fill = |text: &str| {
        env.render_str(text, &top)
            .map_err(|e| RenderError::Template(e.to_string()))
    };
    Ok(Rendered {
        subject: fill(subject)?,
        body: fill(body)?,
        language,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(body: &str) -> TemplateInput {
        TemplateInput {
            name: "t".into(),
            language: "en".into(),
            subject: "Order {{ order.number }}".into(),
            body: body.into(),
        }
    }

    #[test]
    fn unknown_placeholders_are_refused_with_the_known_list() {
        let company = CompanyId::from("c".to_owned());
        let err = EmailTemplate::create(&company, &input("Hi {{ partner.nmae }}"), Utc::now())
            .unwrap_err();
        assert_eq!(err.field, "body");
        assert!(err.to_string().contains("partner.nmae"), "{err}");
        assert!(
            err.to_string().contains("partner.name, partner.email"),
            "{err}"
        );
    }

    #[test]
    fn a_missing_value_is_named() {
        let company = CompanyId::from("c".to_owned());
        let template =
            EmailTemplate::create(&company, &input("{{ order.status }}"), Utc::now()).unwrap();
        let values = BTreeMap::from([("order.number".to_owned(), "2024-00123".to_owned())]);
        match template.render(&values) {
            Err(RenderError::MissingValue(name)) => assert_eq!(name, "order.status"),
            other => panic!("{other:?}"),
        }
        let values = BTreeMap::from([
            ("order.number".to_owned(), "2024-00123".to_owned()),
            ("order.status".to_owned(), "shipped".to_owned()),
        ]);
        let rendered = template.render(&values).unwrap();
        assert_eq!(
            (rendered.subject.as_str(), rendered.body.as_str()),
            ("Order 2024-00123", "shipped")
        );
    }

    #[test]
    fn recommendations_are_a_placeholder_of_their_own() {
        let company = CompanyId::from("c".to_owned());
        let template = EmailTemplate::create(
            &company,
            &input("You may also like:\n{{ recommendations }}"),
            Utc::now(),
        )
        .unwrap();
        let mut values = BTreeMap::from([("order.number".to_owned(), "7".to_owned())]);
        match template.render(&values) {
            Err(RenderError::MissingValue(name)) => assert_eq!(name, "recommendations"),
            other => panic!("{other:?}"),
        }
        values.insert("recommendations".into(), "- Ceramic mug (MUG-01)".into());
        assert_eq!(
            template.render(&values).unwrap().body,
            "You may also like:\n- Ceramic mug (MUG-01)"
        );
    }
}

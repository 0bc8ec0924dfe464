//! The default templates of `fixtures/email_templates/` (order status, stock answer, invoice
//! copy, product suggestions; English and Slovenian), built in, and which one answers an
//! email best. Product suggestions is never picked for a draft by itself: an agent chooses
//! to send a customer suggestions.

use super::context::EmailContext;
use super::language::Language;
use super::templates::TemplateInput;

const FILES: &[&str] = &[
    include_str!("../../fixtures/email_templates/order_status.en.json"),
    include_str!("../../fixtures/email_templates/order_status.sl.json"),
    include_str!("../../fixtures/email_templates/stock_answer.en.json"),
    include_str!("../../fixtures/email_templates/stock_answer.sl.json"),
    include_str!("../../fixtures/email_templates/invoice_copy.en.json"),
    include_str!("../../fixtures/email_templates/invoice_copy.sl.json"),
    include_str!("../../fixtures/email_templates/product_suggestions.en.json"),
    include_str!("../../fixtures/email_templates/product_suggestions.sl.json"),
];

/// Every default template.
pub fn all() -> Vec<TemplateInput> {
    FILES
        .iter()
        .map(|text| serde_json::from_str(text).expect("the default templates parse"))
        .collect()
}

/// The default template of `name` in `language`.
pub fn named(name: &str, language: Language) -> Option<TemplateInput> {
    all()
        .into_iter()
        .find(|t| t.name == name && Language::parse(&t.language) == Some(language))
}

/// The default template that answers an email with this context: a copy of a bill when it
/// mentions one, an order's status when it mentions another document, the stock of a
/// product it names; `None` when it is about none of these.
pub fn best_for(context: &EmailContext) -> Option<&'static str> {
    let mentions = |prefix: &str| {
        (context.mentioned_documents.iter())
            .any(|d| (d.document.doc_type.as_deref()).is_some_and(|t| t.starts_with(prefix)))
    };
    if mentions("sales_bill") {
        Some("invoice_copy")
    } else if !context.mentioned_documents.is_empty() {
        Some("order_status")
    } else if !context.products.is_empty() {
        Some("stock_answer")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::CompanyId;
    use crate::email::templates::EmailTemplate;

    #[test]
    fn every_default_template_is_one_a_company_could_save() {
        let company = CompanyId::from("c");
        for input in all() {
            let saved = EmailTemplate::create(&company, &input, chrono::Utc::now());
            assert!(
                saved.is_ok(),
                "{}.{}: {saved:?}",
                input.name,
                input.language
            );
        }
        assert!(named("product_suggestions", Language::Sl).is_some());
    }
}

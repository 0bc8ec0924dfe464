//! An email's context as sentences a reply can use — `Order 2024-00123: status shipped, …`
//! — each with its source, with money, dates and amounts written in the reply's language.
//! These are the facts the prompt carries and the draft reports as used.

use super::context::EmailContext;
use super::format::{metakocka_date, money, quantity};
use super::insights::insight::Derived;
use super::insights::render::statements;
use super::language::Language;
use crate::llm::Fact;

/// The context's facts, partner first, then mentioned documents, products, recent
/// documents and retrieval chunks.
pub fn facts(context: &EmailContext, language: Language) -> Vec<Fact> {
    let mut facts = Vec::new();
    if let Some(p) = &context.partner {
        let mut text = format!("Customer: {}", p.name.as_deref().unwrap_or("unknown name"));
        if let Some(email) = &p.email {
            text.push_str(&format!(" <{email}>"));
        }
        facts.push(Fact {
            text,
            source: p.source.clone(),
        });
    }
    for mentioned in &context.mentioned_documents {
        let d = &mentioned.document;
        let mut parts = vec![format!(
            "Document {} ({})",
            d.count_code.as_deref().unwrap_or("?"),
            d.doc_type.as_deref().unwrap_or("document")
        )];
        if let Some(status) = &d.status_code {
            parts.push(format!("status {status}"));
        }
        if let Some(date) = &d.doc_date {
            parts.push(format!("date {}", metakocka_date(date, language)));
        }
        if let Some(total) = d.sum_all.or(d.sum_basic) {
            let currency = d.currency_code.as_deref().unwrap_or("EUR");
            parts.push(format!("total {}", money(total, currency, language)));
        }
        let items: Vec<String> = (d.product_list.iter())
            .map(|line| {
                let amount = line
                    .amount
                    .map(|a| quantity(a, language))
                    .unwrap_or_default();
                let name = line.name.as_deref().or(line.code.as_deref()).unwrap_or("?");
                format!("{amount} × {name}")
            })
            .collect();
        if !items.is_empty() {
            parts.push(format!("items {}", items.join(", ")));
        }
        facts.push(Fact {
            text: parts.join(", "),
            source: mentioned.source.clone(),
        });
    }
    for p in &context.products {
        let mut parts = vec![format!("Product {} {}", p.code, p.name)];
        if let Some(price) = p.price {
            let currency = p.currency.as_deref().unwrap_or("EUR");
            parts.push(format!("price {}", money(price, currency, language)));
        }
        match p.stock {
            Some(stock) => parts.push(format!("in stock {}", quantity(stock, language))),
            None => parts.push("stock unknown".to_owned()),
        }
        facts.push(Fact {
            text: parts.join(", "),
            source: p.source.clone(),
        });
    }
    for d in &context.recent_documents {
        let mut text = format!(
            "Recent document {} ({})",
            d.count_code.as_deref().unwrap_or("?"),
            d.doc_type.as_deref().unwrap_or("document")
        );
        if let Some(status) = &d.status {
            text.push_str(&format!(", status {status}"));
        }
        if let Some(date) = &d.doc_date {
            text.push_str(&format!(", date {}", metakocka_date(date, language)));
        }
        facts.push(Fact {
            text,
            source: d.source.clone(),
        });
    }
    for chunk in &context.chunks {
        facts.push(Fact {
            text: chunk.text.clone(),
            source: chunk.source.clone(),
        });
    }
    facts
}

/// What the sender's documents say and the products to suggest, as facts.
#[derive(Debug, Clone, Default)]
pub struct CustomerFacts {
    /// The insights, written in the reply's language.
    pub insights: Vec<Fact>,
    /// One per suggested product, with its reason.
    pub suggestions: Vec<Fact>,
}

/// The [`CustomerFacts`] of `context`.
pub fn customer_facts(context: &EmailContext, language: Language) -> CustomerFacts {
    let mut facts = CustomerFacts::default();
    if let Some(insights) = &context.insights {
        let derived = Derived {
            reorder: insights.reorder.clone(),
            volume: insights.volume.clone(),
            open_documents: insights.open_documents.clone(),
        };
        for statement in statements(&derived, language, &insights.source) {
            facts.insights.push(Fact {
                text: format!("Customer insight: {}", statement.text),
                source: statement.source,
            });
        }
    }
    for r in &context.recommendations {
        let mut text = format!(
            "Product to suggest: {} {}, price {}",
            r.code,
            r.name,
            money(r.price, &r.currency, language)
        );
        if let Some(stock) = r.stock {
            text.push_str(&format!(", in stock {}", quantity(stock, language)));
        }
        text.push_str(&format!(" ({})", r.reason));
        facts.suggestions.push(Fact {
            text,
            source: r.source.clone(),
        });
    }
    facts
}

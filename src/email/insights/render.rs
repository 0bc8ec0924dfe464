//! Recommendations and insights as a customer-facing sentence or list in the reply's
//! language: the statements of `GET /api/ai/insights`, the reasons of
//! `GET /api/ai/recommendations` and the `{{ recommendations }}` list of a template.

use super::insight::{Derived, OpenKind, Trend};
use super::recommend::Reason;
use super::service::Recommendation;
use crate::email::format::{date, money, quantity};
use crate::email::language::Language;
use serde::Serialize;

/// One fact about the customer, as a sentence, with where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Statement {
    /// `reorder`, `volume` or `open_document`.
    pub kind: String,
    pub text: String,
    pub source: String,
}

/// The statements of `derived`. `source` names the documents the reorder and volume facts
/// were read from; each open document is its own source.
pub fn statements(derived: &Derived, language: Language, source: &str) -> Vec<Statement> {
    let sl = language == Language::Sl;
    let mut out = Vec::new();
    if let Some(r) = &derived.reorder {
        let last = date(r.last_order, language);
        let next = date(r.next_expected, language);
        let text = match (sl, r.due) {
            (false, true) => format!(
                "Usually reorders every {} days; the last order was on {last} ({} days ago), so a reorder is due (expected by {next}).",
                r.usual_interval_days, r.days_since_last
            ),
            (false, false) => format!(
                "Usually reorders every {} days; the last order was on {last}, so the next one is expected around {next}.",
                r.usual_interval_days
            ),
            (true, true) => format!(
                "Običajno naroča na {} dni; zadnje naročilo je bilo {last} (pred {} dnevi), zato je ponovno naročilo na vrsti (pričakovano do {next}).",
                r.usual_interval_days, r.days_since_last
            ),
            (true, false) => format!(
                "Običajno naroča na {} dni; zadnje naročilo je bilo {last}, naslednje pričakujemo okoli {next}.",
                r.usual_interval_days
            ),
        };
        out.push(statement("reorder", text, source));
    }
    if let Some(v) = &derived.volume {
        let recent = money(v.recent_total, &v.currency, language);
        let previous = money(v.previous_total, &v.currency, language);
        let change = v
            .change_percent
            .map(|p| format!(" ({p:+} %)"))
            .unwrap_or_default();
        let trend = match (sl, v.trend) {
            (false, Trend::Rising) => "rising",
            (false, Trend::Steady) => "steady",
            (false, Trend::Falling) => "falling",
            (false, Trend::New) => "a new customer in this period",
            (true, Trend::Rising) => "narašča",
            (true, Trend::Steady) => "ostaja enak",
            (true, Trend::Falling) => "upada",
            (true, Trend::New) => "nov kupec v tem obdobju",
        };
        let text = if sl {
            format!(
                "Nakupi v zadnjih {} dneh: {} v vrednosti {recent} brez DDV, v {} dneh pred tem {} v vrednosti {previous}; obseg {trend}{change}.",
                v.window_days, v.recent_orders, v.window_days, v.previous_orders
            )
        } else {
            format!(
                "Purchases in the last {} days: {} worth {recent} before VAT, against {} worth {previous} in the {} days before; volume {trend}{change}.",
                v.window_days, v.recent_orders, v.previous_orders, v.window_days
            )
        };
        out.push(statement("volume", text, source));
    }
    for o in &derived.open_documents {
        let number = o.number.as_deref().unwrap_or(&o.document_id);
        let on = date(o.doc_date, language);
        let total = money(o.total, &o.currency, language);
        let text = match (sl, o.kind) {
            (false, OpenKind::Unpaid) => format!(
                "Bill {number} of {on} for {total} is unpaid ({} days).",
                o.age_days
            ),
            (false, OpenKind::NotShipped) => {
                format!("Order {number} of {on} for {total} is not shipped yet.")
            }
            (false, OpenKind::OpenOffer) => {
                format!("Offer {number} of {on} for {total} is still open.")
            }
            (true, OpenKind::Unpaid) => format!(
                "Račun {number} z dne {on} v znesku {total} ni plačan ({} dni).",
                o.age_days
            ),
            (true, OpenKind::NotShipped) => {
                format!("Naročilo {number} z dne {on} v znesku {total} še ni odpremljeno.")
            }
            (true, OpenKind::OpenOffer) => {
                format!("Ponudba {number} z dne {on} v znesku {total} je še odprta.")
            }
        };
        out.push(statement(
            "open_document",
            text,
            &format!("CRM sales document {number} ({})", o.document_id),
        ));
    }
    out
}

fn statement(kind: &str, text: String, source: &str) -> Statement {
    Statement {
        kind: kind.to_owned(),
        text,
        source: source.to_owned(),
    }
}

/// Why a product is suggested, as a sentence; `name_of` names a CRM product id.
pub fn reason_text(
    reasons: &[Reason],
    language: Language,
    name_of: &dyn Fn(&str) -> String,
) -> String {
    let sl = language == Language::Sl;
    let parts: Vec<String> = (reasons.iter())
        .map(|reason| match reason {
            Reason::BoughtTogether { with, customers } => {
                let with: Vec<String> = with.iter().map(|id| name_of(id)).collect();
                let with = with.join(", ");
                if sl {
                    format!("kupci, ki so kupili {with}, so kupili tudi ta izdelek (kupcev: {customers})")
                } else {
                    format!("customers who bought {with} also bought this ({customers} customers)")
                }
            }
            Reason::SimilarTo { product_id, .. } => {
                let name = name_of(product_id);
                if sl {
                    format!("podobno izdelku {name}, ki ga je stranka že kupila")
                } else {
                    format!("similar to {name}, which the customer bought")
                }
            }
        })
        .collect();
    capitalised(&parts.join("; "))
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// The `{{ recommendations }}` of a template: one line per product with its price (and
/// its stock when the snapshot knows it).
pub fn list(recommendations: &[Recommendation], language: Language) -> String {
    (recommendations.iter())
        .map(|r| {
            let mut line = format!(
                "- {} ({}), {}",
                r.name,
                r.code,
                money(r.price, &r.currency, language)
            );
            if let Some(stock) = r.stock {
                let amount = quantity(stock, language);
                line.push_str(&match language {
                    Language::En => format!(", {amount} in stock"),
                    Language::Sl => format!(", na zalogi {amount}"),
                });
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::super::history::sample::{day, document, order};
    use super::super::insight::derive;
    use super::*;
    use crate::records::sales_document::{DocStatus, DocType};
    use rust_decimal::Decimal;

    #[test]
    fn statements_are_written_in_the_language_with_its_dates_and_money() {
        let documents = [
            order("ana", "2024-01-05", &["tea"]),
            order("ana", "2024-02-04", &["tea"]),
            order("ana", "2024-03-05", &["tea"]),
            document(
                "ana",
                DocType::SalesBillDomestic,
                DocStatus::Shipped,
                "2024-03-06",
                &["tea"],
            ),
        ];
        let refs: Vec<_> = documents.iter().collect();
        let derived = derive(&refs, day("2024-04-10"));

        let en = statements(&derived, Language::En, "CRM sales documents of Ana");
        assert_eq!(en.len(), 3);
        assert!(en[0].text.contains("every 30 days"), "{}", en[0].text);
        assert!(en[0].text.contains("a reorder is due"), "{}", en[0].text);
        assert!(en[0].text.contains("5 Mar 2024"), "{}", en[0].text);
        assert!(en[2].text.contains("€10.00 is unpaid"), "{}", en[2].text);
        assert!(en[2].source.contains("ANA/2024-03-06"));

        let sl = statements(&derived, Language::Sl, "CRM");
        assert!(sl[0].text.contains("5. 3. 2024"), "{}", sl[0].text);
        assert!(sl[2].text.contains("10,00 € ni plačan"), "{}", sl[2].text);
    }

    fn recommendation(stock: Option<Decimal>) -> Recommendation {
        Recommendation {
            product_id: "p1".into(),
            code: "MUG-01".into(),
            name: "Ceramic mug".into(),
            price: Decimal::new(123_450, 2),
            currency: "EUR".into(),
            stock,
            score: 1.0,
            reason: String::new(),
            reasons: Vec::new(),
            source: String::new(),
        }
    }

    #[test]
    fn the_template_list_formats_price_and_stock_per_language() {
        let items = [
            recommendation(Some(Decimal::from(140))),
            recommendation(None),
        ];

        assert_eq!(
            list(&items, Language::En),
            "- Ceramic mug (MUG-01), €1,234.50, 140 in stock\n- Ceramic mug (MUG-01), €1,234.50"
        );
        assert_eq!(
            list(&items[..1], Language::Sl),
            "- Ceramic mug (MUG-01), 1.234,50 €, na zalogi 140"
        );
    }

    #[test]
    fn reasons_name_the_products_they_come_from() {
        let reasons = [
            Reason::BoughtTogether {
                with: vec!["k".into()],
                customers: 2,
            },
            Reason::SimilarTo {
                product_id: "k".into(),
                similarity: 0.8,
            },
        ];
        let name_of = |_: &str| "Glass kettle".to_owned();

        assert_eq!(
            reason_text(&reasons, Language::En, &name_of),
            "Customers who bought Glass kettle also bought this (2 customers); similar to Glass kettle, which the customer bought"
        );
        assert!(
            reason_text(&reasons, Language::Sl, &name_of)
                .starts_with("Kupci, ki so kupili Glass kettle")
        );
    }
}

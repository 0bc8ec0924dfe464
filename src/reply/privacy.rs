//! A public comment reply never shows personal data. **This module is where that rule is
//! enforced**, twice, so that neither retrieval nor the model can break it:
//!
//! 1. [`public_facts`] removes personal facts before a comment's prompt is built: every line
//!    of a record about a person or their orders (top-level keys such as `customers`,
//!    `contacts`, `partners`, `orders`, `invoices`), and every line whose field names personal
//!    data (email, phone, address, ...), from any record;
//! 2. [`scrub_public_answer`] masks whatever still looks like an email address or a phone
//!    number in the model's answer before it is posted.
//!
//! Messenger replies are private to the person who wrote; they do not pass through here.

use crate::llm::Fact;
use regex::Regex;
use std::sync::LazyLock;

/// What a masked detail is replaced with in a public reply.
pub const MASK: &str = "[private]";

/// Top-level keys whose records are about people or their orders.
const PERSONAL_RECORDS: [&str; 14] = [
    "customer", "client", "contact", "partner", "user", "member", "person", "people", "lead",
    "order", "invoice", "document", "shipment", "booking",
];

/// Field names that hold personal data wherever they appear.
const PERSONAL_FIELDS: [&str; 14] = [
    "email",
    "e_mail",
    "mail",
    "phone",
    "mobile",
    "gsm",
    "tel",
    "fax",
    "address",
    "street",
    "iban",
    "birth",
    "tax_number",
    "vat_id",
];

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)[a-z0-9._%+\-]+@[a-z0-9.\-]+\.[a-z]{2,}").expect("a valid pattern")
});

/// Eight or more digits, possibly grouped by spaces, dots, dashes, slashes or parentheses,
/// with an optional leading `+` or `00`: phone numbers in the forms Slovenian and
/// international customers write them. (Order numbers of that length are masked too: order
/// details are private as well.)
static PHONE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\+?\(?\d(?:[\s./()\-]*\d){7,}").expect("a valid pattern"));

/// The facts a public reply may be written from.
pub fn public_facts(facts: &[Fact]) -> Vec<Fact> {
    facts
        .iter()
        .filter_map(|fact| {
            let lines: Vec<&str> = fact
                .text
                .lines()
                .filter(|line| is_public_line(line))
                .collect();
            (!lines.is_empty()).then(|| Fact {
                text: scrub_public_answer(&lines.join("\n")),
                source: fact.source.clone(),
            })
        })
        .collect()
}

/// Masks email addresses and phone numbers in text that will be posted publicly.
pub fn scrub_public_answer(text: &str) -> String {
    let without_emails = EMAIL.replace_all(text, MASK);
    PHONE.replace_all(&without_emails, MASK).into_owned()
}

/// Whether a flattened `path: value` line may appear in public.
fn is_public_line(line: &str) -> bool {
    let Some((path, _value)) = line.split_once(": ") else {
        // Plain text (not a flattened line) is kept; scrubbing masks contacts in it.
        return true;
    };
    let path = path.to_ascii_lowercase();
    let top = path.split(['.', '[']).next().unwrap_or_default();
    if PERSONAL_RECORDS.iter().any(|word| top.contains(word)) {
        return false;
    }
    let field = path.rsplit('.').next().unwrap_or_default();
    !PERSONAL_FIELDS.iter().any(|word| field.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(text: &str) -> Fact {
        Fact {
            text: text.into(),
            source: "Shop CRM".into(),
        }
    }

    #[test]
    fn records_about_people_and_orders_never_reach_a_public_prompt() {
        let facts = [
            fact(
                "customers[0].id: cust-101\ncustomers[0].name: Ana Novak\ncustomers[0].email: ana.novak@example.si",
            ),
            fact("orders[3].number: 2024-00123\norders[3].status: shipped"),
            fact(
                "products[1].name: Alpina hiking boots\nproducts[1].price: 129.9\nproducts[1].supplier_email: sales@alpina.si",
            ),
        ];
        let public = public_facts(&facts);
        assert_eq!(public.len(), 1, "{public:?}");
        assert_eq!(
            public[0].text,
            "products[1].name: Alpina hiking boots\nproducts[1].price: 129.9"
        );
    }

    #[test]
    fn emails_and_phone_numbers_are_masked_in_public_answers() {
        let answer = "Write to ana.novak@example.si or call +386 41 123 456 (or 041/123-456).";
        let scrubbed = scrub_public_answer(answer);
        assert_eq!(
            scrubbed,
            "Write to [private] or call [private] (or [private])."
        );
        let plain = "The Alpina boots cost 129.90 EUR, sizes 38 to 46, 14 in stock.";
        assert_eq!(scrub_public_answer(plain), plain, "prices and sizes stay");
    }

    #[test]
    fn plain_text_facts_are_kept_but_scrubbed() {
        let public = public_facts(&[fact("Opening hours 9-17. Call 01 234 56 78.")]);
        assert_eq!(public[0].text, "Opening hours 9-17. Call [private].");
    }
}

//! A document's amounts, computed on the server from its lines.
//!
//! The rule, as an invoice shows it:
//! 1. a line's net amount is `quantity × unit_price × (1 − discount_percent / 100)`,
//!    computed exactly and then rounded to cents, half up (0.005 → 0.01);
//! 2. the document's net is the sum of its lines' net amounts;
//! 3. VAT is computed once per VAT rate on the sum of that rate's line nets, rounded to
//!    cents half up (invoices and Metakocka's `sum_tax_*` fields show VAT per rate, and
//!    rounding per rate avoids one cent of drift per line);
//! 4. gross = net + VAT.
//!
//! Amounts are non-negative, so "half up" and "half away from zero" agree. Every amount
//! has exactly two decimal places (`"30.00"`).

use super::SalesDocumentLine;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;
use std::collections::BTreeMap;

/// The document's amounts, in its currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Totals {
    /// Without VAT, after discounts.
    pub net: Decimal,
    pub vat: Decimal,
    pub gross: Decimal,
}

/// Rounds to cents, half up, and always shows two places.
pub fn to_cents(amount: Decimal) -> Decimal {
    let mut rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(2);
    rounded
}

/// A line's net amount (rule 1). The inputs are bounded by validation
/// ([`super::input::MAX_AMOUNT`]), so the products cannot overflow.
pub fn line_net(quantity: Decimal, unit_price: Decimal, discount_percent: Decimal) -> Decimal {
    let gross_of_discount = quantity * unit_price;
    let discount = gross_of_discount * discount_percent / Decimal::ONE_HUNDRED;
    to_cents(gross_of_discount - discount)
}

/// The totals of lines whose `net_amount` is already computed (rules 2 to 4).
pub fn document_totals(lines: &[SalesDocumentLine]) -> Totals {
    let mut net_by_rate: BTreeMap<Decimal, Decimal> = BTreeMap::new();
    for line in lines {
        // Decimal's ordering is numeric, so 22 and 22.00 share one entry.
        *net_by_rate.entry(line.vat_rate).or_default() += line.net_amount;
    }
    let net = to_cents(net_by_rate.values().copied().sum());
    let vat = to_cents(
        net_by_rate
            .iter()
            .map(|(rate, net)| to_cents(*net * *rate / Decimal::ONE_HUNDRED))
            .sum(),
    );
    Totals {
        net,
        vat,
        gross: to_cents(net + vat),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn line(net: &str, vat_rate: &str) -> SalesDocumentLine {
        SalesDocumentLine {
            product_id: "p".into(),
            code: "c".into(),
            name: "n".into(),
            unit: None,
            quantity: Decimal::ONE,
            unit_price: d(net),
            discount_percent: Decimal::ZERO,
            vat_rate: d(vat_rate),
            net_amount: d(net),
        }
    }

    #[test]
    fn a_discounted_line_rounds_half_up_to_cents() {
        // 3 × 19.99 = 59.97; less 10 % = 53.973.
        assert_eq!(line_net(d("3"), d("19.99"), d("10")).to_string(), "53.97");
        // 1 × 0.125 = 0.125 → 0.13 (half up, not to even).
        assert_eq!(line_net(d("1"), d("0.125"), d("0")).to_string(), "0.13");
        assert_eq!(line_net(d("3"), d("10"), d("0")).to_string(), "30.00");
        assert_eq!(line_net(d("2"), d("5"), d("100")).to_string(), "0.00");
    }

    #[test]
    fn vat_is_rounded_once_per_rate() {
        // Per line: 0.0022 × 3 → 0.00 each; per rate: 0.03 × 22 % = 0.0066 → 0.01.
        let lines = [
            line("0.01", "22"),
            line("0.01", "22.00"),
            line("0.01", "22"),
        ];
        let totals = document_totals(&lines);
        assert_eq!(totals.net.to_string(), "0.03");
        assert_eq!(totals.vat.to_string(), "0.01");
        assert_eq!(totals.gross.to_string(), "0.04");

        let mixed = document_totals(&[line("53.97", "22"), line("10.00", "9.5")]);
        // 53.97 × 22 % = 11.8734 → 11.87; 10.00 × 9.5 % = 0.95.
        assert_eq!(mixed.vat.to_string(), "12.82");
        assert_eq!(mixed.gross.to_string(), "76.79");
    }
}

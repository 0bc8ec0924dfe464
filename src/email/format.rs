//! Money, dates and stock amounts as a customer reads them in their language:
//! `sl` writes `1.234,50 €` and `13. 9. 2024`, `en` writes `€1,234.50` and `13 Sep 2024`.

use super::language::Language;
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `amount` in `currency` (an ISO code), two decimals, grouped by thousands.
pub fn money(amount: Decimal, currency: &str, language: Language) -> String {
    let rounded = amount.round_dp(2);
    let negative = rounded.is_sign_negative() && !rounded.is_zero();
    let text = format!("{:.2}", rounded.abs());
    let (whole, cents) = text.split_once('.').unwrap_or((&text, "00"));
    let (group, point) = match language {
        Language::Sl => ('.', ','),
        Language::En => (',', '.'),
    };
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(group);
        }
        grouped.push(digit);
    }
    let sign = if negative { "-" } else { "" };
    let number = format!("{sign}{grouped}{point}{cents}");
    match (language, currency) {
        (Language::Sl, "EUR") => format!("{number} €"),
        (Language::En, "EUR") => format!("€{number}"),
        (Language::Sl, code) => format!("{number} {code}"),
        (Language::En, code) => format!("{code} {number}"),
    }
}

/// A date as a customer writes it.
pub fn date(day: NaiveDate, language: Language) -> String {
    match language {
        Language::Sl => format!("{}. {}. {}", day.day(), day.month(), day.year()),
        Language::En => format!(
            "{} {} {}",
            day.day(),
            MONTHS_EN[day.month0() as usize],
            day.year()
        ),
    }
}

/// A Metakocka date (`2024-09-13+02:00`, or an ISO date-time) as a customer writes it; the
/// text unchanged when it is not a date.
pub fn metakocka_date(text: &str, language: Language) -> String {
    text.get(..10)
        .and_then(|day| NaiveDate::parse_from_str(day, "%Y-%m-%d").ok())
        .map_or_else(|| text.to_owned(), |day| date(day, language))
}

/// A counted amount without trailing zeros, with the language's decimal mark (`12`, `2,5`).
pub fn quantity(amount: Decimal, language: Language) -> String {
    let text = amount.normalize().to_string();
    match language {
        Language::Sl => text.replace('.', ","),
        Language::En => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn money_per_language() {
        assert_eq!(money(d("1234.5"), "EUR", Language::Sl), "1.234,50 €");
        assert_eq!(money(d("1234.5"), "EUR", Language::En), "€1,234.50");
        assert_eq!(
            money(d("1234567.891"), "EUR", Language::En),
            "€1,234,567.89"
        );
        assert_eq!(money(d("39.9"), "USD", Language::Sl), "39,90 USD");
        assert_eq!(money(d("0"), "EUR", Language::En), "€0.00");
        assert_eq!(money(d("-5"), "EUR", Language::Sl), "-5,00 €");
    }

    #[test]
    fn dates_per_language() {
        let day = NaiveDate::from_ymd_opt(2024, 9, 13).unwrap();
        assert_eq!(date(day, Language::Sl), "13. 9. 2024");
        assert_eq!(date(day, Language::En), "13 Sep 2024");
        assert_eq!(
            metakocka_date("2024-09-13+02:00", Language::En),
            "13 Sep 2024"
        );
        assert_eq!(metakocka_date("soon", Language::En), "soon");
        assert_eq!(quantity(d("2.50"), Language::Sl), "2,5");
    }
}

//! The body of `POST /api/sales-documents` and `PUT /api/sales-documents/{id}` (a whole
//! record) and its parsing into a [`DocumentDraft`]: every rule that needs no stored
//! record. Unknown fields are refused, so totals or ids sent by a client are an error
//! rather than silently ignored.

use super::{DocStatus, DocType, DocumentFieldError};
use crate::domain::FieldError;
use crate::records::{
    check_places, letter_code, optional_text, parse_decimal, product::PRICE_PLACES, required_text,
    schema,
};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::value::RawValue;

/// The most lines a document may have: bounds one request's product look-ups and the size
/// of a stored document.
pub const MAX_LINES: usize = 500;
/// Quantities and unit prices stay below this, so a document's sums cannot overflow.
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(3_567_587_328, 232, 0, false, 0); // 10^12
/// Decimal places of a quantity (Metakocka keeps four).
pub const QUANTITY_PLACES: u32 = 4;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SalesDocumentInput {
    /// `sales_order`, `sales_offer` or `sales_bill_domestic`.
    #[schema(value_type = DocType)]
    pub doc_type: String,
    /// Unique within the company and document type when given.
    #[serde(default)]
    #[schema(max_length = 64)]
    pub number: Option<String>,
    /// One of the company's contacts (400 naming `contact_id` otherwise).
    #[schema(min_length = 1, max_length = 64, pattern = r"\S|[\x1c-\x1f\uFEFF]")]
    pub contact_id: String,
    /// `YYYY-MM-DD`; today (UTC) unless given.
    #[serde(default)]
    #[schema(format = Date, pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub doc_date: Option<String>,
    /// `draft` unless given.
    #[serde(default)]
    #[schema(value_type = Option<DocStatus>)]
    pub status: Option<String>,
    /// Three letters; `EUR` unless given.
    #[serde(default)]
    #[schema(pattern = r"^[A-Za-z]{3}$")]
    pub currency: Option<String>,
    #[schema(min_items = 1, max_items = 500)]
    pub lines: Vec<LineInput>,
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub notes: Option<String>,
}

/// One line of the body. Decimals are raw JSON, so a number never passes through `f64`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineInput {
    /// One of the company's products (400 naming `lines[i].product_id` otherwise).
    #[schema(min_length = 1, max_length = 64, pattern = r"\S|[\x1c-\x1f\uFEFF]")]
    pub product_id: String,
    #[schema(schema_with = schema::quantity)]
    pub quantity: Box<RawValue>,
    /// The product's price unless given.
    #[serde(default)]
    #[schema(schema_with = schema::optional_price, required = false)]
    pub unit_price: Option<Box<RawValue>>,
    /// 0 unless given.
    #[serde(default)]
    #[schema(schema_with = schema::optional_percentage, required = false)]
    pub discount_percent: Option<Box<RawValue>>,
    /// The product's VAT rate unless given.
    #[serde(default)]
    #[schema(schema_with = schema::optional_percentage, required = false)]
    pub vat_rate: Option<Box<RawValue>>,
}

/// A body that passed every rule that needs no stored record.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentDraft {
    pub doc_type: DocType,
    pub number: Option<String>,
    pub contact_id: String,
    pub doc_date: NaiveDate,
    pub status: DocStatus,
    pub currency: String,
    pub lines: Vec<LineDraft>,
    pub notes: Option<String>,
}

/// A line before its product is looked up; `None` takes the product's value.
#[derive(Debug, Clone, PartialEq)]
pub struct LineDraft {
    pub product_id: String,
    pub quantity: Decimal,
    pub unit_price: Option<Decimal>,
    pub discount_percent: Decimal,
    pub vat_rate: Option<Decimal>,
}

impl SalesDocumentInput {
    /// Checks the body; `today` is the date a document without `doc_date` gets.
    pub fn parse(&self, today: NaiveDate) -> Result<DocumentDraft, DocumentFieldError> {
        let doc_date = match self.doc_date.as_deref().map(str::trim) {
            Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map_err(|_| FieldError::new("doc_date", "must be a date as 2024-09-12"))?,
            None => today,
        };
        if self.lines.is_empty() {
            return Err(DocumentFieldError::new("lines", "needs at least one line"));
        }
        if self.lines.len() > MAX_LINES {
            return Err(DocumentFieldError::new(
                "lines",
                format!("must be at most {MAX_LINES} lines"),
            ));
        }
        let lines = self
            .lines
            .iter()
            .enumerate()
            .map(|(i, line)| line.parse().map_err(|e| DocumentFieldError::in_line(i, e)))
            .collect::<Result<_, _>>()?;
        Ok(DocumentDraft {
            doc_type: DocType::parse("doc_type", &self.doc_type)?,
            number: optional_text("number", self.number.as_deref(), 64)?,
            contact_id: required_text("contact_id", &self.contact_id, 64)?,
            doc_date,
            status: match &self.status {
                Some(status) => DocStatus::parse("status", status)?,
                None => DocStatus::Draft,
            },
            currency: match &self.currency {
                Some(currency) => letter_code("currency", currency, 3)?,
                None => "EUR".to_owned(),
            },
            lines,
            notes: optional_text("notes", self.notes.as_deref(), 4000)?,
        })
    }
}

impl LineInput {
    fn parse(&self) -> Result<LineDraft, FieldError> {
        let quantity = amount("quantity", &self.quantity, QUANTITY_PLACES)?;
        if quantity.is_zero() {
            return Err(FieldError::new("quantity", "must be more than 0"));
        }
        let unit_price = self
            .unit_price
            .as_deref()
            .map(|raw| amount("unit_price", raw, PRICE_PLACES))
            .transpose()?;
        let discount_percent = match &self.discount_percent {
            Some(raw) => percent("discount_percent", raw)?,
            None => Decimal::ZERO,
        };
        Ok(LineDraft {
            product_id: required_text("product_id", &self.product_id, 64)?,
            quantity,
            unit_price,
            discount_percent,
            vat_rate: self
                .vat_rate
                .as_deref()
                .map(|raw| percent("vat_rate", raw))
                .transpose()?,
        })
    }
}

/// A non-negative decimal below [`MAX_AMOUNT`] with at most `places` decimals.
fn amount(field: &'static str, raw: &RawValue, places: u32) -> Result<Decimal, FieldError> {
    let value = check_places(field, parse_decimal(field, raw)?, places)?;
    if value.is_sign_negative() && !value.is_zero() {
        return Err(FieldError::new(field, "must not be negative"));
    }
    if value >= MAX_AMOUNT {
        return Err(FieldError::new(field, "must be less than 1000000000000"));
    }
    Ok(value)
}

/// A percentage from 0 to 100 with at most two decimals.
fn percent(field: &'static str, raw: &RawValue) -> Result<Decimal, FieldError> {
    let value = check_places(field, parse_decimal(field, raw)?, 2)?;
    if value < Decimal::ZERO || value > Decimal::ONE_HUNDRED {
        return Err(FieldError::new(field, "must be between 0 and 100"));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
    }

    fn parse(json: &str) -> Result<DocumentDraft, DocumentFieldError> {
        serde_json::from_str::<SalesDocumentInput>(json)
            .unwrap()
            .parse(today())
    }

    #[test]
    fn defaults_fill_what_is_left_out() {
        let draft = parse(
            r#"{"doc_type":"sales_order","contact_id":"c","lines":[{"product_id":"p","quantity":"2.5"}]}"#,
        )
        .unwrap();
        assert_eq!(draft.doc_date, today());
        assert_eq!(
            (draft.status, draft.currency.as_str()),
            (DocStatus::Draft, "EUR")
        );
        assert_eq!(draft.lines[0].quantity.to_string(), "2.5");
        assert_eq!(draft.lines[0].discount_percent, Decimal::ZERO);
        assert_eq!(
            (draft.lines[0].unit_price, draft.lines[0].vat_rate),
            (None, None)
        );
    }

    #[test]
    fn errors_name_the_field_and_the_line() {
        let field = |json: &str| parse(json).unwrap_err().field;
        let doc = |rest: &str, line: &str| {
            format!(
                r#"{{"doc_type":"sales_offer","contact_id":"c",{rest}"lines":[{{"product_id":"p","quantity":1}},{line}]}}"#
            )
        };
        let ok_line = r#"{"product_id":"p","quantity":1}"#;
        assert_eq!(
            field(&doc(r#""doc_date":"12.9.2024","#, ok_line)),
            "doc_date"
        );
        assert_eq!(field(&doc(r#""status":"lost","#, ok_line)), "status");
        assert_eq!(field(&doc(r#""currency":"E1R","#, ok_line)), "currency");
        assert_eq!(
            field(
                r#"{"doc_type":"invoice","contact_id":"c","lines":[{"product_id":"p","quantity":1}]}"#
            ),
            "doc_type"
        );
        assert_eq!(
            field(r#"{"doc_type":"sales_order","contact_id":"c","lines":[]}"#),
            "lines"
        );
        for (line, name) in [
            (r#"{"product_id":"p","quantity":0}"#, "lines[1].quantity"),
            (
                r#"{"product_id":"p","quantity":"1.00001"}"#,
                "lines[1].quantity",
            ),
            (r#"{"product_id":"p","quantity":-1}"#, "lines[1].quantity"),
            (r#"{"product_id":"p","quantity":1e13}"#, "lines[1].quantity"),
            (
                r#"{"product_id":"p","quantity":1,"unit_price":"-0.01"}"#,
                "lines[1].unit_price",
            ),
            (
                r#"{"product_id":"p","quantity":1,"discount_percent":101}"#,
                "lines[1].discount_percent",
            ),
            (
                r#"{"product_id":"p","quantity":1,"vat_rate":"x"}"#,
                "lines[1].vat_rate",
            ),
            (r#"{"product_id":" ","quantity":1}"#, "lines[1].product_id"),
        ] {
            assert_eq!(field(&doc("", line)), name, "{line}");
        }
    }

    #[test]
    fn the_amount_bound_is_ten_to_the_twelfth() {
        assert_eq!(MAX_AMOUNT, Decimal::from(1_000_000_000_000_i64));
    }
}

//! A report's parameters: the query string as sent ([`ReportQuery`], every value text, so a
//! bad one gets our message rather than a deserializer's) and its validated form
//! ([`ReportParams`]). Blank values mean "not given": the console's forms send every field.

use super::ReportKind;
use crate::domain::FieldError;
use crate::records::sales_document::DocType;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The largest `limit` of a top-N report.
pub const MAX_LIMIT: u32 = 100;
/// `limit` when none is given.
pub const DEFAULT_LIMIT: u32 = 10;
/// `threshold` of the low-stock report when none is given: free stock below 5 units.
pub const DEFAULT_THRESHOLD: Decimal = Decimal::from_parts(5, 0, 0, false, 0);

/// The parameters as a query string or form sends them. `format` only picks JSON or CSV.
#[derive(
    Debug,
    Clone,
    Default,
    PartialEq,
    Eq,
    Deserialize,
    Serialize,
    utoipa::IntoParams,
    utoipa::ToSchema,
)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// First day included, `YYYY-MM-DD` (sales reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[param(value_type = Option<crate::http::openapi::formats::DayOrEmpty>)]
    #[schema(value_type = Option<crate::http::openapi::formats::DayOrEmpty>)]
    pub from: Option<String>,
    /// Last day included, `YYYY-MM-DD` (sales reports); not before `from`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[param(value_type = Option<crate::http::openapi::formats::DayOrEmpty>)]
    #[schema(value_type = Option<crate::http::openapi::formats::DayOrEmpty>)]
    pub to: Option<String>,
    /// `sales_order`, `sales_offer` or `sales_bill_domestic`; every type when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[param(pattern = "^(sales_order|sales_offer|sales_bill_domestic)?$")]
    #[schema(pattern = "^(sales_order|sales_offer|sales_bill_domestic)?$")]
    pub doc_type: Option<String>,
    /// Rows of a top-N report, 1 to 100 (10 when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[param(pattern = "^(100|[1-9][0-9]?)?$")]
    #[schema(pattern = "^(100|[1-9][0-9]?)?$")]
    pub limit: Option<String>,
    /// Ranking: `quantity` or `revenue` (top products), `revenue` or `orders` (top customers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// Low stock: free stock below this decimal (5 when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[param(pattern = r"^([0-9]{1,15}(\.[0-9]{1,10})?)?$")]
    #[schema(pattern = r"^([0-9]{1,15}(\.[0-9]{1,10})?)?$")]
    pub threshold: Option<String>,
    /// Low stock: one warehouse, by Metakocka id or mark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warehouse: Option<String>,
    /// `json` (the default) or `csv`; `Accept: text/csv` also asks for CSV.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[param(pattern = "^(json|csv)?$")]
    #[schema(pattern = "^(json|csv)?$")]
    pub format: Option<String>,
}

/// What a top-N report ranks by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Ranking {
    Quantity,
    Revenue,
    Orders,
}

impl Ranking {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Quantity => "quantity",
            Self::Revenue => "revenue",
            Self::Orders => "orders",
        }
    }
}

/// Validated parameters. Each report reads the ones it uses; the others keep their defaults.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReportParams {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub doc_type: Option<DocType>,
    pub limit: u32,
    pub by: Ranking,
    #[schema(value_type = String)]
    pub threshold: Decimal,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warehouse: Option<String>,
}

fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn day(field: &'static str, value: &Option<String>) -> Result<Option<NaiveDate>, FieldError> {
    given(value)
        .map(|text| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map_err(|_| FieldError::new(field, "must be a day such as 2026-11-30"))
        })
        .transpose()
}

impl ReportQuery {
    /// The validated parameters of `kind`.
    pub fn parse(&self, kind: ReportKind) -> Result<ReportParams, FieldError> {
        let from = day("from", &self.from)?;
        let to = day("to", &self.to)?;
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            return Err(FieldError::new("to", "must not be before from"));
        }
        let limit = match given(&self.limit) {
            None => DEFAULT_LIMIT,
            Some(text) => text
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .ok_or_else(|| {
                    FieldError::new(
                        "limit",
                        format!("must be a whole number from 1 to {MAX_LIMIT}"),
                    )
                })?,
        };
        let threshold = match given(&self.threshold) {
            None => DEFAULT_THRESHOLD,
            Some(text) => Decimal::from_str_exact(text)
                .ok()
                .filter(|d| !d.is_sign_negative())
                .ok_or_else(|| {
                    FieldError::new("threshold", "must be a decimal number of 0 or more, as 2.5")
                })?,
        };
        Ok(ReportParams {
            from,
            to,
            doc_type: given(&self.doc_type)
                .map(|t| DocType::parse("doc_type", t))
                .transpose()?,
            limit,
            by: ranking(kind, given(&self.by))?,
            threshold,
            warehouse: given(&self.warehouse).map(str::to_owned),
        })
    }

    /// Whether `format` asks for CSV; anything but `json` or `csv` is an error.
    pub fn wants_csv(&self) -> Result<Option<bool>, FieldError> {
        match given(&self.format) {
            None => Ok(None),
            Some("csv") => Ok(Some(true)),
            Some("json") => Ok(Some(false)),
            Some(_) => Err(FieldError::new("format", "must be json or csv")),
        }
    }

    /// The parameters without `format` (what a schedule keeps and a CSV link repeats).
    pub fn without_format(&self) -> Self {
        Self {
            format: None,
            ..self.clone()
        }
    }

    /// The given parameters as a query string (without `format`), for links.
    pub fn to_query_string(&self) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (key, value) in [
            ("from", &self.from),
            ("to", &self.to),
            ("doc_type", &self.doc_type),
            ("limit", &self.limit),
            ("by", &self.by),
            ("threshold", &self.threshold),
            ("warehouse", &self.warehouse),
        ] {
            if let Some(value) = given(value) {
                query.append_pair(key, value);
            }
        }
        query.finish()
    }
}

/// The ranking `kind` allows, and its default.
fn ranking(kind: ReportKind, by: Option<&str>) -> Result<Ranking, FieldError> {
    let allowed: &[Ranking] = match kind {
        ReportKind::TopProducts => &[Ranking::Revenue, Ranking::Quantity],
        ReportKind::TopCustomers => &[Ranking::Revenue, Ranking::Orders],
        _ => &[Ranking::Revenue],
    };
    let Some(by) = by else {
        return Ok(allowed[0]);
    };
    allowed
        .iter()
        .copied()
        .find(|r| r.as_str() == by)
        .ok_or_else(|| {
            let names: Vec<&str> = allowed.iter().map(|r| r.as_str()).collect();
            FieldError::new("by", format!("must be {}", names.join(" or ")))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> ReportQuery {
        let mut query = ReportQuery::default();
        for (key, value) in pairs {
            let value = Some((*value).to_owned());
            match *key {
                "from" => query.from = value,
                "to" => query.to = value,
                "doc_type" => query.doc_type = value,
                "limit" => query.limit = value,
                "by" => query.by = value,
                "threshold" => query.threshold = value,
                "format" => query.format = value,
                other => panic!("no parameter {other}"),
            }
        }
        query
    }

    #[test]
    fn blank_fields_take_the_defaults() {
        let params = query(&[("from", ""), ("limit", " ")])
            .parse(ReportKind::TopProducts)
            .unwrap();
        assert_eq!(params.limit, DEFAULT_LIMIT);
        assert_eq!(params.by, Ranking::Revenue);
        assert_eq!(params.from, None);
    }

    #[test]
    fn each_bad_value_names_its_field() {
        let field = |pairs: &[(&str, &str)], kind| query(pairs).parse(kind).unwrap_err().field;
        assert_eq!(
            field(&[("from", "30.11.2026")], ReportKind::SalesByMonth),
            "from"
        );
        assert_eq!(
            field(
                &[("from", "2026-02-01"), ("to", "2026-01-01")],
                ReportKind::SalesByMonth
            ),
            "to"
        );
        assert_eq!(field(&[("limit", "0")], ReportKind::TopProducts), "limit");
        assert_eq!(field(&[("limit", "101")], ReportKind::TopProducts), "limit");
        assert_eq!(field(&[("by", "orders")], ReportKind::TopProducts), "by");
        assert_eq!(
            field(&[("threshold", "-1")], ReportKind::LowStock),
            "threshold"
        );
        assert_eq!(
            field(&[("doc_type", "invoice")], ReportKind::SalesByMonth),
            "doc_type"
        );
    }

    #[test]
    fn the_query_string_repeats_the_given_values_only() {
        let q = query(&[("from", "2026-01-01"), ("limit", ""), ("format", "csv")]);
        assert_eq!(q.to_query_string(), "from=2026-01-01");
        assert_eq!(q.wants_csv().unwrap(), Some(true));
    }
}

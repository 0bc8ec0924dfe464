//! The error log's filter as the API takes it: query parameters of the list, export and
//! stats, and the `filter` object of a bulk resolve, with the same names.
//!
//! `from` and `to` take an RFC 3339 time or a `YYYY-MM-DD` day (UTC). `from` is inclusive;
//! `to` is exclusive, and a day means up to the end of that day, so `from=2026-11-01&to=
//! 2026-11-30` covers all of November's 1st to 30th.

use crate::domain::FieldError;
use crate::metakocka::error_log::{EntityType, ErrorCategory, ErrorLogFilter, ErrorStatus, Paging};
use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// The filter's fields as sent: text, parsed by [`FilterFields::parse`].
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FilterFields {
    /// `open` or `resolved`; any when left out or empty.
    #[schema(pattern = "^(open|resolved)?$")]
    status: Option<String>,
    /// `auth`, `validation`, `not_found`, `rate_limit`, `network`, `api` or `conflict`.
    #[schema(pattern = "^(auth|validation|not_found|rate_limit|network|api|conflict)?$")]
    category: Option<String>,
    /// `product`, `contact`, `sales_document`, `inventory`, `warehouse`, `credentials`,
    /// `mapping`, `settings` or `page`.
    #[schema(
        pattern = "^(product|contact|sales_document|inventory|warehouse|credentials|mapping|settings|page)?$"
    )]
    entity_type: Option<String>,
    entity_id: Option<String>,
    /// From this time on: RFC 3339, or a `YYYY-MM-DD` day (from its start, UTC).
    #[schema(value_type = Option<crate::http::openapi::formats::TimeOrDay>)]
    from: Option<String>,
    /// Before this time: RFC 3339, or a `YYYY-MM-DD` day (up to its end); later than `from`.
    #[schema(value_type = Option<crate::http::openapi::formats::TimeOrDay>)]
    to: Option<String>,
    /// Text contained in the message, ignoring case.
    search: Option<String>,
}

/// The list's query: the filter and paging. Unknown parameters are ignored, as browsers and
/// proxies add their own.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `open` or `resolved`; any when left out or empty.
    #[param(pattern = "^(open|resolved)?$")]
    status: Option<String>,
    /// `auth`, `validation`, `not_found`, `rate_limit`, `network`, `api` or `conflict`.
    #[param(pattern = "^(auth|validation|not_found|rate_limit|network|api|conflict)?$")]
    category: Option<String>,
    /// `product`, `contact`, `sales_document`, `inventory`, `warehouse`, `credentials`,
    /// `mapping`, `settings` or `page`.
    #[param(
        pattern = "^(product|contact|sales_document|inventory|warehouse|credentials|mapping|settings|page)?$"
    )]
    entity_type: Option<String>,
    entity_id: Option<String>,
    /// From this time on: RFC 3339, or a `YYYY-MM-DD` day (from its start, UTC).
    #[param(value_type = Option<crate::http::openapi::formats::TimeOrDay>)]
    from: Option<String>,
    /// Before this time: RFC 3339, or a `YYYY-MM-DD` day (up to its end); later than `from`.
    #[param(value_type = Option<crate::http::openapi::formats::TimeOrDay>)]
    to: Option<String>,
    /// Text contained in the message, ignoring case.
    search: Option<String>,
    /// 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
    #[param(value_type = Option<u32>, format = Int64, minimum = 0, maximum = 4294967295_u32)]
    offset: Option<u32>,
}

impl ListQuery {
    pub fn filter(&self) -> Result<ErrorLogFilter, FieldError> {
        FilterFields {
            status: self.status.clone(),
            category: self.category.clone(),
            entity_type: self.entity_type.clone(),
            entity_id: self.entity_id.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            search: self.search.clone(),
        }
        .parse()
    }

    pub fn paging(&self) -> Result<Paging, FieldError> {
        let limit = self.limit.unwrap_or(Paging::DEFAULT_LIMIT);
        if !(1..=Paging::MAX_LIMIT).contains(&limit) {
            return Err(FieldError::new(
                "limit",
                format!("must be between 1 and {}", Paging::MAX_LIMIT),
            ));
        }
        Ok(Paging {
            limit,
            offset: self.offset.unwrap_or(0),
        })
    }
}

impl FilterFields {
    pub fn parse(&self) -> Result<ErrorLogFilter, FieldError> {
        let from = present(&self.from)
            .map(|v| time("from", v, Edge::Start))
            .transpose()?;
        let to = present(&self.to)
            .map(|v| time("to", v, Edge::End))
            .transpose()?;
        if let (Some(from), Some(to)) = (from, to) {
            if from >= to {
                return Err(FieldError::new("to", "must be later than from"));
            }
        }
        Ok(ErrorLogFilter {
            status: present(&self.status).map(ErrorStatus::parse).transpose()?,
            category: present(&self.category)
                .map(ErrorCategory::parse)
                .transpose()?,
            entity_type: present(&self.entity_type)
                .map(EntityType::parse)
                .transpose()?,
            entity_id: present(&self.entity_id).map(str::to_owned),
            from,
            to,
            text: present(&self.search).map(str::to_owned),
        })
    }
}

/// A parameter that is there and not blank (`?status=` means no status filter).
fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

enum Edge {
    Start,
    End,
}

fn time(field: &'static str, value: &str, edge: Edge) -> Result<DateTime<Utc>, FieldError> {
    if let Ok(time) = DateTime::parse_from_rfc3339(value) {
        return Ok(time.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|_| FieldError::new(field, "must be an RFC 3339 time or a YYYY-MM-DD day"))?;
    let day = match edge {
        Edge::Start => Some(day),
        Edge::End => day.checked_add_days(Days::new(1)),
    };
    day.and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| FieldError::new(field, "is out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(from: &str, to: &str) -> FilterFields {
        FilterFields {
            from: Some(from.into()),
            to: Some(to.into()),
            ..FilterFields::default()
        }
    }

    #[test]
    fn a_day_as_to_covers_that_whole_day() {
        let filter = fields("2026-11-01", "2026-11-30").parse().unwrap();
        assert_eq!(
            filter.from.unwrap().to_rfc3339(),
            "2026-11-01T00:00:00+00:00"
        );
        assert_eq!(filter.to.unwrap().to_rfc3339(), "2026-12-01T00:00:00+00:00");
    }

    #[test]
    fn bad_values_name_their_field() {
        assert_eq!(
            fields("yesterday", "2026-11-30").parse().unwrap_err().field,
            "from"
        );
        assert_eq!(
            fields("2026-11-30", "2026-11-01")
                .parse()
                .unwrap_err()
                .field,
            "to"
        );
        let bad_category = FilterFields {
            category: Some("timeout".into()),
            ..FilterFields::default()
        };
        assert_eq!(bad_category.parse().unwrap_err().field, "category");
    }
}

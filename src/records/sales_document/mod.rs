//! A sales document (an order, an offer or a domestic bill) of the company to one of its
//! contacts, with lines naming its products: what the Metakocka sync maps to Metakocka's
//! documents (`put_document`, `doc_type`, `count_code` = our `number`, `product_list`).
//!
//! This module owns the record and its rules: [`input`] turns a request body into a
//! [`input::DocumentDraft`] (each error names its field, `lines[1].quantity` for a line),
//! [`references`] checks the contact and the products against the company's records and
//! copies each product's code and name onto its line, and [`totals`] computes the amounts
//! on the server (a client never sends them). Storage is behind
//! [`crate::store::SalesDocumentStore`].

pub mod input;
pub mod references;
pub mod totals;

use crate::domain::{CompanyId, FieldError};
use crate::records::RecordQuery;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
pub use totals::Totals;

/// The document types of Metakocka's `doc_type` that crm-mind keeps (issue 5, item 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocType {
    SalesOrder,
    SalesOffer,
    SalesBillDomestic,
}

impl DocType {
    pub const ALL: [Self; 3] = [Self::SalesOrder, Self::SalesOffer, Self::SalesBillDomestic];

    /// The snake_case name, which is also Metakocka's `doc_type`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SalesOrder => "sales_order",
            Self::SalesOffer => "sales_offer",
            Self::SalesBillDomestic => "sales_bill_domestic",
        }
    }

    pub fn parse(field: &'static str, value: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == value.trim())
            .ok_or_else(|| {
                FieldError::new(
                    field,
                    "must be sales_order, sales_offer or sales_bill_domestic",
                )
            })
    }
}

/// Where a document stands in crm-mind. Metakocka's own status texts are free-form per
/// company (`"Novo naročilo"`), so the sync maps them onto these rather than the reverse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocStatus {
    Draft,
    Confirmed,
    Shipped,
    Paid,
    Cancelled,
}

impl DocStatus {
    pub const ALL: [Self; 5] = [
        Self::Draft,
        Self::Confirmed,
        Self::Shipped,
        Self::Paid,
        Self::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Confirmed => "confirmed",
            Self::Shipped => "shipped",
            Self::Paid => "paid",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(field: &'static str, value: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == value.trim())
            .ok_or_else(|| {
                FieldError::new(
                    field,
                    "must be draft, confirmed, shipped, paid or cancelled",
                )
            })
    }
}

/// One line of a document. `code`, `name` and `unit` are copied from the product when the
/// document is saved, so the document still reads as it was issued after the product is
/// renamed. This serde form is also how both engines store a line (SQLite: a JSON array
/// column; MongoDB: an embedded array), decimals as strings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SalesDocumentLine {
    pub product_id: String,
    pub code: String,
    pub name: String,
    pub unit: Option<String>,
    pub quantity: Decimal,
    /// Price of one unit without VAT, before the discount.
    pub unit_price: Decimal,
    pub discount_percent: Decimal,
    pub vat_rate: Decimal,
    /// `quantity × unit_price × (1 − discount_percent / 100)`, rounded to cents (see
    /// [`totals`]); computed here, never taken from a client.
    pub net_amount: Decimal,
}

/// A stored sales document.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SalesDocument {
    pub id: String,
    pub company_id: CompanyId,
    pub doc_type: DocType,
    /// The document's number (`"2024-00123"`, Metakocka's `count_code`); unique within the
    /// company and document type when given.
    pub number: Option<String>,
    pub contact_id: String,
    pub doc_date: NaiveDate,
    pub status: DocStatus,
    pub currency: String,
    pub lines: Vec<SalesDocumentLine>,
    pub totals: Totals,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl SalesDocument {
    /// What the text filter searches: the number and the notes, lower-cased in Rust so that
    /// both engines fold case the same (Unicode-aware).
    pub fn search_text(&self) -> String {
        format!(
            "{}\u{1f}{}",
            self.number.as_deref().unwrap_or_default(),
            self.notes.as_deref().unwrap_or_default()
        )
        .to_lowercase()
    }
}

/// A validation failure naming the field a user has to fix; unlike
/// [`crate::domain::FieldError`] the name can be built (`lines[2].product_id`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct DocumentFieldError {
    pub field: String,
    pub message: String,
}

impl DocumentFieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }

    /// A line's field error, named with the line's index.
    pub fn in_line(index: usize, e: FieldError) -> Self {
        Self::new(format!("lines[{index}].{}", e.field), e.message)
    }
}

impl From<FieldError> for DocumentFieldError {
    fn from(e: FieldError) -> Self {
        Self::new(e.field, e.message)
    }
}

/// Which documents a list returns: the paging and text filter of every record list, and
/// optional exact filters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SalesDocumentQuery {
    /// Text over the number and the notes; paging.
    pub records: RecordQuery,
    pub doc_type: Option<DocType>,
    pub contact_id: Option<String>,
    pub status: Option<DocStatus>,
    /// Documents with at least one line of this product.
    pub product_id: Option<String>,
}

impl SalesDocumentQuery {
    /// Every document of the page the paging names.
    pub fn all(records: RecordQuery) -> Self {
        Self {
            records,
            doc_type: None,
            contact_id: None,
            status: None,
            product_id: None,
        }
    }
}

//! A computed report and its one layout: the JSON body, the CSV (same columns, same values,
//! written by the `csv` crate from the same rows), the console's table, and the points of its
//! chart. A row's serde field names are its column names everywhere.

use super::ReportKind;
use super::params::ReportParams;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

/// A report as the API answers it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Report {
    pub report: ReportKind,
    pub generated_at: DateTime<Utc>,
    /// The parameters the report was computed with, defaults filled in.
    pub parameters: ReportParams,
    /// Low stock: when the inventory snapshot was taken (`null` before the first refresh).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot_refreshed_at: Option<DateTime<Utc>>,
    pub rows: ReportRows,
}

/// The rows of one report; in JSON, just the array.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum ReportRows {
    SalesByMonth(Vec<MonthSales>),
    TopProducts(Vec<ProductRank>),
    TopCustomers(Vec<CustomerRank>),
    LowStock(Vec<LowStockRow>),
    SyncHealth(Vec<SyncHealthRow>),
}

/// `anyOf` the five row arrays, not the `oneOf` a derive would give: an empty array is valid
/// for every report, and the `report` field beside it says which one it is.
impl utoipa::PartialSchema for ReportRows {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AnyOfBuilder, ArrayBuilder, Ref};
        let array_of = |name: &str| ArrayBuilder::new().items(Ref::from_schema_name(name));
        AnyOfBuilder::new()
            .item(array_of("MonthSales"))
            .item(array_of("ProductRank"))
            .item(array_of("CustomerRank"))
            .item(array_of("LowStockRow"))
            .item(array_of("SyncHealthRow"))
            .description(Some("the report's rows, one shape per report"))
            .into()
    }
}

impl utoipa::ToSchema for ReportRows {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        fn add<T: utoipa::ToSchema>(
            schemas: &mut Vec<(
                String,
                utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
            )>,
        ) {
            schemas.push((T::name().into(), T::schema()));
            T::schemas(schemas);
        }
        add::<MonthSales>(schemas);
        add::<ProductRank>(schemas);
        add::<CustomerRank>(schemas);
        add::<LowStockRow>(schemas);
        add::<SyncHealthRow>(schemas);
    }
}

/// One month's documents of one currency (amounts of different currencies are never added).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MonthSales {
    /// `YYYY-MM`.
    pub month: String,
    pub currency: String,
    pub documents: u64,
    #[schema(value_type = String)]
    pub net: Decimal,
    #[schema(value_type = String)]
    pub vat: Decimal,
    #[schema(value_type = String)]
    pub gross: Decimal,
}

/// A product's sales in one currency: units sold, net revenue of its lines, documents.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ProductRank {
    pub product_id: String,
    pub code: String,
    pub name: String,
    pub currency: String,
    #[schema(value_type = String)]
    pub quantity: Decimal,
    /// The sum of its lines' net amounts (after discounts, without VAT).
    #[schema(value_type = String)]
    pub revenue: Decimal,
    pub documents: u64,
}

/// A customer's documents in one currency.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CustomerRank {
    pub contact_id: String,
    /// `null` when the contact was deleted since.
    pub name: Option<String>,
    pub currency: String,
    pub orders: u64,
    #[schema(value_type = String)]
    pub net: Decimal,
    #[schema(value_type = String)]
    pub gross: Decimal,
}

/// A product whose free stock in one warehouse is below the threshold.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct LowStockRow {
    pub product_mk_id: String,
    pub product_code: Option<String>,
    pub product_name: Option<String>,
    pub warehouse_id: String,
    pub warehouse_mark: Option<String>,
    pub warehouse_name: Option<String>,
    #[schema(value_type = String)]
    pub amount: Decimal,
    #[schema(value_type = String)]
    pub reserved: Decimal,
    #[schema(value_type = String)]
    pub free: Decimal,
}

/// The sync's state for one entity kind.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SyncHealthRow {
    /// `product`, `contact` or `sales_document`.
    pub entity: String,
    /// The company's own records of the kind.
    pub crm_records: u64,
    /// Records with a Metakocka mapping, of any status.
    pub mapped: u64,
    pub synced: u64,
    pub pending: u64,
    pub conflict: u64,
    pub error: u64,
    /// Records without a mapping yet.
    pub unsynced: u64,
    /// Conflicts waiting for a person.
    pub open_conflicts: u64,
    pub last_run_started_at: Option<DateTime<Utc>>,
    pub last_run_finished_at: Option<DateTime<Utc>>,
    /// `running`, `done`, `failed` or `cancelled`.
    pub last_run_state: Option<String>,
    pub last_run_failed: Option<u64>,
}

impl ReportRows {
    pub fn len(&self) -> usize {
        match self {
            Self::SalesByMonth(rows) => rows.len(),
            Self::TopProducts(rows) => rows.len(),
            Self::TopCustomers(rows) => rows.len(),
            Self::LowStock(rows) => rows.len(),
            Self::SyncHealth(rows) => rows.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The rows as serde values, each an object whose keys are the columns in order.
    fn values(&self) -> Vec<serde_json::Value> {
        let values = match self {
            Self::SalesByMonth(rows) => serde_json::to_value(rows),
            Self::TopProducts(rows) => serde_json::to_value(rows),
            Self::TopCustomers(rows) => serde_json::to_value(rows),
            Self::LowStock(rows) => serde_json::to_value(rows),
            Self::SyncHealth(rows) => serde_json::to_value(rows),
        };
        match values {
            Ok(serde_json::Value::Array(rows)) => rows,
            _ => Vec::new(),
        }
    }
}

/// The column names of `kind`, in order (also the CSV header when there are no rows).
pub fn columns(kind: ReportKind) -> &'static [&'static str] {
    match kind {
        ReportKind::SalesByMonth => &["month", "currency", "documents", "net", "vat", "gross"],
        ReportKind::TopProducts => &[
            "product_id",
            "code",
            "name",
            "currency",
            "quantity",
            "revenue",
            "documents",
        ],
        ReportKind::TopCustomers => &["contact_id", "name", "currency", "orders", "net", "gross"],
        ReportKind::LowStock => &[
            "product_mk_id",
            "product_code",
            "product_name",
            "warehouse_id",
            "warehouse_mark",
            "warehouse_name",
            "amount",
            "reserved",
            "free",
        ],
        ReportKind::SyncHealth => &[
            "entity",
            "crm_records",
            "mapped",
            "synced",
            "pending",
            "conflict",
            "error",
            "unsynced",
            "open_conflicts",
            "last_run_started_at",
            "last_run_finished_at",
            "last_run_state",
            "last_run_failed",
        ],
    }
}

fn cell(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

impl Report {
    /// Every row as its cells' text, in [`columns`] order: the CSV's and the table's.
    pub fn cells(&self) -> Vec<Vec<String>> {
        let columns = columns(self.report);
        self.rows
            .values()
            .iter()
            .map(|row| {
                columns
                    .iter()
                    .map(|c| row.get(*c).map(cell).unwrap_or_default())
                    .collect()
            })
            .collect()
    }

    /// The CSV: a header line, then one record per row.
    pub fn to_csv(&self) -> Result<Vec<u8>, csv::Error> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(columns(self.report))?;
        for row in self.cells() {
            writer.write_record(&row)?;
        }
        writer.into_inner().map_err(|e| e.into_error().into())
    }

    /// The chart's title and bars: one bar per row, the measure the report ranks by.
    pub fn chart(&self) -> (String, Vec<(String, f64)>) {
        // Floats only for bar heights; the table and exports show the exact decimals.
        let height = |d: Decimal| d.to_f64().unwrap_or(0.0);
        match &self.rows {
            ReportRows::SalesByMonth(rows) => (
                "Gross sales per month".into(),
                rows.iter()
                    .map(|r| (format!("{} {}", r.month, r.currency), height(r.gross)))
                    .collect(),
            ),
            ReportRows::TopProducts(rows) => {
                let by_quantity = self.parameters.by == super::params::Ranking::Quantity;
                let title = if by_quantity {
                    "Units sold per product"
                } else {
                    "Net revenue per product"
                };
                let points = rows.iter().map(|r| {
                    let value = if by_quantity { r.quantity } else { r.revenue };
                    (r.code.clone(), height(value))
                });
                (title.into(), points.collect())
            }
            ReportRows::TopCustomers(rows) => {
                let by_orders = self.parameters.by == super::params::Ranking::Orders;
                let title = if by_orders {
                    "Orders per customer"
                } else {
                    "Net revenue per customer"
                };
                let points = rows.iter().map(|r| {
                    let label = r.name.clone().unwrap_or_else(|| r.contact_id.clone());
                    let value = if by_orders {
                        r.orders as f64
                    } else {
                        height(r.net)
                    };
                    (label, value)
                });
                (title.into(), points.collect())
            }
            ReportRows::LowStock(rows) => (
                "Free stock".into(),
                rows.iter()
                    .map(|r| {
                        let product = r.product_code.as_deref().unwrap_or(&r.product_mk_id);
                        let warehouse = r.warehouse_mark.as_deref().unwrap_or(&r.warehouse_id);
                        (format!("{product} @ {warehouse}"), height(r.free))
                    })
                    .collect(),
            ),
            ReportRows::SyncHealth(rows) => (
                "Records needing attention (unsynced, conflict, error)".into(),
                rows.iter()
                    .map(|r| {
                        let attention = r.unsynced + r.conflict + r.error;
                        (r.entity.clone(), attention as f64)
                    })
                    .collect(),
            ),
        }
    }
}

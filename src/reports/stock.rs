//! The low-stock report: entries of the company's inventory snapshot whose free stock is
//! below the threshold, optionally of one warehouse (by Metakocka id or mark), the emptiest
//! first. It reads the snapshot the scheduled refresh keeps, never Metakocka itself.

use super::output::LowStockRow;
use super::params::ReportParams;
use crate::domain::CompanyId;
use crate::store::{Store, StoreResult};
use chrono::{DateTime, Utc};

/// When the snapshot was taken (`None` before the first refresh) and its low entries.
pub async fn low_stock(
    store: &dyn Store,
    company: &CompanyId,
    params: &ReportParams,
) -> StoreResult<(Option<DateTime<Utc>>, Vec<LowStockRow>)> {
    let Some(snapshot) = store.inventory_snapshot(company).await? else {
        return Ok((None, Vec::new()));
    };
    let warehouse = params.warehouse.as_deref();
    let mut rows: Vec<LowStockRow> = snapshot
        .entries
        .into_iter()
        .filter(|e| e.free < params.threshold)
        .filter(|e| {
            warehouse.is_none_or(|w| e.warehouse_id == w || e.warehouse_mark.as_deref() == Some(w))
        })
        .map(|e| LowStockRow {
            product_mk_id: e.product_mk_id,
            product_code: e.product_code,
            product_name: e.product_name,
            warehouse_id: e.warehouse_id,
            warehouse_mark: e.warehouse_mark,
            warehouse_name: e.warehouse_name,
            amount: e.amount,
            reserved: e.reserved,
            free: e.free,
        })
        .collect();
    rows.sort_by(|a, b| {
        (a.free.cmp(&b.free))
            .then_with(|| a.product_code.cmp(&b.product_code))
            .then_with(|| a.product_mk_id.cmp(&b.product_mk_id))
            .then_with(|| a.warehouse_id.cmp(&b.warehouse_id))
    });
    Ok((Some(snapshot.refreshed_at), rows))
}

//! [`ReportStore`] in SQLite: the whole inventory snapshot (one read transaction, so the
//! rows and the time are of the same snapshot) and `report_schedules`.

use super::{SqliteStore, corrupt, from_millis, millis, unavailable};
use crate::domain::{CompanyId, Sealed};
use crate::metakocka::inventory::{ProductInventory, StockEntry};
use crate::reports::ReportKind;
use crate::reports::params::ReportQuery;
use crate::reports::schedule::{Cadence, DeliveryOutcome, DestinationKind, ReportSchedule};
use crate::store::{ReportStore, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};
use rust_decimal::Decimal;

const COLUMNS: &str = "id, company_id, report, parameters, cadence, destination_kind, destination,
     destination_hint, created_at, next_due_at, last_delivery_at, last_delivery_ok,
     last_delivery_detail";

/// One schedule row's columns, before they are parsed.
struct ScheduleRow {
    texts: [String; 8],
    created_at: i64,
    next_due_at: i64,
    last: (Option<i64>, Option<bool>, Option<String>),
}

fn read_row(row: &Row<'_>) -> rusqlite::Result<ScheduleRow> {
    Ok(ScheduleRow {
        texts: [
            row.get(0)?,
            row.get(1)?,
            row.get(2)?,
            row.get(3)?,
            row.get(4)?,
            row.get(5)?,
            row.get(6)?,
            row.get(7)?,
        ],
        created_at: row.get(8)?,
        next_due_at: row.get(9)?,
        last: (row.get(10)?, row.get(11)?, row.get(12)?),
    })
}

impl ScheduleRow {
    fn into_schedule(self) -> StoreResult<ReportSchedule> {
        let [
            id,
            company,
            report,
            parameters,
            cadence,
            kind,
            destination,
            hint,
        ] = self.texts;
        let last_delivery = match self.last {
            (Some(at), Some(ok), detail) => Some(DeliveryOutcome {
                at: from_millis(at)?,
                ok,
                detail: detail.unwrap_or_default(),
            }),
            _ => None,
        };
        Ok(ReportSchedule {
            report: ReportKind::parse(&report)
                .ok_or_else(|| corrupt(format!("unknown report {report:?}")))?,
            parameters: serde_json::from_str::<ReportQuery>(&parameters)
                .map_err(|e| corrupt(format!("report parameters: {e}")))?,
            cadence: Cadence::parse(&cadence)
                .ok_or_else(|| corrupt(format!("unknown cadence {cadence:?}")))?,
            destination_kind: DestinationKind::parse(&kind)
                .ok_or_else(|| corrupt(format!("unknown destination kind {kind:?}")))?,
            destination: Sealed::from_stored(destination),
            destination_hint: hint,
            created_at: from_millis(self.created_at)?,
            next_due_at: from_millis(self.next_due_at)?,
            last_delivery,
            id,
            company_id: CompanyId::from(company),
        })
    }
}

fn collect(
    rows: impl Iterator<Item = rusqlite::Result<ScheduleRow>>,
) -> StoreResult<Vec<ReportSchedule>> {
    rows.map(|row| row.map_err(unavailable)?.into_schedule())
        .collect()
}

#[async_trait]
impl ReportStore for SqliteStore {
    async fn inventory_snapshot(
        &self,
        company: &CompanyId,
    ) -> StoreResult<Option<ProductInventory>> {
        let company = company.clone();
        self.read(move |conn| {
            let tx = conn.unchecked_transaction().map_err(unavailable)?;
            let refreshed_at: Option<i64> = tx
                .query_row(
                    "SELECT refreshed_at FROM metakocka_inventory_snapshots WHERE company_id = ?1",
                    params![company.as_str()],
                    |row| row.get(0),
                )
                .optional()
                .map_err(unavailable)?;
            let Some(refreshed_at) = refreshed_at else {
                return Ok(None);
            };
            let mut select = tx
                .prepare_cached(
                    "SELECT product_mk_id, product_code, count_code, product_name, warehouse_id,
                         warehouse_mark, warehouse_name, amount, reserved, free
                     FROM metakocka_inventory WHERE company_id = ?1
                     ORDER BY product_mk_id, warehouse_id",
                )
                .map_err(unavailable)?;
            let rows = select
                .query_map(params![company.as_str()], |row| {
                    let amounts: [String; 3] = [row.get(7)?, row.get(8)?, row.get(9)?];
                    Ok((
                        StockEntry {
                            product_mk_id: row.get(0)?,
                            product_code: row.get(1)?,
                            count_code: row.get(2)?,
                            product_name: row.get(3)?,
                            warehouse_id: row.get(4)?,
                            warehouse_mark: row.get(5)?,
                            warehouse_name: row.get(6)?,
                            amount: Decimal::ZERO,
                            reserved: Decimal::ZERO,
                            free: Decimal::ZERO,
                        },
                        amounts,
                    ))
                })
                .map_err(unavailable)?;
            let mut entries = Vec::new();
            for row in rows {
                let (mut entry, [amount, reserved, free]) = row.map_err(unavailable)?;
                entry.amount = decimal(&amount)?;
                entry.reserved = decimal(&reserved)?;
                entry.free = decimal(&free)?;
                entries.push(entry);
            }
            Ok(Some(ProductInventory {
                refreshed_at: from_millis(refreshed_at)?,
                entries,
            }))
        })
        .await
    }

    async fn insert_report_schedule(&self, schedule: &ReportSchedule) -> StoreResult<()> {
        let s = schedule.clone();
        let parameters = serde_json::to_string(&s.parameters)
            .map_err(|e| corrupt(format!("report parameters: {e}")))?;
        self.writer
            .write(move |conn| {
                conn.execute(
                    &format!(
                        "INSERT INTO report_schedules ({COLUMNS})
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
                    ),
                    params![
                        s.id,
                        s.company_id.as_str(),
                        s.report.as_str(),
                        parameters,
                        s.cadence.as_str(),
                        s.destination_kind.as_str(),
                        s.destination.as_stored(),
                        s.destination_hint,
                        millis(s.created_at),
                        millis(s.next_due_at),
                        s.last_delivery.as_ref().map(|o| millis(o.at)),
                        s.last_delivery.as_ref().map(|o| o.ok),
                        s.last_delivery.as_ref().map(|o| o.detail.clone()),
                    ],
                )
                .map(|_| ())
                .map_err(unavailable)
            })
            .await
    }

    async fn get_report_schedule(
        &self,
        company: &CompanyId,
        id: &str,
    ) -> StoreResult<Option<ReportSchedule>> {
        let (company, id) = (company.clone(), id.to_owned());
        self.read(move |conn| {
            conn.query_row(
                &format!(
                    "SELECT {COLUMNS} FROM report_schedules WHERE company_id = ?1 AND id = ?2"
                ),
                params![company.as_str(), id],
                read_row,
            )
            .optional()
            .map_err(unavailable)?
            .map(ScheduleRow::into_schedule)
            .transpose()
        })
        .await
    }

    async fn list_report_schedules(&self, company: &CompanyId) -> StoreResult<Vec<ReportSchedule>> {
        let company = company.clone();
        self.read(move |conn| {
            let mut select = conn
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM report_schedules WHERE company_id = ?1
                     ORDER BY created_at, id"
                ))
                .map_err(unavailable)?;
            let rows = select
                .query_map(params![company.as_str()], read_row)
                .map_err(unavailable)?;
            collect(rows)
        })
        .await
    }

    async fn delete_report_schedule(&self, company: &CompanyId, id: &str) -> StoreResult<bool> {
        let (company, id) = (company.clone(), id.to_owned());
        self.writer
            .write(move |conn| {
                conn.execute(
                    "DELETE FROM report_schedules WHERE company_id = ?1 AND id = ?2",
                    params![company.as_str(), id],
                )
                .map(|changed| changed > 0)
                .map_err(unavailable)
            })
            .await
    }

    async fn due_report_schedules(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<ReportSchedule>> {
        self.read(move |conn| {
            let mut select = conn
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM report_schedules WHERE next_due_at <= ?1
                     ORDER BY next_due_at, id LIMIT ?2"
                ))
                .map_err(unavailable)?;
            let rows = select
                .query_map(params![millis(now), limit], read_row)
                .map_err(unavailable)?;
            collect(rows)
        })
        .await
    }

    async fn claim_report_schedule(
        &self,
        company: &CompanyId,
        id: &str,
        due: DateTime<Utc>,
        next: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let (company, id) = (company.clone(), id.to_owned());
        self.writer
            .write(move |conn| {
                conn.execute(
                    "UPDATE report_schedules SET next_due_at = ?4
                     WHERE company_id = ?1 AND id = ?2 AND next_due_at = ?3",
                    params![company.as_str(), id, millis(due), millis(next)],
                )
                .map(|changed| changed > 0)
                .map_err(unavailable)
            })
            .await
    }

    async fn record_report_delivery(
        &self,
        company: &CompanyId,
        id: &str,
        outcome: &DeliveryOutcome,
    ) -> StoreResult<bool> {
        let (company, id, outcome) = (company.clone(), id.to_owned(), outcome.clone());
        self.writer
            .write(move |conn| {
                conn.execute(
                    "UPDATE report_schedules SET last_delivery_at = ?3, last_delivery_ok = ?4,
                         last_delivery_detail = ?5
                     WHERE company_id = ?1 AND id = ?2",
                    params![
                        company.as_str(),
                        id,
                        millis(outcome.at),
                        outcome.ok,
                        outcome.detail
                    ],
                )
                .map(|changed| changed > 0)
                .map_err(unavailable)
            })
            .await
    }
}

fn decimal(text: &str) -> StoreResult<Decimal> {
    text.parse()
        .map_err(|_| corrupt(format!("an inventory amount {text:?} is not a decimal")))
}

//! `metakocka_*_mappings` in SQLite: one table per entity kind, the same columns in each.

use super::records_products;
use super::{SqliteStore, corrupt, from_millis, is_unique_violation, millis, unavailable};
use crate::domain::CompanyId;
use crate::metakocka::sync::model::{EntityKind, Mapping, MappingStatus, PulledWrite, RecordWrite};
use crate::records::product::Product;
use crate::store::{MetakockaMappingStore, StoreError, StoreResult};
use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, Row, params};

const COLUMNS: &str =
    "company_id, crm_id, mk_id, count_code, status, last_synced_at, crm_hash, mk_hash, last_error";

fn table(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Product => "metakocka_product_mappings",
        EntityKind::Contact => "metakocka_contact_mappings",
        EntityKind::SalesDocument => "metakocka_sales_document_mappings",
    }
}

#[async_trait]
impl MetakockaMappingStore for SqliteStore {
    async fn put_mapping(&self, mapping: &Mapping) -> StoreResult<()> {
        let m = mapping.clone();
        self.writer.write(move |conn| upsert(conn, &m)).await
    }

    async fn get_mapping_by_crm(
        &self,
        company: &CompanyId,
        kind: EntityKind,
        crm_id: &str,
    ) -> StoreResult<Option<Mapping>> {
        self.one_mapping(company, kind, "crm_id", crm_id).await
    }

    async fn get_mapping_by_mk(
        &self,
        company: &CompanyId,
        kind: EntityKind,
        mk_id: &str,
    ) -> StoreResult<Option<Mapping>> {
        self.one_mapping(company, kind, "mk_id", mk_id).await
    }

    async fn list_mappings(
        &self,
        company: &CompanyId,
        kind: EntityKind,
    ) -> StoreResult<Vec<Mapping>> {
        let company = company.clone();
        self.read(move |conn| {
            let mut select = conn
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM {} WHERE company_id = ?1 ORDER BY crm_id",
                    table(kind)
                ))
                .map_err(unavailable)?;
            let rows = select
                .query_map(params![company.as_str()], |row| read(row, kind))
                .map_err(unavailable)?;
            rows.map(|row| row.map_err(unavailable)?).collect()
        })
        .await
    }

    async fn delete_mapping(
        &self,
        company: &CompanyId,
        kind: EntityKind,
        crm_id: &str,
    ) -> StoreResult<bool> {
        let (company, crm_id) = (company.clone(), crm_id.to_owned());
        self.writer
            .write(move |conn| {
                conn.execute(
                    &format!(
                        "DELETE FROM {} WHERE company_id = ?1 AND crm_id = ?2",
                        table(kind)
                    ),
                    params![company.as_str(), crm_id],
                )
                .map(|n| n > 0)
                .map_err(unavailable)
            })
            .await
    }

    async fn write_pulled_products(
        &self,
        company: &CompanyId,
        writes: &[PulledWrite<Product>],
    ) -> StoreResult<Vec<StoreResult<()>>> {
        let (company, writes) = (company.clone(), writes.to_vec());
        // One writer job (one commit) for the page; a savepoint per record, so a failing
        // record leaves the others written.
        self.writer
            .write(move |conn| {
                writes
                    .iter()
                    .map(|write| {
                        conn.execute_batch("SAVEPOINT pulled")
                            .map_err(unavailable)?;
                        let written = write_pulled(conn, &company, write);
                        let end = if written.is_ok() {
                            "RELEASE pulled"
                        } else {
                            "ROLLBACK TO pulled; RELEASE pulled"
                        };
                        conn.execute_batch(end).map_err(unavailable)?;
                        Ok(written)
                    })
                    .collect()
            })
            .await
    }
}

/// One pulled product and its mapping, inside the page's savepoint.
fn write_pulled(
    conn: &Connection,
    company: &CompanyId,
    write: &PulledWrite<Product>,
) -> StoreResult<()> {
    let foreign = |what: &str| StoreError::Conflict(format!("{what} belongs to another company"));
    if &write.mapping.company_id != company || write.mapping.kind != EntityKind::Product {
        return Err(foreign("the mapping"));
    }
    match &write.record {
        Some(RecordWrite::Insert(p) | RecordWrite::Update(p)) if &p.company_id != company => {
            return Err(foreign("the product"));
        }
        Some(RecordWrite::Insert(p)) => records_products::insert_row(conn, p)?,
        Some(RecordWrite::Update(p)) if !records_products::update_row(conn, p)? => {
            return Err(StoreError::Conflict(format!("product {} is gone", p.id)));
        }
        Some(RecordWrite::Update(_)) | None => {}
    }
    upsert(conn, &write.mapping)
}

/// Inserts or replaces the mapping of `(company, crm_id)` inside a writer job.
fn upsert(conn: &Connection, m: &Mapping) -> StoreResult<()> {
    conn.execute(
        &format!(
            "INSERT INTO {} ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (company_id, crm_id) DO UPDATE SET
               mk_id = excluded.mk_id, count_code = excluded.count_code,
               status = excluded.status, last_synced_at = excluded.last_synced_at,
               crm_hash = excluded.crm_hash, mk_hash = excluded.mk_hash,
               last_error = excluded.last_error",
            table(m.kind)
        ),
        params![
            m.company_id.as_str(),
            m.crm_id,
            m.mk_id,
            m.count_code,
            m.status.as_str(),
            m.last_synced_at.map(millis),
            m.crm_hash,
            m.mk_hash,
            m.last_error,
        ],
    )
    .map(drop)
    .map_err(|e| {
        if is_unique_violation(&e) {
            StoreError::Conflict(format!(
                "Metakocka record {} is mapped to another record",
                m.mk_id
            ))
        } else {
            unavailable(e)
        }
    })
}

impl SqliteStore {
    async fn one_mapping(
        &self,
        company: &CompanyId,
        kind: EntityKind,
        column: &'static str,
        value: &str,
    ) -> StoreResult<Option<Mapping>> {
        let (company, value) = (company.clone(), value.to_owned());
        self.read(move |conn| {
            conn.query_row(
                &format!(
                    "SELECT {COLUMNS} FROM {} WHERE company_id = ?1 AND {column} = ?2",
                    table(kind)
                ),
                params![company.as_str(), value],
                |row| read(row, kind),
            )
            .optional()
            .map_err(unavailable)?
            .transpose()
        })
        .await
    }
}

/// A row as a mapping; the outer error is SQLite's, the inner one a value that does not parse.
fn read(row: &Row<'_>, kind: EntityKind) -> rusqlite::Result<StoreResult<Mapping>> {
    let status: String = row.get(4)?;
    let synced: Option<i64> = row.get(5)?;
    let company: String = row.get(0)?;
    let (crm_id, mk_id, count_code) = (row.get(1)?, row.get(2)?, row.get(3)?);
    let (crm_hash, mk_hash, last_error) = (row.get(6)?, row.get(7)?, row.get(8)?);
    Ok((|| {
        Ok(Mapping {
            company_id: CompanyId::from(company),
            kind,
            crm_id,
            mk_id,
            count_code,
            status: MappingStatus::parse(&status)
                .ok_or_else(|| corrupt(format!("mapping status {status:?}")))?,
            last_synced_at: synced.map(from_millis).transpose()?,
            crm_hash,
            mk_hash,
            last_error,
        })
    })())
}

//! `sales_documents` in MongoDB: one document per sales document, `_id` its uuid, its lines
//! an embedded array (read and replaced with the document, so one write is atomic). A
//! partial unique `(company_id, doc_type, number)` index
//! (migrations/mongo/0007_sales_documents.json) turns a second document of a number into a
//! `Conflict`; `number` is left out rather than null when absent, so that documents without
//! one never collide. Decimals are strings; the text filter matches a `search` field
//! lower-cased in Rust, as the SQLite engine does.

use super::MongoStore;
use super::errors::{conflict_or, store_error};
use super::records::{from_bson_date, to_bson_date};
use crate::domain::CompanyId;
use crate::records::RecordPage;
use crate::records::sales_document::{
    DocStatus, DocType, SalesDocument, SalesDocumentLine, SalesDocumentQuery, Totals,
};
use crate::store::{SalesDocumentStore, StoreError, StoreResult};
use async_trait::async_trait;
use chrono::NaiveDate;
use futures::TryStreamExt;
use mongodb::bson::{self, Document, doc};
use serde::{Deserialize, Serialize};

const SALES_DOCUMENTS: &str = "sales_documents";
const DUPLICATE_NUMBER: &str = "the company already has a document of this type and number";

#[async_trait]
impl SalesDocumentStore for MongoStore {
    async fn insert_sales_document(&self, document: &SalesDocument) -> StoreResult<()> {
        self.collection::<SalesDocumentRecord>(SALES_DOCUMENTS)
            .insert_one(SalesDocumentRecord::new(document))
            .await
            .map(|_| ())
            .map_err(|e| conflict_or(e, DUPLICATE_NUMBER))
    }

    async fn get_sales_document(
        &self,
        company: &CompanyId,
        id: &str,
    ) -> StoreResult<Option<SalesDocument>> {
        self.collection::<SalesDocumentRecord>(SALES_DOCUMENTS)
            .find_one(doc! { "_id": id, "company_id": company.as_str() })
            .await
            .map_err(store_error)?
            .map(SalesDocumentRecord::into_document)
            .transpose()
    }

    async fn list_sales_documents(
        &self,
        company: &CompanyId,
        query: &SalesDocumentQuery,
    ) -> StoreResult<RecordPage<SalesDocument>> {
        let collection = self.collection::<SalesDocumentRecord>(SALES_DOCUMENTS);
        let filter = list_filter(company, query);
        let total = collection
            .count_documents(filter.clone())
            .await
            .map_err(store_error)?;
        let records: Vec<SalesDocumentRecord> = collection
            .find(filter)
            .sort(doc! { "doc_date": -1, "_id": -1 })
            .skip(u64::from(query.records.offset))
            .limit(i64::from(query.records.limit))
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)?;
        let items = records
            .into_iter()
            .map(SalesDocumentRecord::into_document)
            .collect::<StoreResult<_>>()?;
        Ok(RecordPage { items, total })
    }

    async fn update_sales_document(&self, document: &SalesDocument) -> StoreResult<bool> {
        let replaced = self
            .collection::<SalesDocumentRecord>(SALES_DOCUMENTS)
            .replace_one(
                doc! { "_id": document.id.as_str(), "company_id": document.company_id.as_str() },
                SalesDocumentRecord::new(document),
            )
            .await
            .map_err(|e| conflict_or(e, DUPLICATE_NUMBER))?;
        Ok(replaced.matched_count > 0)
    }

    async fn delete_sales_document(&self, company: &CompanyId, id: &str) -> StoreResult<bool> {
        let deleted = self
            .collection::<SalesDocumentRecord>(SALES_DOCUMENTS)
            .delete_one(doc! { "_id": id, "company_id": company.as_str() })
            .await
            .map_err(store_error)?;
        Ok(deleted.deleted_count > 0)
    }
}

/// The company's documents that pass every filter the query sets.
fn list_filter(company: &CompanyId, query: &SalesDocumentQuery) -> Document {
    let mut filter = doc! { "company_id": company.as_str() };
    if let Some(text) = &query.records.text {
        filter.insert("search", doc! { "$regex": regex::escape(text) });
    }
    if let Some(doc_type) = query.doc_type {
        filter.insert("doc_type", doc_type.as_str());
    }
    if let Some(contact_id) = &query.contact_id {
        filter.insert("contact_id", contact_id.as_str());
    }
    if let Some(status) = query.status {
        filter.insert("status", status.as_str());
    }
    if let Some(product_id) = &query.product_id {
        filter.insert("lines.product_id", product_id.as_str());
    }
    filter
}

/// A document of `sales_documents`.
#[derive(Debug, Serialize, Deserialize)]
struct SalesDocumentRecord {
    #[serde(rename = "_id")]
    id: String,
    company_id: CompanyId,
    doc_type: DocType,
    /// Left out when absent: the unique index is partial on its presence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    number: Option<String>,
    contact_id: String,
    /// `YYYY-MM-DD`, so string order is date order.
    doc_date: String,
    status: DocStatus,
    currency: String,
    lines: Vec<SalesDocumentLine>,
    total_net: String,
    total_vat: String,
    total_gross: String,
    notes: Option<String>,
    created_at: bson::DateTime,
    updated_at: bson::DateTime,
    search: String,
}

impl SalesDocumentRecord {
    fn new(d: &SalesDocument) -> Self {
        Self {
            id: d.id.clone(),
            company_id: d.company_id.clone(),
            doc_type: d.doc_type,
            number: d.number.clone(),
            contact_id: d.contact_id.clone(),
            doc_date: d.doc_date.format("%Y-%m-%d").to_string(),
            status: d.status,
            currency: d.currency.clone(),
            lines: d.lines.clone(),
            total_net: d.totals.net.to_string(),
            total_vat: d.totals.vat.to_string(),
            total_gross: d.totals.gross.to_string(),
            notes: d.notes.clone(),
            created_at: to_bson_date(d.created_at),
            updated_at: to_bson_date(d.updated_at),
            search: d.search_text(),
        }
    }

    fn into_document(self) -> StoreResult<SalesDocument> {
        let decimal = |text: &str| {
            text.parse().map_err(|_| {
                StoreError::Corrupt(format!("a document amount {text:?} is not a decimal"))
            })
        };
        Ok(SalesDocument {
            doc_date: NaiveDate::parse_from_str(&self.doc_date, "%Y-%m-%d").map_err(|_| {
                StoreError::Corrupt(format!("document {}: date {:?}", self.id, self.doc_date))
            })?,
            totals: Totals {
                net: decimal(&self.total_net)?,
                vat: decimal(&self.total_vat)?,
                gross: decimal(&self.total_gross)?,
            },
            created_at: from_bson_date(self.created_at)?,
            updated_at: from_bson_date(self.updated_at)?,
            id: self.id,
            company_id: self.company_id,
            doc_type: self.doc_type,
            number: self.number,
            contact_id: self.contact_id,
            status: self.status,
            currency: self.currency,
            lines: self.lines,
            notes: self.notes,
        })
    }
}

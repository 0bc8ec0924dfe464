//! The sales reports, computed in Rust over the company's sales documents read page by page
//! (newest first, so a read stops at the first page older than `from`).
//!
//! Which documents count: those of the date range (both days included) and the document
//! type, if given; cancelled documents never do. Amounts of different currencies are never
//! added together: every row is one currency's.

use super::output::{CustomerRank, MonthSales, ProductRank};
use super::params::{Ranking, ReportParams};
use crate::domain::CompanyId;
use crate::records::RecordQuery;
use crate::records::sales_document::{DocStatus, SalesDocument, SalesDocumentQuery};
use crate::store::{Store, StoreResult};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};

/// Documents read per store call.
const PAGE: u32 = 200;

/// The documents the parameters select.
pub async fn documents(
    store: &dyn Store,
    company: &CompanyId,
    params: &ReportParams,
) -> StoreResult<Vec<SalesDocument>> {
    let mut selected = Vec::new();
    let mut offset = 0;
    loop {
        let mut query = SalesDocumentQuery::all(RecordQuery {
            text: None,
            limit: PAGE,
            offset,
        });
        query.doc_type = params.doc_type;
        let page = store.list_sales_documents(company, &query).await?;
        let read = page.items.len() as u32;
        let oldest = page.items.last().map(|d| d.doc_date);
        selected.extend(page.items.into_iter().filter(|d| {
            d.status != DocStatus::Cancelled
                && params.from.is_none_or(|from| d.doc_date >= from)
                && params.to.is_none_or(|to| d.doc_date <= to)
        }));
        let older_than_range = matches!((oldest, params.from), (Some(o), Some(f)) if o < f);
        if read < PAGE || older_than_range {
            return Ok(selected);
        }
        offset += read;
    }
}

/// Count and totals per month and currency, oldest month first.
pub async fn by_month(
    store: &dyn Store,
    company: &CompanyId,
    params: &ReportParams,
) -> StoreResult<Vec<MonthSales>> {
    let mut months: BTreeMap<(String, String), MonthSales> = BTreeMap::new();
    for doc in documents(store, company, params).await? {
        let month = doc.doc_date.format("%Y-%m").to_string();
        let row = months
            .entry((month.clone(), doc.currency.clone()))
            .or_insert_with(|| MonthSales {
                month,
                currency: doc.currency.clone(),
                documents: 0,
                net: Decimal::ZERO,
                vat: Decimal::ZERO,
                gross: Decimal::ZERO,
            });
        row.documents += 1;
        row.net += doc.totals.net;
        row.vat += doc.totals.vat;
        row.gross += doc.totals.gross;
    }
    Ok(months.into_values().collect())
}

/// The `limit` best-selling products by quantity or net revenue (ties: the other measure,
/// then the code).
pub async fn top_products(
    store: &dyn Store,
    company: &CompanyId,
    params: &ReportParams,
) -> StoreResult<Vec<ProductRank>> {
    let mut products: HashMap<(String, String), ProductRank> = HashMap::new();
    for doc in documents(store, company, params).await? {
        // A product on two lines of one document is still one document.
        let mut counted = std::collections::HashSet::new();
        for line in &doc.lines {
            let key = (line.product_id.clone(), doc.currency.clone());
            let row = products.entry(key.clone()).or_insert_with(|| ProductRank {
                product_id: line.product_id.clone(),
                code: line.code.clone(),
                name: line.name.clone(),
                currency: doc.currency.clone(),
                quantity: Decimal::ZERO,
                revenue: Decimal::ZERO,
                documents: 0,
            });
            row.quantity += line.quantity;
            row.revenue += line.net_amount;
            if counted.insert(key) {
                row.documents += 1;
            }
        }
    }
    let mut rows: Vec<ProductRank> = products.into_values().collect();
    rows.sort_by(|a, b| {
        let measures = |r: &ProductRank| match params.by {
            Ranking::Quantity => (r.quantity, r.revenue),
            _ => (r.revenue, r.quantity),
        };
        (measures(b).cmp(&measures(a)))
            .then_with(|| a.code.cmp(&b.code))
            .then_with(|| a.currency.cmp(&b.currency))
    });
    rows.truncate(params.limit as usize);
    Ok(rows)
}

/// The `limit` best customers by net revenue or number of documents (ties: the other
/// measure, then the contact id). Names are read for the rows shown only.
pub async fn top_customers(
    store: &dyn Store,
    company: &CompanyId,
    params: &ReportParams,
) -> StoreResult<Vec<CustomerRank>> {
    let mut customers: HashMap<(String, String), CustomerRank> = HashMap::new();
    for doc in documents(store, company, params).await? {
        let key = (doc.contact_id.clone(), doc.currency.clone());
        let row = customers.entry(key).or_insert_with(|| CustomerRank {
            contact_id: doc.contact_id.clone(),
            name: None,
            currency: doc.currency.clone(),
            orders: 0,
            net: Decimal::ZERO,
            gross: Decimal::ZERO,
        });
        row.orders += 1;
        row.net += doc.totals.net;
        row.gross += doc.totals.gross;
    }
    let mut rows: Vec<CustomerRank> = customers.into_values().collect();
    rows.sort_by(|a, b| {
        let order = match params.by {
            Ranking::Orders => (b.orders, b.net).cmp(&(a.orders, a.net)),
            _ => (b.net, b.orders).cmp(&(a.net, a.orders)),
        };
        order
            .then_with(|| a.contact_id.cmp(&b.contact_id))
            .then_with(|| a.currency.cmp(&b.currency))
    });
    rows.truncate(params.limit as usize);
    for row in &mut rows {
        row.name = store
            .get_contact(company, &row.contact_id)
            .await?
            .map(|c| c.name);
    }
    Ok(rows)
}

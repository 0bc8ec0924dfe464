//! What one reindex reads from Metakocka, all of it before anything is indexed: the
//! warehouses, products (with price lists) and stock, the recent sales documents of the
//! configured types (`search` with whole documents), and the partners those documents name.
//!
//! Metakocka has no call that lists every partner (`get_partner` needs a name, id, email,
//! ...), and no date condition for `search`, so: documents are searched by type and kept when
//! dated within the window, and the partners indexed are those of the recent documents, each
//! read whole by `get_partner` with its `mk_id` (the document carries only a summary; a
//! partner Metakocka no longer finds keeps that summary).

use super::records;
use crate::metakocka::client::{MetakockaClient, MetakockaCredentials, MetakockaError};
use crate::metakocka::error_log::EntityType;
use crate::metakocka::inventory::{StockEntry, build_entries};
use crate::metakocka::types::{
    Document, Partner, PartnerQuery, Product, ProductListQuery, SearchQuery, StockQuery,
};
use chrono::NaiveDate;
use futures::StreamExt;

/// Metakocka's records for one reindex.
pub struct Pulled {
    pub products: Vec<Product>,
    pub stock: Vec<StockEntry>,
    pub partners: Vec<Partner>,
    pub documents: Vec<Document>,
}

/// A failed call and what it was reading, for the error log.
pub struct PullError {
    pub entity: EntityType,
    pub operation: &'static str,
    pub error: MetakockaError,
}

fn reading(
    entity: EntityType,
    operation: &'static str,
) -> impl FnOnce(MetakockaError) -> PullError {
    move |error| PullError {
        entity,
        operation,
        error,
    }
}

pub async fn pull(
    client: &MetakockaClient,
    credentials: &MetakockaCredentials,
    document_types: &[String],
    since: NaiveDate,
) -> Result<Pulled, PullError> {
    let warehouses = (client.warehouse_list(credentials).await)
        .map_err(reading(EntityType::Warehouse, "warehouse_list"))?;
    let query = ProductListQuery {
        return_pricelist: Some(true),
        ..ProductListQuery::default()
    };
    let products = (client.product_list_all(credentials, &query).await)
        .map_err(reading(EntityType::Product, "product_list"))?;
    let stock_lines = (client
        .warehouse_stock_all(credentials, &StockQuery::default())
        .await)
        .map_err(reading(EntityType::Inventory, "warehouse_stock"))?;
    let stock = build_entries(&products, &warehouses, &stock_lines);

    let mut documents = Vec::new();
    for doc_type in document_types {
        let query = SearchQuery {
            doc_type: doc_type.clone(),
            result: Some("doc".to_owned()),
            ..SearchQuery::default()
        };
        let found = (client.search_all(credentials, &query).await)
            .map_err(reading(EntityType::SalesDocument, "search"))?;
        documents.extend(found.into_iter().filter(|d| records::is_recent(d, since)));
    }
    let partners = partners_of(client, credentials, &documents).await?;
    Ok(Pulled {
        products,
        stock,
        partners,
        documents,
    })
}

/// The partners (buyers and receivers) the documents name, once each, read whole.
async fn partners_of(
    client: &MetakockaClient,
    credentials: &MetakockaCredentials,
    documents: &[Document],
) -> Result<Vec<Partner>, PullError> {
    let mut named: Vec<Partner> = Vec::new();
    let mut keys = std::collections::HashSet::new();
    for partner in documents
        .iter()
        .flat_map(|d| d.partner.iter().chain(&d.receiver))
    {
        if let Some(key) = records::partner_key(partner)
            && keys.insert(key)
        {
            named.push(partner.clone());
        }
    }
    // Two at a time: the client's own per-company limit for calls other than search.
    let mut partners = Vec::with_capacity(named.len());
    let mut reads = futures::stream::iter(named)
        .map(|summary| read_partner(client, credentials, summary))
        .buffered(2);
    while let Some(partner) = reads.next().await {
        partners.push(partner.map_err(reading(EntityType::Contact, "get_partner"))?);
    }
    Ok(partners)
}

/// The partner as Metakocka keeps it now; its summary when it has no id or is not found.
async fn read_partner(
    client: &MetakockaClient,
    credentials: &MetakockaCredentials,
    summary: Partner,
) -> Result<Partner, MetakockaError> {
    let Some(mk_id) = summary.mk_id.clone() else {
        return Ok(summary);
    };
    let query = PartnerQuery {
        partner_id: Some(mk_id.clone()),
        ..PartnerQuery::default()
    };
    let found = client.get_partner(credentials, &query).await?;
    Ok(found
        .into_iter()
        .find(|p| p.mk_id.as_deref() == Some(mk_id.as_str()))
        .unwrap_or(summary))
}

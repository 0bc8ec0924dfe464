//! Sales documents: a CRM sales document ↔ a Metakocka document of the same type
//! (`sales_order`, `sales_offer`, `sales_bill_domestic`; `put_document`, `get_document`,
//! `update_document`, `search`), matched by type and number (`count_code`; a pushed
//! document keeps crm-mind's number when it has one).
//!
//! Synced after creation: the header (type, number, date, currency, notes). Lines travel
//! when a document is created on either side (a pulled line names a product crm-mind must
//! already have, by code; a pulled partner becomes or matches a contact), and are not
//! synced afterwards: Metakocka changes a line only through its `mk_row_id`, which crm-mind
//! does not keep, so sending lines again would add rows instead of changing them.
//!
//! Mappings do not keep the document type; `get_document` asks each synced type in turn
//! (Metakocka answers "Document not found" for the others).

use super::SyncError;
use super::contacts::Contacts;
use super::entity::{Ctx, RunFilter, SyncEntity, key};
use super::hash::Fields;
use super::model::{EntityKind, Mapping};
use super::products::{Products, trimmed};
use crate::metakocka::client::{ErrorCategory, MetakockaError};
use crate::metakocka::error_log::EntityType;
use crate::metakocka::types::{
    self, Document, DocumentKey, DocumentLine, Partner, PartnerContact, SearchQuery,
};
use crate::records::sales_document::totals::{document_totals, line_net};
use crate::records::sales_document::{
    DocStatus, DocType, SalesDocument, SalesDocumentLine, SalesDocumentQuery,
};
use crate::records::{RecordQuery, new_id, now};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

const PAGE: u32 = 200;

pub struct Documents;

#[async_trait]
impl SyncEntity for Documents {
    type Crm = SalesDocument;
    type Mk = Document;
    const KIND: EntityKind = EntityKind::SalesDocument;
    const ERROR_ENTITY: EntityType = EntityType::SalesDocument;

    fn crm_id(crm: &SalesDocument) -> &str {
        &crm.id
    }

    fn crm_updated_at(crm: &SalesDocument) -> DateTime<Utc> {
        crm.updated_at
    }

    fn mk_id(mk: &Document) -> Option<&str> {
        mk.mk_id.as_deref()
    }

    fn mk_count_code(mk: &Document) -> Option<&str> {
        mk.count_code.as_deref()
    }

    fn crm_fields(d: &SalesDocument) -> Fields {
        Fields::new()
            .text("doc_type", Some(d.doc_type.as_str()))
            .text("number", d.number.as_deref())
            .text("doc_date", Some(&d.doc_date.to_string()))
            .text("currency", Some(&d.currency))
            .text("notes", d.notes.as_deref())
    }

    fn mk_fields(d: &Document) -> Fields {
        Fields::new()
            .text("doc_type", d.doc_type.as_deref())
            .text("number", d.count_code.as_deref())
            .text("doc_date", date_of(d).map(|d| d.to_string()).as_deref())
            .text("currency", d.currency_code.as_deref())
            .text("notes", d.notes.as_deref())
    }

    fn crm_keys(d: &SalesDocument) -> Vec<String> {
        key(&format!("doc:{}", d.doc_type.as_str()), d.number.as_deref())
            .into_iter()
            .collect()
    }

    fn mk_keys(d: &Document) -> Vec<String> {
        let Some(doc_type) = &d.doc_type else {
            return Vec::new();
        };
        key(&format!("doc:{doc_type}"), d.count_code.as_deref())
            .into_iter()
            .collect()
    }

    async fn crm_list(ctx: &Ctx, filter: &RunFilter) -> Result<Vec<SalesDocument>, SyncError> {
        let doc_type = filter
            .doc_type
            .as_deref()
            .map(|t| DocType::parse("doc_type", t))
            .transpose()
            .map_err(|e| SyncError::Invalid(e.to_string()))?;
        let mut all = Vec::new();
        loop {
            let mut query = SalesDocumentQuery::all(RecordQuery {
                text: None,
                limit: PAGE,
                offset: u32::try_from(all.len()).unwrap_or(u32::MAX),
            });
            query.doc_type = doc_type;
            let page = ctx.store.list_sales_documents(&ctx.company, &query).await?;
            let done = page.items.len() < PAGE as usize;
            all.extend(page.items);
            if done {
                break;
            }
        }
        Ok(all
            .into_iter()
            .filter(|d| {
                filter
                    .changed_since
                    .is_none_or(|since| d.updated_at >= since)
            })
            .collect())
    }

    async fn crm_get(ctx: &Ctx, id: &str) -> Result<Option<SalesDocument>, SyncError> {
        Ok(ctx.store.get_sales_document(&ctx.company, id).await?)
    }

    async fn mk_list(ctx: &Ctx, filter: &RunFilter) -> Result<Vec<Document>, SyncError> {
        let mut all = Vec::new();
        for doc_type in doc_types(filter) {
            let query = SearchQuery {
                doc_type: doc_type.as_str().to_owned(),
                query: filter.partner.clone(),
                result: Some("doc".to_owned()),
                ..SearchQuery::default()
            };
            let mut found = ctx.client.search_all(&ctx.credentials, &query).await?;
            for d in &mut found {
                d.doc_type
                    .get_or_insert_with(|| doc_type.as_str().to_owned());
            }
            all.extend(found);
        }
        Ok(all)
    }

    async fn mk_get(ctx: &Ctx, mapping: &Mapping) -> Result<Option<Document>, SyncError> {
        Self::mk_by_id(ctx, &mapping.mk_id).await
    }

    async fn mk_by_id(ctx: &Ctx, mk_id: &str) -> Result<Option<Document>, SyncError> {
        for doc_type in DocType::ALL {
            let key = DocumentKey::by_mk_id(doc_type.as_str(), mk_id);
            if let Some(found) = get_document(ctx, &key).await? {
                return Ok(Some(found));
            }
        }
        Ok(None)
    }

    async fn mk_find(ctx: &Ctx, crm: &SalesDocument) -> Result<Option<Document>, SyncError> {
        let Some(number) = &crm.number else {
            return Ok(None);
        };
        let key = DocumentKey::by_count_code(crm.doc_type.as_str(), number);
        get_document(ctx, &key).await
    }

    async fn crm_find(ctx: &Ctx, mk: &Document) -> Result<Option<SalesDocument>, SyncError> {
        let (Some(doc_type), Some(number)) = (&mk.doc_type, &mk.count_code) else {
            return Ok(None);
        };
        let Ok(doc_type) = DocType::parse("doc_type", doc_type) else {
            return Ok(None);
        };
        let mut query = SalesDocumentQuery::all(RecordQuery::new(Some(number), Some(50), None));
        query.doc_type = Some(doc_type);
        let page = ctx.store.list_sales_documents(&ctx.company, &query).await?;
        Ok(page
            .items
            .into_iter()
            .find(|d| d.number.as_deref() == Some(number.as_str())))
    }

    async fn push_create(
        ctx: &Ctx,
        crm: &SalesDocument,
    ) -> Result<(String, Option<String>), SyncError> {
        let contact = ctx
            .store
            .get_contact(&ctx.company, &crm.contact_id)
            .await?
            .ok_or_else(|| SyncError::NotFound(format!("contact {}", crm.contact_id)))?;
        let mut document = header(crm);
        document.partner = Some(Partner {
            customer: Some(contact.name.clone()),
            street: contact.street.clone(),
            post_number: contact.post_number.clone(),
            place: contact.city.clone(),
            country: contact.country.clone(),
            tax_id_number: contact.vat_id.clone(),
            partner_contact: contact.email.as_ref().map(|e| PartnerContact {
                email: Some(e.as_str().to_owned()),
                ..PartnerContact::default()
            }),
            ..Partner::default()
        });
        document.product_list = (crm.lines.iter())
            .map(|line| DocumentLine {
                code: Some(line.code.clone()),
                name: Some(line.name.clone()),
                unit: line.unit.clone(),
                amount: Some(line.quantity),
                price: Some(line.unit_price),
                discount: (!line.discount_percent.is_zero()).then_some(line.discount_percent),
                ..DocumentLine::default()
            })
            .collect();
        let saved = ctx.client.put_document(&ctx.credentials, &document).await?;
        Ok((saved.mk_id, saved.count_code))
    }

    async fn push_update(
        ctx: &Ctx,
        crm: &SalesDocument,
        _mk: &Document,
        mapping: &Mapping,
    ) -> Result<(), SyncError> {
        let mut document = header(crm);
        document.mk_id = Some(mapping.mk_id.clone());
        ctx.client
            .update_document(&ctx.credentials, &document)
            .await?;
        Ok(())
    }

    async fn pull_create(ctx: &Ctx, mk: &Document) -> Result<SalesDocument, SyncError> {
        let doc_type = (mk.doc_type.as_deref())
            .and_then(|t| DocType::parse("doc_type", t).ok())
            .ok_or_else(|| SyncError::Invalid("not a synced document type".to_owned()))?;
        let partner = mk
            .partner
            .as_ref()
            .ok_or_else(|| SyncError::Invalid("the Metakocka document has no partner".into()))?;
        let contact = match Contacts::crm_find(ctx, partner).await? {
            Some(contact) => contact,
            None => Contacts::pull_create(ctx, partner).await?,
        };
        let mut lines = Vec::new();
        for line in &mk.product_list {
            let wanted = types::Product {
                code: line.code.clone(),
                ..types::Product::default()
            };
            let product = Products::crm_find(ctx, &wanted).await?.ok_or_else(|| {
                SyncError::Invalid(format!(
                    "line product {} is not in crm-mind; pull products first",
                    line.code.as_deref().unwrap_or("(no code)")
                ))
            })?;
            let quantity = line.amount.unwrap_or(Decimal::ONE);
            let unit_price = line.price.unwrap_or_default();
            let discount_percent = line.discount.unwrap_or_default();
            lines.push(SalesDocumentLine {
                product_id: product.id.clone(),
                code: product.code.clone(),
                name: line.name.clone().unwrap_or(product.name.clone()),
                unit: line.unit.clone().or(product.unit.clone()),
                quantity,
                unit_price,
                discount_percent,
                vat_rate: product.vat_rate,
                net_amount: line_net(quantity, unit_price, discount_percent),
            });
        }
        let at = now();
        let mut document = SalesDocument {
            id: new_id(),
            company_id: ctx.company.clone(),
            doc_type,
            number: None,
            contact_id: contact.id,
            doc_date: at.date_naive(),
            status: DocStatus::Confirmed,
            currency: "EUR".to_owned(),
            totals: document_totals(&lines),
            lines,
            notes: None,
            created_at: at,
            updated_at: at,
        };
        copy_header(&mut document, mk);
        ctx.store.insert_sales_document(&document).await?;
        Ok(document)
    }

    async fn pull_update(
        ctx: &Ctx,
        crm: &SalesDocument,
        mk: &Document,
    ) -> Result<SalesDocument, SyncError> {
        let mut document = crm.clone();
        copy_header(&mut document, mk);
        document.updated_at = now();
        if !ctx.store.update_sales_document(&document).await? {
            return Err(SyncError::NotFound(format!("sales document {}", crm.id)));
        }
        Ok(document)
    }
}

fn doc_types(filter: &RunFilter) -> Vec<DocType> {
    match filter.doc_type.as_deref() {
        Some(wanted) => DocType::ALL
            .into_iter()
            .filter(|t| t.as_str() == wanted)
            .collect(),
        None => DocType::ALL.to_vec(),
    }
}

/// `get_document`, with "not found" (Metakocka's refusal of an unknown id or number) as none.
async fn get_document(ctx: &Ctx, key: &DocumentKey) -> Result<Option<Document>, SyncError> {
    match ctx.client.get_document(&ctx.credentials, key).await {
        Ok(mut found) => {
            found.doc_type.get_or_insert_with(|| key.doc_type.clone());
            Ok(Some(found))
        }
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

fn is_not_found(e: &MetakockaError) -> bool {
    e.category() == ErrorCategory::NotFound
}

/// Metakocka's date (`"2015-05-08+02:00"`) as a day.
fn date_of(d: &Document) -> Option<NaiveDate> {
    let text = d.doc_date.as_deref()?.trim();
    NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()
}

fn header(crm: &SalesDocument) -> Document {
    Document {
        doc_type: Some(crm.doc_type.as_str().to_owned()),
        count_code: crm.number.clone(),
        doc_date: Some(crm.doc_date.to_string()),
        currency_code: Some(crm.currency.clone()),
        notes: crm.notes.clone(),
        ..Document::default()
    }
}

fn copy_header(document: &mut SalesDocument, mk: &Document) {
    document.number = trimmed(mk.count_code.as_deref());
    if let Some(date) = date_of(mk) {
        document.doc_date = date;
    }
    if let Some(currency) = trimmed(mk.currency_code.as_deref()) {
        document.currency = currency;
    }
    document.notes = trimmed(mk.notes.as_deref());
}

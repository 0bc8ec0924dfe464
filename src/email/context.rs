//! One email's context: what an agent sees beside it and what a reply may be written from —
//! the partner, their recent documents, the documents it mentions in full, the products it
//! names with price and current stock (the inventory snapshot), and the company's CRM and
//! Metakocka chunks that retrieval finds for its text. Every item says where it came from.
//!
//! When the sender is a known CRM contact, the context also says what their sales documents
//! show ([`super::insights`]): facts such as a reorder being due, and products to suggest.
//!
//! Only the email's own company's data is read: every store, Metakocka and retrieval call is
//! the company's. What could not be read (Metakocka down) is a warning, not a failure.

use super::enrich::{DocumentMatch, Enrichment, PartnerMatch, ProductMatch};
use super::insights::{Insights, Recommendation};
use super::language::Language;
use super::{Emails, StoredEmail};
use crate::domain::{CompanyId, UserId};
use crate::metakocka::inventory::ProductKey;
use crate::metakocka::types::{Document, DocumentKey, PartnerQuery, SearchQuery};
use crate::rag::index::ChunkFilter;
use rust_decimal::Decimal;
use serde::Serialize;

/// Recent documents of the partner shown at most.
const RECENT_DOCUMENTS: usize = 5;
/// Retrieval chunks at most.
const CHUNKS: usize = 5;
/// Suggested products at most: a reply mentions a few, not a catalogue.
const RECOMMENDATIONS: usize = 3;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PartnerFacts {
    pub name: Option<String>,
    pub email: Option<String>,
    pub partner_mk_id: Option<String>,
    pub contact_id: Option<String>,
    pub street: Option<String>,
    pub place: Option<String>,
    pub country: Option<String>,
    pub source: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocumentSummary {
    pub doc_type: Option<String>,
    pub mk_id: Option<String>,
    pub count_code: Option<String>,
    pub doc_date: Option<String>,
    pub status: Option<String>,
    pub total: Option<Decimal>,
    pub currency: Option<String>,
    pub source: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MentionedDocument {
    /// The document as Metakocka answered it (its fields are Metakocka's).
    #[schema(value_type = Object)]
    pub document: Document,
    pub source: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProductFacts {
    pub code: String,
    pub name: String,
    pub price: Option<Decimal>,
    pub currency: Option<String>,
    /// Free stock over all warehouses in the snapshot; `None` when the snapshot does not
    /// know the product (or there is no snapshot).
    pub stock: Option<Decimal>,
    pub stock_as_of: Option<chrono::DateTime<chrono::Utc>>,
    pub source: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Chunk {
    pub text: String,
    pub score: f32,
    pub source: String,
}

/// The context of one email.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EmailContext {
    pub email_id: String,
    pub language: Language,
    pub partner: Option<PartnerFacts>,
    pub recent_documents: Vec<DocumentSummary>,
    pub mentioned_documents: Vec<MentionedDocument>,
    pub products: Vec<ProductFacts>,
    pub chunks: Vec<Chunk>,
    /// What the sender's CRM sales documents say (none when the sender is no CRM contact).
    pub insights: Option<Insights>,
    /// Products to suggest to the sender, from their purchase history.
    pub recommendations: Vec<Recommendation>,
    pub warnings: Vec<String>,
}

impl Emails {
    /// The context of `email` (enriched first when it never was).
    pub async fn context(
        &self,
        user: Option<&UserId>,
        email: StoredEmail,
    ) -> Result<(StoredEmail, EmailContext), crate::store::StoreError> {
        let company = email.company_id.clone();
        let email = match email.enrichment {
            Some(_) => email,
            None => self.enrich(&company, user, email).await?,
        };
        let enrichment = email.enrichment.clone().expect("enriched above");
        let mut context = EmailContext {
            email_id: email.id.clone(),
            language: email.language,
            partner: None,
            recent_documents: Vec::new(),
            mentioned_documents: Vec::new(),
            products: Vec::new(),
            chunks: Vec::new(),
            insights: None,
            recommendations: Vec::new(),
            warnings: enrichment.warnings.clone(),
        };
        self.metakocka_facts(&company, user, &enrichment, &mut context)
            .await;
        for product in &enrichment.products {
            context
                .products
                .push(self.product_facts(&email, product).await?);
        }
        if let Some(contact) = self.contact_of_email(&email).await? {
            let today = crate::records::now().date_naive();
            context.insights = Some(
                self.insights(&company, &contact, email.language, today)
                    .await?,
            );
            let found = self
                .recommendations(&company, &contact, email.language, RECOMMENDATIONS)
                .await?;
            context.recommendations = found.recommendations;
            context.warnings.extend(found.warnings);
        }
        if let Some(retrieval) = &self.retrieval {
            match retrieval
                .search(
                    ChunkFilter::company(company),
                    &email.analysed_text(),
                    CHUNKS,
                )
                .await
            {
                Ok(hits) => {
                    context.chunks = (hits.into_iter())
                        .map(|hit| Chunk {
                            source: format!("{} {} ({})", hit.link_name, hit.path, hit.source_url),
                            text: hit.text,
                            score: hit.score,
                        })
                        .collect()
                }
                Err(e) => context.warnings.push(format!("retrieval failed: {e}")),
            }
        }
        Ok((email, context))
    }

    async fn metakocka_facts(
        &self,
        company: &CompanyId,
        user: Option<&UserId>,
        enrichment: &Enrichment,
        context: &mut EmailContext,
    ) {
        context.partner = enrichment.partner.as_ref().map(partner_from_match);
        let Some((client, credentials)) = self.metakocka(company, user).await else {
            return;
        };
        if let Some(mk_id) = enrichment
            .partner
            .as_ref()
            .and_then(|p| p.partner_mk_id.clone())
        {
            let query = PartnerQuery {
                partner_id: Some(mk_id.clone()),
                ..PartnerQuery::default()
            };
            match client.get_partner(&credentials, &query).await {
                Ok(found) => {
                    if let (Some(partner), Some(facts)) =
                        (found.into_iter().next(), context.partner.as_mut())
                    {
                        facts.street = partner.street;
                        facts.place = partner.place;
                        facts.country = partner.country;
                        facts.source = format!("Metakocka get_partner {mk_id}");
                    }
                }
                Err(e) => context
                    .warnings
                    .push(format!("the partner could not be read: {e}")),
            }
        }
        if let Some(name) = enrichment
            .partner
            .as_ref()
            .and_then(|p| p.partner_mk_id.as_ref().and(p.name.clone()))
        {
            for doc_type in ["sales_order", "sales_bill_domestic"] {
                let query = SearchQuery {
                    doc_type: doc_type.to_owned(),
                    query: Some(name.clone()),
                    result: Some("doc".to_owned()),
                    ..SearchQuery::default()
                };
                match client.search_all(&credentials, &query).await {
                    Ok(documents) => context.recent_documents.extend(
                        (documents.into_iter())
                            .filter(|d| {
                                d.partner.as_ref().and_then(|p| p.customer.as_deref())
                                    == Some(name.as_str())
                            })
                            .map(|d| summary(d, doc_type)),
                    ),
                    Err(e) => context
                        .warnings
                        .push(format!("the partner's documents could not be read: {e}")),
                }
            }
            context
                .recent_documents
                .sort_by(|a, b| b.doc_date.cmp(&a.doc_date));
            context.recent_documents.truncate(RECENT_DOCUMENTS);
        }
        for mentioned in &enrichment.documents {
            let key = DocumentKey::by_mk_id(&mentioned.doc_type, &mentioned.mk_id);
            match client.get_document(&credentials, &key).await {
                Ok(document) => context.mentioned_documents.push(MentionedDocument {
                    document,
                    source: document_source(mentioned),
                }),
                Err(e) => context.warnings.push(format!(
                    "document {} could not be read: {e}",
                    mentioned.count_code
                )),
            }
        }
    }

    async fn product_facts(
        &self,
        email: &StoredEmail,
        product: &ProductMatch,
    ) -> Result<ProductFacts, crate::store::StoreError> {
        let inventory = self
            .inventory
            .lookup(&email.company_id, &ProductKey::Code(product.code.clone()))
            .await?;
        let (stock, stock_as_of) = match inventory {
            Some(inventory) if !inventory.entries.is_empty() => (
                Some(inventory.entries.iter().map(|e| e.free).sum()),
                Some(inventory.refreshed_at),
            ),
            _ => (None, None),
        };
        let mut sources = Vec::new();
        if let Some(id) = &product.product_id {
            sources.push(format!("CRM product {id}"));
        }
        if let Some(mk_id) = &product.mk_id {
            sources.push(format!("Metakocka product {mk_id}"));
        }
        if let Some(at) = stock_as_of {
            sources.push(format!("inventory snapshot of {}", at.to_rfc3339()));
        }
        Ok(ProductFacts {
            code: product.code.clone(),
            name: product.name.clone(),
            price: product.price,
            currency: product.currency.clone(),
            stock,
            stock_as_of,
            source: sources.join("; "),
        })
    }
}

fn partner_from_match(p: &PartnerMatch) -> PartnerFacts {
    PartnerFacts {
        name: p.name.clone(),
        email: p.email.clone(),
        partner_mk_id: p.partner_mk_id.clone(),
        contact_id: p.contact_id.clone(),
        street: None,
        place: None,
        country: None,
        source: match (&p.partner_mk_id, &p.contact_id) {
            (Some(mk_id), _) => format!("Metakocka partner {mk_id}"),
            (None, Some(id)) => format!("CRM contact {id}"),
            (None, None) => "the email's sender".to_owned(),
        },
    }
}

fn document_source(d: &DocumentMatch) -> String {
    format!("Metakocka get_document {} {}", d.doc_type, d.count_code)
}

fn summary(d: Document, doc_type: &str) -> DocumentSummary {
    let source = format!(
        "Metakocka search {doc_type} {}",
        d.count_code.as_deref().unwrap_or("?")
    );
    DocumentSummary {
        doc_type: d.doc_type.or_else(|| Some(doc_type.to_owned())),
        mk_id: d.mk_id,
        count_code: d.count_code,
        doc_date: d.doc_date,
        status: d.status_code,
        total: d.sum_all.or(d.sum_basic),
        currency: d.currency_code,
        source,
    }
}

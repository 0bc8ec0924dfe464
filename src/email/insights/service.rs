//! [`Emails::recommendations`] and [`Emails::insights`]: the pure parts of this module over
//! the company's store (its sales documents and catalogue), the inventory snapshot and
//! retrieval. Every read is the company's own: another company's documents never shape a
//! recommendation.

use super::history::History;
use super::insight::{OpenDocument, Reorder, Volume, derive};
use super::recommend::{Neighbour, Reason, bought_together, merge};
use super::render::{Statement, reason_text, statements};
use super::similar::{neighbours_by_name, neighbours_from_hits};
use crate::domain::CompanyId;
use crate::email::language::Language;
use crate::email::{Emails, StoredEmail};
use crate::metakocka::inventory::ProductKey;
use crate::metakocka::sync::model::EntityKind;
use crate::rag::index::{ChunkFilter, Source};
use crate::records::RecordQuery;
use crate::records::product::Product;
use crate::records::sales_document::SalesDocumentQuery;
use crate::store::StoreError;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::HashMap;

/// Recommendations answered when the caller does not say how many.
pub const DEFAULT_RECOMMENDATIONS: usize = 5;
pub const MAX_RECOMMENDATIONS: usize = 20;
/// Bought products whose neighbours are searched (the most recently bought first): each is
/// one retrieval search.
const SEARCHED_PRODUCTS: usize = 5;
/// Hits read per searched product.
const HITS_PER_PRODUCT: usize = 8;
/// Documents and products read at most: enough for a small shop's whole history, and a
/// bound on one request's work for a large one.
const MAX_RECORDS: u32 = 10_000;

/// A product suggested to a customer.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Recommendation {
    pub product_id: String,
    pub code: String,
    pub name: String,
    pub price: Decimal,
    pub currency: String,
    /// Free stock in the inventory snapshot; `null` when the snapshot does not know the
    /// product. A product the snapshot knows to be out of stock is never suggested.
    pub stock: Option<Decimal>,
    pub score: f64,
    /// Why, as a sentence in the answer's language.
    pub reason: String,
    pub reasons: Vec<Reason>,
    pub source: String,
}

/// `GET /api/ai/recommendations`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Recommendations {
    /// The CRM contact the recommendations are for.
    pub partner_id: String,
    #[schema(value_type = String)]
    pub language: Language,
    pub recommendations: Vec<Recommendation>,
    /// What could not be used (retrieval off, say): the answer is still right, but thinner.
    pub warnings: Vec<String>,
}

/// `GET /api/ai/insights`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Insights {
    pub partner_id: String,
    pub as_of: NaiveDate,
    #[schema(value_type = String)]
    pub language: Language,
    pub reorder: Option<Reorder>,
    pub volume: Option<Volume>,
    pub open_documents: Vec<OpenDocument>,
    /// The documents the facts were read from.
    pub source: String,
    /// The facts above as sentences with their sources: what the email context and the
    /// reply prompt carry.
    pub statements: Vec<Statement>,
}

impl Emails {
    /// The CRM contact `id` names: a contact of the company, or a Metakocka partner the
    /// sync mapped to one. `None` when neither.
    pub async fn resolve_contact(
        &self,
        company: &CompanyId,
        id: &str,
    ) -> Result<Option<String>, StoreError> {
        if self.store.get_contact(company, id).await?.is_some() {
            return Ok(Some(id.to_owned()));
        }
        let mapped = self
            .store
            .get_mapping_by_mk(company, EntityKind::Contact, id)
            .await?;
        Ok(mapped.map(|m| m.crm_id))
    }

    /// The CRM contact who wrote `email`, as enrichment found them (directly, or through
    /// their Metakocka partner's mapping).
    pub async fn contact_of_email(
        &self,
        email: &StoredEmail,
    ) -> Result<Option<String>, StoreError> {
        let Some(partner) = email.enrichment.as_ref().and_then(|e| e.partner.as_ref()) else {
            return Ok(None);
        };
        if let Some(id) = &partner.contact_id {
            return self.resolve_contact(&email.company_id, id).await;
        }
        match &partner.partner_mk_id {
            Some(mk_id) => self.resolve_contact(&email.company_id, mk_id).await,
            None => Ok(None),
        }
    }

    /// The company's sales documents, newest first.
    async fn history(&self, company: &CompanyId) -> Result<History, StoreError> {
        let mut documents = Vec::new();
        loop {
            let query = SalesDocumentQuery::all(RecordQuery::new(
                None,
                Some(crate::records::MAX_LIMIT),
                Some(documents.len() as u32),
            ));
            let page = self.store.list_sales_documents(company, &query).await?;
            let done = page.items.is_empty()
                || documents.len() + page.items.len() >= page.total as usize
                || documents.len() as u32 >= MAX_RECORDS;
            documents.extend(page.items);
            if done {
                return Ok(History::new(documents));
            }
        }
    }

    async fn catalogue(&self, company: &CompanyId) -> Result<Vec<Product>, StoreError> {
        let mut products = Vec::new();
        loop {
            let query = RecordQuery::new(
                None,
                Some(crate::records::MAX_LIMIT),
                Some(products.len() as u32),
            );
            let page = self.store.list_products(company, &query).await?;
            let done = page.items.is_empty()
                || products.len() + page.items.len() >= page.total as usize
                || products.len() as u32 >= MAX_RECORDS;
            products.extend(page.items);
            if done {
                return Ok(products);
            }
        }
    }

    /// Products to suggest to `contact` (a CRM contact id of `company`), best first, at
    /// most `limit`; none out of stock, none they already bought, none inactive.
    #[tracing::instrument(skip_all, fields(company = %company))]
    pub async fn recommendations(
        &self,
        company: &CompanyId,
        contact: &str,
        language: Language,
        limit: usize,
    ) -> Result<Recommendations, StoreError> {
        let history = self.history(company).await?;
        let catalogue = self.catalogue(company).await?;
        let by_id: HashMap<&str, &Product> = catalogue.iter().map(|p| (p.id.as_str(), p)).collect();
        let bought = history.basket_of(contact);
        let mut warnings = Vec::new();
        // Most recently bought first: what they buy now says more than what they once did.
        let mut recent: Vec<&Product> = Vec::new();
        for document in history.documents_of(contact).iter().rev() {
            for line in &document.lines {
                if let Some(p) = by_id.get(line.product_id.as_str())
                    && !recent.iter().any(|r| r.id == p.id)
                {
                    recent.push(p);
                }
            }
        }
        recent.truncate(SEARCHED_PRODUCTS);
        let neighbours = self
            .neighbours(company, &recent, &catalogue, &mut warnings)
            .await;
        let candidates = merge(bought_together(&history, contact), &neighbours, &bought);
        let name_of = |id: &str| {
            by_id
                .get(id)
                .map(|p| p.name.clone())
                .or_else(|| history.line_name(id).map(str::to_owned))
                .unwrap_or_else(|| id.to_owned())
        };
        let mut recommendations = Vec::new();
        for candidate in candidates {
            if recommendations.len() >= limit.clamp(1, MAX_RECOMMENDATIONS) {
                break;
            }
            let Some(product) = by_id.get(candidate.product_id.as_str()) else {
                continue; // no longer in the catalogue
            };
            if !product.active {
                continue;
            }
            let snapshot = self
                .inventory
                .lookup(company, &ProductKey::Code(product.code.clone()))
                .await?
                .filter(|i| !i.entries.is_empty());
            let stock: Option<Decimal> = snapshot
                .as_ref()
                .map(|i| i.entries.iter().map(|e| e.free).sum());
            if stock.is_some_and(|s| s <= Decimal::ZERO) {
                continue;
            }
            let mut sources = vec![format!("CRM product {}", product.id)];
            if candidate
                .reasons
                .iter()
                .any(|r| matches!(r, Reason::BoughtTogether { .. }))
            {
                sources.push("the company's CRM sales documents".to_owned());
            }
            if let Some(at) = snapshot.map(|i| i.refreshed_at) {
                sources.push(format!("inventory snapshot of {}", at.to_rfc3339()));
            }
            recommendations.push(Recommendation {
                product_id: product.id.clone(),
                code: product.code.clone(),
                name: product.name.clone(),
                price: product.price,
                currency: product.currency.clone(),
                stock,
                score: candidate.score,
                reason: reason_text(&candidate.reasons, language, &name_of),
                reasons: candidate.reasons,
                source: sources.join("; "),
            });
        }
        Ok(Recommendations {
            partner_id: contact.to_owned(),
            language,
            recommendations,
            warnings,
        })
    }

    /// Neighbours by meaning of the `recent` products: retrieval's, or by name when it is
    /// off, fails or knows none of them.
    async fn neighbours(
        &self,
        company: &CompanyId,
        recent: &[&Product],
        catalogue: &[Product],
        warnings: &mut Vec<String>,
    ) -> Vec<Neighbour> {
        let mut found = Vec::new();
        if let Some(retrieval) = &self.retrieval {
            let by_code: HashMap<String, &Product> = (catalogue.iter())
                .map(|p| (p.code.to_lowercase(), p))
                .collect();
            for product in recent {
                let filter = ChunkFilter::company(company.clone()).source(Source::Metakocka);
                let text = format!("{} {}", product.name, product.code);
                match retrieval.search(filter, &text, HITS_PER_PRODUCT).await {
                    Ok(hits) => found.extend(neighbours_from_hits(product, &hits, &by_code)),
                    Err(e) => {
                        warnings.push(format!(
                            "similar products could not be searched ({e}); names were compared instead"
                        ));
                        found.clear();
                        break;
                    }
                }
            }
            if !found.is_empty() {
                return found;
            }
        } else {
            warnings.push(
                "retrieval is off: similar products were found by comparing names only".to_owned(),
            );
        }
        let all: Vec<&Product> = catalogue.iter().filter(|p| p.active).collect();
        recent
            .iter()
            .flat_map(|p| neighbours_by_name(p, &all))
            .collect()
    }

    /// What `contact`'s documents say about them as of `today`.
    #[tracing::instrument(skip_all, fields(company = %company))]
    pub async fn insights(
        &self,
        company: &CompanyId,
        contact: &str,
        language: Language,
        today: NaiveDate,
    ) -> Result<Insights, StoreError> {
        let history = self.history(company).await?;
        let documents = history.documents_of(contact);
        let derived = derive(&documents, today);
        let source = format!(
            "CRM sales documents of contact {contact} ({} documents)",
            documents.len()
        );
        Ok(Insights {
            partner_id: contact.to_owned(),
            as_of: today,
            language,
            statements: statements(&derived, language, &source),
            reorder: derived.reorder,
            volume: derived.volume,
            open_documents: derived.open_documents,
            source,
        })
    }
}

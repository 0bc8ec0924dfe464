//! Enrichment: who wrote an email and what it is about, as the company's CRM and Metakocka
//! know it — the sender as a CRM contact and/or Metakocka partner ([`sender`]), the
//! documents it mentions confirmed by Metakocka ([`documents`]), the products it names
//! ([`products`]). Each match records how it was found, why, and how sure it is; only
//! matches at or above [`THRESHOLD`] are kept.
//!
//! Metakocka is called with the credentials of the user who asked (their own, else the
//! organisation's). A Metakocka failure never fails the email: it lands in the integration's
//! error log and as a warning in the enrichment, and the rest still runs.

mod documents;
mod meaning;
mod products;
mod sender;

pub use documents::{DEFAULT_PATTERNS, DocumentPatterns};

use super::StoredEmail;
use super::links::{ContactLink, DocumentLink};
use crate::domain::CompanyId;
use crate::metakocka::client::{
    ErrorCategory, MetakockaClient, MetakockaCredentials, MetakockaError,
};
use crate::metakocka::error_log::{EntityType, ErrorLog, NewError};
use crate::metakocka::inventory::log_category;
use crate::store::{DynStore, StoreError};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Matches below this confidence are dropped.
pub const THRESHOLD: f32 = 0.5;

/// How a match was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchedBy {
    ContactEmail,
    PartnerEmail,
    ContactDomain,
    PartnerDomain,
    ContactName,
    PartnerName,
    DocumentNumber,
    BuyerOrder,
    ProductCode,
    ProductName,
    /// Found by hybrid search over the company's Metakocka products, confirmed by meaning.
    ProductMeaning,
}

/// The sender as the company knows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PartnerMatch {
    /// The CRM contact (`/api/contacts/{id}`), when one matched.
    pub contact_id: Option<String>,
    /// The Metakocka partner, when one matched.
    pub partner_mk_id: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub matched_by: MatchedBy,
    pub reason: String,
    pub confidence: f32,
}

/// A document the email mentions, as Metakocka has it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DocumentMatch {
    pub doc_type: String,
    pub mk_id: String,
    pub count_code: String,
    /// The text in the email that named it.
    pub mentioned_as: String,
    pub title: Option<String>,
    pub status: Option<String>,
    pub doc_date: Option<String>,
    pub total: Option<Decimal>,
    pub currency: Option<String>,
    pub partner_name: Option<String>,
    pub matched_by: MatchedBy,
    pub reason: String,
    pub confidence: f32,
}

/// A product the email names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProductMatch {
    pub code: String,
    pub name: String,
    /// The CRM product (`/api/products/{id}`), when the CRM has the code.
    pub product_id: Option<String>,
    /// The Metakocka product, when Metakocka has the code.
    pub mk_id: Option<String>,
    pub price: Option<Decimal>,
    pub currency: Option<String>,
    pub mentioned_as: String,
    pub matched_by: MatchedBy,
    pub reason: String,
    pub confidence: f32,
}

/// Everything enrichment found for one email.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Enrichment {
    pub partner: Option<PartnerMatch>,
    pub documents: Vec<DocumentMatch>,
    pub products: Vec<ProductMatch>,
    /// Numbers that looked like documents but that Metakocka did not confirm.
    pub unconfirmed_numbers: Vec<String>,
    /// What could not be checked, and why (Metakocka unreachable, no credentials).
    pub warnings: Vec<String>,
    pub enriched_at: DateTime<Utc>,
}

impl Enrichment {
    /// The rows of the two mapping tables.
    pub fn links(&self, email_id: &str) -> (Vec<ContactLink>, Vec<DocumentLink>) {
        let contacts = (self.partner.iter())
            .map(|p| ContactLink {
                email_id: email_id.to_owned(),
                partner_mk_id: p.partner_mk_id.clone(),
                contact_id: p.contact_id.clone(),
                reason: p.reason.clone(),
                confidence: p.confidence,
            })
            .collect();
        let documents = (self.documents.iter())
            .map(|d| DocumentLink {
                email_id: email_id.to_owned(),
                doc_type: d.doc_type.clone(),
                mk_id: d.mk_id.clone(),
                count_code: d.count_code.clone(),
                reason: d.reason.clone(),
                confidence: d.confidence,
            })
            .collect();
        (contacts, documents)
    }
}

/// One enrichment run of one company's email.
pub struct Enricher<'a> {
    store: &'a DynStore,
    company: &'a CompanyId,
    /// `None` without credentials, and after Metakocka failed (see `metakocka_failed`).
    metakocka: Option<(&'a MetakockaClient, &'a MetakockaCredentials)>,
    errors: &'a ErrorLog,
    patterns: &'a DocumentPatterns,
    /// Hybrid search over the company's products; `None` when retrieval is off.
    retrieval: Option<&'a crate::rag::Retrieval>,
    warnings: Vec<String>,
}

impl<'a> Enricher<'a> {
    pub fn new(
        store: &'a DynStore,
        company: &'a CompanyId,
        metakocka: Option<(&'a MetakockaClient, &'a MetakockaCredentials)>,
        errors: &'a ErrorLog,
        patterns: &'a DocumentPatterns,
    ) -> Self {
        let mut warnings = Vec::new();
        if metakocka.is_none() {
            warnings.push(
                "Metakocka was not consulted: the company has no usable Metakocka credentials"
                    .to_owned(),
            );
        }
        Self {
            store,
            company,
            metakocka,
            errors,
            patterns,
            retrieval: None,
            warnings,
        }
    }

    /// This run, also finding products by meaning through `retrieval`.
    pub fn with_retrieval(mut self, retrieval: Option<&'a crate::rag::Retrieval>) -> Self {
        self.retrieval = retrieval;
        self
    }

    /// Runs every matcher over `email`.
    pub async fn run(mut self, email: &StoredEmail) -> Result<Enrichment, StoreError> {
        let partner = sender::find(&mut self, email).await?;
        let (documents, unconfirmed_numbers) = documents::find(&mut self, email).await;
        let products = products::find(&mut self, email).await?;
        Ok(Enrichment {
            partner,
            documents,
            products,
            unconfirmed_numbers,
            warnings: self.warnings,
            enriched_at: crate::records::now(),
        })
    }

    /// Logs a Metakocka failure (error log and a warning) and lets enrichment go on. When
    /// Metakocka is unreachable or refuses the credentials, the rest of this run does not
    /// ask it again: each call would only wait through the same retries.
    async fn metakocka_failed(&mut self, entity: EntityType, what: &str, e: MetakockaError) {
        tracing::warn!(error = %e, what, "Metakocka failed during email enrichment");
        if !matches!(
            e.category(),
            ErrorCategory::Validation | ErrorCategory::NotFound
        ) {
            self.metakocka = None;
        }
        self.warnings
            .push(format!("{what} could not be checked in Metakocka: {e}"));
        self.errors
            .record(NewError {
                company_id: self.company.clone(),
                user_id: None,
                category: log_category(e.category()),
                entity_type: entity,
                entity_id: None,
                operation: "enrich_email".to_owned(),
                message: e.to_string(),
                details: serde_json::json!({ "step": what }),
            })
            .await;
    }
}

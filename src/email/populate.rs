//! The values of a template's placeholders, for one email (its context) and the records a
//! request names: a partner (Metakocka `mk_id` or CRM contact id), a document (`mk_id` or
//! number), a product (CRM id or code). Money, dates and amounts are written in the
//! template's language. A value that cannot be found is left out, so that rendering names
//! the placeholder that has none.

use super::Emails;
use super::context::{EmailContext, ProductFacts};
use super::format::{metakocka_date, money, quantity};
use super::insights::Recommendation;
use super::insights::render::list;
use super::language::Language;
use crate::domain::{CompanyId, UserId};
use crate::metakocka::inventory::ProductKey;
use crate::metakocka::types::{Document, PartnerQuery, SearchQuery};
use crate::store::StoreError;
use std::collections::BTreeMap;

/// Where the values come from.
#[derive(Debug, Default, Clone)]
pub struct ValueSources {
    pub partner_id: Option<String>,
    pub document_id: Option<String>,
    pub product_id: Option<String>,
    pub agent_name: Option<String>,
}

type Values = BTreeMap<String, String>;

/// Products the `{{ recommendations }}` of a partner's template lists at most.
const RECOMMENDED: usize = 3;

fn set(values: &mut Values, key: &str, value: Option<String>) {
    if let Some(value) = value.filter(|v| !v.trim().is_empty()) {
        values.insert(key.to_owned(), value);
    }
}

/// `order.*` of a document.
pub fn order_values(values: &mut Values, d: &Document, language: Language) {
    set(values, "order.number", d.count_code.clone());
    set(values, "order.status", d.status_code.clone());
    set(
        values,
        "order.date",
        d.doc_date.as_deref().map(|t| metakocka_date(t, language)),
    );
    let currency = d.currency_code.as_deref().unwrap_or("EUR");
    set(
        values,
        "order.total",
        d.sum_all
            .or(d.sum_basic)
            .map(|t| money(t, currency, language)),
    );
    let items: Vec<String> = (d.product_list.iter())
        .map(|line| {
            let amount = line
                .amount
                .map(|a| quantity(a, language))
                .unwrap_or_default();
            let name = line.name.as_deref().or(line.code.as_deref()).unwrap_or("?");
            format!("{amount} × {name}")
        })
        .collect();
    set(
        values,
        "order.items",
        (!items.is_empty()).then(|| items.join(", ")),
    );
}

/// `product.*` of a product of the context.
pub fn product_values(values: &mut Values, p: &ProductFacts, language: Language) {
    set(values, "product.name", Some(p.name.clone()));
    set(values, "product.code", Some(p.code.clone()));
    let currency = p.currency.as_deref().unwrap_or("EUR");
    set(
        values,
        "product.price",
        p.price.map(|v| money(v, currency, language)),
    );
    set(
        values,
        "product.stock",
        p.stock.map(|v| quantity(v, language)),
    );
}

/// The values an email's context gives: its partner, the first document it mentions, the
/// first product it names.
pub fn context_values(values: &mut Values, context: &EmailContext, language: Language) {
    if let Some(partner) = &context.partner {
        set(values, "partner.name", partner.name.clone());
        set(values, "partner.email", partner.email.clone());
    }
    if let Some(first) = context.mentioned_documents.first() {
        order_values(values, &first.document, language);
    }
    if let Some(first) = context.products.first() {
        product_values(values, first, language);
    }
    recommendation_values(values, &context.recommendations, language);
}

/// `recommendations`: the list, when there is anything to suggest.
pub fn recommendation_values(values: &mut Values, found: &[Recommendation], language: Language) {
    set(
        values,
        "recommendations",
        (!found.is_empty()).then(|| list(found, language)),
    );
}

impl Emails {
    /// The values of `context` (when given) and of the records `sources` names, which win.
    pub async fn template_values(
        &self,
        company: &CompanyId,
        user: Option<&UserId>,
        language: Language,
        context: Option<&EmailContext>,
        sources: &ValueSources,
    ) -> Result<Values, StoreError> {
        let mut values = Values::new();
        if let Some(company) = self.store.get_company(company).await? {
            set(&mut values, "company.name", Some(company.name));
        }
        set(&mut values, "agent.name", sources.agent_name.clone());
        if let Some(context) = context {
            context_values(&mut values, context, language);
        }
        if let Some(id) = &sources.partner_id {
            self.partner_values(company, user, id, &mut values).await?;
            // The email's sender's suggestions are not this partner's.
            values.remove("recommendations");
            if let Some(contact) = self.resolve_contact(company, id).await? {
                let found = self
                    .recommendations(company, &contact, language, RECOMMENDED)
                    .await?;
                recommendation_values(&mut values, &found.recommendations, language);
            }
        }
        if let Some(id) = &sources.document_id {
            let known = context.and_then(|c| {
                (c.mentioned_documents.iter())
                    .map(|m| &m.document)
                    .find(|d| d.mk_id.as_deref() == Some(id) || d.count_code.as_deref() == Some(id))
                    .cloned()
            });
            let document = match known {
                Some(document) => Some(document),
                None => self.find_document(company, user, id).await,
            };
            if let Some(document) = document {
                order_values(&mut values, &document, language);
            }
        }
        if let Some(id) = &sources.product_id {
            let product = match self.store.get_product(company, id).await? {
                Some(product) => Some(product),
                None => {
                    let query = crate::records::RecordQuery::new(Some(id), Some(50), None);
                    (self
                        .store
                        .list_products(company, &query)
                        .await?
                        .items
                        .into_iter())
                    .find(|p| p.code.eq_ignore_ascii_case(id))
                }
            };
            if let Some(product) = product {
                let stock = self
                    .inventory
                    .lookup(company, &ProductKey::Code(product.code.clone()))
                    .await?
                    .filter(|i| !i.entries.is_empty());
                let facts = ProductFacts {
                    stock: stock
                        .as_ref()
                        .map(|i| i.entries.iter().map(|e| e.free).sum()),
                    stock_as_of: stock.map(|i| i.refreshed_at),
                    code: product.code,
                    name: product.name,
                    price: Some(product.price),
                    currency: Some(product.currency),
                    source: format!("CRM product {}", product.id),
                };
                product_values(&mut values, &facts, language);
            }
        }
        Ok(values)
    }

    async fn partner_values(
        &self,
        company: &CompanyId,
        user: Option<&UserId>,
        id: &str,
        values: &mut Values,
    ) -> Result<(), StoreError> {
        if let Some(contact) = self.store.get_contact(company, id).await? {
            set(values, "partner.name", Some(contact.name));
            set(
                values,
                "partner.email",
                contact.email.map(|e| e.as_str().to_owned()),
            );
            return Ok(());
        }
        let Some((client, credentials)) = self.metakocka(company, user).await else {
            return Ok(());
        };
        let query = PartnerQuery {
            partner_id: Some(id.to_owned()),
            ..PartnerQuery::default()
        };
        if let Ok(partners) = client.get_partner(&credentials, &query).await
            && let Some(partner) = partners.into_iter().next()
        {
            let email = (partner.partner_contact_list.iter())
                .chain(partner.partner_contact.iter())
                .find_map(|c| c.email.clone());
            set(values, "partner.name", partner.customer);
            set(values, "partner.email", email);
        }
        Ok(())
    }

    /// A document by `mk_id` or number, searched in the sales types.
    async fn find_document(
        &self,
        company: &CompanyId,
        user: Option<&UserId>,
        id: &str,
    ) -> Option<Document> {
        let (client, credentials) = self.metakocka(company, user).await?;
        for doc_type in [
            "sales_order",
            "sales_bill_domestic",
            "sales_bill_foreign",
            "sales_offer",
        ] {
            let query = SearchQuery {
                doc_type: doc_type.to_owned(),
                query: Some(id.to_owned()),
                result: Some("doc".to_owned()),
                ..SearchQuery::default()
            };
            let documents = client.search_all(&credentials, &query).await.ok()?;
            if let Some(document) = documents
                .into_iter()
                .find(|d| d.mk_id.as_deref() == Some(id) || d.count_code.as_deref() == Some(id))
            {
                return Some(document);
            }
        }
        None
    }
}

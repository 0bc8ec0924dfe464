//! Turning a request body into a whole [`SalesDocument`]: the contact and every product
//! must be the company's own (another company's id is treated exactly like an unknown
//! one), each line takes its product's code, name and unit (and its price and VAT rate when
//! the line names none), and the totals are computed. The HTTP handlers use this, and so
//! can an import from Metakocka, so both check the same rules.

use super::input::SalesDocumentInput;
use super::totals::{document_totals, line_net};
use super::{DocumentFieldError, SalesDocument, SalesDocumentLine};
use crate::domain::CompanyId;
use crate::records::new_id;
use crate::records::product::Product;
use crate::store::{ContactStore, ProductStore, StoreError};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// Why a body did not become a document.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The client's to fix: a field, or a reference to no record of the company.
    #[error(transparent)]
    Invalid(#[from] DocumentFieldError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SalesDocument {
    /// A new document of `company` from a request body.
    pub async fn create<S>(
        store: &S,
        company: &CompanyId,
        input: &SalesDocumentInput,
        now: DateTime<Utc>,
    ) -> Result<Self, BuildError>
    where
        S: ContactStore + ProductStore + ?Sized,
    {
        build(store, company, new_id(), now, input, now).await
    }

    /// Replaces every field a client sets (all but id, company and creation time); on an
    /// error nothing changes.
    pub async fn replace<S>(
        &mut self,
        store: &S,
        input: &SalesDocumentInput,
        now: DateTime<Utc>,
    ) -> Result<(), BuildError>
    where
        S: ContactStore + ProductStore + ?Sized,
    {
        let company = self.company_id.clone();
        *self = build(
            store,
            &company,
            self.id.clone(),
            self.created_at,
            input,
            now,
        )
        .await?;
        Ok(())
    }
}

async fn build<S>(
    store: &S,
    company: &CompanyId,
    id: String,
    created_at: DateTime<Utc>,
    input: &SalesDocumentInput,
    now: DateTime<Utc>,
) -> Result<SalesDocument, BuildError>
where
    S: ContactStore + ProductStore + ?Sized,
{
    let draft = input.parse(now.date_naive())?;
    if store
        .get_contact(company, &draft.contact_id)
        .await?
        .is_none()
    {
        return Err(
            DocumentFieldError::new("contact_id", "no contact of yours has this id").into(),
        );
    }
    let mut products: HashMap<&str, Product> = HashMap::new();
    for (i, line) in draft.lines.iter().enumerate() {
        if products.contains_key(line.product_id.as_str()) {
            continue;
        }
        let Some(product) = store.get_product(company, &line.product_id).await? else {
            return Err(DocumentFieldError::new(
                format!("lines[{i}].product_id"),
                "no product of yours has this id",
            )
            .into());
        };
        products.insert(&line.product_id, product);
    }
    let lines: Vec<SalesDocumentLine> = draft
        .lines
        .iter()
        .map(|line| {
            let product = &products[line.product_id.as_str()];
            let unit_price = line.unit_price.unwrap_or(product.price);
            SalesDocumentLine {
                product_id: product.id.clone(),
                code: product.code.clone(),
                name: product.name.clone(),
                unit: product.unit.clone(),
                quantity: line.quantity,
                unit_price,
                discount_percent: line.discount_percent,
                vat_rate: line.vat_rate.unwrap_or(product.vat_rate),
                net_amount: line_net(line.quantity, unit_price, line.discount_percent),
            }
        })
        .collect();
    Ok(SalesDocument {
        id,
        company_id: company.clone(),
        doc_type: draft.doc_type,
        number: draft.number,
        contact_id: draft.contact_id,
        doc_date: draft.doc_date,
        status: draft.status,
        currency: draft.currency,
        totals: document_totals(&lines),
        lines,
        notes: draft.notes,
        created_at,
        updated_at: now,
    })
}

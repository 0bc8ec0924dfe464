//! A company's purchase history as the recommendations and insights read it: its CRM sales
//! documents, grouped by the contact they were issued to.
//!
//! A purchase is an order or a domestic bill that was not cancelled; offers are not
//! purchases (the customer did not buy), but an open offer is still a fact about them.

use crate::records::sales_document::{DocStatus, DocType, SalesDocument};
use std::collections::{BTreeMap, BTreeSet};

/// Every sales document of one company.
#[derive(Debug, Clone, Default)]
pub struct History {
    documents: Vec<SalesDocument>,
}

impl History {
    /// The history of these documents; they must all be of one company (the caller reads
    /// them for one).
    pub fn new(documents: Vec<SalesDocument>) -> Self {
        Self { documents }
    }

    /// Every document of `contact`, oldest first (by date, then id).
    pub fn documents_of(&self, contact: &str) -> Vec<&SalesDocument> {
        let mut documents: Vec<&SalesDocument> = (self.documents.iter())
            .filter(|d| d.contact_id == contact)
            .collect();
        documents.sort_by(|a, b| (a.doc_date, &a.id).cmp(&(b.doc_date, &b.id)));
        documents
    }

    /// The CRM products each contact bought, by contact id.
    pub fn baskets(&self) -> BTreeMap<&str, BTreeSet<&str>> {
        let mut baskets: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for document in self.documents.iter().filter(|d| is_purchase(d)) {
            let basket = baskets.entry(document.contact_id.as_str()).or_default();
            basket.extend(document.lines.iter().map(|l| l.product_id.as_str()));
        }
        baskets
    }

    /// The products `contact` bought.
    pub fn basket_of(&self, contact: &str) -> BTreeSet<&str> {
        self.baskets().remove(contact).unwrap_or_default()
    }

    /// The name a document line gave the product (the newest line's), for when the product
    /// is no longer in the catalogue.
    pub fn line_name(&self, product_id: &str) -> Option<&str> {
        (self.documents.iter().rev())
            .flat_map(|d| d.lines.iter())
            .find(|l| l.product_id == product_id)
            .map(|l| l.name.as_str())
    }
}

/// An order or a bill that was not cancelled.
pub fn is_purchase(document: &SalesDocument) -> bool {
    document.doc_type != DocType::SalesOffer && document.status != DocStatus::Cancelled
}

#[cfg(test)]
pub(crate) mod sample {
    //! Hand-made documents for the unit tests of this module's siblings.

    use crate::domain::CompanyId;
    use crate::records::sales_document::{
        DocStatus, DocType, SalesDocument, SalesDocumentLine, Totals,
    };
    use chrono::NaiveDate;
    use rust_decimal::Decimal;

    pub fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    /// A document of `contact` on `date` with one line per product id (one unit at 10 each).
    pub fn document(
        contact: &str,
        doc_type: DocType,
        status: DocStatus,
        date: &str,
        products: &[&str],
    ) -> SalesDocument {
        let lines: Vec<SalesDocumentLine> = (products.iter())
            .map(|p| SalesDocumentLine {
                product_id: (*p).to_owned(),
                code: p.to_uppercase(),
                name: format!("Product {p}"),
                unit: None,
                quantity: Decimal::ONE,
                unit_price: Decimal::TEN,
                discount_percent: Decimal::ZERO,
                vat_rate: Decimal::ZERO,
                net_amount: Decimal::TEN,
            })
            .collect();
        let total = Decimal::TEN * Decimal::from(lines.len());
        let at = day(date).and_hms_opt(12, 0, 0).unwrap().and_utc();
        SalesDocument {
            id: format!("{contact}-{date}-{}", doc_type.as_str()),
            company_id: CompanyId::from("company".to_owned()),
            doc_type,
            number: Some(format!("{}/{date}", contact.to_uppercase())),
            contact_id: contact.to_owned(),
            doc_date: day(date),
            status,
            currency: "EUR".to_owned(),
            lines,
            totals: Totals {
                net: total,
                vat: Decimal::ZERO,
                gross: total,
            },
            notes: None,
            created_at: at,
            updated_at: at,
        }
    }

    pub fn order(contact: &str, date: &str, products: &[&str]) -> SalesDocument {
        document(
            contact,
            DocType::SalesOrder,
            DocStatus::Shipped,
            date,
            products,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::sample::{document, order};
    use super::*;

    #[test]
    fn cancelled_documents_and_offers_are_not_purchases() {
        let history = History::new(vec![
            order("ana", "2024-01-10", &["kettle"]),
            document(
                "ana",
                DocType::SalesOrder,
                DocStatus::Cancelled,
                "2024-02-10",
                &["mug"],
            ),
            document(
                "ana",
                DocType::SalesOffer,
                DocStatus::Confirmed,
                "2024-03-10",
                &["bag"],
            ),
        ]);

        assert_eq!(history.basket_of("ana"), BTreeSet::from(["kettle"]));
        assert_eq!(history.documents_of("ana").len(), 3);
        assert!(history.basket_of("marko").is_empty());
    }
}

//! Which products to suggest to a customer, from purchase history alone (no catalogue, no
//! stock: [`super::service`] adds those): products bought by customers who bought what this
//! one bought, and products near, by meaning, to what they bought.
//!
//! Bought together: every other customer whose basket shares a product with this one's is
//! similar in proportion to how much the baskets overlap (Jaccard: shared / all). Each
//! product of theirs this customer never bought earns that similarity, summed over the
//! similar customers — three customers who each share half the basket outweigh one who
//! shares a single product out of many. Near by meaning adds the neighbour's similarity
//! (`0..1`, from retrieval or the names) at half weight: a guess from text is weaker
//! evidence than what customers actually bought together.

use super::history::History;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// How much a neighbour by meaning counts against a bought-together customer.
const SIMILAR_WEIGHT: f64 = 0.5;

/// Why a product is suggested.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// `customers` other customers bought it together with `with`, products this customer
    /// bought (CRM product ids).
    BoughtTogether { with: Vec<String>, customers: usize },
    /// Near, by meaning, to `product_id`, which this customer bought.
    SimilarTo { product_id: String, similarity: f32 },
}

/// A suggested product (a CRM product id) with its score and reasons, before the
/// catalogue and the stock are consulted.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub product_id: String,
    pub score: f64,
    pub reasons: Vec<Reason>,
}

/// A product near one the customer bought.
#[derive(Debug, Clone, PartialEq)]
pub struct Neighbour {
    /// The product the customer bought.
    pub bought: String,
    /// The product near it.
    pub product_id: String,
    pub similarity: f32,
}

/// Products other customers bought together with what `contact` bought, best first.
pub fn bought_together(history: &History, contact: &str) -> Vec<Candidate> {
    let baskets = history.baskets();
    let Some(mine) = baskets.get(contact) else {
        return Vec::new();
    };
    // product -> (score, products of mine it came with, customers)
    let mut found: BTreeMap<&str, (f64, BTreeSet<&str>, usize)> = BTreeMap::new();
    for (other, theirs) in &baskets {
        if *other == contact {
            continue;
        }
        let shared: BTreeSet<&str> = mine.intersection(theirs).copied().collect();
        if shared.is_empty() {
            continue;
        }
        let similarity = shared.len() as f64 / mine.union(theirs).count() as f64;
        for product in theirs.difference(mine) {
            let entry = found.entry(product).or_default();
            entry.0 += similarity;
            entry.1.extend(shared.iter().copied());
            entry.2 += 1;
        }
    }
    let candidates = found
        .into_iter()
        .map(|(product, (score, with, customers))| Candidate {
            product_id: product.to_owned(),
            score,
            reasons: vec![Reason::BoughtTogether {
                with: with.into_iter().map(str::to_owned).collect(),
                customers,
            }],
        })
        .collect();
    ranked(candidates)
}

/// The bought-together candidates joined with the neighbours by meaning: a product found
/// both ways keeps both reasons and both scores. Products the customer bought are never
/// suggested; a neighbour counts once per product (its nearest bought product).
pub fn merge(
    together: Vec<Candidate>,
    neighbours: &[Neighbour],
    bought: &BTreeSet<&str>,
) -> Vec<Candidate> {
    let mut by_product: BTreeMap<String, Candidate> = (together.into_iter())
        .map(|c| (c.product_id.clone(), c))
        .collect();
    let mut nearest: BTreeMap<&str, &Neighbour> = BTreeMap::new();
    for n in neighbours {
        if bought.contains(n.product_id.as_str()) || n.similarity <= 0.0 {
            continue;
        }
        let best = nearest.entry(n.product_id.as_str()).or_insert(n);
        if n.similarity > best.similarity {
            *best = n;
        }
    }
    for (product, n) in nearest {
        let candidate = by_product
            .entry(product.to_owned())
            .or_insert_with(|| Candidate {
                product_id: product.to_owned(),
                score: 0.0,
                reasons: Vec::new(),
            });
        candidate.score += f64::from(n.similarity) * SIMILAR_WEIGHT;
        candidate.reasons.push(Reason::SimilarTo {
            product_id: n.bought.clone(),
            similarity: n.similarity,
        });
    }
    ranked(by_product.into_values().collect())
}

/// Highest score first; equal scores by product id, so the order never depends on a map.
fn ranked(mut candidates: Vec<Candidate>) -> Vec<Candidate> {
    candidates.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.product_id.cmp(&b.product_id))
    });
    candidates
}

#[cfg(test)]
mod tests {
    use super::super::history::sample::{document, order};
    use super::*;
    use crate::records::sales_document::{DocStatus, DocType};

    fn ids(candidates: &[Candidate]) -> Vec<&str> {
        candidates.iter().map(|c| c.product_id.as_str()).collect()
    }

    /// Ana bought a kettle. Two kettle buyers also bought tea; one of them a mug as well;
    /// a customer who never bought a kettle bought a tent.
    fn kettle_shop() -> History {
        let mut documents = kettle_buyers();
        documents.push(order("dana", "2024-01-13", &["tent"]));
        History::new(documents)
    }

    fn kettle_buyers() -> Vec<crate::records::sales_document::SalesDocument> {
        vec![
            order("ana", "2024-01-10", &["kettle"]),
            order("bor", "2024-01-11", &["kettle", "tea"]),
            order("cene", "2024-01-12", &["kettle", "tea", "mug"]),
        ]
    }

    #[test]
    fn products_bought_by_similar_customers_rank_by_how_similar_they_are() {
        let found = bought_together(&kettle_shop(), "ana");

        assert_eq!(
            ids(&found),
            ["tea", "mug"],
            "the tent's buyer shares nothing"
        );
        assert_eq!(
            found[0].reasons,
            [Reason::BoughtTogether {
                with: vec!["kettle".to_owned()],
                customers: 2
            }]
        );
        // Bor shares 1 of 2 products, Cene 1 of 3.
        assert!((found[0].score - (1.0 / 2.0 + 1.0 / 3.0)).abs() < 1e-9);
        assert!((found[1].score - 1.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn what_the_customer_already_bought_is_not_suggested() {
        let mut documents = vec![order("ana", "2024-02-01", &["tea"])];
        documents.extend(kettle_buyers());
        let found = bought_together(&History::new(documents), "ana");

        assert_eq!(ids(&found), ["mug"]);
    }

    #[test]
    fn cancelled_orders_and_offers_say_nothing_about_taste() {
        let history = History::new(vec![
            order("ana", "2024-01-10", &["kettle"]),
            document(
                "bor",
                DocType::SalesOrder,
                DocStatus::Cancelled,
                "2024-01-11",
                &["kettle", "tea"],
            ),
            document(
                "cene",
                DocType::SalesOffer,
                DocStatus::Confirmed,
                "2024-01-12",
                &["kettle", "mug"],
            ),
        ]);

        assert!(bought_together(&history, "ana").is_empty());
    }

    #[test]
    fn a_customer_without_purchases_gets_nothing_from_history() {
        assert!(bought_together(&kettle_shop(), "nobody").is_empty());
    }

    #[test]
    fn neighbours_join_the_bought_together_ones_at_half_weight() {
        let history = kettle_shop();
        let bought = history.basket_of("ana");
        let neighbours = [
            Neighbour {
                bought: "kettle".into(),
                product_id: "teapot".into(),
                similarity: 0.9,
            },
            Neighbour {
                bought: "kettle".into(),
                product_id: "mug".into(),
                similarity: 0.4,
            },
            Neighbour {
                bought: "kettle".into(),
                product_id: "kettle".into(),
                similarity: 1.0,
            },
        ];

        let merged = merge(bought_together(&history, "ana"), &neighbours, &bought);

        // tea 1/2 + 1/3; mug 1/3 + 0.4 / 2; teapot 0.9 / 2.
        assert_eq!(ids(&merged), ["tea", "mug", "teapot"]);
        let mug = &merged[1];
        assert_eq!(mug.reasons.len(), 2, "bought together and similar");
        assert!((mug.score - (1.0 / 3.0 + 0.2)).abs() < 1e-6);
        assert!(
            matches!(&merged[2].reasons[..], [Reason::SimilarTo { product_id, .. }] if product_id == "kettle")
        );
    }
}

//! Products an email names, from the company's catalogue: the CRM's products and
//! Metakocka's product list, merged by code. A product is named by its code (sure) or by
//! its name: the share of the name's words the email contains, kept only when most of the
//! name is there, so "kettle" alone does not name the "Glass kettle 1.7 l". Products named
//! in other words are found by meaning ([`super::meaning`]).

use super::{Enricher, MatchedBy, ProductMatch, THRESHOLD};
use crate::email::StoredEmail;
use crate::metakocka::error_log::EntityType;
use crate::rag::lexical::fold;
use crate::records::RecordQuery;
use crate::store::StoreError;
use rust_decimal::Decimal;
use std::collections::HashSet;

/// Products read from the CRM at most per email.
const MAX_CRM_PRODUCTS: u32 = 2_000;
/// Codes shorter than this are too likely to be an ordinary word or number.
const MIN_CODE_LEN: usize = 3;

/// One product of the merged catalogue.
#[derive(Debug, Clone, Default)]
pub(super) struct CatalogEntry {
    pub code: String,
    pub name: String,
    pub product_id: Option<String>,
    pub mk_id: Option<String>,
    pub price: Option<Decimal>,
    pub currency: Option<String>,
}

pub(super) async fn find(
    enricher: &mut Enricher<'_>,
    email: &StoredEmail,
) -> Result<Vec<ProductMatch>, StoreError> {
    let catalogue = catalogue(enricher).await?;
    let text = email.analysed_text();
    let mut found = match_products(&text, &catalogue);
    let by_meaning = super::meaning::find(enricher, &text, &catalogue, &found).await;
    found.extend(by_meaning);
    found.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
    Ok(found)
}

async fn catalogue(enricher: &mut Enricher<'_>) -> Result<Vec<CatalogEntry>, StoreError> {
    let mut entries: Vec<CatalogEntry> = Vec::new();
    let mut offset = 0;
    while offset < MAX_CRM_PRODUCTS {
        let query = RecordQuery::new(None, Some(crate::records::MAX_LIMIT), Some(offset));
        let page = enricher
            .store
            .list_products(enricher.company, &query)
            .await?;
        let read = page.items.len() as u32;
        entries.extend(
            page.items
                .into_iter()
                .filter(|p| p.active)
                .map(|p| CatalogEntry {
                    code: p.code,
                    name: p.name,
                    product_id: Some(p.id),
                    mk_id: None,
                    price: Some(p.price),
                    currency: Some(p.currency),
                }),
        );
        offset += read;
        if u64::from(offset) >= page.total || read == 0 {
            break;
        }
    }
    if let Some((client, credentials)) = enricher.metakocka {
        match client
            .product_list_all(credentials, &Default::default())
            .await
        {
            Ok(products) => {
                for product in products {
                    let (Some(code), Some(name)) = (product.code, product.name) else {
                        continue;
                    };
                    match entries
                        .iter_mut()
                        .find(|e| e.code.eq_ignore_ascii_case(&code))
                    {
                        Some(known) => known.mk_id = product.mk_id,
                        None => entries.push(CatalogEntry {
                            code,
                            name,
                            mk_id: product.mk_id,
                            ..CatalogEntry::default()
                        }),
                    }
                }
            }
            Err(e) => {
                enricher
                    .metakocka_failed(EntityType::Product, "the product list", e)
                    .await
            }
        }
    }
    Ok(entries)
}

/// Words of `text`, folded; codes keep their inner `-`, `_`, `/` and `.`.
fn words(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '/' | '.')))
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_owned())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Name words that carry meaning: not tiny, and not a unit.
fn name_words(name: &str) -> Vec<String> {
    words(name)
        .into_iter()
        .filter(|w| w.chars().count() >= 3 || w.chars().all(|c| c.is_ascii_digit()))
        .collect()
}

/// The catalogue's products that `text` names, best first.
pub(super) fn match_products(text: &str, catalogue: &[CatalogEntry]) -> Vec<ProductMatch> {
    let text_words: HashSet<String> = words(text).into_iter().collect();
    let mut found: Vec<ProductMatch> = Vec::new();
    for entry in catalogue {
        let code = fold(&entry.code);
        let by_code = code.chars().count() >= MIN_CODE_LEN && text_words.contains(&code);
        let name = name_words(&entry.name);
        let present = name.iter().filter(|w| text_words.contains(*w)).count();
        let share = if name.is_empty() {
            0.0
        } else {
            present as f32 / name.len() as f32
        };
        let (matched_by, confidence, reason, mentioned_as) = if by_code {
            (
                MatchedBy::ProductCode,
                0.95,
                format!("the email names the product code {}", entry.code),
                entry.code.clone(),
            )
        } else if name.len() >= 2 && share >= 0.66 || name.len() == 1 && share == 1.0 {
            (
                MatchedBy::ProductName,
                // Every word of a long name is as sure as a code; a one-word name is not.
                if name.len() == 1 {
                    0.6
                } else {
                    0.5 + 0.4 * share
                },
                format!(
                    "the email has {present} of the {} words of the name {:?}",
                    name.len(),
                    entry.name
                ),
                entry.name.clone(),
            )
        } else {
            continue;
        };
        if confidence < THRESHOLD {
            continue;
        }
        found.push(ProductMatch {
            code: entry.code.clone(),
            name: entry.name.clone(),
            product_id: entry.product_id.clone(),
            mk_id: entry.mk_id.clone(),
            price: entry.price,
            currency: entry.currency.clone(),
            mentioned_as,
            matched_by,
            reason,
            confidence,
        });
    }
    found.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(code: &str, name: &str) -> CatalogEntry {
        CatalogEntry {
            code: code.to_owned(),
            name: name.to_owned(),
            ..CatalogEntry::default()
        }
    }

    #[test]
    fn by_code_and_by_most_of_the_name_only() {
        let catalogue = [
            entry("KT-200", "Glass kettle 1.7 l"),
            entry("ALP-42", "Pohodni čevlji Alpina"),
            entry("TB-1", "Travel bag"),
            entry("MUG-01", "Ceramic mug"),
        ];
        let found = match_products(
            "Do you have kt-200 in stock? And the pohodni cevlji alpina? Also a bag.",
            &catalogue,
        );
        let codes: Vec<&str> = found.iter().map(|m| m.code.as_str()).collect();
        assert_eq!(codes, ["KT-200", "ALP-42"]);
        assert_eq!(found[0].matched_by, MatchedBy::ProductCode);
        assert_eq!(found[1].matched_by, MatchedBy::ProductName);
    }
}

//! Products near, by meaning, to what a customer bought. With retrieval on, each bought
//! product's name and code are searched over the company's Metakocka product chunks
//! (`products[…].code: …` lines, see [`crate::metakocka::knowledge::records`]); the codes of
//! the hits are the neighbours. With retrieval off (or failing, or nothing indexed), the
//! catalogue's names are compared word by word instead: weaker, but it still finds the
//! "Glass kettle 2 l" next to the "Glass kettle 1.7 l".

use super::recommend::Neighbour;
use crate::rag::index::RRF_K;
use crate::rag::lexical;
use crate::rag::search::SearchHit;
use crate::records::product::Product;
use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;

/// Name similarity (shared words / all words) below this is no neighbour.
pub const MIN_NAME_SIMILARITY: f32 = 0.25;

static PRODUCT_CODE: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"(?m)^products\[[^\]]*\]\.code: *(.+?) *$").expect("a valid pattern")
});

/// The product codes a Metakocka product chunk holds.
pub fn codes_in_chunk(text: &str) -> Vec<&str> {
    (PRODUCT_CODE.captures_iter(text))
        .filter_map(|c| c.get(1).map(|m| m.as_str()))
        .collect()
}

/// A fused (RRF) score as `0..=1`: 1 for a chunk first in both the dense and the lexical
/// ranking, the best a hit can be.
pub fn similarity_of(score: f32) -> f32 {
    (score * (RRF_K + 1.0) / 2.0).clamp(0.0, 1.0)
}

/// The neighbours of `bought` among the products the hits of its search name, mapped to
/// the catalogue by code (case-insensitively). The bought product itself is skipped.
pub fn neighbours_from_hits(
    bought: &Product,
    hits: &[SearchHit],
    catalogue_by_code: &HashMap<String, &Product>,
) -> Vec<Neighbour> {
    let mut seen = BTreeSet::new();
    let mut found = Vec::new();
    for hit in hits {
        for code in codes_in_chunk(&hit.text) {
            let Some(product) = catalogue_by_code.get(&code.to_lowercase()) else {
                continue;
            };
            if product.id == bought.id || !seen.insert(product.id.clone()) {
                continue;
            }
            found.push(Neighbour {
                bought: bought.id.clone(),
                product_id: product.id.clone(),
                similarity: similarity_of(hit.score),
            });
        }
    }
    found
}

/// The words of a product name that carry meaning: folded, at least three letters, no
/// numbers (`1.7`, `2` say nothing about what the product is).
fn name_words(name: &str) -> BTreeSet<String> {
    (lexical::terms(name).into_iter())
        .filter(|t| t.chars().count() >= 3 && !t.chars().any(|c| c.is_ascii_digit()))
        .collect()
}

/// The catalogue's products whose names share enough words with `bought`'s.
pub fn neighbours_by_name(bought: &Product, catalogue: &[&Product]) -> Vec<Neighbour> {
    let mine = name_words(&bought.name);
    if mine.is_empty() {
        return Vec::new();
    }
    (catalogue.iter())
        .filter(|p| p.id != bought.id)
        .filter_map(|p| {
            let theirs = name_words(&p.name);
            let shared = mine.intersection(&theirs).count();
            let similarity = shared as f32 / mine.union(&theirs).count().max(1) as f32;
            (similarity >= MIN_NAME_SIMILARITY).then(|| Neighbour {
                bought: bought.id.clone(),
                product_id: p.id.clone(),
                similarity,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::CompanyId;
    use crate::rag::index::Source;
    use rust_decimal::Decimal;

    fn product(id: &str, code: &str, name: &str) -> Product {
        Product {
            id: id.into(),
            company_id: CompanyId::from("c"),
            code: code.into(),
            name: name.into(),
            description: None,
            unit: None,
            price: Decimal::TEN,
            currency: "EUR".into(),
            vat_rate: Decimal::ZERO,
            active: true,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        }
    }

    fn hit(text: &str, score: f32) -> SearchHit {
        SearchHit {
            text: text.into(),
            score,
            source: Source::Metakocka,
            link_name: "Metakocka products".into(),
            source_url: "https://example".into(),
            path: String::new(),
            private: false,
        }
    }

    #[test]
    fn neighbours_are_the_codes_of_the_hits_that_the_catalogue_knows() {
        let kettle = product("k", "KT-200", "Glass kettle 1.7 l");
        let big = product("b", "KT-300", "Glass kettle 2 l");
        let catalogue: HashMap<String, &Product> =
            [("kt-200".to_owned(), &kettle), ("kt-300".to_owned(), &big)].into();
        let hits = [
            hit(
                "products[1].name: Glass kettle 1.7 l\nproducts[1].code: KT-200",
                2.0 / 61.0,
            ),
            hit(
                "products[2].name: Glass kettle 2 l\nproducts[2].code: kt-300\nproducts[3].code: UNKNOWN",
                1.0 / 62.0,
            ),
        ];

        let found = neighbours_from_hits(&kettle, &hits, &catalogue);

        assert_eq!(found.len(), 1, "not itself, not a code the catalogue lacks");
        assert_eq!(found[0].product_id, "b");
        assert!((found[0].similarity - 61.0 / 124.0).abs() < 1e-5);
        assert!((similarity_of(2.0 / 61.0) - 1.0).abs() < 1e-6);
    }

    #[test]
    fn without_retrieval_names_sharing_words_are_neighbours() {
        let kettle = product("k", "KT-200", "Glass kettle 1.7 l");
        let big = product("b", "KT-300", "Glass Kettle 2 l");
        let mug = product("m", "MUG-01", "Ceramic mug");
        let catalogue = [&kettle, &big, &mug];

        let found = neighbours_by_name(&kettle, &catalogue);

        let ids: Vec<&str> = found.iter().map(|n| n.product_id.as_str()).collect();
        assert_eq!(ids, ["b"]);
        assert!((found[0].similarity - 1.0).abs() < 1e-6, "same words");
    }
}

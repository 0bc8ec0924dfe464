//! Products an email names in other words ("a glass water boiler" for the "Glass kettle
//! 1.7 l"): the retrieval pipeline's hybrid search over the company's Metakocka product
//! chunks finds candidates for the email's text, and each candidate counts only when one of
//! the email's sentences is close in meaning to its name — cosine similarity of the same
//! embedding model at least [`MEANING_THRESHOLD`].
//!
//! Why two steps: the hybrid score is a fusion of ranks (RRF), so some chunk always ranks
//! first, even for an email about nothing in the catalogue; only an absolute similarity can
//! say "none of these". Why sentences: an email is about several things, and its whole text
//! is further from any one product than the sentence that asks for it.

use super::ProductMatch;
use super::products::CatalogEntry;
use super::{Enricher, MatchedBy};
use crate::email::insights::similar::codes_in_chunk;
use crate::rag::index::{ChunkFilter, Source};

/// The cosine similarity a sentence needs to a product's name. Measured with the default
/// model (all-MiniLM-L6-v2) on `tests/api/emails_meaning.rs`: paraphrases of a name score
/// 0.51-0.62, the runner-up candidates of the same emails at most 0.39, emails about
/// something else at most 0.15.
pub const MEANING_THRESHOLD: f32 = 0.45;
/// Product chunks read from the hybrid search.
const CANDIDATE_HITS: usize = 5;
/// Sentences of an email compared at most.
const MAX_SENTENCES: usize = 30;

/// The sentences of `text` worth comparing: split at `.`, `?`, `!` and line ends, with at
/// least two words.
fn sentences(text: &str) -> Vec<&str> {
    text.split(['.', '?', '!', '\n'])
        .map(str::trim)
        .filter(|s| s.split_whitespace().count() >= 2)
        .take(MAX_SENTENCES)
        .collect()
}

/// A similarity from the threshold to 1 as a confidence from the enrichment's threshold
/// (0.5) to 0.9: found by meaning is never as sure as a code.
fn confidence(similarity: f32) -> f32 {
    let above = (similarity - MEANING_THRESHOLD) / (1.0 - MEANING_THRESHOLD);
    0.5 + 0.4 * above.clamp(0.0, 1.0)
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
    let denominator = norm(a) * norm(b);
    if denominator == 0.0 {
        0.0
    } else {
        dot / denominator
    }
}

/// The catalogue's products `text` names by meaning, other than those in `known` (found
/// by code or name already). A search or model failure is a warning: the rest stands.
pub(super) async fn find(
    enricher: &mut Enricher<'_>,
    text: &str,
    catalogue: &[CatalogEntry],
    known: &[ProductMatch],
) -> Vec<ProductMatch> {
    let Some(retrieval) = enricher.retrieval else {
        return Vec::new();
    };
    let filter = ChunkFilter::company(enricher.company.clone()).source(Source::Metakocka);
    let hits = match retrieval.search(filter, text, CANDIDATE_HITS).await {
        Ok(hits) => hits,
        Err(e) => {
            enricher
                .warnings
                .push(format!("products could not be searched by meaning: {e}"));
            return Vec::new();
        }
    };
    let mut candidates: Vec<&CatalogEntry> = Vec::new();
    for hit in &hits {
        for code in codes_in_chunk(&hit.text) {
            let entry = catalogue.iter().find(|e| e.code.eq_ignore_ascii_case(code));
            if let Some(entry) = entry
                && !known
                    .iter()
                    .any(|k| k.code.eq_ignore_ascii_case(&entry.code))
                && !candidates.iter().any(|c| c.code == entry.code)
            {
                candidates.push(entry);
            }
        }
    }
    let sentences = sentences(text);
    if candidates.is_empty() || sentences.is_empty() {
        return Vec::new();
    }
    let texts: Vec<String> = (sentences.iter().map(|s| (*s).to_owned()))
        .chain(candidates.iter().map(|c| c.name.clone()))
        .collect();
    let embedder = retrieval.embedder();
    let vectors = tokio::task::spawn_blocking(move || {
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        embedder.embed(&refs)
    })
    .await;
    let vectors = match vectors {
        Ok(Ok(vectors)) if vectors.len() == sentences.len() + candidates.len() => vectors,
        Ok(Err(e)) => {
            let warning = format!("products could not be compared by meaning: {e:#}");
            enricher.warnings.push(warning);
            return Vec::new();
        }
        _ => {
            let warning = "products could not be compared by meaning".to_owned();
            enricher.warnings.push(warning);
            return Vec::new();
        }
    };
    let (sentence_vectors, name_vectors) = vectors.split_at(sentences.len());
    let mut found = Vec::new();
    for (entry, name_vector) in candidates.iter().zip(name_vectors) {
        let Some((sentence, similarity)) = (sentences.iter())
            .zip(sentence_vectors)
            .map(|(s, v)| (*s, cosine(v, name_vector)))
            .max_by(|a, b| a.1.total_cmp(&b.1))
        else {
            continue;
        };
        tracing::debug!(code = %entry.code, similarity, "a product candidate by meaning");
        if similarity < MEANING_THRESHOLD {
            continue;
        }
        found.push(ProductMatch {
            code: entry.code.clone(),
            name: entry.name.clone(),
            product_id: entry.product_id.clone(),
            mk_id: entry.mk_id.clone(),
            price: entry.price,
            currency: entry.currency.clone(),
            mentioned_as: sentence.to_owned(),
            matched_by: MatchedBy::ProductMeaning,
            reason: format!(
                "hybrid search over the company's Metakocka products found {:?}, and the email's {sentence:?} is close to it in meaning ({similarity:.2})",
                entry.name
            ),
            confidence: confidence(similarity),
        });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_of_two_words_or_more() {
        assert_eq!(
            sentences("Hi,\nDo you sell a glass water boiler? Thanks. Janez"),
            ["Do you sell a glass water boiler"]
        );
    }

    #[test]
    fn the_threshold_is_the_enrichments_least_confidence() {
        assert!((confidence(MEANING_THRESHOLD) - super::super::THRESHOLD).abs() < 1e-6);
        assert!((confidence(1.0) - 0.9).abs() < 1e-6);
    }

    #[test]
    fn cosine_of_parallel_orthogonal_and_empty_vectors() {
        assert!((cosine(&[1.0, 2.0], &[2.0, 4.0]) - 1.0).abs() < 1e-6);
        assert_eq!(cosine(&[1.0, 0.0], &[0.0, 3.0]), 0.0);
        assert_eq!(cosine(&[0.0, 0.0], &[1.0, 1.0]), 0.0);
    }
}

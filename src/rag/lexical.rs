//! The terms of exact matching: what the BM25 side of the embedded index and Qdrant's sparse
//! vector see of a text.
//!
//! Customers type without diacritics (`cevlji` for `čevlji`) and quote codes exactly
//! (`SKU-12-B`, `2024-00123`, `PO-1234`, `ana.novak@example.si`, `863,75`), so:
//! * text is lower-cased and diacritics are folded (NFD, combining marks dropped, plus the few
//!   letters that do not decompose such as `đ` -> `d`);
//! * a run of letters and digits joined by `-`, `.`, `,`, `_`, `/`, `+` or `@` is kept as ONE
//!   whole term (the code as written) AND each of its alphanumeric parts is emitted as well, so
//!   `SKU-12-B` matches the query `SKU-12-B` strongly (whole + parts) and a query `sku 12`
//!   still finds it (parts only);
//! * punctuation at the edges of a run is not part of it (`PO-1234.` at the end of a sentence is
//!   `po-1234`).
//!
//! No stop words are removed: the data is bilingual and BM25's IDF already makes common words
//! cheap.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Characters that join the parts of a code, an email or a decimal number.
fn is_joiner(c: char) -> bool {
    matches!(c, '-' | '.' | ',' | '_' | '/' | '+' | '@')
}

/// Lower-cases and folds diacritics: `Čevlji Đurić` -> `cevlji duric` (`đ` folds to `d`, as
/// text typed without diacritics usually writes it).
pub fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        for lower in c.to_lowercase() {
            match lower {
                // Letters with a stroke have no canonical decomposition.
                'đ' => folded.push('d'),
                'ł' => folded.push('l'),
                'ø' => folded.push('o'),
                'ı' => folded.push('i'),
                'ß' => folded.push_str("ss"),
                'æ' => folded.push_str("ae"),
                'œ' => folded.push_str("oe"),
                other => folded.push(other),
            }
        }
    }
    folded
}

/// The terms of `text`, in order, repeated as often as they occur (the caller counts them).
pub fn terms(text: &str) -> Vec<String> {
    let folded = fold(text);
    let mut terms = Vec::new();
    for run in folded.split(|c: char| !(c.is_alphanumeric() || is_joiner(c))) {
        let run = run.trim_matches(is_joiner);
        if run.is_empty() {
            continue;
        }
        let mut parts = run.split(is_joiner).filter(|part| !part.is_empty());
        let first = parts.next();
        match (first, parts.next()) {
            (Some(only), None) => {
                terms.push(only.to_owned());
                terms.extend(stem(only));
            }
            (Some(first), Some(second)) => {
                terms.push(run.to_owned());
                terms.push(first.to_owned());
                terms.push(second.to_owned());
                terms.extend(parts.map(str::to_owned));
            }
            (None, _) => {}
        }
    }
    terms
}

/// Letters a word keeps in its stem.
const STEM_CHARS: usize = 5;

/// The stem of a longer word: its first [`STEM_CHARS`] letters, marked with `~` so it never
/// equals a word. Slovenian inflects heavily (`naročilo`, `naročila`, `naročilu`; `Hrvaška`,
/// `na Hrvaško`) and English less so (`delivery`, `delivered`); a shared prefix lets BM25 match
/// such forms without a language-specific stemmer, while the whole word still scores higher.
/// Words with digits (codes, sizes) have no stem: they must match as written.
fn stem(word: &str) -> Option<String> {
    if word.chars().count() <= STEM_CHARS || !word.chars().all(char::is_alphabetic) {
        return None;
    }
    let mut stem: String = word.chars().take(STEM_CHARS).collect();
    stem.push('~');
    Some(stem)
}

/// A stable id for a term: crc32 of its UTF-8 bytes. Stable across processes and versions, so
/// sparse vectors stored in Qdrant stay comparable with tomorrow's queries.
pub fn term_id(term: &str) -> u32 {
    crc32fast::hash(term.as_bytes())
}

/// The sparse vector of `text` for Qdrant's `lexical` side: term ids ascending, values = term
/// frequency. Qdrant's IDF modifier supplies the inverse document frequency at query time.
pub fn sparse_vector(text: &str) -> (Vec<u32>, Vec<f32>) {
    let mut ids: Vec<u32> = terms(text).iter().map(|term| term_id(term)).collect();
    ids.sort_unstable();
    let mut indices = Vec::with_capacity(ids.len());
    let mut values: Vec<f32> = Vec::with_capacity(ids.len());
    for id in ids {
        if indices.last() == Some(&id) {
            *values.last_mut().expect("values follow indices") += 1.0;
        } else {
            indices.push(id);
            values.push(1.0);
        }
    }
    (indices, values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slovenian_diacritics_fold_both_ways() {
        assert_eq!(terms("Čevlji"), terms("cevlji"));
        assert_eq!(terms("ŠŽĆĐ čšžćđ"), vec!["szcd", "cszcd"]);
        assert_eq!(
            terms("Müller façade"),
            vec!["muller", "mulle~", "facade", "facad~"]
        );
    }

    #[test]
    fn inflected_forms_share_a_stem_but_codes_do_not() {
        let shares = |a: &str, b: &str| {
            terms(a)
                .iter()
                .any(|t| t.ends_with('~') && terms(b).contains(t))
        };
        assert!(shares("naročilo", "narocila"));
        assert!(shares("Hrvaško", "Hrvaška"));
        assert!(shares("delivery", "delivered"));
        assert!(!shares("čevlji", "jakna"));
        assert_eq!(
            terms("size42"),
            vec!["size42"],
            "no stem for words with digits"
        );
        assert_eq!(
            terms("jakna"),
            vec!["jakna"],
            "short words are their own stem"
        );
    }

    #[test]
    fn codes_are_whole_terms_with_their_parts() {
        assert_eq!(terms("SKU-12-B"), vec!["sku-12-b", "sku", "12", "b"]);
        assert_eq!(
            terms("racun 2024-00123"),
            vec!["racun", "2024-00123", "2024", "00123"]
        );
        assert_eq!(terms("(PO-1234)."), vec!["po-1234", "po", "1234"]);
    }

    #[test]
    fn emails_and_decimal_numbers_stay_whole() {
        let email = terms("Pišite na ana.novak@example.si.");
        assert!(
            email.contains(&"ana.novak@example.si".to_owned()),
            "{email:?}"
        );
        assert!(email.contains(&"novak".to_owned()), "{email:?}");
        let price = terms("total: 863,75 EUR");
        assert_eq!(price, vec!["total", "863,75", "863", "75", "eur"]);
    }

    #[test]
    fn flattened_lines_split_on_paths_and_colons() {
        assert_eq!(
            terms("customers[0].email: ana@x.si"),
            vec![
                "customers",
                "custo~",
                "0",
                "email",
                "ana@x.si",
                "ana",
                "x",
                "si"
            ]
        );
    }

    #[test]
    fn sparse_vector_counts_terms_under_stable_ids() {
        let (indices, values) = sparse_vector("čevlji Cevlji torba");
        assert_eq!(indices.len(), 3, "cevlji, its stem cevlj~, torba");
        assert!(indices.windows(2).all(|pair| pair[0] < pair[1]));
        let cevlji = indices
            .iter()
            .position(|&id| id == term_id("cevlji"))
            .unwrap();
        assert_eq!(values[cevlji], 2.0);
        assert_eq!(term_id("cevlji"), crc32fast::hash(b"cevlji"));
    }

    #[test]
    fn empty_and_punctuation_only_text_has_no_terms() {
        assert!(terms("").is_empty());
        assert!(terms(" -- ... , @ ").is_empty());
        assert_eq!(sparse_vector("!!"), (vec![], vec![]));
    }
}

//! Which language to answer in, and the words that carry no meaning for matching.
//!
//! Detection is cheap on purpose: the customers write English or Slovenian, so a vote of
//! common function words (Slovenian ones and English ones), with the letters `č`, `š`, `ž`
//! as an extra Slovenian vote, is enough. Diacritics alone do not decide it, since an English
//! question may name a Slovenian product (`How much are the Pohodni čevlji?`). A tie is
//! English, the language most customers of a page fall back to.

use crate::rag::lexical::fold;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    English,
    Slovenian,
}

/// Common Slovenian words, folded (no diacritics), that are not English words as well.
#[rustfmt::skip]
const SLOVENIAN_WORDS: &[&str] = &[
    "ali", "kje", "kdaj", "koliko", "kaj", "kako", "kateri", "katera", "katero", "kaksen",
    "kaksna", "kaksno", "imate", "imam", "ima", "imajo", "narocilo", "narocila", "narocilu",
    "je", "za", "na", "so", "sem", "ste", "smo", "bo", "bi", "pri", "od", "ki", "da", "ne",
    "ni", "pa", "tudi", "se", "lahko", "prosim", "hvala", "pozdravljeni", "zivjo", "dober",
    "dan", "moje", "moj", "moja", "mi", "vas", "vam", "stane", "stanejo", "cena", "zaloga",
    "zalogi", "dostava", "posljete", "kdo", "zakaj", "tega", "sta", "ga", "jih",
];

/// Common English words, folded.
#[rustfmt::skip]
const ENGLISH_WORDS: &[&str] = &[
    "the", "is", "are", "do", "does", "did", "what", "where", "when", "how", "much", "many",
    "have", "has", "you", "your", "my", "order", "price", "of", "an", "it", "can", "could",
    "would", "will", "stock", "there", "this", "that", "which", "who", "why", "please", "hello",
    "hi", "thanks", "with", "for", "from", "about", "cost", "available",
];

/// Words that say nothing about which fact is wanted, in both languages, folded. Field-like
/// words (`price`, `cena`, `stock`) are not here: they choose the fields to show.
#[rustfmt::skip]
const STOP_WORDS: &[&str] = &[
    "a", "an", "the", "is", "are", "was", "were", "be", "been", "do", "does", "did", "have",
    "has", "had", "you", "your", "yours", "i", "me", "my", "we", "our", "us", "it", "its", "of",
    "in", "on", "at", "to", "for", "from", "with", "and", "or", "but", "what", "whats", "where",
    "when", "how", "which", "who", "whom", "why", "can", "could", "would", "will", "shall",
    "should", "may", "might", "there", "this", "that", "these", "those", "any", "some",
    "please", "hi", "hello", "hey", "thanks", "thank", "if", "not", "no", "yes", "about", "get",
    "need", "want", "know", "tell", "s", "am", "so", "just", "also", "much", "many", "number",
    "they", "them", "he", "she", "his", "her", "still", "yet", "now", "by", "ali", "kje",
    "kdaj", "koliko", "kaj", "kako", "kateri", "katera", "katero", "kaksen", "kaksna", "kaksno",
    "je", "so", "sem", "si", "ste", "smo", "sta", "bo", "bodo", "bi", "in", "za", "na", "v",
    "z", "s", "od", "do", "po", "pri", "o", "k", "h", "mi", "me", "vi", "vas", "vam", "jaz",
    "moj", "moje", "moja", "moji", "imate", "ima", "imam", "imajo", "lahko", "prosim", "hvala",
    "pozdravljeni", "pozdrav", "zivjo", "dober", "dan", "da", "ne", "ni", "pa", "tudi", "to",
    "ta", "ti", "te", "tega", "temu", "kdo", "zakaj", "ki", "ga", "jih", "mu", "se", "ze",
    "res", "vse", "vsi",
];

/// The language of `text`: a vote of Slovenian and English words, `č`/`š`/`ž` counting as
/// one more Slovenian vote; a tie is English. `None` when the text has no vote at all (a bare
/// product name), so the caller can look at the earlier turns.
pub fn vote(text: &str) -> Option<Language> {
    let mut slovenian = 0;
    let mut english = 0;
    if text
        .chars()
        .any(|c| matches!(c, 'č' | 'š' | 'ž' | 'Č' | 'Š' | 'Ž'))
    {
        slovenian += 1;
    }
    for word in fold(text).split(|c: char| !c.is_alphanumeric()) {
        if SLOVENIAN_WORDS.contains(&word) {
            slovenian += 1;
        }
        if ENGLISH_WORDS.contains(&word) {
            english += 1;
        }
    }
    match (slovenian, english) {
        (0, 0) => None,
        (s, e) if s > e => Some(Language::Slovenian),
        _ => Some(Language::English),
    }
}

/// Whether a folded word carries no meaning for matching.
pub fn is_stop_word(folded: &str) -> bool {
    STOP_WORDS.contains(&folded)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect(text: &str) -> Language {
        vote(text).unwrap_or(Language::English)
    }

    #[test]
    fn slovenian_is_recognised_with_and_without_diacritics() {
        assert_eq!(
            detect("Koliko stanejo pohodni čevlji?"),
            Language::Slovenian
        );
        assert_eq!(
            detect("Koliko stanejo pohodni cevlji?"),
            Language::Slovenian
        );
        assert_eq!(detect("Ali imate to na zalogi?"), Language::Slovenian);
        assert_eq!(detect("Kje je moje naročilo?"), Language::Slovenian);
    }

    #[test]
    fn english_wins_ties_and_names_with_diacritics() {
        assert_eq!(
            detect("How much are the Pohodni čevlji?"),
            Language::English
        );
        assert_eq!(detect("Is it in stock?"), Language::English);
        assert_eq!(detect("Alpina"), Language::English);
        assert_eq!(detect(""), Language::English);
    }
}

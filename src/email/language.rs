//! The language of an email: English or Slovenian, the two the shops' customers write in.
//!
//! A vote of common function words (folded, so `če` and `ce` count alike) with the letters
//! `č`, `š`, `ž` as an extra Slovenian vote; a tie is English. An email is longer than a chat
//! message, so this simple vote is reliable enough to choose the reply's language, and an
//! agent can always ask for the other one.

use crate::rag::lexical::fold;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    En,
    Sl,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Sl => "sl",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "en" | "english" => Some(Language::En),
            "sl" | "slovenian" | "slovenščina" => Some(Language::Sl),
            _ => None,
        }
    }
}

#[rustfmt::skip]
const SLOVENIAN: &[&str] = &[
    "ali", "kje", "kdaj", "koliko", "kaj", "kako", "imate", "narocilo", "narocila", "narocilu",
    "je", "za", "na", "so", "sem", "ste", "bo", "bi", "pri", "od", "ki", "da", "ne", "ni", "pa",
    "tudi", "se", "lahko", "prosim", "hvala", "pozdravljeni", "pozdrav", "lep", "spostovani",
    "racun", "racuna", "zalogi", "zaloga", "dostava", "posiljka", "paket", "moje", "moj", "vas",
    "vam", "mi", "kopijo", "ze", "se", "dni", "danes", "lepo",
];

#[rustfmt::skip]
const ENGLISH: &[&str] = &[
    "the", "is", "are", "do", "does", "what", "where", "when", "how", "have", "has", "you",
    "your", "my", "order", "of", "it", "can", "could", "would", "will", "stock", "this",
    "that", "please", "hello", "hi", "thanks", "with", "for", "from", "about", "invoice",
    "delivery", "regards", "dear", "still", "yet", "we", "our", "i",
];

/// The language `text` is written in.
pub fn detect(text: &str) -> Language {
    let mut slovenian = usize::from(
        text.chars()
            .any(|c| matches!(c, 'č' | 'š' | 'ž' | 'Č' | 'Š' | 'Ž')),
    );
    let mut english = 0;
    for word in fold(text).split(|c: char| !c.is_alphanumeric()) {
        slovenian += usize::from(SLOVENIAN.contains(&word));
        english += usize::from(ENGLISH.contains(&word));
    }
    if slovenian > english {
        Language::Sl
    } else {
        Language::En
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slovenian_and_english_emails() {
        assert_eq!(
            detect("Pozdravljeni, kdaj bo moje naročilo 2024-00123 dostavljeno? Lep pozdrav"),
            Language::Sl
        );
        assert_eq!(
            detect("Hello, where is my order 2024-00123? It was due last week."),
            Language::En
        );
    }
}

//! Splitting a long reply into Messenger-sized messages.
//!
//! Messenger takes at most 2,000 characters of text per message
//! (<https://developers.facebook.com/docs/messenger-platform/reference/send-api/>). A longer
//! answer is sent as several messages, cut where a reader would pause: paragraph breaks, then
//! sentence ends (Unicode UAX #29, so `3.5 kg` or `ga. Novak` mid-sentence punctuation is not
//! mistaken for an end), then between words, and only for a single word longer than the limit
//! mid-word. `text-splitter` already does exactly that ladder, greedily filling each part.

use text_splitter::{ChunkConfig, TextSplitter};

/// The most characters Messenger accepts in one text message.
pub const MAX_MESSAGE_CHARS: usize = 2000;

/// Splits `text` into parts of at most `max_chars` characters (Unicode scalar values, not
/// bytes), in order. Whitespace at the cuts is dropped; every other character is kept, so the
/// parts read as the original. Empty or whitespace-only text gives no parts.
pub fn split_message(text: &str, max_chars: usize) -> Vec<String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Vec::new();
    }
    let max_chars = max_chars.max(1);
    if trimmed.chars().count() <= max_chars {
        return vec![trimmed.to_owned()];
    }
    TextSplitter::new(ChunkConfig::new(max_chars))
        .chunks(trimmed)
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn without_whitespace(text: &str) -> String {
        text.chars().filter(|c| !c.is_whitespace()).collect()
    }

    /// The words of the parts, in order, are the words of the text.
    fn assert_nothing_lost(text: &str, parts: &[String]) {
        assert_eq!(
            without_whitespace(text),
            without_whitespace(&parts.concat())
        );
    }

    fn sentence(i: usize) -> String {
        format!("Naročilo številka {i} je bilo odposlano v četrtek, prispe čez dva dni. ")
    }

    #[test]
    fn a_short_text_is_one_part_trimmed() {
        assert_eq!(split_message("  Hvala!  \n", 2000), vec!["Hvala!"]);
        assert!(split_message(" \n\t ", 2000).is_empty());
    }

    #[test]
    fn characters_not_bytes_are_counted() {
        // 1,500 `č` are 3,000 bytes in UTF-8 but 1,500 characters: one message.
        let text = "č".repeat(1500);
        assert_eq!(split_message(&text, 2000), vec![text]);
        let text = "ž".repeat(2001);
        let parts = split_message(&text, 2000);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].chars().count(), 2000);
        assert_nothing_lost(&text, &parts);
    }

    #[test]
    fn long_text_is_cut_at_sentence_ends_and_keeps_every_word_in_order() {
        let text: String = (0..40).map(sentence).collect();
        let parts = split_message(&text, 500);
        assert!(parts.len() > 1);
        for part in &parts {
            assert!(
                part.chars().count() <= 500,
                "{} chars",
                part.chars().count()
            );
            assert!(part.ends_with('.'), "cut mid-sentence: {part:?}");
        }
        assert_eq!(
            parts.join(" ").split_whitespace().collect::<Vec<_>>(),
            text.split_whitespace().collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_sentence_longer_than_the_limit_is_cut_between_words() {
        let text = "beseda ".repeat(100);
        let parts = split_message(&text, 50);
        for part in &parts {
            assert!(part.chars().count() <= 50);
            assert!(part.split(' ').all(|word| word == "beseda"), "{part:?}");
        }
        assert_nothing_lost(&text, &parts);
    }

    #[test]
    fn a_word_longer_than_the_limit_is_cut_hard() {
        let text = format!("Koda: {} konec.", "x".repeat(25));
        let parts = split_message(&text, 10);
        assert!(parts.iter().all(|p| p.chars().count() <= 10));
        assert_nothing_lost(&text, &parts);
    }

    #[test]
    fn decimal_points_are_not_sentence_ends() {
        let text = "Cena je 3.5 EUR. Drugi stavek je precej daljši od prvega.";
        let parts = split_message(text, 20);
        assert_eq!(parts[0], "Cena je 3.5 EUR.");
        assert_nothing_lost(text, &parts);
    }
}

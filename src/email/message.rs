//! An email body as text, split into what the customer wrote now, the earlier messages they
//! quoted or forwarded, and their signature.
//!
//! Mail clients mark a quote in a handful of ways, and each is recognised here:
//! * a header line before the quote — `On Mon, 9 Sep 2024, Ana <ana@x.si> wrote:` (also split
//!   over two lines), Slovenian `V pon., 9. sep. 2024 ob 10:12 je Ana <…> napisal(a):`;
//! * Outlook's block of `From:` / `Sent:` (or `Od:` / `Poslano:`) lines, often under a rule of
//!   underscores, and `-----Original Message-----`, `---------- Forwarded message ---------`
//!   and their Slovenian forms;
//! * lines starting with `>`.
//!
//! A signature starts at the standard `-- ` line, or at a closing line such as `Best regards`
//! or `Lep pozdrav` near the end of the new text (so a "Thanks" that opens the email stays).

use serde::{Deserialize, Serialize};

/// The body of an email, split.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EmailBody {
    /// What the customer wrote now, without quote and signature.
    pub new_text: String,
    /// The earlier messages quoted or forwarded below it, as they appear.
    pub quoted: Option<String>,
    pub signature: Option<String>,
}

/// The closing lines a signature starts with, lower-cased, trailing punctuation removed.
#[rustfmt::skip]
const CLOSINGS: &[&str] = &[
    "best regards", "kind regards", "regards", "best wishes", "best", "cheers", "sincerely",
    "yours sincerely", "thanks", "thank you", "many thanks", "thanks in advance",
    "lep pozdrav", "lepo pozdravljeni", "lp", "s spoštovanjem", "hvala", "hvala in lep pozdrav",
    "hvala, lep pozdrav", "lep pozdrav in hvala", "pozdrav", "sent from my iphone",
    "poslano iz mojega iphona",
];

/// How many lines after a closing line a signature may have (name, title, phone, company...).
const MAX_SIGNATURE_LINES: usize = 8;

/// Text of an HTML body, for analysis: paragraphs and line breaks kept, markup dropped.
pub fn html_to_text(html: &str) -> String {
    // Wide lines: wrapping would split a sentence that the quote detection reads whole.
    // No decoration: `**bold**` or link footnotes would be noise to the matching.
    match html2text::config::plain_no_decorate().string_from_read(html.as_bytes(), 10_000) {
        Ok(text) => text.trim().to_owned(),
        // html2text fails only on a writer error; fall back to dropping the tags crudely.
        Err(_) => strip_tags(html),
    }
}

fn strip_tags(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.trim().to_owned()
}

/// Splits `text` into new text, quote and signature.
pub fn split_body(text: &str) -> EmailBody {
    let text = text.replace("\r\n", "\n");
    let lines: Vec<&str> = text.lines().collect();
    let quote_at = quote_start(&lines);
    let (own, quoted) = lines.split_at(quote_at.unwrap_or(lines.len()));
    let signature_at = signature_start(own);
    let (new, signature) = own.split_at(signature_at.unwrap_or(own.len()));
    EmailBody {
        new_text: join(new).unwrap_or_default(),
        quoted: join(quoted),
        signature: join(signature),
    }
}

/// The lines trimmed of blank lines around them, joined; `None` when nothing is left.
fn join(lines: &[&str]) -> Option<String> {
    let text = lines.join("\n");
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

fn quote_start(lines: &[&str]) -> Option<usize> {
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with('>') {
            // An attribution line just above belongs to the quote.
            return Some(if i > 0 && is_attribution(lines[i - 1].trim()) {
                i - 1
            } else {
                i
            });
        }
        if is_separator(trimmed) {
            return Some(i);
        }
        if is_attribution(trimmed) {
            // "On …, Ana <ana@x.si>" / "wrote:" split over two lines by the client.
            let joined_with_previous = i > 0 && lines[i - 1].trim_start().starts_with("On ");
            return Some(if joined_with_previous && !trimmed.starts_with("On ") {
                i - 1
            } else {
                i
            });
        }
        if is_header_block(&lines[i..]) {
            // A rule of underscores right above belongs to the block.
            let rule_above = i > 0 && lines[i - 1].trim().starts_with("____");
            return Some(if rule_above { i - 1 } else { i });
        }
    }
    None
}

/// `… wrote:` and `… napisal(a):` ending a line that introduces a quote.
fn is_attribution(line: &str) -> bool {
    let lower = line.to_lowercase();
    [
        "wrote:",
        "napisal(a):",
        "napisal:",
        "napisala:",
        "je zapisal(a):",
    ]
    .iter()
    .any(|end| lower.ends_with(end))
}

/// The rules that clients put above an original or forwarded message.
fn is_separator(line: &str) -> bool {
    let lower = line.to_lowercase();
    let inner = lower.trim_matches(|c: char| c == '-' || c == ' ');
    lower.starts_with("---")
        && [
            "original message",
            "forwarded message",
            "izvirno sporočilo",
            "posredovano sporočilo",
            "prvotno sporočilo",
        ]
        .contains(&inner)
}

/// `From:` followed within three lines by `Sent:`/`Date:` (Outlook's quote header), in
/// English or Slovenian.
fn is_header_block(lines: &[&str]) -> bool {
    let starts = |line: &str, names: &[&str]| {
        let lower = line.trim().to_lowercase();
        names.iter().any(|n| lower.starts_with(n))
    };
    starts(lines[0], &["from:", "od:", "pošiljatelj:"])
        && lines
            .iter()
            .skip(1)
            .take(3)
            .any(|l| starts(l, &["sent:", "date:", "poslano:", "datum:", "to:", "za:"]))
}

fn signature_start(lines: &[&str]) -> Option<usize> {
    if let Some(dash) = lines.iter().position(|l| *l == "-- " || *l == "--") {
        return Some(dash);
    }
    let last_text = lines.iter().rposition(|l| !l.trim().is_empty())?;
    lines.iter().enumerate().find_map(|(i, line)| {
        let closing = line.trim().trim_end_matches([',', '!', '.']).to_lowercase();
        let near_end = i <= last_text && last_text - i <= MAX_SIGNATURE_LINES;
        // The first line is never a signature: that would leave no message.
        (i > 0 && near_end && CLOSINGS.contains(&closing.as_str())).then_some(i)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gmail_quote_and_a_closing() {
        let body = split_body(
            "Hi,\nwhere is my order 2024-00123?\n\nBest regards,\nAna Novak\n\n\
             On Mon, 9 Sep 2024 at 10:12, Shop <info@shop.si> wrote:\n> Your order is confirmed.\n",
        );
        assert_eq!(body.new_text, "Hi,\nwhere is my order 2024-00123?");
        assert_eq!(body.signature.as_deref(), Some("Best regards,\nAna Novak"));
        assert!(body.quoted.unwrap().contains("Your order is confirmed."));
    }

    #[test]
    fn attribution_over_two_lines() {
        let body = split_body(
            "Thanks, that works.\n\nOn Mon, 9 Sep 2024 at 10:12, Shop <info@shop.si>\nwrote:\n> Old text",
        );
        assert_eq!(body.new_text, "Thanks, that works.");
        assert!(body.quoted.unwrap().starts_with("On Mon"));
    }

    #[test]
    fn slovenian_quote_and_signature() {
        let body = split_body(
            "Pozdravljeni,\nprosim za kopijo računa RA-12.\n\nLep pozdrav\nJanez\n\n\
             V pon., 9. sep. 2024 ob 10:12 je Trgovina <info@shop.si> napisal(a):\n> Račun je v prilogi.",
        );
        assert_eq!(
            body.new_text,
            "Pozdravljeni,\nprosim za kopijo računa RA-12."
        );
        assert_eq!(body.signature.as_deref(), Some("Lep pozdrav\nJanez"));
        assert!(body.quoted.unwrap().contains("Račun je v prilogi."));
    }

    #[test]
    fn outlook_header_block_under_a_rule() {
        let body = split_body(
            "Please see below.\n\n________________________________\nFrom: Marko <marko@firma.si>\n\
             Sent: Monday, September 9, 2024 10:12 AM\nTo: Shop\nSubject: Order\n\nOld text",
        );
        assert_eq!(body.new_text, "Please see below.");
        assert!(body.quoted.unwrap().starts_with("____"));
    }

    #[test]
    fn forwarded_message_and_dash_signature() {
        let body = split_body(
            "FYI, the parcel never came.\n-- \nMarko Kovač\nFirma d.o.o.\n\n\
             ---------- Forwarded message ---------\nFrom: Shop <info@shop.si>\nDate: Mon\n\nShipped.",
        );
        assert_eq!(body.new_text, "FYI, the parcel never came.");
        assert!(body.signature.unwrap().contains("Firma d.o.o."));
        assert!(body.quoted.unwrap().contains("Shipped."));
    }

    #[test]
    fn an_opening_thanks_is_not_a_signature() {
        let text = "Thanks\nfor the quick answer. Is the kettle KT-200 in stock?";
        let body = split_body(text);
        assert_eq!(body.new_text, text);
        assert_eq!(body.signature, None);
    }

    #[test]
    fn html_reduced_to_text() {
        let text = html_to_text(
            "<html><body><p>Is the <b>Alpina</b> boot in stock?</p><p>Thanks</p></body></html>",
        );
        assert!(text.contains("Is the Alpina boot in stock?"), "{text}");
        assert!(!text.contains('<'));
    }
}

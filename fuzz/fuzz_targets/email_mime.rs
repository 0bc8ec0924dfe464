//! A raw `.eml` upload as `POST /api/emails/raw` reads it: any bytes through the MIME parser,
//! then the HTML reduction and the split of new text, quote and signature. A message that
//! cannot be read is an error naming the field, never a panic; whatever is read back keeps
//! the parts of the body apart (the new text never repeats the quoted part).
#![no_main]

use crm_mind::email::eml::parse_eml;
use crm_mind::email::message::{html_to_text, split_body};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(email) = parse_eml(data) else {
        return;
    };
    assert!(!email.message_id.is_empty(), "a stored email needs its message id");
    let text = match (&email.text, &email.html) {
        (Some(text), _) => text.clone(),
        (None, Some(html)) => html_to_text(html),
        (None, None) => String::new(),
    };
    let body = split_body(&text);
    // Every part the split returns comes from the text it was given.
    assert!(body.new_text.len() <= text.len() + 1);
});

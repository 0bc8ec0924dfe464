//! An email template as an agent saves and fills it: any subject and body through the
//! placeholder check and minijinja's strict rendering. Saving refuses what it cannot render,
//! never panics; a saved template filled with a value for every known placeholder is never
//! told that one is missing.
#![no_main]

use chrono::Utc;
use crm_mind::domain::CompanyId;
use crm_mind::email::templates::{EmailTemplate, PLACEHOLDERS, RenderError, TemplateInput};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (language, rest) = match text.split_at_checked(1) {
        Some(("s", rest)) => ("sl", rest),
        Some((_, rest)) => ("en", rest),
        None => return,
    };
    let (subject, body) = rest.split_once('\n').unwrap_or((rest, ""));
    let input = TemplateInput {
        name: "fuzz".to_owned(),
        language: language.to_owned(),
        subject: subject.to_owned(),
        body: body.to_owned(),
    };
    let Ok(template) = EmailTemplate::create(&CompanyId::from("company-a"), &input, Utc::now())
    else {
        return;
    };
    let every_value: BTreeMap<String, String> = PLACEHOLDERS
        .iter()
        .map(|p| ((*p).to_owned(), format!("<{p}>")))
        .collect();
    match template.render(&every_value) {
        Err(RenderError::MissingValue(name)) => {
            panic!("{name} has a value and was reported missing")
        }
        // Runtime errors a template can still hold (a filter on the wrong type, a loop over
        // a string) are refused with their text; they are not blanks.
        Ok(_) | Err(RenderError::Template(_)) => {}
    }
    // With no values, a template either renders (it uses no placeholder) or names one.
    let _ = template.render(&BTreeMap::new());
});

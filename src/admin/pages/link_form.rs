//! The "add a CRM link" form: its fields as typed, checked with the same rules as the API,
//! every problem reported next to its own field.

use crate::dashboard::NewCrmLink;
use crate::domain::crm_link;
use crate::domain::{Channel, CrmLinkDraft, CrmLinkType, FieldError, PageId};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The form as sent (and as shown again when something is wrong; never the API key).
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct LinkForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub url: String,
    #[serde(default, rename = "type")]
    pub link_type: String,
    #[serde(default, skip_serializing)]
    pub api_key: String,
    /// One `Name: value` per line.
    #[serde(default)]
    pub headers: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub refresh_minutes: String,
    #[serde(default)]
    pub is_active: Option<String>,
    /// Filled from the repeated `channels` field, not by serde.
    #[serde(skip_deserializing)]
    pub channels: Vec<String>,
}

/// Field name → what is wrong with it, in words.
pub type FieldErrors = BTreeMap<&'static str, String>;

impl LinkForm {
    /// The link to add, or every field's problem at once.
    pub fn check(&self, page_id: PageId) -> Result<NewCrmLink, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut note = |e: FieldError| {
            errors.entry(e.field).or_insert(e.message);
        };
        let name = crm_link::parse_name(&self.name).map_err(&mut note).ok();
        let link_type = match self.link_type.trim() {
            "" => Some(CrmLinkType::Api),
            word => CrmLinkType::parse(word)
                .map_err(|e| note(FieldError { field: "type", ..e }))
                .ok(),
        };
        let url = link_type.and_then(|t| crm_link::parse_url(&self.url, t).map_err(&mut note).ok());
        let channels = if self.channels.is_empty() {
            note(FieldError::new("channels", "choose at least one channel"));
            None
        } else {
            Channel::parse_list("channels", &self.channels)
                .map_err(&mut note)
                .ok()
        };
        let headers = parse_header_lines(&self.headers)
            .and_then(crm_link::parse_headers)
            .map_err(&mut note)
            .ok();
        let description = crm_link::parse_description(Some(self.description.as_str()))
            .map_err(&mut note)
            .ok();
        let refresh_minutes = match self.refresh_minutes.trim() {
            "" => Some(None),
            text => match text.parse::<i64>() {
                Ok(minutes) => crm_link::parse_refresh_minutes(Some(minutes))
                    .map_err(&mut note)
                    .ok(),
                Err(_) => {
                    note(FieldError::new(
                        "refresh_minutes",
                        "must be a whole number of minutes",
                    ));
                    None
                }
            },
        };
        match (
            name,
            link_type,
            url,
            channels,
            headers,
            description,
            refresh_minutes,
        ) {
            (
                Some(name),
                Some(link_type),
                Some(url),
                Some(channels),
                Some(headers),
                Some(description),
                Some(refresh_minutes),
            ) if errors.is_empty() => {
                let api_key = Some(self.api_key.trim())
                    .filter(|k| !k.is_empty())
                    .map(|k| SecretString::from(k.to_owned()));
                Ok(NewCrmLink {
                    page_id,
                    draft: CrmLinkDraft {
                        name,
                        url,
                        link_type,
                        channels,
                        api_key,
                        headers,
                        description,
                        is_active: self.is_active.is_some(),
                        refresh_minutes,
                    },
                })
            }
            _ => Err(errors),
        }
    }
}

/// `Name: value` lines into pairs; blank lines are skipped.
fn parse_header_lines(text: &str) -> Result<Vec<(String, String)>, FieldError> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| {
            line.split_once(':')
                .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
                .ok_or_else(|| {
                    FieldError::new(
                        "headers",
                        format!("write each header as Name: value (line {line:?} has no colon)"),
                    )
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> PageId {
        crate::dashboard::parse_page_id("123456789").unwrap()
    }

    #[test]
    fn every_wrong_field_is_named_at_once() {
        let form = LinkForm {
            url: "not a url".into(),
            refresh_minutes: "soon".into(),
            ..LinkForm::default()
        };
        let Err(errors) = form.check(page()) else {
            panic!("an empty form was accepted");
        };
        for field in ["name", "url", "channels", "refresh_minutes"] {
            assert!(errors.contains_key(field), "{field}: {errors:?}");
        }
    }

    #[test]
    fn a_complete_form_is_a_link() {
        let form = LinkForm {
            name: "Customers".into(),
            url: "https://crm.example.com/customers".into(),
            channels: vec!["messenger".into()],
            headers: "X-Tenant: 7\n".into(),
            is_active: Some("on".into()),
            ..LinkForm::default()
        };
        let Ok(new) = form.check(page()) else {
            panic!("a complete form was refused");
        };
        assert_eq!(new.draft.channels, vec![Channel::Messenger]);
        assert!(new.draft.is_active);
        assert_eq!(new.draft.headers.len(), 1);
    }
}

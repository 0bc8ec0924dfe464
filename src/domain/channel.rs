//! The two conversation channels a page answers on.

use super::FieldError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// `facebook` is comments under the page's posts; `messenger` is private conversations.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Facebook,
    Messenger,
}

impl Channel {
    pub const ALL: [Channel; 2] = [Channel::Facebook, Channel::Messenger];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Facebook => "facebook",
            Channel::Messenger => "messenger",
        }
    }

    pub fn parse(field: &'static str, value: &str) -> Result<Self, FieldError> {
        match value {
            "facebook" => Ok(Channel::Facebook),
            "messenger" => Ok(Channel::Messenger),
            other => Err(FieldError::new(
                field,
                format!("unknown channel {other:?}; expected \"facebook\" or \"messenger\""),
            )),
        }
    }

    /// Parses a non-empty list, dropping repeats but keeping the caller's order.
    pub fn parse_list(field: &'static str, values: &[String]) -> Result<Vec<Self>, FieldError> {
        if values.is_empty() {
            return Err(FieldError::new(field, "must name at least one channel"));
        }
        let mut channels = Vec::with_capacity(values.len());
        for value in values {
            let channel = Self::parse(field, value)?;
            if !channels.contains(&channel) {
                channels.push(channel);
            }
        }
        Ok(channels)
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

//! Answering a customer (issue 4): the prompts a reply is written from, and the rule that a
//! public reply never shows personal data.
//!
//! * [`prompt`] loads `prompts/*.md` at start-up and fills their placeholders;
//! * [`privacy`] keeps personal data out of public comment replies.

pub mod privacy;
pub mod prompt;

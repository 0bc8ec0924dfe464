//! Recommendations and insights for one customer (issue 6 §6, "Enhance AI Integration"),
//! read from the company's CRM sales documents: which products to suggest and why
//! ([`recommend`], [`similar`]), and what their documents say — how often they reorder and
//! whether a reorder is due, whether they buy more or less, what is still open
//! ([`insight`]). [`render`] writes both in the reply's language; [`service`] reads the
//! store, the inventory snapshot and retrieval for them.
//!
//! Both feed an email's context (its `recommendations` and `insights`), the reply prompt,
//! and the `{{ recommendations }}` placeholder of templates.

pub mod history;
pub mod insight;
pub mod recommend;
pub mod render;
pub mod service;
pub mod similar;

pub use service::{Insights, Recommendation, Recommendations};

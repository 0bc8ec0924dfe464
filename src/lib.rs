//! crm-mind answers a business's customers on Facebook (Messenger and comments under Page
//! posts) with facts from the business's own CRM endpoints.
//!
//! A tour, in the order a request travels:
//! * [`config`] layers defaults, `crm-mind.toml` and `CRM_MIND_*` variables into [`config::Settings`].
//! * [`startup`] picks the engines the settings name, builds [`http::AppState`] and serves
//!   until SIGINT or SIGTERM.
//! * [`http`] is the axum router: the webhook, the dashboard API, log-in, health and metrics.
//! * [`admin`] is the operator's web console under `/admin`, on the same services.
//! * [`facebook`] checks webhook signatures and parses the wire format into
//!   [`domain::events::WebhookEvent`]s; [`intake`] stores the ones that want an answer.
//! * [`crm`] fetches a CRM link's data, guarded against reaching the server's own network.
//! * [`accounts`] and [`dashboard`] hold the rules for users, tokens, pages and CRM links.
//! * [`store`] is the document store seam, with the SQLite default and MongoDB.
//! * [`secrets`] seals page tokens and API keys at rest; [`telemetry`] sets up logs and metrics.

pub mod accounts;
pub mod admin;
pub mod backoff;
pub mod cli;
pub mod config;
pub mod crm;
pub mod dashboard;
pub mod domain;
pub mod email;
pub mod facebook;
pub mod http;
pub mod intake;
pub mod llm;
pub mod metakocka;
pub mod rag;
pub mod records;
pub mod reply;
pub mod reports;
pub mod secrets;
pub mod startup;
pub mod store;
pub mod telemetry;

//! The Graph API client against a fake Graph API on a loopback port that follows Facebook's
//! documentation: each endpoint's path, body and token, long texts split into several
//! messages, and how each documented error code is handled.

#[path = "graph_api/fake_graph.rs"]
mod fake_graph;

#[path = "graph_api/endpoints.rs"]
mod endpoints;

#[path = "graph_api/errors.rs"]
mod errors;

#[path = "graph_api/secrets.rs"]
mod secrets;

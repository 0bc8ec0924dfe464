//! Retrieval: from a CRM link's data to chunks a reply can cite.
//!
//! The pipeline, in the order data travels:
//! * [`crate::crm`] fetches a link's data (pagination, retries, outbound safety);
//! * [`flatten`] turns JSON into the guide's `path: value` lines, grouped by record;
//! * [`chunk`] packs records into chunks sized in the embedding model's tokens;
//! * [`embed`] turns chunks into vectors; [`lexical`] into the terms of exact matching;
//! * [`index`] stores both and answers hybrid searches per company, page and channel;
//! * [`sync`] keeps one link's chunks current, embedding only what changed.

pub mod embed;
pub mod index;
pub mod lexical;

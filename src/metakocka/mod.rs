//! The Metakocka ERP integration (issue 5): the client of Metakocka's REST API, the
//! company's encrypted credentials, the error log every integration failure lands in, the
//! inventory snapshot, and Metakocka's records in retrieval ([`knowledge`]).

pub mod client;
pub mod credentials;
pub mod error_log;
pub mod inventory;
pub mod inventory_schedule;
mod inventory_snapshot;
pub mod knowledge;
pub mod sync;
pub mod types;

//! The two-way Metakocka sync (issue 5, items 4, 5, 8, 9 and 11): products, contacts
//! (Metakocka partners) and sales documents, each mapped record by record.
//!
//! * [`model`]: mappings, settings, runs and conflicts (stored behind
//!   [`crate::store::MetakockaMappingStore`] and [`crate::store::MetakockaSyncStore`]).
pub mod model;

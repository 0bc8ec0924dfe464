//! The Metakocka client: each documented quirk read from Metakocka's own examples, round
//! trips against the fake Metakocka, paging, the per-company limits, retries, and errors
//! that never show the secret key.

#[path = "support/fake_metakocka.rs"]
mod fake_metakocka;

#[path = "metakocka_client/quirks.rs"]
mod quirks;

#[path = "metakocka_client/round_trips.rs"]
mod round_trips;

#[path = "metakocka_client/limits.rs"]
mod limits;

#[path = "metakocka_client/failures.rs"]
mod failures;

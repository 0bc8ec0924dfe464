//! How many calls the client has in flight to one Metakocka company at once: one search,
//! and two of anything else. Metakocka asks integrators to keep to that, and a company's
//! sync jobs, the credentials test and retrieval all share one [`super::MetakockaClient`],
//! so the gate lives in the client, keyed by Metakocka's company id.

use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Which gate a call passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CallKind {
    Search,
    Other,
}

struct CompanyGates {
    search: Arc<Semaphore>,
    other: Arc<Semaphore>,
}

/// The gates of every company the client has called.
pub(super) struct CompanyLimits {
    searches: usize,
    others: usize,
    gates: Mutex<HashMap<String, Arc<CompanyGates>>>,
}

impl CompanyLimits {
    pub(super) fn new(searches: usize, others: usize) -> Self {
        Self {
            searches: searches.max(1),
            others: others.max(1),
            gates: Mutex::new(HashMap::new()),
        }
    }

    /// Waits for a free slot of `kind` for `company_id`; the slot is held until the permit
    /// is dropped.
    pub(super) async fn acquire(&self, company_id: &str, kind: CallKind) -> OwnedSemaphorePermit {
        let gates = {
            let mut map = self.gates.lock();
            Arc::clone(map.entry(company_id.to_owned()).or_insert_with(|| {
                Arc::new(CompanyGates {
                    search: Arc::new(Semaphore::new(self.searches)),
                    other: Arc::new(Semaphore::new(self.others)),
                })
            }))
        };
        let semaphore = match kind {
            CallKind::Search => Arc::clone(&gates.search),
            CallKind::Other => Arc::clone(&gates.other),
        };
        semaphore
            .acquire_owned()
            .await
            .expect("the semaphores are never closed")
    }
}

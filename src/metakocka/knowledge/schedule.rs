//! The scheduled reindex, when `CRM_MIND_METAKOCKA_KNOWLEDGE_REFRESH_MINUTES` is set: every
//! company with organisation credentials, one after another (as the inventory schedule
//! does). With the setting at 0 (the default), the reindex after each inventory refresh is
//! the schedule.

use super::{MetakockaKnowledge, ReindexError};
use tokio::task::JoinHandle;

/// Starts the loop; `None` when `every_minutes` is 0. The first round runs one period after
/// start, so a restart does not call Metakocka at once.
pub fn spawn(knowledge: MetakockaKnowledge, every_minutes: u64) -> Option<JoinHandle<()>> {
    crate::metakocka::inventory_schedule::spawn_rounds(every_minutes, move || {
        let knowledge = knowledge.clone();
        async move { reindex_all(&knowledge).await }
    })
}

/// One round: every company with organisation credentials, in turn. A failure is already
/// in the company's error log; the round goes on with the next company.
pub async fn reindex_all(knowledge: &MetakockaKnowledge) {
    let companies = match knowledge.scheduled_companies().await {
        Ok(companies) => companies,
        Err(e) => {
            tracing::warn!(error = %e, "could not list the companies to reindex Metakocka data for");
            return;
        }
    };
    for company in companies {
        match knowledge.reindex(&company).await {
            Ok(_) | Err(ReindexError::NoCredentials) => {}
            Err(e) => {
                tracing::warn!(company = %company, error = %e, "scheduled Metakocka reindex failed")
            }
        }
    }
}

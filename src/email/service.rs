//! [`Emails`]: the email features over the store, Metakocka and the chat model, as the HTTP
//! layer calls them. Cheap to clone.

use super::enrich::{DocumentPatterns, Enricher};
use super::smtp::{Sending, SmtpRelay};
use super::{IncomingEmail, StoredEmail};
use crate::domain::{CompanyId, UserId};
use crate::llm::ChatModel;
use crate::metakocka::client::{MetakockaClient, MetakockaCredentials};
use crate::metakocka::credentials::Credentials;
use crate::metakocka::error_log::ErrorLog;
use crate::metakocka::inventory::{Inventory, for_client};
use crate::rag::Retrieval;
use crate::store::{DynStore, InsertOutcome, StoreError};
use std::sync::Arc;
use std::time::Duration;

/// What an ingest did.
#[derive(Debug)]
pub enum Ingested {
    /// Stored now (and enriched, when enrichment finished in time).
    New(StoredEmail),
    /// The company had an email with this `message_id`: here it is, unchanged.
    Existing(StoredEmail),
}

#[derive(Clone)]
pub struct Emails {
    pub(crate) store: DynStore,
    pub(crate) credentials: Credentials,
    pub(crate) inventory: Inventory,
    pub(crate) errors: ErrorLog,
    pub(crate) retrieval: Option<Retrieval>,
    pub(crate) model: Arc<dyn ChatModel>,
    patterns: Arc<DocumentPatterns>,
    enrich_timeout: Duration,
    /// The relay drafts are sent through; `None`: crm-mind sends nothing.
    pub(crate) smtp: Option<SmtpRelay>,
    pub(crate) sending: Sending,
}

impl Emails {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        store: DynStore,
        credentials: Credentials,
        inventory: Inventory,
        errors: ErrorLog,
        retrieval: Option<Retrieval>,
        model: Arc<dyn ChatModel>,
        patterns: DocumentPatterns,
        enrich_timeout: Duration,
    ) -> Self {
        Self {
            store,
            credentials,
            inventory,
            errors,
            retrieval,
            model,
            patterns: Arc::new(patterns),
            enrich_timeout,
            smtp: None,
            sending: Sending::default(),
        }
    }

    /// These emails, sending drafts through `relay` when there is one.
    pub fn with_smtp(mut self, relay: Option<SmtpRelay>) -> Self {
        self.smtp = relay;
        self
    }

    /// Stores the email once per `message_id`, then enriches it, waiting at most the
    /// configured time: an email whose enrichment is slow is stored without it (enrich it
    /// again later), never refused.
    pub async fn ingest(
        &self,
        company: &CompanyId,
        user: Option<&UserId>,
        incoming: IncomingEmail,
    ) -> Result<Ingested, StoreError> {
        let email = StoredEmail::create(company, incoming, crate::records::now());
        if self.store.insert_email(&email).await? == InsertOutcome::Duplicate {
            let existing = self
                .store
                .find_email_by_message_id(company, &email.message_id)
                .await?
                .ok_or_else(|| {
                    StoreError::Unavailable("a duplicate email vanished while read".into())
                })?;
            return Ok(Ingested::Existing(existing));
        }
        match tokio::time::timeout(
            self.enrich_timeout,
            self.enrich(company, user, email.clone()),
        )
        .await
        {
            Ok(Ok(enriched)) => Ok(Ingested::New(enriched)),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, email = %email.id, "the new email was stored but not enriched");
                Ok(Ingested::New(email))
            }
            Err(_) => {
                tracing::warn!(email = %email.id, "enrichment took too long; the email is stored without it");
                Ok(Ingested::New(email))
            }
        }
    }

    /// Finds the email's partner, documents and products, stores them with the email and
    /// replaces its links.
    #[tracing::instrument(skip_all, fields(company = %company, email = %email.id))]
    pub async fn enrich(
        &self,
        company: &CompanyId,
        user: Option<&UserId>,
        mut email: StoredEmail,
    ) -> Result<StoredEmail, StoreError> {
        let metakocka = self.metakocka(company, user).await;
        let access = metakocka
            .as_ref()
            .map(|(client, credentials)| (client, credentials));
        let own = self.document_patterns(company).await?;
        let patterns = own.as_ref().unwrap_or(&self.patterns);
        let enrichment = Enricher::new(&self.store, company, access, &self.errors, patterns)
            .with_retrieval(self.retrieval.as_ref())
            .run(&email)
            .await?;
        let (contacts, documents) = enrichment.links(&email.id);
        email.enrichment = Some(enrichment);
        self.store.update_email(&email).await?;
        self.store
            .replace_email_links(company, &email.id, &contacts, &documents)
            .await?;
        Ok(email)
    }

    /// The service-wide document-number patterns (a company's own override them).
    pub fn default_patterns(&self) -> Vec<String> {
        self.patterns.sources()
    }

    /// The company's own document-number patterns, when it saved some. Saved patterns were
    /// checked on save; should one not compile now, the service-wide ones apply (logged).
    async fn document_patterns(
        &self,
        company: &CompanyId,
    ) -> Result<Option<DocumentPatterns>, StoreError> {
        let Some(patterns) = self
            .store
            .get_email_settings(company)
            .await?
            .and_then(|s| s.document_patterns)
        else {
            return Ok(None);
        };
        match DocumentPatterns::from_patterns(&patterns) {
            Ok(parsed) => Ok(Some(parsed)),
            Err(e) => {
                tracing::error!(error = %e, "a company's saved document patterns do not compile");
                Ok(None)
            }
        }
    }

    /// The Metakocka client and the credentials a call for `user` uses; `None` (logged)
    /// when there are none or they cannot be opened.
    pub(crate) async fn metakocka(
        &self,
        company: &CompanyId,
        user: Option<&UserId>,
    ) -> Option<(MetakockaClient, MetakockaCredentials)> {
        let client = match self.inventory.client() {
            Ok(client) => client.clone(),
            Err(e) => {
                tracing::warn!(error = %e, "the Metakocka client is not usable");
                return None;
            }
        };
        match self.credentials.effective_credentials(company, user).await {
            Ok(Some((credentials, _))) => Some((client, for_client(credentials))),
            Ok(None) => None,
            Err(e) => {
                tracing::warn!(error = %e, "the Metakocka credentials could not be read");
                None
            }
        }
    }
}

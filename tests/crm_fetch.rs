//! The CRM fetcher against fake CRM servers on loopback ports that answer the way the real
//! CRMs do (Shopify, HubSpot, the Facebook Graph API, Django REST framework, Laravel,
//! JSON:API), one file per area under `tests/crm_fetch/`.

#[path = "crm_fetch/fake_crm.rs"]
mod fake_crm;

#[path = "crm_fetch/requests.rs"]
mod requests;

#[path = "crm_fetch/pagination.rs"]
mod pagination;

#[path = "crm_fetch/failures.rs"]
mod failures;

#[path = "crm_fetch/outbound.rs"]
mod outbound;

#[path = "crm_fetch/files.rs"]
mod files;

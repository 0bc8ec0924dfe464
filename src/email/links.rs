//! The stored links between an email and the Metakocka entities it concerns, so that an
//! entity's emails can be listed (`/api/integrations/metakocka/contacts/{id}/emails`,
//! `.../sales-documents/{id}/emails`). Each link keeps why it was made and how sure it is.

use serde::{Deserialize, Serialize};

/// A row of `email_metakocka_contact_mappings`: the sender as a Metakocka partner and/or a
/// CRM contact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactLink {
    pub email_id: String,
    pub partner_mk_id: Option<String>,
    pub contact_id: Option<String>,
    pub reason: String,
    pub confidence: f32,
}

/// A row of `email_metakocka_document_mappings`: a document the email mentions, as
/// Metakocka confirmed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentLink {
    pub email_id: String,
    pub doc_type: String,
    pub mk_id: String,
    pub count_code: String,
    pub reason: String,
    pub confidence: f32,
}

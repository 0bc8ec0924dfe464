//! The sales calls: partners (`get_partner`, `add_partner`, `update_partner`), documents
//! (`put_document`, `get_document`, `update_document`) and `search`.
//! <https://github.com/metakocka/metakocka_api_base/blob/master/docs/get_partner.md>,
//! `add_partner.md`, `update_partner.md`, `documents_concept.md`, `search_concept.md`.

use super::limits::CallKind;
use super::paging::{PageProgress, SEARCH_PAGE_SIZE};
use super::{MetakockaClient, MetakockaCredentials, MetakockaError};
use crate::metakocka::types::{
    Document, DocumentKey, DocumentSaved, Partner, PartnerAdded, PartnerList, PartnerQuery,
    SearchPage, SearchQuery,
};
use serde::Serialize;

impl MetakockaClient {
    /// The partners matching `query`.
    pub async fn get_partner(
        &self,
        credentials: &MetakockaCredentials,
        query: &PartnerQuery,
    ) -> Result<Vec<Partner>, MetakockaError> {
        let list: PartnerList = self
            .call(credentials, "get_partner", CallKind::Other, query)
            .await?;
        Ok(list.partner_list)
    }

    pub async fn add_partner(
        &self,
        credentials: &MetakockaCredentials,
        partner: &Partner,
    ) -> Result<PartnerAdded, MetakockaError> {
        self.call(
            credentials,
            "add_partner",
            CallKind::Other,
            &PartnerBody { partner },
        )
        .await
    }

    /// Changes the partner named by `partner.mk_id`; answers the partner as it now is.
    pub async fn update_partner(
        &self,
        credentials: &MetakockaCredentials,
        partner: &Partner,
    ) -> Result<Vec<Partner>, MetakockaError> {
        let list: PartnerList = self
            .call(
                credentials,
                "update_partner",
                CallKind::Other,
                &PartnerBody { partner },
            )
            .await?;
        Ok(list.partner_list)
    }

    /// Creates a document of `document.doc_type`; answers its `mk_id` and `count_code`.
    pub async fn put_document(
        &self,
        credentials: &MetakockaCredentials,
        document: &Document,
    ) -> Result<DocumentSaved, MetakockaError> {
        self.call(credentials, "put_document", CallKind::Other, document)
            .await
    }

    pub async fn get_document(
        &self,
        credentials: &MetakockaCredentials,
        key: &DocumentKey,
    ) -> Result<Document, MetakockaError> {
        self.call(credentials, "get_document", CallKind::Other, key)
            .await
    }

    /// Changes the fields set in `document` on the document its `mk_id` (or
    /// `buyer_order`) names.
    pub async fn update_document(
        &self,
        credentials: &MetakockaCredentials,
        document: &Document,
    ) -> Result<(), MetakockaError> {
        self.call::<_, serde_json::Map<String, serde_json::Value>>(
            credentials,
            "update_document",
            CallKind::Other,
            document,
        )
        .await
        .map(drop)
    }

    /// Every document matching `query`, [`SEARCH_PAGE_SIZE`] at a time.
    pub async fn search_all(
        &self,
        credentials: &MetakockaCredentials,
        query: &SearchQuery,
    ) -> Result<Vec<Document>, MetakockaError> {
        let mut all = Vec::new();
        self.search_pages(credentials, query, |_, page| all.extend(page))
            .await?;
        Ok(all)
    }

    pub async fn search_pages(
        &self,
        credentials: &MetakockaCredentials,
        query: &SearchQuery,
        on_page: impl FnMut(PageProgress, Vec<Document>),
    ) -> Result<u64, MetakockaError> {
        self.read_windows::<_, SearchPage, _>(
            credentials,
            "search",
            CallKind::Search,
            query,
            SEARCH_PAGE_SIZE,
            on_page,
        )
        .await
    }
}

/// `add_partner` and `update_partner` take the partner under `"partner"`.
#[derive(Serialize)]
struct PartnerBody<'a> {
    partner: &'a Partner,
}

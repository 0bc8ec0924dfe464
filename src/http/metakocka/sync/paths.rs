//! One named handler per (path, kind) of the sync routes, each with its `#[utoipa::path]`, so
//! that `routes!` registers every one in the router and the OpenAPI contract alike. They
//! only pass the kind on to [`super::records`].

use super::super::super::AppState;
use super::super::super::error::ApiError;
use super::super::super::extract::{ApiQuery, Caller, RawBody};
use super::SyncBody;
use super::records::{self, BulkQuery, UnsyncedQuery};
use crate::metakocka::sync::model::EntityKind::{Contact, Product, SalesDocument};
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use std::collections::HashMap;

/// `POST`: one record (`{"product_id"}` etc.) to Metakocka, answering its mapping and run.
macro_rules! push_one {
    ($name:ident, $path:tt, $kind:expr) => {
        #[utoipa::path(
            post,
            path = $path,
            tag = "metakocka-sync",
            request_body(content = super::ProductSyncBody, description = "`{\"product_id\": ...}`", content_type = "application/json"),
            responses(
                (status = 200, description = "the record's id and mapping, and the run", body = RecordSynced),
                (status = 400, response = BadRequest),
                (status = 403, response = Forbidden),
                (status = 404, response = NotFound),
                (status = 409, description = "no Metakocka credentials, or a run of this kind goes already (`no_credentials`, `sync_running`)", body = ErrorBody),
                (status = 502, description = "Metakocka refused the record or failed (`sync_failed`, `metakocka_failed`)", body = ErrorBody),
            ),
            security(("bearer" = [])),
        )]
        pub async fn $name(state: State<AppState>, caller: Caller, RawBody(body): RawBody) -> Result<Response, ApiError> {
            records::push_one(state, caller, body, $kind).await
        }
    };
}

/// `POST`: one route for one record or many (`?bulk=true` or a list of ids).
macro_rules! push_one_or_bulk {
    ($name:ident, $path:tt, $kind:expr) => {
        #[utoipa::path(
            post,
            path = $path,
            tag = "metakocka-sync",
            params(("bulk" = Option<bool>, Query, description = "many records: the listed ids, or all")),
            request_body(content = Option<SyncBody>, description = "one record's id, or a list of ids", content_type = "application/json"),
            responses(
                (status = 200, description = "one record: its id and mapping, and the run; many: the run", body = RecordOrRun),
                (status = 202, description = "many, with `background: true`: the run while it runs", body = RunAnswer),
                (status = 400, response = BadRequest),
                (status = 403, response = Forbidden),
                (status = 404, response = NotFound),
                (status = 409, description = "no Metakocka credentials, or a run of this kind goes already (`no_credentials`, `sync_running`)", body = ErrorBody),
                (status = 502, description = "Metakocka refused the record or failed (`sync_failed`, `metakocka_failed`)", body = ErrorBody),
            ),
            security(("bearer" = [])),
        )]
        pub async fn $name(
            state: State<AppState>,
            caller: Caller,
            query: ApiQuery<BulkQuery>,
            RawBody(body): RawBody,
        ) -> Result<Response, ApiError> {
            records::push_one_or_bulk(state, caller, query, body, $kind).await
        }
    };
}

/// `POST`: a run over many records (`push_many`: to Metakocka; `pull_all`: from it).
macro_rules! run_many {
    ($name:ident, $path:tt, $kind:expr, $handler:ident, $what:tt) => {
        #[utoipa::path(
            post,
            path = $path,
            tag = "metakocka-sync",
            description = $what,
            request_body(content = Option<SyncBody>, description = "optional (empty means `{}`): the ids, a selective run's filters, `direction`, `background`", content_type = "application/json"),
            responses(
                (status = 200, description = "the run when it ended", body = RunAnswer),
                (status = 202, description = "with `background: true`: the run while it runs", body = RunAnswer),
                (status = 400, response = BadRequest),
                (status = 403, response = Forbidden),
                (status = 409, description = "no Metakocka credentials, or a run of this kind goes already (`no_credentials`, `sync_running`)", body = ErrorBody),
                (status = 502, description = "Metakocka failed (`metakocka_failed`)", body = ErrorBody),
            ),
            security(("bearer" = [])),
        )]
        pub async fn $name(state: State<AppState>, caller: Caller, RawBody(body): RawBody) -> Result<Response, ApiError> {
            records::$handler(state, caller, body, $kind).await
        }
    };
}

/// `POST`: one Metakocka record (`{"mk_id"}`) into crm-mind.
macro_rules! pull_one {
    ($name:ident, $path:tt, $kind:expr) => {
        #[utoipa::path(
            post,
            path = $path,
            tag = "metakocka-sync",
            request_body(content = super::MkIdSyncBody, description = "`{\"mk_id\": ...}`", content_type = "application/json"),
            responses(
                (status = 200, description = "the record's id and mapping, and the run", body = RecordSynced),
                (status = 400, response = BadRequest),
                (status = 403, response = Forbidden),
                (status = 404, response = NotFound),
                (status = 409, description = "no Metakocka credentials, or a run of this kind goes already (`no_credentials`, `sync_running`)", body = ErrorBody),
                (status = 502, description = "Metakocka refused or failed (`sync_failed`, `metakocka_failed`)", body = ErrorBody),
            ),
            security(("bearer" = [])),
        )]
        pub async fn $name(state: State<AppState>, caller: Caller, RawBody(body): RawBody) -> Result<Response, ApiError> {
            records::pull_one(state, caller, body, $kind).await
        }
    };
}

/// `GET`: Metakocka's records of the kind that have no mapping yet.
macro_rules! unsynced {
    ($name:ident, $path:tt, $kind:expr) => {
        #[utoipa::path(
            get,
            path = $path,
            tag = "metakocka-sync",
            params(UnsyncedQuery),
            responses(
                (status = 200, description = "Metakocka's records that no mapping names", body = UnsyncedRecords),
                (status = 400, response = BadRequest),
                (status = 409, description = "no Metakocka credentials (`no_credentials`)", body = ErrorBody),
                (status = 502, description = "Metakocka failed (`metakocka_failed`)", body = ErrorBody),
            ),
            security(("bearer" = [])),
        )]
        pub async fn $name(
            state: State<AppState>,
            caller: Caller,
            query: ApiQuery<UnsyncedQuery>,
        ) -> Result<Json<UnsyncedRecords>, ApiError> {
            records::unsynced(state, caller, query, $kind).await
        }
    };
}

/// `GET`: one record's mapping (by its id parameter) or every mapping with counts.
macro_rules! status {
    ($name:ident, $path:tt, $kind:expr, $id:tt) => {
        #[utoipa::path(
            get,
            path = $path,
            tag = "metakocka-sync",
            params(($id = Option<String>, Query, description = "one record's mapping; all of the kind without it")),
            responses(
                (status = 200, description = "one record's mapping; or every mapping of the kind with counts by status", body = MappingState),
                (status = 400, response = BadRequest),
            ),
            security(("bearer" = [])),
        )]
        pub async fn $name(
            state: State<AppState>,
            caller: Caller,
            query: ApiQuery<HashMap<String, String>>,
        ) -> Result<Json<MappingState>, ApiError> {
            records::status(state, caller, query, $kind).await
        }
    };
}

use super::super::super::error::ErrorBody;
use super::super::super::openapi::responses::{BadRequest, Forbidden, NotFound};
use super::answers::{MappingState, RecordOrRun, RecordSynced, RunAnswer, UnsyncedRecords};

// Products: the integration guide's paths.
push_one!(product_push, "/api/products/sync", Product);
status!(product_status, "/api/products/sync", Product, "product_id");
run_many!(
    product_push_bulk,
    "/api/products/sync/bulk",
    Product,
    push_many,
    "the listed products (`product_ids`), or all, to Metakocka"
);
unsynced!(
    product_unsynced,
    "/api/products/sync-from-metakocka",
    Product
);
pull_one!(product_pull, "/api/products/sync-from-metakocka", Product);
run_many!(
    product_pull_all,
    "/api/products/sync-all-from-metakocka",
    Product,
    pull_all,
    "every Metakocka product in scope into crm-mind"
);

// Contacts: the guide's paths and the architecture document's.
push_one_or_bulk!(
    contact_push,
    "/api/integrations/metakocka/contacts/sync-to-metakocka",
    Contact
);
status!(
    contact_status,
    "/api/integrations/metakocka/contacts/mappings",
    Contact,
    "contact_id"
);
unsynced!(
    contact_unsynced,
    "/api/integrations/metakocka/contacts/sync-from-metakocka",
    Contact
);
pull_one!(
    contact_pull,
    "/api/integrations/metakocka/contacts/sync-from-metakocka",
    Contact
);
run_many!(
    contact_pull_all,
    "/api/integrations/metakocka/contacts/sync-all-from-metakocka",
    Contact,
    pull_all,
    "every Metakocka partner in scope into crm-mind"
);
push_one_or_bulk!(contact_push_alias, "/api/metakocka/contacts/sync", Contact);
status!(
    contact_status_alias,
    "/api/metakocka/contacts/mappings",
    Contact,
    "contact_id"
);
run_many!(
    contact_import,
    "/api/metakocka/contacts/import",
    Contact,
    pull_all,
    "every Metakocka partner in scope into crm-mind"
);

// Sales documents: the guide's paths and the architecture document's.
push_one_or_bulk!(
    document_push,
    "/api/integrations/metakocka/sales-documents/sync",
    SalesDocument
);
status!(
    document_status,
    "/api/integrations/metakocka/sales-documents/sync",
    SalesDocument,
    "document_id"
);
run_many!(
    document_push_bulk,
    "/api/integrations/metakocka/sales-documents/sync-bulk",
    SalesDocument,
    push_many,
    "the listed documents (`document_ids`), or all, to Metakocka"
);
unsynced!(
    document_unsynced,
    "/api/integrations/metakocka/sales-documents/sync-from-metakocka",
    SalesDocument
);
pull_one!(
    document_pull,
    "/api/integrations/metakocka/sales-documents/sync-from-metakocka",
    SalesDocument
);
run_many!(
    document_pull_all,
    "/api/integrations/metakocka/sales-documents/sync-all-from-metakocka",
    SalesDocument,
    pull_all,
    "every Metakocka document in scope into crm-mind"
);
push_one_or_bulk!(
    document_push_alias,
    "/api/metakocka/sales-documents/sync",
    SalesDocument
);
status!(
    document_status_alias,
    "/api/metakocka/sales-documents/mappings",
    SalesDocument,
    "document_id"
);
run_many!(
    document_import,
    "/api/metakocka/sales-documents/import",
    SalesDocument,
    pull_all,
    "every Metakocka document in scope into crm-mind"
);

//! The OpenAPI 3.1 contract of the HTTP API, generated from the code: each handler's
//! `#[utoipa::path]` attribute says its method, path, parameters, body and answers, and
//! [`super::api_routes`] registers every API route through `utoipa_axum`'s `routes!`, so the
//! served spec and the router come from the same attribute and cannot drift apart.
//!
//! This module owns the document's frame (info, the bearer scheme, the shared error schema
//! and the reusable error responses), `GET /api/openapi.json` and the browsable page at
//! `GET /api/docs` ([`docs`]).

pub mod combine;
pub mod docs;
pub mod formats;
mod page;
pub mod patterns;
pub mod responses;
pub mod whole;

pub use page::Page;

use super::error::{ErrorBody, ErrorDetail};
use std::borrow::Cow;
use std::sync::OnceLock;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ObjectBuilder, RefOr, Schema, Type};
use utoipa::{Modify, OpenApi};

/// The name of the bearer security scheme that operations needing a token refer to.
pub const BEARER: &str = "bearer";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "crm-mind",
        description = "The HTTP API of crm-mind: Facebook pages and their CRM links, retrieval, \
                       replies, Metakocka integration, records and customer emails. Send \
                       `Authorization: Bearer <token>` from `POST /api/auth/login`. Every error \
                       answer is `{\"error\": {\"code\", \"message\"}}`."
    ),
    modifiers(&BearerScheme),
    components(
        schemas(ErrorBody, ErrorDetail, JsonObject),
        responses(
            responses::BadRequest,
            responses::Unauthorized,
            responses::Forbidden,
            responses::NotFound,
            responses::PayloadTooLarge,
            responses::ServerBusy,
            responses::UnsupportedMediaType,
            responses::Internal,
        )
    )
)]
pub struct ApiDoc;

/// Adds the bearer-token scheme that `security(("bearer" = []))` names.
struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("the token from POST /api/auth/login"))
                    .build(),
            ),
        );
    }
}

/// A JSON object whose fields the operation's description names. Answers built from domain
/// records say so with this rather than with a schema that could claim more than is true.
pub struct JsonObject;

impl utoipa::PartialSchema for JsonObject {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "a JSON object; its fields are described by the operation",
            ))
            .into()
    }
}

impl utoipa::ToSchema for JsonObject {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("JsonObject")
    }
}

/// The whole contract as served at `GET /api/openapi.json`, built once.
pub fn spec() -> &'static utoipa::openapi::OpenApi {
    static SPEC: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    SPEC.get_or_init(|| {
        let mut spec = super::api_routes().into_openapi();
        // The title is ours; the version is the crate's, so the contract names the release.
        spec.info.version = env!("CARGO_PKG_VERSION").to_owned();
        name_operations(&mut spec);
        add_shared_answers(&mut spec);
        spec
    })
}

/// The answers many operations share, added here rather than spelled in each attribute:
/// every operation behind a bearer token may answer 401 (no valid token) and 500 (a failure
/// of ours, logged); every operation that takes a body may answer 413 (each route caps its
/// body: axum's default limit, or the route's own) and 503 `server_busy` from
/// [`crate::http::body_budget`], which sits in front of all of them. An attribute that names
/// one of these statuses itself keeps its own description. 415 is not among them: the
/// routes that read a body by hand (the Metakocka sync routes, the CRM push, the webhook)
/// take it whatever its content type says, so only the attributes of the others name it.
fn add_shared_answers(spec: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{Ref, RefOr};
    for item in spec.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            let behind_token = operation.security.as_ref().is_some_and(|s| !s.is_empty());
            let shared = [
                ("401", "Unauthorized", behind_token),
                ("500", "Internal", behind_token),
                ("413", "PayloadTooLarge", operation.request_body.is_some()),
                ("503", "ServerBusy", operation.request_body.is_some()),
            ];
            for (status, response, applies) in shared {
                if applies {
                    operation
                        .responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| RefOr::Ref(Ref::from_response_name(response)));
                }
            }
        }
    }
}

/// Gives each operation an id from its method and path (`get_api_products_id`): utoipa takes
/// the handler's name, and many handlers share one (`list`, `show`), while OpenAPI wants the
/// ids unique.
fn name_operations(spec: &mut utoipa::openapi::OpenApi) {
    for (path, item) in spec.paths.paths.iter_mut() {
        let words: String = path
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let words = words
            .split('_')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join("_");
        let operations = [
            ("get", &mut item.get),
            ("put", &mut item.put),
            ("post", &mut item.post),
            ("delete", &mut item.delete),
            ("patch", &mut item.patch),
        ];
        for (method, operation) in operations {
            if let Some(operation) = operation {
                operation.operation_id = Some(format!("{method}_{words}"));
            }
        }
    }
}

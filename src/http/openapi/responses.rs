//! The error answers many operations share, as reusable OpenAPI response components. Each
//! is the one error shape [`ErrorBody`]; the `code` field tells cases of one status apart.

use super::super::error::ErrorBody;
use utoipa::ToResponse;

/// The request is not valid: a parameter or body field is missing or wrong (`code`
/// `invalid_request` or `validation_failed`; the message names the field).
#[derive(ToResponse)]
pub struct BadRequest(pub ErrorBody);

/// No valid bearer token: missing, malformed, unknown or expired (`code` `unauthorized`).
#[derive(ToResponse)]
pub struct Unauthorized(pub ErrorBody);

/// The token is valid but the action needs the admin role (`code` `forbidden`).
#[derive(ToResponse)]
pub struct Forbidden(pub ErrorBody);

/// No such record in the caller's company; another company's record answers the same
/// (`code` `not_found`).
#[derive(ToResponse)]
pub struct NotFound(pub ErrorBody);

/// The body is larger than the route accepts (`code` `payload_too_large`).
#[derive(ToResponse)]
pub struct PayloadTooLarge(pub ErrorBody);

/// The request bodies the service holds at once are at their budget; try again after the
/// `Retry-After` seconds (`code` `server_busy`). Any operation that takes a body may answer it.
#[derive(ToResponse)]
pub struct ServerBusy(pub ErrorBody);

/// The body is not sent as `Content-Type: application/json` (`code`
/// `unsupported_media_type`).
#[derive(ToResponse)]
pub struct UnsupportedMediaType(pub ErrorBody);

/// A failure of ours, logged with its cause; the answer does not carry it (`code`
/// `internal`).
#[derive(ToResponse)]
pub struct Internal(pub ErrorBody);

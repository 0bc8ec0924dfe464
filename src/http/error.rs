//! The one error type of the HTTP API and its stable JSON shape:
//! `{"error": {"code": "...", "message": "..."}}`.
//!
//! Codes are part of the API contract. Internal causes are logged once here and never
//! echoed to the client.

use crate::accounts::AccountError;
use crate::dashboard::DashboardError;
use crate::domain::FieldError;
use crate::store::StoreError;
use axum::Json;
use axum::extract::rejection::{BytesRejection, JsonRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every error answer; one schema component of the OpenAPI contract.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable and part of the contract, e.g. `not_found`, `validation_failed`, `conflict`.
    #[schema(example = "not_found")]
    pub code: String,
    /// For people; may change between releases.
    pub message: String,
}

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the request body is larger than {limit} bytes"),
        )
    }

    /// A failure of ours: logged with its cause, reported to the client without it.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "an internal error occurred; it has been logged",
        )
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.message,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "validation_failed", e.to_string())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        Self::internal(e)
    }
}

impl From<DashboardError> for ApiError {
    fn from(e: DashboardError) -> Self {
        let message = e.to_string();
        match e {
            DashboardError::Invalid(field) => field.into(),
            DashboardError::PageNotFound(_) | DashboardError::LinkNotFound { .. } => {
                Self::not_found(message)
            }
            DashboardError::PageTaken(_) | DashboardError::LinkExists { .. } => {
                Self::new(StatusCode::CONFLICT, "conflict", message)
            }
            DashboardError::Contended => Self::new(StatusCode::CONFLICT, "contended", message),
            DashboardError::Store(e) => e.into(),
        }
    }
}

impl From<AccountError> for ApiError {
    fn from(e: AccountError) -> Self {
        let message = e.to_string();
        match e {
            AccountError::Invalid(field) => field.into(),
            AccountError::InvalidCredentials => {
                Self::new(StatusCode::UNAUTHORIZED, "invalid_credentials", message)
            }
            AccountError::InvalidToken => Self::unauthorized(message),
            AccountError::EmailTaken(_) => Self::new(StatusCode::CONFLICT, "conflict", message),
            AccountError::UnknownCompany(_) | AccountError::UnknownUser(_) => {
                Self::not_found(message)
            }
            AccountError::Store(e) => e.into(),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::MissingJsonContentType(_) => Self::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as JSON with Content-Type: application/json",
            ),
            JsonRejection::BytesRejection(_)
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE =>
            {
                Self::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    rejection.body_text(),
                )
            }
            // The text names the field (axum uses serde_path_to_error), e.g.
            // "channels: invalid type: string \"x\", expected a sequence".
            other => Self::bad_request(other.body_text()),
        }
    }
}

/// A raw body (a CRM push, an `.eml`) over its route's limit, or cut off: the stable error
/// shape instead of axum's plain-text rejection.
impl From<BytesRejection> for ApiError {
    fn from(rejection: BytesRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Self::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                rejection.body_text(),
            )
        } else {
            Self::bad_request(rejection.body_text())
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        Self::bad_request(rejection.body_text())
    }
}

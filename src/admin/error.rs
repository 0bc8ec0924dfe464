//! The console's one error type and how it looks: a page in words, with the right status.
//! Internal causes are logged here once and never shown.

use super::render::render_public;
use crate::dashboard::DashboardError;
use crate::metakocka::credentials::CredentialError;
use crate::metakocka::error_log::ResolveError;
use crate::metakocka::sync::SyncError;
use crate::rag::search::SearchError;
use crate::rag::sync::StartError;
use crate::store::StoreError;
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{IntoResponse, Response};
use minijinja::context;

#[derive(Debug)]
pub enum AdminError {
    /// No valid session: the browser is sent to the sign-in form.
    SignedOut,
    Forbidden(String),
    NotFound(String),
    BadRequest(String),
    Conflict(String),
    Unavailable(String),
    /// A failure of ours, already logged.
    Internal,
}

impl AdminError {
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "admin console: internal error");
        Self::Internal
    }

    fn status_and_text(&self) -> (StatusCode, &str) {
        match self {
            Self::SignedOut => (StatusCode::UNAUTHORIZED, "Please sign in."),
            Self::Forbidden(text) => (StatusCode::FORBIDDEN, text),
            Self::NotFound(text) => (StatusCode::NOT_FOUND, text),
            Self::BadRequest(text) => (StatusCode::BAD_REQUEST, text),
            Self::Conflict(text) => (StatusCode::CONFLICT, text),
            Self::Unavailable(text) => (StatusCode::SERVICE_UNAVAILABLE, text),
            Self::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side; it has been logged.",
            ),
        }
    }
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        if let Self::SignedOut = self {
            let to = format!("{}/login", super::BASE);
            return (StatusCode::SEE_OTHER, [(LOCATION, to)]).into_response();
        }
        let (status, text) = self.status_and_text();
        let title = status.canonical_reason().unwrap_or("Error");
        match render_public(
            "error.html",
            context! { title => title, message => text, status => status.as_u16() },
        ) {
            Ok(page) => (status, page).into_response(),
            Err(_) => (status, text.to_owned()).into_response(),
        }
    }
}

impl From<StoreError> for AdminError {
    fn from(e: StoreError) -> Self {
        Self::internal(e)
    }
}

impl From<DashboardError> for AdminError {
    fn from(e: DashboardError) -> Self {
        let text = e.to_string();
        match e {
            DashboardError::Invalid(field) => {
                Self::BadRequest(format!("{}: {}", field.field, field.message))
            }
            DashboardError::PageNotFound(_) | DashboardError::LinkNotFound { .. } => {
                Self::NotFound(text)
            }
            DashboardError::PageTaken(_)
            | DashboardError::LinkExists { .. }
            | DashboardError::Contended => Self::Conflict(text),
            DashboardError::Store(e) => e.into(),
        }
    }
}

impl From<SearchError> for AdminError {
    fn from(e: SearchError) -> Self {
        Self::internal(e)
    }
}

impl From<StartError> for AdminError {
    fn from(e: StartError) -> Self {
        let text = e.to_string();
        match e {
            StartError::PageNotFound(_) | StartError::LinkNotFound(_) => Self::NotFound(text),
            StartError::AlreadyRunning | StartError::Inactive | StartError::NothingToFetch(_) => {
                Self::Conflict(text)
            }
            StartError::Store(e) => e.into(),
            StartError::Credentials(e) => Self::internal(e),
        }
    }
}

impl From<CredentialError> for AdminError {
    fn from(e: CredentialError) -> Self {
        let text = e.to_string();
        match e {
            CredentialError::Invalid(field) => {
                Self::BadRequest(format!("{}: {}", field.field, field.message))
            }
            CredentialError::NotFound => Self::NotFound(text),
            CredentialError::Unreadable => Self::Conflict(text),
            CredentialError::Store(e) => e.into(),
        }
    }
}

impl From<ResolveError> for AdminError {
    fn from(e: ResolveError) -> Self {
        let text = e.to_string();
        match e {
            ResolveError::NotFound(_) => Self::NotFound(text),
            ResolveError::AlreadyResolved(_) => Self::Conflict(text),
            ResolveError::Store(e) => e.into(),
        }
    }
}

impl From<SyncError> for AdminError {
    fn from(e: SyncError) -> Self {
        let text = e.to_string();
        match e {
            SyncError::NotFound(_) => Self::NotFound(text),
            SyncError::Invalid(_) => Self::BadRequest(text),
            SyncError::NoCredentials | SyncError::AlreadyRunning { .. } => Self::Conflict(text),
            SyncError::Metakocka(_) => Self::Unavailable(text),
            SyncError::Credentials(e) => e.into(),
            SyncError::Store(e) => e.into(),
        }
    }
}

//! One module per console page. Each exposes its `routes()` (or handlers) and renders one
//! template; the rules stay in the services they call.

pub mod dashboard;
pub mod emails;
pub mod errors;
mod link_form;
mod link_sync;
pub mod links;
pub mod metakocka;
pub mod mk_sync;
pub mod replies;
pub mod reports;
pub mod search;

use super::error::AdminError;
use crate::dashboard::parse_page_id;
use crate::domain::{CompanyId, Page, PageId};
use crate::http::AppState;
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{IntoResponse, Response};

/// After a change, back to the page that shows it (POST, redirect, GET), with a short note.
pub fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, to.to_owned())]).into_response()
}

/// The caller's page `page_id`; another company's page is "not found", like a missing one.
pub async fn own_page(
    state: &AppState,
    company: &CompanyId,
    page_id: &str,
) -> Result<Page, AdminError> {
    let page_id: PageId =
        parse_page_id(page_id).map_err(|_| AdminError::NotFound("No such page.".into()))?;
    Ok(state.dashboard.page(company, &page_id).await?)
}

/// A message shown once at the top of the page, passed in the redirect's query.
pub fn flash_query(text: &str) -> String {
    format!(
        "flash={}",
        url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>()
    )
}

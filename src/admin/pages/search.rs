//! Knowledge search: what the bot would find for a question on a page and channel, with each
//! hit's source — the same search the reply worker runs.

use crate::admin::error::AdminError;
use crate::admin::render::Rendered;
use crate::admin::session::{AdminSession, page};
use crate::dashboard::parse_page_id;
use crate::domain::Channel;
use crate::http::AppState;
use crate::rag::index::ChunkFilter;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use minijinja::context;
use serde::Deserialize;
use std::collections::BTreeMap;

const HITS: usize = 8;

pub fn routes() -> Router<AppState> {
    Router::new().route("/search", get(search))
}

#[derive(Deserialize, serde::Serialize, Default)]
pub struct SearchForm {
    #[serde(default)]
    page_id: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    q: String,
}

/// `GET /admin/search`: the form, and the hits when a question was asked.
pub async fn search(
    State(state): State<AppState>,
    session: AdminSession,
    Query(form): Query<SearchForm>,
) -> Result<Rendered, AdminError> {
    let pages = state.dashboard.list_pages(session.company()).await?;
    let page_choices: Vec<_> = pages
        .iter()
        .map(|p| context! { page_id => p.page_id.to_string(), page_name => &p.page_name })
        .collect();
    let mut errors: BTreeMap<&str, String> = BTreeMap::new();
    let mut hits = None;
    if !form.q.trim().is_empty() {
        let chosen = parse_page_id(&form.page_id)
            .ok()
            .and_then(|id| pages.iter().find(|p| p.page_id == id));
        let channel = match form.channel.as_str() {
            "" => Ok(None),
            other => Channel::parse("channel", other).map(Some),
        };
        match (chosen, channel, &state.retrieval) {
            (None, _, _) => {
                errors.insert("page_id", "Choose one of your pages.".into());
            }
            (_, Err(e), _) => {
                errors.insert("channel", e.message);
            }
            (_, _, None) => {
                errors.insert(
                    "q",
                    "Retrieval is off on this server: the embedding model could not be loaded."
                        .into(),
                );
            }
            (Some(chosen), Ok(channel), Some(retrieval)) => {
                let mut filter =
                    ChunkFilter::company(session.company().clone()).page(chosen.page_id.clone());
                if let Some(channel) = channel {
                    filter = filter.channel(channel);
                }
                hits = Some(retrieval.search(filter, form.q.trim(), HITS).await?);
            }
        }
    }
    page(
        &session,
        "search.html",
        "search",
        context! { pages => page_choices, form => &form, hits => hits, errors => errors },
    )
}

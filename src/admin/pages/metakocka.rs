//! Metakocka credentials at `/admin/integrations/metakocka` (the path the integration guide
//! names): the organisation's credentials shown masked, a form to save them, and a connection
//! test that shows Metakocka's own error text and logs the failure like the API does.

use super::{flash_query, see_other};
use crate::admin::csrf::{AdminForm, Empty};
use crate::admin::error::AdminError;
use crate::admin::render::Rendered;
use crate::admin::session::{AdminSession, page};
use crate::http::AppState;
use crate::metakocka::credentials::{CredentialError, CredentialOwner, StoredCredentials};
use crate::metakocka::inventory;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use minijinja::context;
use secrecy::SecretString;
use serde::Deserialize;
use std::collections::BTreeMap;

const PATH: &str = "/integrations/metakocka";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(PATH, get(show))
        .route(&format!("{PATH}/credentials"), post(save))
        .route(&format!("{PATH}/test"), post(test))
}

#[derive(Deserialize)]
pub struct Flash {
    flash: Option<String>,
}

fn view(state: &AppState, stored: &StoredCredentials) -> minijinja::Value {
    context! {
        company_id => &stored.mk_company_id,
        secret_key => state.metakocka_credentials.masked_key(stored).unwrap_or_else(|_| "••••".to_owned()),
        updated_at => stored.updated_at.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
}

async fn render(
    state: &AppState,
    session: &AdminSession,
    flash: Option<String>,
    test: Option<minijinja::Value>,
    form_company: &str,
    errors: &BTreeMap<&'static str, String>,
) -> Result<Rendered, AdminError> {
    let stored = state
        .metakocka_credentials
        .get(session.company(), &CredentialOwner::Organization)
        .await?;
    page(
        session,
        "metakocka.html",
        "metakocka",
        context! {
            credentials => stored.as_ref().map(|s| view(state, s)),
            flash => flash,
            test => test,
            form => context! { company_id => form_company },
            errors => errors,
            mk_active => "credentials",
        },
    )
}

/// `GET /admin/integrations/metakocka`.
pub async fn show(
    State(state): State<AppState>,
    session: AdminSession,
    Query(flash): Query<Flash>,
) -> Result<Rendered, AdminError> {
    render(&state, &session, flash.flash, None, "", &BTreeMap::new()).await
}

#[derive(Deserialize)]
pub struct CredentialsForm {
    #[serde(default)]
    company_id: String,
    secret_key: Option<SecretString>,
}

/// `POST /admin/integrations/metakocka/credentials`: saves the organisation's credentials.
pub async fn save(
    State(state): State<AppState>,
    AdminForm(form): AdminForm<CredentialsForm>,
) -> Result<Response, AdminError> {
    let session = form.session;
    let fields = form.form;
    let saved = state
        .metakocka_credentials
        .save(
            session.company(),
            CredentialOwner::Organization,
            &fields.company_id,
            &fields
                .secret_key
                .clone()
                .unwrap_or_else(|| SecretString::from("")),
            &session.session.user_id,
        )
        .await;
    match saved {
        Ok(_) => Ok(see_other(&format!(
            "/admin{PATH}?{}",
            flash_query("Metakocka credentials saved. Test them below.")
        ))),
        Err(CredentialError::Invalid(e)) => {
            let errors = BTreeMap::from([(e.field, e.message)]);
            let body = render(&state, &session, None, None, &fields.company_id, &errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /admin/integrations/metakocka/test`: one real call with the saved credentials.
pub async fn test(
    State(state): State<AppState>,
    AdminForm(form): AdminForm<Empty>,
) -> Result<Rendered, AdminError> {
    let session = form.session;
    let effective = state
        .metakocka_credentials
        .effective_credentials(session.company(), Some(&session.session.user_id))
        .await?;
    let Some((credentials, _)) = effective else {
        let result =
            context! { ok => false, message => "No credentials are saved yet: save them first." };
        return render(&state, &session, None, Some(result), "", &BTreeMap::new()).await;
    };
    let credentials = inventory::for_client(credentials);
    let outcome = state
        .metakocka_inventory
        .test_connection(
            session.company(),
            &session.session.user_id,
            &credentials,
            "admin_console",
        )
        .await;
    let result = match outcome {
        Ok(()) => context! { ok => true, message => "Metakocka accepted these credentials." },
        Err(refused) => {
            context! { ok => false, category => refused.category.as_str(), message => refused.message }
        }
    };
    render(&state, &session, None, Some(result), "", &BTreeMap::new()).await
}

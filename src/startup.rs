//! Builds the application from settings and serves it until shutdown.
//!
//! The settings pick the engines: `CRM_MIND_MONGODB_URI` set means MongoDB, otherwise SQLite
//! under the data directory. Tests call [`build_state`] and [`serve`] with their own listener
//! on port 0 and their own shutdown future.

use crate::accounts::Accounts;
use crate::config::{Settings, StoreKind};
use crate::crm::CrmFetcher;
use crate::dashboard::Dashboard;
use crate::facebook::graph::GraphClient;
use crate::http::{self, AppState, WebhookSecrets};
use crate::intake::Intake;
use crate::metakocka::client::{MetakockaClient, MetakockaSettings};
use crate::metakocka::credentials::Credentials;
use crate::metakocka::error_log::ErrorLog;
use crate::metakocka::inventory::Inventory;
use crate::metakocka::knowledge::{DEFAULT_DOCUMENT_TYPES, KnowledgeSettings, MetakockaKnowledge};
use crate::metakocka::sync::MetakockaSync;
use crate::metakocka::sync::run::Pacing;
use crate::rag::Retrieval;
use crate::rag::chunk::Chunker;
use crate::rag::embed::fast::{DEFAULT_MODEL, load_embedder};
use crate::rag::embed::files::ModelFiles;
use crate::rag::index::DynIndex;
use crate::rag::index::embedded::EmbeddedIndex;
use crate::rag::index::qdrant::QdrantIndex;
use crate::rag::sync::pipeline::Pipeline;
use crate::rag::sync::schedule;
use crate::reply::ReplyService;
use crate::reply::compose::Composer;
use crate::reply::prompt::Prompts;
use crate::secrets::{self, Cipher};
use crate::store::DynStore;
use crate::store::mongo::MongoStore;
use crate::store::sqlite::SqliteStore;
use crate::telemetry;
use anyhow::Context;
use chrono::Duration;
use secrecy::ExposeSecret;
use std::future::Future;
use std::sync::Arc;
use tokio::net::TcpListener;

/// Opens the store the settings name, with the cipher for secrets at rest.
pub async fn open_store(settings: &Settings) -> anyhow::Result<(DynStore, Cipher)> {
    match (settings.store_kind(), &settings.mongodb_uri) {
        (StoreKind::Mongo, Some(uri)) => {
            let cipher = secrets::require_key(
                settings.secret_key.as_ref(),
                "when CRM_MIND_MONGODB_URI is set",
            )?;
            let store = MongoStore::connect(uri, &settings.mongodb_database)
                .await
                .context("connecting to MongoDB (CRM_MIND_MONGODB_URI)")?;
            Ok((Arc::new(store), cipher))
        }
        _ => {
            let cipher = match &settings.secret_key {
                Some(key) => Cipher::from_base64(key).context("CRM_MIND_SECRET_KEY is invalid")?,
                None => Cipher::load_or_create_key_file(&settings.secret_key_path())?,
            };
            let store = SqliteStore::open(&settings.sqlite_path())?;
            Ok((Arc::new(store), cipher))
        }
    }
}

/// Loads the embedding model, opens the vector index the settings name and builds the
/// retrieval service. Fails with one line naming the fix when a model file is missing.
pub async fn open_retrieval(
    settings: &Settings,
    store: DynStore,
    cipher: Cipher,
) -> anyhow::Result<Retrieval> {
    let embedder = load_embedder(&settings.models_dir, &settings.embedding_model)?;
    let chunker = Chunker::from_tokenizer_file(&tokenizer_path(settings)?, settings.chunk_tokens)
        .context("loading the tokenizer that sizes chunks")?;
    let index: DynIndex = match &settings.qdrant_url {
        Some(url) => Arc::new(
            QdrantIndex::connect(url, settings.qdrant_api_key.as_ref())
                .with_context(|| format!("connecting to Qdrant at {url} (CRM_MIND_QDRANT_URL)"))?,
        ),
        None => Arc::new(
            EmbeddedIndex::open(&settings.vectors_dir())
                .context("opening the embedded vector index")?,
        ),
    };
    index
        .ensure_ready(embedder.dims())
        .await
        .with_context(|| format!("preparing the {} vector index", index.engine()))?;
    let pipeline = Pipeline {
        fetcher: CrmFetcher::new(settings.fetch_settings())?,
        chunker: Arc::new(chunker),
        embedder,
        index,
    };
    Ok(Retrieval::new(pipeline, store, cipher))
}

/// The tokenizer that sizes chunks: the model directory's own when the model is a local
/// directory, else the pinned MiniLM tokenizer (the default model's own).
fn tokenizer_path(settings: &Settings) -> anyhow::Result<std::path::PathBuf> {
    let model_dir = std::path::Path::new(&settings.embedding_model);
    if model_dir.is_dir() {
        return Ok(model_dir.join("tokenizer.json"));
    }
    Ok(ModelFiles::locate(&settings.models_dir)?.tokenizer)
}

/// The answer composer the settings describe: retrieval (when on), the chat model, prompts.
pub fn composer(settings: &Settings, retrieval: Option<Retrieval>) -> anyhow::Result<Composer> {
    let prompts = Prompts::load(Some(&settings.prompts_dir))?;
    Ok(Composer::new(
        retrieval,
        settings.chat_model()?,
        Arc::new(prompts),
        settings.reply_top_k,
    ))
}

/// The reply worker over an opened store (not started).
pub fn reply_service(
    settings: &Settings,
    store: DynStore,
    cipher: Cipher,
    retrieval: Option<Retrieval>,
) -> anyhow::Result<ReplyService> {
    Ok(ReplyService::new(
        store,
        cipher,
        composer(settings, retrieval)?,
        GraphClient::new(settings.graph_settings())?,
        settings.worker_settings(),
    ))
}

/// Everything the router needs, over an opened store.
pub fn state_for(
    settings: &Settings,
    store: DynStore,
    cipher: Cipher,
    retrieval: Option<Retrieval>,
) -> AppState {
    let client = MetakockaClient::new(MetakockaSettings::from(settings));
    // Built once, so that a misconfigured relay is logged once; emails and reports share it.
    let smtp = smtp_relay(settings);
    let errors = || ErrorLog::new(store.clone(), settings.metakocka_error_notify());
    let knowledge = retrieval.clone().map(|retrieval| {
        MetakockaKnowledge::new(
            store.clone(),
            retrieval,
            client.clone(),
            Credentials::new(store.clone(), cipher.clone()),
            errors(),
            KnowledgeSettings {
                document_days: settings.metakocka_knowledge_document_days,
                document_types: DEFAULT_DOCUMENT_TYPES.map(String::from).to_vec(),
                base_url: settings.metakocka_base_url.clone(),
            },
        )
    });
    let mut inventory = Inventory::new(
        store.clone(),
        client.clone(),
        Credentials::new(store.clone(), cipher.clone()),
        errors(),
    );
    if let Some(knowledge) = knowledge.clone() {
        // A fresh stock snapshot means fresh stock answers.
        inventory = inventory.after_refresh(Arc::new(move |company: &crate::domain::CompanyId| {
            knowledge.spawn_reindex(company.clone())
        }));
    }
    let mut sync = MetakockaSync::new(
        store.clone(),
        client,
        Credentials::new(store.clone(), cipher.clone()),
        errors(),
        Pacing {
            concurrency: settings.metakocka_sync_concurrency.max(1),
            progress_every: settings.metakocka_sync_batch_size.max(1),
        },
    );
    if let Some(knowledge) = knowledge.clone() {
        // A sync that changed records means Metakocka's facts in retrieval are stale.
        sync = sync.with_after_sync(Arc::new(move |company, _kind| {
            knowledge.spawn_reindex(company)
        }));
    }
    AppState {
        accounts: Accounts::new(
            store.clone(),
            Duration::hours(settings.session_ttl_hours.max(1)),
        ),
        dashboard: Dashboard::new(store.clone(), cipher.clone(), retrieval.clone()),
        metakocka_credentials: Credentials::new(store.clone(), cipher.clone()),
        metakocka_errors: ErrorLog::new(store.clone(), settings.metakocka_error_notify()),
        metakocka_inventory: inventory.clone(),
        metakocka_knowledge: knowledge,
        metakocka_sync: sync,
        emails: emails_service(
            settings,
            &store,
            &cipher,
            inventory,
            retrieval.clone(),
            smtp.clone(),
        ),
        retrieval,
        intake: Intake::new(store.clone()).pausing_for(chrono::Duration::minutes(
            settings.reply_echo_pause_minutes.max(0),
        )),
        replies: None,
        webhook: WebhookSecrets {
            app_secret: settings.facebook_app_secret.clone(),
            verify_token: settings.facebook_verify_token.clone(),
        },
        metrics: telemetry::metrics_handle(),
        reports: crate::reports::Reports::new(store.clone(), cipher.clone()).with_smtp(smtp),
        body_budget: http::body_budget::BodyBudget::new(settings.http_max_body_bytes_in_flight),
        store,
    }
}

/// The email features over an opened store. A chat model or document pattern the settings
/// get wrong is logged and replaced by the default (the extractive answerer, the default
/// patterns), so that emails are still received.
fn emails_service(
    settings: &Settings,
    store: &DynStore,
    cipher: &Cipher,
    inventory: Inventory,
    retrieval: Option<Retrieval>,
    smtp: Option<crate::email::smtp::SmtpRelay>,
) -> crate::email::Emails {
    use crate::email::enrich::DocumentPatterns;
    let model = settings.chat_model().unwrap_or_else(|e| {
        tracing::error!(error = %format!("{e:#}"), "the chat model for email drafts is not usable; drafts use the extractive answerer");
        Arc::new(crate::llm::ExtractiveAnswerer::new())
    });
    let patterns = DocumentPatterns::parse(settings.email_document_patterns.as_deref())
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "CRM_MIND_EMAIL_DOCUMENT_PATTERNS does not parse; the default patterns apply");
            DocumentPatterns::parse(None).expect("the default patterns parse")
        });
    crate::email::Emails::new(
        store.clone(),
        Credentials::new(store.clone(), cipher.clone()),
        inventory,
        ErrorLog::new(store.clone(), settings.metakocka_error_notify()),
        retrieval,
        model,
        patterns,
        std::time::Duration::from_secs(settings.email_enrich_timeout_secs.max(1)),
    )
    .with_smtp(smtp)
}

/// The SMTP relay drafts and scheduled reports are sent through; `None` when none is set,
/// or (logged) when its settings are wrong: nothing is sent by email then.
fn smtp_relay(settings: &Settings) -> Option<crate::email::smtp::SmtpRelay> {
    crate::email::smtp::SmtpRelay::from_settings(settings).unwrap_or_else(|e| {
        tracing::error!(error = %e, "the SMTP relay is misconfigured; no email is sent");
        None
    })
}

/// Lets `replies` answer what the intake stores: the intake wakes its worker.
pub fn with_replies(mut state: AppState, replies: ReplyService) -> AppState {
    state.intake = state.intake.waking(replies.waker());
    state.replies = Some(replies);
    state
}

/// Opens the store and retrieval. A missing embedding model leaves retrieval off (with a
/// warning) so that webhooks are still received; an unreachable Qdrant stops start-up.
pub async fn build_state(settings: &Settings) -> anyhow::Result<AppState> {
    let (store, cipher) = open_store(settings).await?;
    let missing_default_model = match ModelFiles::locate(&settings.models_dir) {
        Err(e) if settings.embedding_model == DEFAULT_MODEL => Some(e),
        _ => None,
    };
    let retrieval = match missing_default_model {
        Some(e) => {
            tracing::warn!(reason = %format!("{e:#}"), "retrieval is off: CRM data will not be fetched or searched");
            None
        }
        None => Some(open_retrieval(settings, store.clone(), cipher.clone()).await?),
    };
    let state = state_for(settings, store.clone(), cipher.clone(), retrieval.clone());
    if !settings.reply_enabled {
        tracing::warn!("CRM_MIND_REPLY_ENABLED is false: events are stored but not answered");
        return Ok(state);
    }
    let replies = reply_service(settings, store, cipher, retrieval)?
        .logging_errors_to(state.metakocka_errors.clone());
    Ok(with_replies(state, replies))
}

/// Serves on `listener` until `shutdown` completes, then finishes the requests in flight.
pub async fn serve(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    axum::serve(listener, http::router(state))
        .with_graceful_shutdown(shutdown)
        .await
        .context("serving HTTP")
}

/// `crm-mind serve`: bind, warn about missing webhook settings, serve until SIGINT/SIGTERM.
pub async fn run(settings: Settings) -> anyhow::Result<()> {
    let state = build_state(&settings).await?;
    if settings
        .facebook_app_secret
        .as_ref()
        .is_none_or(|s| s.expose_secret().is_empty())
    {
        tracing::warn!(
            "CRM_MIND_FACEBOOK_APP_SECRET is not set: webhook deliveries will be refused"
        );
    }
    if settings.facebook_verify_token.is_none() {
        tracing::warn!(
            "CRM_MIND_FACEBOOK_VERIFY_TOKEN is not set: webhook verification will be refused"
        );
    }
    let listener = TcpListener::bind(settings.bind)
        .await
        .with_context(|| format!("binding {}", settings.bind))?;
    tracing::info!(
        address = %listener.local_addr()?,
        store = state.store.engine(),
        data_dir = %settings.data_dir.display(),
        "crm-mind is listening"
    );
    tokio::spawn(purge_expired_sessions(state.store.clone()));
    let mut scheduler = match &state.retrieval {
        Some(retrieval) => {
            Some(schedule::start(retrieval.clone(), settings.schedule_settings()).await?)
        }
        None => None,
    };
    let worker = state.replies.as_ref().map(ReplyService::spawn);
    let inventory_refresh = crate::metakocka::inventory_schedule::spawn(
        state.metakocka_inventory.clone(),
        settings.metakocka_inventory_refresh_minutes,
    );
    let knowledge_refresh = state.metakocka_knowledge.clone().and_then(|knowledge| {
        crate::metakocka::knowledge::schedule::spawn(
            knowledge,
            settings.metakocka_knowledge_refresh_minutes,
        )
    });
    let mut metakocka_sync_schedule = if settings.metakocka_sync_schedule {
        Some(crate::metakocka::sync::schedule::spawn(state.metakocka_sync.clone()).await?)
    } else {
        None
    };
    let report_delivery = crate::reports::delivery::spawn(state.reports.clone());
    serve(state, listener, shutdown_signal()).await?;
    if let Some(report_delivery) = report_delivery {
        report_delivery.abort();
    }
    if let Some(sync_schedule) = metakocka_sync_schedule.as_mut() {
        let _ = sync_schedule.shutdown().await;
    }
    if let Some(worker) = worker {
        worker.shutdown().await;
    }
    if let Some(scheduler) = scheduler.as_mut() {
        let _ = scheduler.shutdown().await;
    }
    if let Some(inventory_refresh) = inventory_refresh {
        inventory_refresh.abort();
    }
    if let Some(knowledge_refresh) = knowledge_refresh {
        knowledge_refresh.abort();
    }
    tracing::info!("crm-mind stopped");
    Ok(())
}

/// Removes expired sessions every hour, so the sessions table does not grow without end.
async fn purge_expired_sessions(store: DynStore) {
    let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        match store.delete_expired_sessions(chrono::Utc::now()).await {
            Ok(0) => {}
            Ok(removed) => tracing::info!(removed, "expired sessions removed"),
            Err(e) => tracing::warn!(error = %e, "could not remove expired sessions"),
        }
    }
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM (what orchestrators send).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

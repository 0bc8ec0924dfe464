//! What each part of the service gets from the settings: its own settings type, built from
//! the flat `CRM_MIND_*` values (with the floors they need).

use super::Settings;
use std::path::PathBuf;

impl Settings {
    /// Where and when bursts of Metakocka errors are reported; `None` without a webhook URL.
    pub fn metakocka_error_notify(&self) -> Option<crate::metakocka::error_log::NotifySettings> {
        let url = self.metakocka_error_webhook_url.as_ref()?.trim();
        (!url.is_empty()).then(|| crate::metakocka::error_log::NotifySettings {
            webhook_url: url.to_owned(),
            threshold: self.metakocka_error_threshold.max(1),
            window_minutes: self.metakocka_error_window_minutes.max(1),
        })
    }

    /// The CRM fetcher's tunables.
    pub fn fetch_settings(&self) -> crate::crm::FetchSettings {
        crate::crm::FetchSettings {
            timeout_secs: self.crm_fetch_timeout_secs,
            max_pages: self.crm_max_pages,
            max_body_bytes: self.crm_max_body_bytes,
            allow_private_networks: self.crm_allow_private_networks,
            file_root: self.crm_file_root.clone(),
            ..crate::crm::FetchSettings::default()
        }
    }

    pub fn schedule_settings(&self) -> crate::rag::sync::schedule::ScheduleSettings {
        crate::rag::sync::schedule::ScheduleSettings {
            refresh_minutes: self.crm_refresh_minutes,
            tick_seconds: self.crm_scheduler_tick_seconds,
            max_concurrent: self.crm_sync_concurrency,
        }
    }

    /// The chat model the settings name: the OpenAI-compatible client when
    /// `CRM_MIND_LLM_BASE_URL` is set, else the extractive answerer.
    pub fn chat_model(&self) -> anyhow::Result<std::sync::Arc<dyn crate::llm::ChatModel>> {
        use crate::llm::{ExtractiveAnswerer, OpenAiChat, OpenAiSettings};
        Ok(match &self.llm_base_url {
            Some(base_url) => std::sync::Arc::new(OpenAiChat::new(OpenAiSettings {
                base_url: base_url.clone(),
                api_key: self.llm_api_key.clone(),
                model: self.llm_model.clone(),
                timeout_secs: self.llm_timeout_secs,
                ..OpenAiSettings::default()
            })?),
            None => std::sync::Arc::new(ExtractiveAnswerer::new()),
        })
    }

    /// The Graph API client's settings.
    pub fn graph_settings(&self) -> crate::facebook::graph::GraphSettings {
        crate::facebook::graph::GraphSettings {
            base_url: self.graph_api_base_url.clone(),
            timeout_secs: self.graph_timeout_secs,
            max_retries: self.graph_max_retries,
            retry_base_ms: self.graph_retry_base_ms,
        }
    }

    /// The reply worker's settings.
    pub fn worker_settings(&self) -> crate::reply::worker::WorkerSettings {
        crate::reply::worker::WorkerSettings {
            workers: self.reply_workers.max(1),
            lease: std::time::Duration::from_secs(self.reply_lease_secs.max(5)),
            history_turns: self.reply_history_turns,
            echo_pause: chrono::Duration::minutes(self.reply_echo_pause_minutes.max(0)),
            ..crate::reply::worker::WorkerSettings::default()
        }
    }

    /// The embedded vector index's directory.
    pub fn vectors_dir(&self) -> PathBuf {
        self.data_dir.join("vectors")
    }
}

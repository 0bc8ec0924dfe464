//! The built-in defaults of the settings: the first layer, under `crm-mind.toml` and the
//! environment.

pub fn email_enrich_timeout_secs() -> u64 {
    10
}
pub fn smtp_port() -> u16 {
    587
}
pub fn smtp_tls() -> String {
    "starttls".to_owned()
}
pub fn reply_workers() -> usize {
    4
}
pub fn reply_lease_secs() -> u64 {
    120
}
pub fn reply_top_k() -> usize {
    5
}
pub fn reply_history_turns() -> u32 {
    10
}
pub fn reply_echo_pause_minutes() -> i64 {
    30
}
pub fn enabled() -> bool {
    true
}
pub fn graph_timeout_secs() -> u64 {
    30
}
pub fn graph_max_retries() -> u32 {
    4
}
pub fn graph_retry_base_ms() -> u64 {
    500
}

use super::LogFormat;
use std::net::SocketAddr;
use std::path::PathBuf;

pub fn bind() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8080))
}
pub fn http_max_body_bytes_in_flight() -> usize {
    crate::http::body_budget::DEFAULT_BODY_BYTES_IN_FLIGHT
}
pub fn data_dir() -> PathBuf {
    PathBuf::from("./data")
}
pub fn mongodb_database() -> String {
    "crm_mind".to_owned()
}
pub fn graph_api_base_url() -> String {
    "https://graph.facebook.com/v21.0".to_owned()
}
pub fn session_ttl_hours() -> i64 {
    24 * 7
}
pub fn log_format() -> LogFormat {
    LogFormat::Text
}
pub fn models_dir() -> PathBuf {
    PathBuf::from("./models")
}
pub fn embedding_model() -> String {
    "all-MiniLM-L6-v2".to_owned()
}
pub fn chunk_tokens() -> usize {
    256
}
pub fn crm_refresh_minutes() -> u32 {
    30
}
pub fn crm_scheduler_tick_seconds() -> u64 {
    60
}
pub fn crm_sync_concurrency() -> usize {
    4
}
pub fn crm_fetch_timeout_secs() -> u64 {
    30
}
pub fn crm_max_pages() -> u32 {
    100
}
pub fn crm_max_body_bytes() -> u64 {
    50 * 1024 * 1024
}
pub fn llm_model() -> String {
    "gpt-4o-mini".to_owned()
}
pub fn llm_timeout_secs() -> u64 {
    30
}
pub fn prompts_dir() -> PathBuf {
    PathBuf::from("./prompts")
}
pub fn metakocka_base_url() -> String {
    "https://main.metakocka.si/rest/eshop/v1/".to_owned()
}
pub fn metakocka_timeout_secs() -> u64 {
    30
}
pub fn metakocka_error_threshold() -> u64 {
    10
}
pub fn metakocka_error_window_minutes() -> u32 {
    15
}
pub fn metakocka_inventory_refresh_minutes() -> u64 {
    60
}
pub fn metakocka_knowledge_document_days() -> u32 {
    90
}
pub fn metakocka_sync_concurrency() -> usize {
    16
}
pub fn metakocka_sync_batch_size() -> u64 {
    25
}
pub fn metakocka_sync_schedule() -> bool {
    true
}

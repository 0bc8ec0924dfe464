//! End-to-end tests of the HTTP API: the real router on a local port, over SQLite and (when
//! `CRM_MIND_TEST_MONGODB_URI` is set) MongoDB. One file per area.

mod admin;
mod admin_console;
mod admin_dashboard;
mod admin_emails;
mod admin_reports;
mod admin_signout;
mod admin_sync;
mod admin_sync_cancel;
mod ai_insights;
mod ai_recommendations;
mod ai_world;
mod auth;
mod crm_links;
mod emails;
mod emails_context;
mod emails_drafts;
mod emails_enrichment;
mod emails_meaning;
mod emails_send;
mod emails_settings;
mod emails_templates;
mod emails_world;
#[allow(dead_code)] // the chat-model suite uses the rest
#[path = "../llm/fake_chat.rs"]
mod fake_chat;
mod fake_crm;
#[allow(dead_code)] // the Graph API suite uses the rest
#[path = "../graph_api/fake_graph.rs"]
mod fake_graph;
#[path = "../support/fake_metakocka.rs"]
mod fake_metakocka;
#[path = "../support/fake_smtp.rs"]
mod fake_smtp;
mod fixtures;
mod helpers;
mod isolation;
mod isolation_sweep;
mod metakocka_connection;
mod metakocka_credentials;
mod metakocka_inventory;
mod metakocka_knowledge;
mod metakocka_log_alerts;
mod metakocka_log_reports;
mod metakocka_logs;
mod metakocka_sync_contacts;
mod metakocka_sync_documents;
mod metakocka_sync_products;
mod metakocka_sync_pull_pages;
mod metakocka_sync_runs;
mod metakocka_sync_selective;
mod metakocka_sync_slots;
mod misbehaving;
mod openapi;
mod ops;
mod pages;
mod rag;
mod records_contacts;
mod records_products;
mod records_sales_documents;
mod replies;
mod reports;
mod reports_email;
mod reports_schedules;
mod reports_validation;
mod resource_bounds;
mod store_down;
mod webhook;

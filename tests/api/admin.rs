//! The admin console over HTTP, without a browser: the session cookie's attributes, CSRF
//! refusals, agents' read-only access, and other companies' records answering 404.
//!
//! This module holds the company every test starts from; the tests live in one module per
//! concern.

use crate::admin_console::Console;
use crate::helpers::{PASSWORD, TestApp};
use crm_mind::domain::{CompanyId, Role};
use serde_json::json;

mod access;
mod forms;
mod session;

/// A company with an admin (signed in to the console), an agent's email, and one page.
async fn company(app: &TestApp, name: &str, page_id: &str) -> (CompanyId, Console, String) {
    let (company, token) = app.company_with_admin(name).await;
    let admin_email = format!("console-{}@example.com", uuid::Uuid::new_v4().simple());
    app.user_token(&company, &admin_email, Role::Admin).await;
    assert_eq!(app.register_page(&token, page_id).await.status(), 201);
    let link = json!({"page_id": page_id, "channels": ["messenger"], "name": "Customers",
        "url": "https://crm.example.com/customers", "type": "api", "is_active": false});
    assert_eq!(app.add_link(&token, link).await.status(), 201);
    let agent_email = format!("agent-{}@example.com", uuid::Uuid::new_v4().simple());
    app.user_token(&company, &agent_email, Role::Agent).await;
    (
        company,
        Console::sign_in(app, &admin_email, PASSWORD).await,
        agent_email,
    )
}

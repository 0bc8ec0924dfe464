//! Company A's data for the isolation sweep: one of everything, each with an id or a marker
//! no other company's data contains, and the ghost values of the same shape that exist in no
//! company (the control run's).

use crate::emails_world::fixture;
use crate::helpers::{APP_SECRET, TestApp, text_message};
use chrono::Utc;
use crm_mind::domain::reply::{OutboxReply, ReplyStatus};
use crm_mind::domain::{CompanyId, Role, UserId};
use crm_mind::metakocka::error_log::{EntityType, ErrorCategory, NewError};
use reqwest::Method;
use serde_json::{Value, json};

/// The values one run fills into paths, queries and bodies.
#[derive(Debug, Clone)]
pub struct Values {
    pub company: String,
    pub admin_email: String,
    pub page: String,
    pub page_name: String,
    pub link_id: String,
    pub link_name: String,
    pub link_url: String,
    pub link_key: String,
    pub product: String,
    pub product_code: String,
    pub contact: String,
    pub contact_name: String,
    pub document: String,
    pub doc_number: String,
    pub email: String,
    pub email_subject: String,
    pub template: String,
    pub template_name: String,
    pub mk_company: String,
    pub mk_secret: String,
    pub error_id: String,
    pub error_message: String,
    pub reply: String,
    pub question: String,
}

impl Values {
    /// Every value that is A's alone: none may reach company B unless B sent it.
    pub fn distinctive(&self) -> Vec<&str> {
        vec![
            &self.company,
            &self.admin_email,
            &self.page,
            &self.page_name,
            &self.link_id,
            &self.link_name,
            &self.link_url,
            &self.link_key,
            &self.product,
            &self.product_code,
            &self.contact,
            &self.contact_name,
            &self.document,
            &self.doc_number,
            &self.email,
            &self.email_subject,
            &self.template,
            &self.template_name,
            &self.mk_company,
            &self.mk_secret,
            &self.error_id,
            &self.error_message,
            &self.reply,
            &self.question,
        ]
    }

    /// Values of the same shape that no company has.
    pub fn ghost() -> Values {
        let id = || uuid::Uuid::new_v4().to_string();
        Values {
            company: id(),
            admin_email: "ghost-admin@ghost.example".into(),
            page: "799999001".into(),
            page_name: "GHOST-PAGE".into(),
            link_id: id(),
            link_name: "GHOST-LINK".into(),
            link_url: "https://ghost.example/crm".into(),
            link_key: "ghost-link-key-000".into(),
            product: id(),
            product_code: "GHOST-PROD".into(),
            contact: id(),
            contact_name: "GHOST-CONTACT".into(),
            document: id(),
            doc_number: "GHOST-DOC".into(),
            email: id(),
            email_subject: "GHOST-MAIL".into(),
            template: id(),
            template_name: "GHOST-TPL".into(),
            mk_company: "GHOST-MK-0000".into(),
            mk_secret: "ghost-secret-key-000000".into(),
            error_id: id(),
            error_message: "GHOST-ERR".into(),
            reply: id(),
            question: "GHOST-QUESTION".into(),
        }
    }

    pub fn product_body(&self) -> Value {
        json!({"code": self.product_code, "name": format!("{} oil", self.product_code), "price": "19.99", "vat_rate": 22})
    }

    pub fn contact_body(&self) -> Value {
        json!({"name": self.contact_name})
    }

    pub fn document_body(&self) -> Value {
        json!({"doc_type": "sales_order", "number": self.doc_number, "contact_id": self.contact,
            "doc_date": "2024-09-12", "lines": [{"product_id": self.product, "quantity": 3}]})
    }

    pub fn email_body(&self) -> Value {
        let mut body: Value = serde_json::from_str(&fixture("01_order_status_en.json")).unwrap();
        body["subject"] = json!(self.email_subject);
        body["message_id"] = json!(format!("<{}@mail.example>", self.email_subject));
        body
    }

    pub fn template_body(&self) -> Value {
        json!({"name": self.template_name, "language": "en", "subject": "Re: your order", "body": "Hello"})
    }

    pub fn link_body(&self) -> Value {
        json!({"page_id": self.page, "channels": ["messenger"], "name": self.link_name,
            "url": self.link_url, "api_key": self.link_key, "is_active": true})
    }
}

async fn created(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let response = app
        .request(Method::POST, path, Some(token), Some(body))
        .await;
    assert_eq!(response.status(), 201, "POST {path}");
    response.json().await.unwrap()
}

fn id_of(value: &Value) -> String {
    value["id"].as_str().expect("an id").to_owned()
}

/// Company A with one of everything; returns its values and its admin's token.
pub async fn seed_company_a(app: &TestApp) -> (Values, String) {
    let company = app
        .state
        .accounts
        .create_company("ALPHA-COMPANY-MARK")
        .await
        .unwrap();
    let admin_email = "alpha-admin@alpha-mark.example".to_owned();
    let token = app.user_token(&company.id, &admin_email, Role::Admin).await;
    let mut a = Values {
        company: company.id.to_string(),
        admin_email,
        page: "700100200".into(),
        page_name: "ALPHA-PAGE-MARK".into(),
        link_id: String::new(),
        link_name: "ALPHA-LINK-MARK".into(),
        link_url: "https://alpha-mark.example/crm".into(),
        link_key: "alpha-link-key-123".into(),
        product: String::new(),
        product_code: "ALPHA-PROD-MARK".into(),
        contact: String::new(),
        contact_name: "ALPHA-CONTACT-MARK".into(),
        document: String::new(),
        doc_number: "ALPHA-DOC-MARK".into(),
        email: String::new(),
        email_subject: "ALPHA-MAIL-MARK".into(),
        template: String::new(),
        template_name: "ALPHA-TPL-MARK".into(),
        mk_company: "ALPHA-MK-9911".into(),
        mk_secret: "alpha-secret-key-123456".into(),
        error_id: String::new(),
        error_message: "ALPHA-ERR-MARK".into(),
        reply: String::new(),
        question: "ALPHA-QUESTION-MARK".into(),
    };
    let page =
        json!({"page_id": a.page, "page_name": a.page_name, "access_token": "alpha-page-token"});
    created(app, &token, "/api/dashboard/pages", page).await;
    let link = created(app, &token, "/api/dashboard/crm-links", a.link_body()).await;
    a.link_id = link["crm_link"]["id"].as_str().unwrap().to_owned();
    a.product = id_of(&created(app, &token, "/api/products", a.product_body()).await);
    a.contact = id_of(&created(app, &token, "/api/contacts", a.contact_body()).await);
    a.document = id_of(&created(app, &token, "/api/sales-documents", a.document_body()).await);
    a.email = id_of(&created(app, &token, "/api/emails", a.email_body()).await);
    a.template = id_of(&created(app, &token, "/api/emails/templates", a.template_body()).await);
    let credentials = json!({"company_id": a.mk_company, "secret_key": a.mk_secret});
    let saved = app
        .request(
            Method::POST,
            "/api/metakocka/credentials",
            Some(&token),
            Some(credentials),
        )
        .await;
    assert_eq!(saved.status(), 200);
    a.error_id = seed_error(app, &company.id, &a).await;
    a.reply = seed_failed_reply(app, &a).await;
    let paused = app
        .request(
            Method::POST,
            &format!("/api/dashboard/conversations/{}/psid-1/pause", a.page),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(paused.status(), 200);
    (a, token)
}

async fn seed_error(app: &TestApp, company: &CompanyId, a: &Values) -> String {
    let entry = NewError {
        company_id: company.clone(),
        user_id: Some(UserId::from("alpha-user")),
        category: ErrorCategory::Validation,
        entity_type: EntityType::Product,
        entity_id: Some(a.product.clone()),
        operation: "product_add".into(),
        message: a.error_message.clone(),
        details: json!({"opr_code": "1"}),
    }
    .into_entry(Utc::now());
    app.state.store.insert_error_log(&entry).await.unwrap();
    entry.id.to_string()
}

/// A's page gets a message; the reply to it failed, so it can be sent again.
async fn seed_failed_reply(app: &TestApp, a: &Values) -> String {
    let delivered = app
        .post_webhook(&text_message(&a.page, "mid.alpha-1", &a.question))
        .await;
    assert_eq!(delivered.status(), 200, "signed with {APP_SECRET}");
    let store = &app.state.store;
    let now = Utc::now();
    let claimed = store
        .claim_inbox_events("sweep", now, now + chrono::Duration::minutes(5), 10)
        .await
        .unwrap();
    let event = claimed
        .into_iter()
        .find(|e| e.natural_key == "mid.alpha-1")
        .expect("A's event");
    let reply = OutboxReply::for_event(&event, &a.question, now);
    store.begin_reply(&reply).await.unwrap();
    let failed = OutboxReply {
        status: ReplyStatus::Failed,
        answer: Some("ALPHA-ANSWER".into()),
        ..reply
    };
    store.save_reply(&failed).await.unwrap();
    failed.id.to_string()
}

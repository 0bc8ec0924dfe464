//! Failures: retried when another attempt can help (5xx), never when Metakocka refused, a
//! web page where the API should be, and errors that never show the secret key.

use crate::fake_metakocka::{COMPANY_ID, FakeMetakocka, SECRET_KEY};
use crm_mind::metakocka::client::{
    ErrorCategory, MetakockaClient, MetakockaCredentials, MetakockaError, MetakockaSettings,
};
use crm_mind::metakocka::types::{Document, ProductListQuery};
use secrecy::SecretString;

#[tokio::test]
async fn server_errors_are_retried_until_an_answer_comes() {
    let fake = FakeMetakocka::start().await;
    fake.seed_products(COMPANY_ID, 3);
    fake.fail_next(2);
    let products = fake
        .client()
        .product_list_all(&fake.credentials(), &ProductListQuery::default())
        .await
        .unwrap();
    assert_eq!(products.len(), 3);
    assert_eq!(fake.calls("json/product_list"), 3);
}

#[tokio::test]
async fn retries_stop_at_the_limit_with_a_network_error() {
    let fake = FakeMetakocka::start().await;
    fake.fail_next(100);
    let error = fake
        .client()
        .warehouse_list(&fake.credentials())
        .await
        .unwrap_err();
    assert_eq!(
        error,
        MetakockaError::Http {
            endpoint: "json/warehouse_list",
            status: 503
        }
    );
    assert_eq!(error.category(), ErrorCategory::Network);
    assert_eq!(
        fake.calls("json/warehouse_list"),
        1 + MetakockaSettings::default().max_retries as usize
    );
}

#[tokio::test]
async fn a_refusal_is_not_retried() {
    let fake = FakeMetakocka::start().await;
    let document = Document {
        doc_type: Some("warehouse_packing_list1".to_owned()),
        ..Document::default()
    };
    let error = fake
        .client()
        .put_document(&fake.credentials(), &document)
        .await
        .unwrap_err();
    assert_eq!(
        error.metakocka_message(),
        Some("Unknown document type : warehouse_packing_list1")
    );
    assert_eq!(error.category(), ErrorCategory::Validation);
    assert_eq!(fake.calls("put_document"), 1);

    let missing = fake
        .client()
        .put_document(&fake.credentials(), &Document::default())
        .await
        .unwrap_err();
    assert_eq!(missing.category(), ErrorCategory::Validation);
    assert_eq!(fake.calls("put_document"), 2);
}

#[tokio::test]
async fn an_html_page_is_a_configuration_error_naming_the_setting() {
    let fake = FakeMetakocka::start().await;
    let wrong_path = MetakockaClient::new(MetakockaSettings {
        base_url: fake.base_url.replace("/rest/eshop/v1/", "/rest/eshop/"),
        ..MetakockaSettings::default()
    })
    .unwrap();
    let error = wrong_path
        .warehouse_list(&fake.credentials())
        .await
        .unwrap_err();
    assert!(
        matches!(error, MetakockaError::NotTheApi { status: 404, .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains("answered HTML, not JSON")
            && message.contains("CRM_MIND_METAKOCKA_BASE_URL"),
        "{message}"
    );
    assert_eq!(fake.total_calls(), 0, "nothing reached an endpoint");
}

#[tokio::test]
async fn test_connection_passes_with_the_right_key_and_reports_metakocka_s_text_otherwise() {
    let fake = FakeMetakocka::start().await;
    let client = fake.client();
    client.test_connection(&fake.credentials()).await.unwrap();

    let wrong = MetakockaCredentials {
        company_id: COMPANY_ID.to_owned(),
        secret_key: SecretString::from("not-the-key-77c1"),
    };
    let error = client.test_connection(&wrong).await.unwrap_err();
    assert_eq!(error.category(), ErrorCategory::Auth);
    assert_eq!(
        error.metakocka_message(),
        Some("Wrong secret_key or company_id")
    );
    assert_eq!(
        fake.calls("json/warehouse_list"),
        2,
        "a refusal is not retried"
    );
}

#[tokio::test]
async fn the_secret_key_never_shows_in_an_error() {
    let fake = FakeMetakocka::start().await;
    let wrong = MetakockaCredentials {
        company_id: COMPANY_ID.to_owned(),
        secret_key: SecretString::from("wrong-key-5d2e8b"),
    };
    let refused = fake.client().test_connection(&wrong).await.unwrap_err();

    // Nothing listens on the port of a server that was bound and dropped.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let unreachable = MetakockaClient::new(MetakockaSettings {
        base_url: format!("http://127.0.0.1:{port}/rest/eshop/v1/"),
        max_retries: 0,
        ..MetakockaSettings::default()
    })
    .unwrap();
    let network = unreachable
        .test_connection(&fake.credentials())
        .await
        .unwrap_err();
    assert_eq!(network.category(), ErrorCategory::Network);

    for (error, key) in [(&refused, "wrong-key-5d2e8b"), (&network, SECRET_KEY)] {
        for shown in [error.to_string(), format!("{error:?}")] {
            assert!(!shown.contains(key), "{shown}");
        }
    }
    assert!(!format!("{:?}", fake.credentials()).contains(SECRET_KEY));
}

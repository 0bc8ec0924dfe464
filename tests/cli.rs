//! The `crm-mind` binary as an operator uses it: admin commands that print one value, errors
//! on one line with a non-zero exit, and `serve` that stops cleanly on SIGTERM.

use crm_mind::config::Settings;
use crm_mind::startup;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn crm_mind(data_dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crm-mind"))
        .args(args)
        .env("CRM_MIND_DATA_DIR", data_dir)
        .env_remove("CRM_MIND_MONGODB_URI")
        .current_dir(data_dir)
        .output()
        .expect("the binary runs")
}

fn stdout_line(output: &Output) -> String {
    assert!(
        output.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout.clone()).unwrap();
    assert_eq!(text.lines().count(), 1, "one line on stdout: {text:?}");
    text.trim().to_owned()
}

#[tokio::test]
async fn admin_commands_set_up_a_company_whose_token_works() {
    let dir = tempfile::tempdir().unwrap();
    let company = stdout_line(&crm_mind(
        dir.path(),
        &["admin", "create-company", "--name", "My Company"],
    ));
    assert_eq!(company.len(), 36, "a uuid: {company}");
    let user = crm_mind(
        dir.path(),
        &[
            "admin",
            "create-user",
            "--company",
            &company,
            "--email",
            "me@example.com",
            "--password",
            "a long passphrase",
            "--role",
            "admin",
        ],
    );
    stdout_line(&user);
    let token = stdout_line(&crm_mind(
        dir.path(),
        &[
            "admin",
            "create-token",
            "--email",
            "me@example.com",
            "--days",
            "3",
        ],
    ));
    assert!(token.starts_with("cmm_"));

    // The service, opened on the same data, accepts the token for that company.
    let state = startup::build_state(&Settings::for_data_dir(dir.path()))
        .await
        .unwrap();
    let session = state.accounts.authenticate(&token).await.unwrap();
    assert_eq!(session.company_id.as_str(), company);
    assert!(
        session.expires_at
            < chrono::Utc::now() + chrono::Duration::days(3) + chrono::Duration::minutes(1)
    );
}

#[test]
fn errors_are_one_clear_line_and_a_failure_exit() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [&[&str]; 4] = [
        &[
            "admin",
            "create-user",
            "--company",
            "no-such-company",
            "--email",
            "me@example.com",
            "--password",
            "a long passphrase",
        ],
        &["admin", "create-token", "--email", "nobody@example.com"],
        &["admin", "create-company", "--name", "   "],
        &["--config", "/nonexistent/crm-mind.toml", "serve"],
    ];
    for args in cases {
        let output = crm_mind(dir.path(), args);
        assert!(!output.status.success(), "{args:?} should fail");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("error: "), "{stderr}");
        assert!(output.stdout.is_empty());
    }
    let output = crm_mind(dir.path(), &["admin", "create-user", "--help"]);
    let help = String::from_utf8(output.stdout).unwrap();
    assert!(
        help.contains("--company") && help.contains("admin may change pages"),
        "{help}"
    );
}

#[tokio::test]
async fn serve_answers_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_crm-mind"))
        .arg("serve")
        .env("CRM_MIND_DATA_DIR", dir.path())
        .env("CRM_MIND_BIND", format!("127.0.0.1:{port}"))
        .env_remove("CRM_MIND_MONGODB_URI")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    let started = Instant::now();
    let ready = loop {
        match client
            .get(format!("http://127.0.0.1:{port}/readyz"))
            .send()
            .await
        {
            Ok(response) => break response,
            Err(_) if started.elapsed() < Duration::from_secs(30) => {
                tokio::time::sleep(Duration::from_millis(100)).await
            }
            Err(e) => panic!("the service did not come up: {e}"),
        }
    };
    assert_eq!(ready.status(), 200);
    assert!(
        dir.path().join("crm-mind.sqlite3").exists(),
        "data lives in the data directory"
    );
    assert!(dir.path().join("secret.key").exists());

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "a clean exit after SIGTERM: {status}");
}

/// `crm-mind sync --page` against a fake CRM: counts on stdout, and a second run embeds nothing.
#[tokio::test(flavor = "multi_thread")]
async fn sync_prints_the_counts_of_each_link() {
    use crm_mind::dashboard::NewCrmLink;
    use crm_mind::domain::{Channel, CrmLinkDraft, CrmLinkType};

    let app = axum::Router::new().route(
        "/customers",
        axum::routing::get(|| async {
            axum::Json(serde_json::json!({"customers": [
                {"id": "cust-1", "name": "Ana Novak", "email": "ana.novak@example.si"},
                {"id": "cust-2", "name": "John Smith", "email": "john@example.com"}
            ]}))
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/customers", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let dir = tempfile::tempdir().unwrap();
    let settings = Settings::for_data_dir(dir.path());
    {
        let (store, cipher) = startup::open_store(&settings).await.unwrap();
        let state = startup::state_for(&settings, store, cipher, None);
        let company = state.accounts.create_company("Shop").await.unwrap();
        state
            .dashboard
            .register_page(&company.id, "1001", "Shop", &"EAAB".into())
            .await
            .unwrap();
        let draft = CrmLinkDraft {
            name: "Customers".into(),
            url: url.clone(),
            link_type: CrmLinkType::Api,
            channels: vec![Channel::Messenger],
            api_key: None,
            headers: Vec::new(),
            description: None,
            is_active: true,
            refresh_minutes: None,
        };
        let new = NewCrmLink {
            page_id: "1001".into(),
            draft,
        };
        state
            .dashboard
            .add_crm_link(&company.id, new)
            .await
            .unwrap();
    }
    let models = std::env::var("CRM_MIND_MODELS_DIR").unwrap_or_else(|_| "models".into());
    let models = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(models);
    let sync = |page: &str| {
        let page = page.to_owned();
        let (dir, models) = (dir.path().to_owned(), models.clone());
        tokio::task::spawn_blocking(move || {
            Command::new(env!("CARGO_BIN_EXE_crm-mind"))
                .args(["sync", "--page", &page])
                .env("CRM_MIND_DATA_DIR", &dir)
                .env("CRM_MIND_MODELS_DIR", &models)
                .env("CRM_MIND_CRM_ALLOW_PRIVATE_NETWORKS", "true")
                .env_remove("CRM_MIND_MONGODB_URI")
                .current_dir(&dir)
                .output()
                .expect("the binary runs")
        })
    };
    let first = stdout_line(&sync("1001").await.unwrap());
    assert!(first.starts_with("Customers: "), "{first}");
    assert!(
        first.contains("embedded") && !first.contains(" 0 embedded"),
        "{first}"
    );
    let second = stdout_line(&sync("1001").await.unwrap());
    assert!(
        second.contains("0 new, 0 changed") && second.contains(", 0 embedded"),
        "{second}"
    );

    // `ask` answers from the synced facts (the extractive answerer: no chat model is set).
    let ask = |channel: &str, question: &str| {
        let args = vec![
            "ask".to_owned(),
            "--page".into(),
            "1001".into(),
            "--channel".into(),
            channel.to_owned(),
            question.to_owned(),
        ];
        let (dir, models) = (dir.path().to_owned(), models.clone());
        tokio::task::spawn_blocking(move || {
            Command::new(env!("CARGO_BIN_EXE_crm-mind"))
                .args(&args)
                .env("CRM_MIND_DATA_DIR", &dir)
                .env("CRM_MIND_MODELS_DIR", &models)
                .env_remove("CRM_MIND_MONGODB_URI")
                .env_remove("CRM_MIND_LLM_BASE_URL")
                .current_dir(&dir)
                .output()
                .expect("the binary runs")
        })
    };
    let answer = ask("messenger", "What is the email of Ana Novak?")
        .await
        .unwrap();
    let text = stdout_line(&answer);
    assert!(text.contains("ana.novak@example.si"), "{text}");
    let stderr = String::from_utf8_lossy(&answer.stderr);
    assert!(
        stderr.contains("answered by extractive") && stderr.contains("Customers (customers[0]"),
        "{stderr}"
    );
    // The link is for Messenger only: a comment reply has no facts, so it hands over.
    let public = stdout_line(
        &ask("facebook", "What is the email of Ana Novak?")
            .await
            .unwrap(),
    );
    assert!(!public.contains("ana.novak@example.si"), "{public}");
    assert!(public.contains("colleague"), "{public}");

    let unknown = sync("999").await.unwrap();
    assert!(!unknown.status.success());
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert!(stderr.contains("page 999 is not registered"), "{stderr}");
}

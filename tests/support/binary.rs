//! The real `crm-mind` binary in a test: one data directory and port, admin commands that
//! print one value, and `serve` started (and killed) as an operator would. Shared by the
//! tests that need a whole process: crash safety (SIGKILL) and the secrets sweep (the log).

use base64::Engine as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The app secret every process here checks webhook signatures with.
pub const APP_SECRET: &str = "process-test-app-secret";

/// Where a process keeps its data.
#[derive(Clone)]
pub enum Engine {
    Sqlite,
    Mongo { uri: String, database: String },
}

/// The MongoDB test server's URI when one is configured (`scripts/test` sets it); `None`
/// prints why the test is skipped. In CI a missing URI is a failure, not a skip.
pub fn mongo_uri() -> Option<String> {
    let uri = std::env::var("CRM_MIND_TEST_MONGODB_URI")
        .ok()
        .filter(|u| !u.is_empty());
    if uri.is_none() {
        assert!(
            std::env::var("CI").map(|v| v != "true").unwrap_or(true),
            "CI runs this on the MongoDB test server (scripts/test sets CRM_MIND_TEST_MONGODB_URI)"
        );
        eprintln!("skipped: CRM_MIND_TEST_MONGODB_URI is not set");
    }
    uri
}

/// A fresh database name on the MongoDB test server.
pub fn mongo_engine(uri: &str, label: &str) -> Engine {
    Engine::Mongo {
        uri: uri.to_owned(),
        database: format!("crm_mind_{label}_{}", uuid::Uuid::new_v4().simple()),
    }
}

/// One installation: a data directory, a port, and the environment its processes share.
pub struct Installation {
    dir: tempfile::TempDir,
    port: u16,
    engine: Engine,
    env: Vec<(String, String)>,
}

/// A running `crm-mind serve`.
pub struct Running {
    pub child: Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
}

impl Running {
    /// SIGKILL: no shutdown of any kind.
    pub fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }
}

impl Installation {
    pub fn new(engine: Engine) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Self {
            dir: tempfile::tempdir().unwrap(),
            port,
            engine,
            env: Vec::new(),
        }
    }

    /// An extra `CRM_MIND_*` (or other) variable for every process of this installation.
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.env.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_crm-mind"));
        command
            .args(args)
            .current_dir(self.dir.path())
            .env("CRM_MIND_DATA_DIR", self.dir.path())
            .env("CRM_MIND_BIND", format!("127.0.0.1:{}", self.port))
            .env("CRM_MIND_FACEBOOK_APP_SECRET", APP_SECRET)
            .env("CRM_MIND_MODELS_DIR", models_dir());
        match &self.engine {
            Engine::Sqlite => {
                command.env_remove("CRM_MIND_MONGODB_URI");
            }
            Engine::Mongo { uri, database } => {
                command
                    .env("CRM_MIND_MONGODB_URI", uri)
                    .env("CRM_MIND_MONGODB_DATABASE", database);
                if !self
                    .env
                    .iter()
                    .any(|(name, _)| name == "CRM_MIND_SECRET_KEY")
                {
                    command.env(
                        "CRM_MIND_SECRET_KEY",
                        base64::engine::general_purpose::STANDARD.encode([7u8; 32]),
                    );
                }
            }
        }
        for (name, value) in &self.env {
            command.env(name, value);
        }
        command
    }

    /// Runs a command that prints one value and returns it.
    pub fn admin(&self, args: &[&str]) -> String {
        let output = self.command(args).output().expect("the binary runs");
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap().trim().to_owned()
    }

    /// A company with an admin user; returns (company id, the admin's bearer token).
    pub fn company_with_admin(&self, email: &str, password: &str) -> (String, String) {
        let company = self.admin(&["admin", "create-company", "--name", "Process Shop"]);
        self.admin(&[
            "admin",
            "create-user",
            "--company",
            &company,
            "--email",
            email,
            "--password",
            password,
            "--role",
            "admin",
        ]);
        let token = self.admin(&["admin", "create-token", "--email", email]);
        (company, token)
    }

    /// The log file of the `generation`-th start.
    pub fn log_path(&self, generation: usize) -> PathBuf {
        self.dir.path().join(format!("serve-{generation}.log"))
    }

    /// Starts `serve` (its stderr to [`Installation::log_path`]) and waits until it is ready.
    pub async fn start(&self, generation: usize) -> Running {
        let log = std::fs::File::create(self.log_path(generation)).expect("log file");
        let child = self
            .command(&["serve"])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("serve starts");
        let base = format!("http://127.0.0.1:{}", self.port);
        let client = reqwest::Client::new();
        let started = Instant::now();
        loop {
            if let Ok(response) = client.get(format!("{base}/readyz")).send().await
                && response.status() == 200
            {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the service did not become ready; see {}",
                self.log_path(generation).display()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Running { child, base }
    }
}

fn models_dir() -> PathBuf {
    std::env::var_os("CRM_MIND_MODELS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/crm-mind-models")
        })
}

/// `X-Hub-Signature-256` of a webhook body under [`APP_SECRET`].
pub fn sign(body: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(APP_SECRET.as_bytes()).unwrap();
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

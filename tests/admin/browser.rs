//! A real headless Chromium for the console's browser tests, driven over WebDriver: Debian's
//! `chromium` and `chromium-driver`, started with a fresh profile directory per test.
//!
//! Without them the tests say "skipped: chromium not installed" and pass, so `cargo test`
//! works on a developer's machine; CI installs both (`.ci/run`), and there a missing browser
//! fails the run instead of hiding it.

use super::webdriver::Session;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tempfile::TempDir;

pub struct Browser {
    pub client: Session,
    driver: Child,
    _profile: TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.client.end_blocking();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn find(candidates: &[&str]) -> Option<PathBuf> {
    candidates.iter().map(PathBuf::from).find(|p| p.is_file())
}

/// Starts chromedriver and a Chromium session; `None` (after saying so) when not installed.
pub async fn launch() -> Option<Browser> {
    let chromium = find(&["/usr/bin/chromium", "/usr/bin/chromium-browser"]);
    let driver = find(&["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]);
    let (Some(chromium), Some(driver)) = (chromium, driver) else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI=true but chromium or chromedriver is missing: .ci/run installs them");
        }
        eprintln!("skipped: chromium not installed");
        return None;
    };
    let port = free_port();
    let driver = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let profile = tempfile::tempdir().expect("a profile directory");
    let client = connect(port, &chromium, profile.path()).await;
    Some(Browser {
        client,
        driver,
        _profile: profile,
    })
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("an address").port()
}

/// Connects once chromedriver listens (it takes a moment to start).
async fn connect(port: u16, chromium: &Path, profile: &Path) -> Session {
    let capabilities = json!({
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-dev-shm-usage", "--window-size=1280,800",
                format!("--user-data-dir={}", profile.display()),
            ],
        }
    });
    let mut last_error = String::new();
    for _ in 0..100 {
        match Session::start(&format!("http://127.0.0.1:{port}"), capabilities.clone()).await {
            Ok(session) => return session,
            Err(e) => last_error = e.0,
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("chromedriver on port {port} did not start a session: {last_error}");
}

/// Where screenshots of the main pages go (the README shows them).
pub fn screenshot_path(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
    std::fs::create_dir_all(&dir).expect("docs/screenshots");
    dir.join(format!("{name}.png"))
}

/// Screenshots the top of the page (a click may have scrolled it), as a reader first sees it.
pub async fn screenshot(client: &Session, name: &str) {
    client
        .execute("window.scrollTo(0, 0);")
        .await
        .expect("the page scrolls to its top");
    let png = client.screenshot_png().await.expect("a screenshot");
    std::fs::write(screenshot_path(name), png).expect("the screenshot is written");
}

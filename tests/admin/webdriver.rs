//! The few W3C WebDriver commands the console's browser tests use, over the HTTP client the
//! project already has (the protocol is JSON over HTTP: <https://www.w3.org/TR/webdriver2/>).

use base64::Engine as _;
use serde_json::{Value, json};
use std::time::Duration;

/// The key under which WebDriver returns an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

#[derive(Clone, Copy)]
pub enum By<'a> {
    Css(&'a str),
    XPath(&'a str),
}

impl By<'_> {
    fn body(self) -> Value {
        match self {
            By::Css(value) => json!({"using": "css selector", "value": value}),
            By::XPath(value) => json!({"using": "xpath", "value": value}),
        }
    }
}

/// One browser session.
#[derive(Clone)]
pub struct Session {
    http: reqwest::Client,
    base: String,
}

/// An element of the current page.
pub struct Element<'a> {
    session: &'a Session,
    id: String,
}

/// WebDriver's answer when it is an error: its `error` code and message.
#[derive(Debug)]
pub struct WebDriverError(pub String);

type Result<T> = std::result::Result<T, WebDriverError>;

impl Session {
    /// Starts a session on the driver at `driver` (`http://127.0.0.1:PORT`).
    pub async fn start(driver: &str, capabilities: Value) -> Result<Session> {
        let http = reqwest::Client::new();
        let answer = call(
            &http,
            reqwest::Method::POST,
            &format!("{driver}/session"),
            Some(json!({"capabilities": {"alwaysMatch": capabilities}})),
        )
        .await?;
        let id = answer["sessionId"]
            .as_str()
            .ok_or_else(|| WebDriverError(format!("no session id in {answer}")))?;
        Ok(Session {
            http,
            base: format!("{driver}/session/{id}"),
        })
    }

    async fn post(&self, path: &str, body: Value) -> Result<Value> {
        call(
            &self.http,
            reqwest::Method::POST,
            &format!("{}{path}", self.base),
            Some(body),
        )
        .await
    }

    async fn get(&self, path: &str) -> Result<Value> {
        call(
            &self.http,
            reqwest::Method::GET,
            &format!("{}{path}", self.base),
            None,
        )
        .await
    }

    pub async fn goto(&self, url: &str) -> Result<()> {
        self.post("/url", json!({"url": url})).await.map(drop)
    }

    pub async fn refresh(&self) -> Result<()> {
        self.post("/refresh", json!({})).await.map(drop)
    }

    pub async fn source(&self) -> Result<String> {
        Ok(self
            .get("/source")
            .await?
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }

    pub async fn find(&self, by: By<'_>) -> Result<Element<'_>> {
        let found = self.post("/element", by.body()).await?;
        Ok(self.element(&found))
    }

    fn element(&self, found: &Value) -> Element<'_> {
        Element {
            session: self,
            id: found[ELEMENT].as_str().unwrap_or_default().to_owned(),
        }
    }

    /// The element once it is there, looking again every 100 ms for up to `patience`.
    pub async fn wait_for(&self, by: By<'_>, patience: Duration) -> Result<Element<'_>> {
        let tries = (patience.as_millis() / 100).max(1);
        let mut last = WebDriverError("never looked".into());
        for _ in 0..tries {
            match self.find(by).await {
                Ok(element) => return Ok(element),
                Err(e) => last = e,
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(last)
    }

    pub async fn execute(&self, script: &str) -> Result<Value> {
        self.post("/execute/sync", json!({"script": script, "args": []}))
            .await
    }

    /// Resizes the browser window (a phone-width check, say).
    pub async fn set_window_size(&self, width: u32, height: u32) -> Result<()> {
        self.post("/window/rect", json!({"width": width, "height": height}))
            .await
            .map(drop)
    }

    pub async fn screenshot_png(&self) -> Result<Vec<u8>> {
        let encoded = self.get("/screenshot").await?;
        base64::engine::general_purpose::STANDARD
            .decode(encoded.as_str().unwrap_or_default())
            .map_err(|e| WebDriverError(format!("screenshot: {e}")))
    }

    /// The value of cookie `name` as the browser holds it (HttpOnly ones too).
    pub async fn cookie(&self, name: &str) -> Result<String> {
        let cookie = self.get(&format!("/cookie/{name}")).await?;
        Ok(cookie["value"].as_str().unwrap_or_default().to_owned())
    }

    /// Ends the session without a runtime, for `Drop` after a failed assertion: chromedriver
    /// then quits the browser. Killing chromedriver alone would leave Chromium running.
    pub fn end_blocking(&self) {
        use std::io::{Read, Write};
        let Some((host, path)) = self
            .base
            .strip_prefix("http://")
            .and_then(|rest| rest.split_once('/'))
        else {
            return;
        };
        let Ok(mut stream) = std::net::TcpStream::connect(host) else {
            return;
        };
        // Only a guard against a hung driver, not a speed expectation.
        let _ = stream.set_read_timeout(Some(Duration::from_secs(60)));
        let request =
            format!("DELETE /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        // chromedriver answers once the browser has quit, and may keep the connection open
        // after that: the first bytes of the answer are enough.
        if stream.write_all(request.as_bytes()).is_ok() {
            let _ = stream.read(&mut [0; 512]);
        }
    }

    pub async fn close(&self) -> Result<()> {
        call(&self.http, reqwest::Method::DELETE, &self.base, None)
            .await
            .map(drop)
    }
}

impl Element<'_> {
    fn path(&self, tail: &str) -> String {
        format!("/element/{}{tail}", self.id)
    }

    pub async fn click(&self) -> Result<()> {
        self.session
            .post(&self.path("/click"), json!({}))
            .await
            .map(drop)
    }

    pub async fn send_keys(&self, text: &str) -> Result<()> {
        self.session
            .post(&self.path("/value"), json!({"text": text}))
            .await
            .map(drop)
    }

    pub async fn text(&self) -> Result<String> {
        Ok(self
            .session
            .get(&self.path("/text"))
            .await?
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }

    pub async fn attr(&self, name: &str) -> Result<Option<String>> {
        Ok(self
            .session
            .get(&self.path(&format!("/attribute/{name}")))
            .await?
            .as_str()
            .map(str::to_owned))
    }

    /// Picks the `<option>` with `value` of this `<select>`.
    pub async fn select_by_value(&self, value: &str) -> Result<()> {
        let by = By::Css(&format!("option[value='{value}']")).body();
        let option = self.session.post(&self.path("/element"), by).await?;
        self.session.element(&option).click().await
    }
}

async fn call(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    body: Option<Value>,
) -> Result<Value> {
    let mut request = http.request(method, url);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request
        .send()
        .await
        .map_err(|e| WebDriverError(e.to_string()))?;
    let ok = response.status().is_success();
    let answer: Value = response
        .json()
        .await
        .map_err(|e| WebDriverError(e.to_string()))?;
    let value = answer.get("value").cloned().unwrap_or(Value::Null);
    if ok {
        Ok(value)
    } else {
        Err(WebDriverError(format!(
            "{}: {}",
            value["error"], value["message"]
        )))
    }
}

//! Steps the browser tests share: finding elements with patience, waiting for a page to
//! say something, signing in and out, and clicking a button that the page's script may
//! replace at any moment.

use super::webdriver::{By, Element, Session};
use crate::helpers::{PASSWORD, TestApp};
use std::time::Duration;

/// Long enough for a CRM sync or a reply on a loaded two-core machine; never a speed check.
pub const PATIENCE: Duration = Duration::from_secs(90);

pub async fn css<'a>(client: &'a Session, selector: &str) -> Element<'a> {
    client
        .wait_for(By::Css(selector), PATIENCE)
        .await
        .unwrap_or_else(|e| panic!("no {selector}: {e:?}"))
}

pub async fn text_of(client: &Session, selector: &str) -> String {
    css(client, selector).await.text().await.unwrap()
}

/// Waits until an element matched by `xpath` says `text`. A click on a form button returns
/// before the next page loads, and the old page may still show a similar element (a flash
/// of the change before), so reading "the" element at once could read the old page.
pub async fn wait_until_shown(client: &Session, xpath: &str, text: &str) {
    let wanted = format!("{xpath}[contains(normalize-space(.), '{text}')]");
    if let Err(e) = client.wait_for(By::XPath(&wanted), PATIENCE).await {
        let page = client.source().await.unwrap_or_default();
        panic!("nothing at {xpath} says {text:?} ({e:?}); the page:\n{page}");
    }
}

pub async fn flash_says(client: &Session, text: &str) {
    wait_until_shown(client, "//*[contains(@class,'flash')]", text).await;
}

pub async fn sign_in(client: &Session, app: &TestApp, email: &str) {
    client
        .goto(&format!("{}/admin/login", app.address))
        .await
        .unwrap();
    css(client, "#email").await.send_keys(email).await.unwrap();
    css(client, "#password")
        .await
        .send_keys(PASSWORD)
        .await
        .unwrap();
    css(client, "form button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    wait_until_shown(client, "//h1", "Dashboard").await;
}

pub async fn sign_out(client: &Session) {
    css(client, "form.logout button")
        .await
        .click()
        .await
        .unwrap();
    css(client, "#email").await;
}

/// Clicks the button whose text is `label` inside the element matched by `scope`. The page's
/// script may swap a link's status cell between finding the button and clicking it (WebDriver
/// then answers "stale element reference" and clicks nothing), so that case looks again.
pub async fn click_button(client: &Session, scope: &str, label: &str) {
    let xpath = format!(
        "{scope}//button[normalize-space(text())='{label}' or starts-with(normalize-space(.), '{label} ')]"
    );
    let mut last_error = None;
    for _ in 0..20 {
        let button = client
            .wait_for(By::XPath(&xpath), PATIENCE)
            .await
            .unwrap_or_else(|e| panic!("no button {label:?} in {scope}: {e:?}"));
        match button.click().await {
            Ok(()) => return,
            Err(e) if e.0.contains("stale element reference") => last_error = Some(e),
            Err(e) => panic!("clicking {label:?} in {scope}: {e:?}"),
        }
    }
    panic!("the button {label:?} in {scope} kept being replaced: {last_error:?}");
}

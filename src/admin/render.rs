//! The templates, embedded in the binary and compiled once. `.html` templates escape every
//! value by default; only the server-made SVG charts are marked safe.

use super::error::AdminError;
use axum::response::Html;
use minijinja::Environment;
use std::sync::LazyLock;

pub type Rendered = Html<String>;

/// Every template: (name, source). Pages extend `base.html`.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("templates/base.html")),
    ("public.html", include_str!("templates/public.html")),
    ("login.html", include_str!("templates/login.html")),
    ("error.html", include_str!("templates/error.html")),
    ("dashboard.html", include_str!("templates/dashboard.html")),
    ("pages.html", include_str!("templates/pages.html")),
    ("links.html", include_str!("templates/links.html")),
    (
        "link_status.html",
        include_str!("templates/link_status.html"),
    ),
    ("search.html", include_str!("templates/search.html")),
    ("replies.html", include_str!("templates/replies.html")),
    (
        "conversations.html",
        include_str!("templates/conversations.html"),
    ),
    ("metakocka.html", include_str!("templates/metakocka.html")),
    ("errors.html", include_str!("templates/errors.html")),
    ("emails.html", include_str!("templates/emails.html")),
    ("email.html", include_str!("templates/email.html")),
    ("mk_nav.html", include_str!("templates/mk_nav.html")),
    (
        "mk_progress.html",
        include_str!("templates/mk_progress.html"),
    ),
    ("mk_records.html", include_str!("templates/mk_records.html")),
    ("mk_history.html", include_str!("templates/mk_history.html")),
    (
        "mk_conflicts.html",
        include_str!("templates/mk_conflicts.html"),
    ),
    (
        "mk_settings.html",
        include_str!("templates/mk_settings.html"),
    ),
    ("reports.html", include_str!("templates/reports.html")),
    ("report.html", include_str!("templates/report.html")),
];

static ENVIRONMENT: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    for (name, source) in TEMPLATES {
        env.add_template(name, source)
            .unwrap_or_else(|e| panic!("the embedded template {name} is invalid: {e:#}"));
    }
    env
});

/// Renders a console page.
pub fn render(name: &str, ctx: minijinja::Value) -> Result<Rendered, AdminError> {
    ENVIRONMENT
        .get_template(name)
        .and_then(|template| template.render(ctx))
        .map(Html)
        .map_err(|e| AdminError::internal(format!("rendering {name}: {e:#}")))
}

/// Renders a page shown without a session (sign-in, errors).
pub fn render_public(name: &str, ctx: minijinja::Value) -> Result<Rendered, AdminError> {
    render(name, ctx)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_template_compiles() {
        for (name, _) in super::TEMPLATES {
            assert!(super::ENVIRONMENT.get_template(name).is_ok(), "{name}");
        }
    }
}

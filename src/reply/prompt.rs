//! The prompts of `prompts/`: loaded once at start-up, checked, and filled per reply.
//!
//! Each prompt is a minijinja template. The built-in copy (compiled in from `prompts/`) is
//! the default; a file of the same name in the configured directory replaces it, so an
//! operator can reword a prompt without a rebuild. A template that uses a placeholder this
//! code does not fill is refused at load time rather than rendering an empty hole later.

use crate::domain::Channel;
use crate::llm::{Fact, Turn};
use anyhow::Context;
use minijinja::{Environment, UndefinedBehavior, context};
use std::path::Path;

/// Which prompt a reply uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    /// A private Messenger conversation.
    Messenger,
    /// A public reply to a comment under a post.
    Comment,
}

impl PromptKind {
    pub const ALL: [PromptKind; 2] = [PromptKind::Messenger, PromptKind::Comment];

    pub fn file_name(self) -> &'static str {
        match self {
            PromptKind::Messenger => "messenger_reply.md",
            PromptKind::Comment => "comment_reply.md",
        }
    }

    fn built_in(self) -> &'static str {
        match self {
            PromptKind::Messenger => include_str!("../../prompts/messenger_reply.md"),
            PromptKind::Comment => include_str!("../../prompts/comment_reply.md"),
        }
    }

    /// The placeholders this code fills for the prompt.
    fn placeholders(self) -> &'static [&'static str] {
        match self {
            PromptKind::Messenger => &["page_name", "channel", "context", "history", "message"],
            PromptKind::Comment => &[
                "page_name",
                "channel",
                "context",
                "post",
                "parent",
                "message",
            ],
        }
    }
}

/// What one reply's prompt is filled with.
#[derive(Debug, Clone)]
pub struct PromptInput<'a> {
    pub page_name: &'a str,
    pub channel: Channel,
    pub facts: &'a [Fact],
    pub history: &'a [Turn],
    /// The post a comment is under, when the webhook gave its text.
    pub post: Option<&'a str>,
    /// The comment a comment replies to, when known.
    pub parent: Option<&'a str>,
    pub message: &'a str,
}

/// The loaded prompts.
pub struct Prompts {
    env: Environment<'static>,
}

impl Prompts {
    /// The built-in prompts, replaced by same-named files in `dir` where they exist.
    pub fn load(dir: Option<&Path>) -> anyhow::Result<Self> {
        let mut env = Environment::new();
        // A placeholder the code does not fill is an error, never an empty string.
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        // Prompts are plain text: no HTML escaping of facts.
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
        env.set_keep_trailing_newline(true);
        for kind in PromptKind::ALL {
            let override_path = dir
                .map(|d| d.join(kind.file_name()))
                .filter(|p| p.is_file());
            let source = match &override_path {
                Some(path) => std::fs::read_to_string(path)
                    .with_context(|| format!("reading the prompt {}", path.display()))?,
                None => kind.built_in().to_owned(),
            };
            let origin = override_path.as_ref().map_or_else(
                || format!("built-in {}", kind.file_name()),
                |p| p.display().to_string(),
            );
            env.add_template_owned(kind.file_name(), source)
                .with_context(|| format!("the prompt {origin} is not a valid template"))?;
            let template = env.get_template(kind.file_name())?;
            let mut unknown: Vec<String> = template
                .undeclared_variables(false)
                .into_iter()
                .filter(|name| !kind.placeholders().contains(&name.as_str()))
                .collect();
            unknown.sort();
            anyhow::ensure!(
                unknown.is_empty(),
                "the prompt {origin} uses unknown placeholders {unknown:?}; it may use {:?}",
                kind.placeholders()
            );
        }
        Ok(Self { env })
    }

    pub fn render(&self, kind: PromptKind, input: &PromptInput<'_>) -> anyhow::Result<String> {
        let template = self.env.get_template(kind.file_name())?;
        let rendered = template.render(context! {
            page_name => input.page_name,
            channel => input.channel.as_str(),
            context => facts_text(input.facts),
            history => history_text(input.history),
            post => input.post.unwrap_or("(not known)"),
            parent => input.parent.unwrap_or("(none: a comment on the post itself)"),
            message => input.message,
        })?;
        Ok(rendered)
    }
}

/// Facts as the prompt shows them: numbered, each with its source, its lines as they are.
fn facts_text(facts: &[Fact]) -> String {
    if facts.is_empty() {
        return "(no facts were found)".to_owned();
    }
    facts
        .iter()
        .enumerate()
        .map(|(i, fact)| format!("[{}] source: {}\n{}", i + 1, fact.source, fact.text.trim()))
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn history_text(history: &[Turn]) -> String {
    if history.is_empty() {
        return "(this is the first message)".to_owned();
    }
    history
        .iter()
        .map(|turn| format!("{}: {}", turn.from, turn.text))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>(facts: &'a [Fact], history: &'a [Turn]) -> PromptInput<'a> {
        PromptInput {
            page_name: "Trgovina Macesen",
            channel: Channel::Messenger,
            facts,
            history,
            post: None,
            parent: None,
            message: "Koliko stanejo čevlji SKU-12-B?",
        }
    }

    #[test]
    fn built_in_prompts_fill_every_placeholder() {
        let prompts = Prompts::load(None).unwrap();
        let facts = [Fact {
            text: "products[0].code: SKU-12-B\nproducts[0].price: 129.9".into(),
            source: "Shop CRM (products[0])".into(),
        }];
        let history = [Turn {
            from: "customer".into(),
            text: "Živjo".into(),
        }];
        let text = prompts
            .render(PromptKind::Messenger, &input(&facts, &history))
            .unwrap();
        assert!(text.contains("\"Trgovina Macesen\""));
        assert!(text.contains("[1] source: Shop CRM (products[0])\nproducts[0].code: SKU-12-B"));
        assert!(text.contains("customer: Živjo"));
        assert!(text.contains("Koliko stanejo čevlji SKU-12-B?"));
        assert!(!text.contains("{{"), "{text}");

        let comment = prompts
            .render(PromptKind::Comment, &input(&[], &[]))
            .unwrap();
        assert!(comment.contains("(no facts were found)"));
        assert!(comment.contains("Everyone can read this reply"));
    }

    #[test]
    fn a_file_in_the_prompts_dir_replaces_the_built_in_one() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("messenger_reply.md"),
            "Page {{ page_name }} says: {{ message }}",
        )
        .unwrap();
        let prompts = Prompts::load(Some(dir.path())).unwrap();
        let text = prompts
            .render(PromptKind::Messenger, &input(&[], &[]))
            .unwrap();
        assert_eq!(
            text,
            "Page Trgovina Macesen says: Koliko stanejo čevlji SKU-12-B?"
        );
    }

    #[test]
    fn an_unknown_placeholder_is_refused_at_load() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("comment_reply.md"), "{{ customer_email }}").unwrap();
        let error = Prompts::load(Some(dir.path())).err().unwrap();
        let message = format!("{error:#}");
        assert!(message.contains("customer_email"), "{message}");
        assert!(message.contains("comment_reply.md"), "{message}");
    }
}

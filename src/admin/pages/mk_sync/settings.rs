//! The sync settings, one fieldset per kind: automatic sync on or off, its interval, the
//! direction and the conflict rule. A wrong value is shown next to its field in words and
//! nothing is saved until every field is right.

use super::{Note, nouns};
use crate::admin::csrf::AdminForm;
use crate::admin::error::AdminError;
use crate::admin::pages::see_other;
use crate::admin::session::{AdminSession, page};
use crate::http::AppState;
use crate::metakocka::sync::model::{ConflictRule, Direction, EntityKind, SyncSettings};
use crate::records::now;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use minijinja::context;
use std::collections::BTreeMap;

/// The interval bounds the settings API enforces (`PUT .../settings`): five minutes to a week.
const INTERVAL_MINUTES: std::ops::RangeInclusive<u32> = 5..=10_080;

const DIRECTIONS: [(&str, &str); 3] = [
    ("both", "Both ways"),
    ("to", "crm-mind → Metakocka"),
    ("from", "Metakocka → crm-mind"),
];

const RULES: [(&str, &str); 4] = [
    ("manual", "Ask me (record a conflict)"),
    ("crm_wins", "crm-mind wins"),
    ("metakocka_wins", "Metakocka wins"),
    ("newest_wins", "Newest change wins"),
];

/// The form's values for one kind, as text (so a wrong one can be shown back).
struct Entered {
    kind: EntityKind,
    auto: bool,
    interval: String,
    direction: String,
    rule: String,
}

impl Entered {
    fn of(s: &SyncSettings) -> Self {
        Self {
            kind: s.kind,
            auto: s.auto,
            interval: s.interval_minutes.to_string(),
            direction: s.direction.as_str().to_owned(),
            rule: s.conflict_rule.as_str().to_owned(),
        }
    }

    fn view(&self) -> minijinja::Value {
        context! {
            kind => self.kind.as_str(),
            label => capitalised(nouns(self.kind).1),
            auto => self.auto,
            interval_minutes => &self.interval,
            direction => &self.direction,
            conflict_rule => &self.rule,
        }
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn render(
    session: &AdminSession,
    entered: &[Entered],
    errors: &BTreeMap<String, String>,
    flash: Option<String>,
) -> Result<crate::admin::render::Rendered, AdminError> {
    let option = |(value, label): &(&str, &str)| context! { value => value, label => label };
    page(
        session,
        "mk_settings.html",
        "metakocka",
        context! {
            mk_active => "settings",
            kinds => entered.iter().map(Entered::view).collect::<Vec<_>>(),
            directions => DIRECTIONS.iter().map(option).collect::<Vec<_>>(),
            rules => RULES.iter().map(option).collect::<Vec<_>>(),
            min_interval => INTERVAL_MINUTES.start(),
            max_interval => INTERVAL_MINUTES.end(),
            errors => errors,
            flash => flash,
        },
    )
}

/// `GET /admin/integrations/metakocka/settings`.
pub async fn show(
    State(state): State<AppState>,
    session: AdminSession,
    Query(note): Query<Note>,
) -> Result<Response, AdminError> {
    let all = state.metakocka_sync.settings(session.company()).await?;
    let entered: Vec<Entered> = all.iter().map(Entered::of).collect();
    Ok(render(&session, &entered, &BTreeMap::new(), note.flash)?.into_response())
}

/// `POST /admin/integrations/metakocka/settings`: every kind at once, or none.
pub async fn save(
    State(state): State<AppState>,
    AdminForm(form): AdminForm<crate::admin::csrf::Empty>,
) -> Result<Response, AdminError> {
    let session = &form.session;
    let current = state.metakocka_sync.settings(session.company()).await?;
    let mut entered = Vec::new();
    let mut checked = Vec::new();
    let mut errors = BTreeMap::new();
    for settings in current {
        let prefix = settings.kind.as_str();
        let field = |name: &str| {
            form.fields
                .get(&format!("{prefix}_{name}"))
                .unwrap_or_default()
                .trim()
                .to_owned()
        };
        let values = Entered {
            kind: settings.kind,
            auto: field("auto") == "on",
            interval: field("interval_minutes"),
            direction: field("direction"),
            rule: field("conflict_rule"),
        };
        let mut next = settings.clone();
        next.auto = values.auto;
        match values.interval.parse::<u32>() {
            Ok(minutes) if INTERVAL_MINUTES.contains(&minutes) => next.interval_minutes = minutes,
            _ => {
                errors.insert(
                    format!("{prefix}_interval_minutes"),
                    format!(
                        "must be a whole number of minutes from {} to {} (a week)",
                        INTERVAL_MINUTES.start(),
                        INTERVAL_MINUTES.end()
                    ),
                );
            }
        }
        match Direction::parse(&values.direction) {
            Some(direction) => next.direction = direction,
            None => {
                errors.insert(
                    format!("{prefix}_direction"),
                    "must be one of the listed directions".to_owned(),
                );
            }
        }
        match ConflictRule::parse(&values.rule) {
            Some(rule) => next.conflict_rule = rule,
            None => {
                errors.insert(
                    format!("{prefix}_conflict_rule"),
                    "must be one of the listed rules".to_owned(),
                );
            }
        }
        next.updated_at = now();
        entered.push(values);
        checked.push(next);
    }
    if !errors.is_empty() {
        let body = render(session, &entered, &errors, None)?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response());
    }
    for settings in &checked {
        state.metakocka_sync.save_settings(settings).await?;
    }
    Ok(see_other(&format!(
        "/admin{}/settings{}",
        super::BASE,
        Note::ok("Sync settings saved.").query()
    )))
}

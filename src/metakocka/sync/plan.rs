//! What to do with one record: the decision from the two sides' content hashes now and at
//! the last sync, the run's direction and the company's conflict rule. Pure, so every case
//! is unit-tested here.
//!
//! `newest_wins` needs both sides' modification times; Metakocka's product, partner and
//! document answers carry none, so it decides as `crm_wins` (the CRM side has `updated_at`,
//! Metakocka's side is treated as older).

use super::model::{ConflictRule, Direction};

/// The step for one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Nothing changed (or nothing may move this way): no write anywhere.
    Skip,
    /// Both sides exist and hold the same content: record the mapping, write nothing else.
    Link,
    PushCreate,
    PushUpdate,
    PullCreate,
    PullUpdate,
    /// Both sides changed and the rule is `manual`: record a conflict.
    Conflict,
}

/// The content hashes of a record: each side's now (`None` = no such record) and, when the
/// record is mapped, both at the last sync.
#[derive(Debug, Clone, Copy)]
pub struct Hashes<'a> {
    pub crm: Option<&'a str>,
    pub mk: Option<&'a str>,
    /// `(crm, mk)` at the last sync; `None` when the two were never synced.
    pub last: Option<(Option<&'a str>, Option<&'a str>)>,
}

pub fn decide(hashes: Hashes<'_>, direction: Direction, rule: ConflictRule) -> Action {
    let Hashes { crm, mk, last } = hashes;
    let (crm_now, mk_now) = match (crm, mk) {
        (None, None) => return Action::Skip,
        // One side only: create it on the other, if the run goes that way. A mapped record
        // whose other side vanished is the audit's business, not a re-creation.
        (Some(_), None) if last.is_none() && direction.pushes() => return Action::PushCreate,
        (None, Some(_)) if last.is_none() && direction.pulls() => return Action::PullCreate,
        (Some(c), Some(m)) => (c, m),
        _ => return Action::Skip,
    };
    if crm_now == mk_now {
        // Equal now: nothing to move, whatever changed. Record the sync unless it is already.
        return match last {
            Some((Some(c), Some(m))) if c == crm_now && m == mk_now => Action::Skip,
            _ => Action::Link,
        };
    }
    let (crm_changed, mk_changed) = match last {
        Some((c, m)) => (c != Some(crm_now), m != Some(mk_now)),
        // Matched by natural key with different content: both count as changed.
        None => (true, true),
    };
    let winner = match (crm_changed, mk_changed) {
        (false, false) => return Action::Skip,
        (true, false) => Winner::Crm,
        (false, true) => Winner::Metakocka,
        (true, true) => match rule {
            ConflictRule::CrmWins | ConflictRule::NewestWins => Winner::Crm,
            ConflictRule::MetakockaWins => Winner::Metakocka,
            ConflictRule::Manual => return Action::Conflict,
        },
    };
    match winner {
        Winner::Crm if direction.pushes() => Action::PushUpdate,
        Winner::Metakocka if direction.pulls() => Action::PullUpdate,
        _ => Action::Skip,
    }
}

enum Winner {
    Crm,
    Metakocka,
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;
    use ConflictRule::*;
    use Direction::*;

    fn h<'a>(
        crm: Option<&'a str>,
        mk: Option<&'a str>,
        last: Option<(&'a str, &'a str)>,
    ) -> Hashes<'a> {
        Hashes {
            crm,
            mk,
            last: last.map(|(c, m)| (Some(c), Some(m))),
        }
    }

    #[test]
    fn one_sided_records_are_created_on_the_other_side_when_the_run_goes_there() {
        assert_eq!(decide(h(Some("a"), None, None), Both, Manual), PushCreate);
        assert_eq!(decide(h(Some("a"), None, None), From, Manual), Skip);
        assert_eq!(decide(h(None, Some("a"), None), Both, Manual), PullCreate);
        assert_eq!(decide(h(None, Some("a"), None), To, Manual), Skip);
        // Mapped, but one side is gone: left for the audit.
        assert_eq!(
            decide(h(Some("a"), None, Some(("a", "a"))), Both, CrmWins),
            Skip
        );
    }

    #[test]
    fn unchanged_records_are_skipped_and_equal_ones_linked() {
        assert_eq!(
            decide(h(Some("a"), Some("b"), Some(("a", "b"))), Both, Manual),
            Skip
        );
        assert_eq!(
            decide(h(Some("a"), Some("a"), Some(("a", "a"))), Both, Manual),
            Skip
        );
        assert_eq!(decide(h(Some("a"), Some("a"), None), Both, Manual), Link);
        assert_eq!(
            decide(h(Some("c"), Some("c"), Some(("a", "b"))), Both, Manual),
            Link
        );
    }

    #[test]
    fn a_change_on_one_side_moves_to_the_other() {
        assert_eq!(
            decide(h(Some("c"), Some("b"), Some(("a", "b"))), Both, Manual),
            PushUpdate
        );
        assert_eq!(
            decide(h(Some("a"), Some("c"), Some(("a", "b"))), Both, Manual),
            PullUpdate
        );
        assert_eq!(
            decide(h(Some("a"), Some("c"), Some(("a", "b"))), To, Manual),
            Skip
        );
    }

    #[test]
    fn both_changed_is_settled_by_the_rule() {
        let both = h(Some("c"), Some("d"), Some(("a", "b")));
        assert_eq!(decide(both, Both, CrmWins), PushUpdate);
        assert_eq!(decide(both, Both, MetakockaWins), PullUpdate);
        assert_eq!(decide(both, Both, NewestWins), PushUpdate);
        assert_eq!(decide(both, Both, Manual), Conflict);
        // The winner may not move against the run's direction.
        assert_eq!(decide(both, To, MetakockaWins), Skip);
        // Matched by natural key with different content: the rule decides too.
        assert_eq!(
            decide(h(Some("c"), Some("d"), None), Both, Manual),
            Conflict
        );
    }
}

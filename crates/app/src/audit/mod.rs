//! The audit log as people read it: entries filtered by who, what, plan and date, a page at
//! a time, each with the names of the account and of the thing changed (not their ids), what
//! changed field by field ([`changes`]) and where to look at the thing now ([`Link`]).
//!
//! The log is read oldest first in pages of [`PAGE`] entries, so memory stays bounded however
//! long it is: a first pass keeps only the sequence numbers that pass the filter, a second
//! reads the entries of the page asked for.

mod actions;
pub mod changes;
mod names;

use keikaku_domain::PlanId;
use keikaku_domain::audit::{AuditEntry, Timestamp};
use keikaku_domain::era::{CivilDate, parse_date};

pub use actions::{ACTIONS, action_label};
pub use changes::{Changes, FieldChange};
pub use names::{Link, Named, Target};

use crate::access::{Action, Authority, require};
use crate::forms::problem;
use crate::{AppError, Context};

/// Entries read per query.
const PAGE: u32 = 1000;

/// Entries shown per page of the log.
pub const PER_PAGE: usize = 50;

/// The filter as typed (a query string, command-line flags): every part optional.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FilterInput {
    /// Who: a login id, or `cli` for the command line.
    pub actor: String,
    /// What: an action code of [`ACTIONS`].
    pub action: String,
    /// Which plan: its id.
    pub plan: String,
    /// From this day (Japan time), in any form the date reader takes: 令和7年4月1日,
    /// 2025-04-01, R7.4.1 ….
    pub from: String,
    /// Up to and including this day.
    pub to: String,
    /// The page, 1 = the newest entries.
    pub page: String,
}

/// A checked filter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Who.
    pub actor: Option<String>,
    /// What.
    pub action: Option<String>,
    /// Which plan.
    pub plan: Option<PlanId>,
    /// From this day, Japan time.
    pub from: Option<CivilDate>,
    /// Up to this day, Japan time.
    pub to: Option<CivilDate>,
}

/// Midnight at the start of a day in Japan time (UTC+9).
fn jst_midnight(date: CivilDate) -> Option<Timestamp> {
    Timestamp::parse_iso(&format!("{}T00:00:00+09:00", date.to_iso())).ok()
}

fn next_day(date: CivilDate) -> Option<CivilDate> {
    let (y, m, d) = (date.year(), date.month(), date.day());
    if d < CivilDate::days_in_month(y, m) {
        CivilDate::new(y, m, d + 1).ok()
    } else if m < 12 {
        CivilDate::new(y, m + 1, 1).ok()
    } else {
        CivilDate::new(y + 1, 1, 1).ok()
    }
}

impl AuditFilter {
    /// Reads a typed filter and its page; every problem at once, by field (`actor`, `action`,
    /// `plan`, `from`, `to`, `page`), in Japanese.
    pub fn read(input: &FilterInput) -> Result<(Self, usize), AppError> {
        let mut problems = Vec::new();
        let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let action = text(&input.action);
        if let Some(a) = &action
            && !ACTIONS.iter().any(|(c, _)| c == a)
        {
            problems.push(problem(
                "action",
                format!("操作「{a}」はありません。一覧から選んでください。"),
            ));
        }
        let plan = match text(&input.plan) {
            None => None,
            Some(p) => match PlanId::parse(&p) {
                Ok(id) => Some(id),
                Err(_) => {
                    problems.push(problem("plan", format!("計画「{p}」はありません。")));
                    None
                }
            },
        };
        let mut date = |field: &str, what: &str, raw: &str| match text(raw) {
            None => None,
            Some(t) => match parse_date(&t) {
                Ok(d) => Some(d),
                Err(e) => {
                    problems.push(problem(field, format!("{what}: {}", e.message)));
                    None
                }
            },
        };
        let from = date("from", "期間の開始日", &input.from);
        let to = date("to", "期間の終了日", &input.to);
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            problems.push(problem(
                "to",
                "期間の終了日が開始日より前です。開始日以降の日付を入力してください。".to_owned(),
            ));
        }
        let page = match text(&input.page) {
            None => 1,
            Some(p) => match p.parse::<usize>() {
                Ok(n) if n >= 1 => n,
                _ => {
                    problems.push(problem(
                        "page",
                        format!("ページ「{p}」は1以上の整数で指定してください。"),
                    ));
                    1
                }
            },
        };
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        Ok((
            Self {
                actor: text(&input.actor),
                action,
                plan,
                from,
                to,
            },
            page,
        ))
    }

    /// Whether an entry passes.
    pub fn admits(&self, e: &AuditEntry) -> bool {
        if self.actor.as_deref().is_some_and(|a| a != e.actor) {
            return false;
        }
        if self.action.as_deref().is_some_and(|a| a != e.action) {
            return false;
        }
        if let Some(plan) = &self.plan {
            let on_plan = actions::targets_a_plan(&e.action)
                && (e.target == plan.as_str()
                    || e.target
                        .strip_prefix(plan.as_str())
                        .is_some_and(|rest| rest.starts_with('/')));
            if !on_plan {
                return false;
            }
        }
        if let Some(from) = self.from.and_then(jst_midnight)
            && e.at < from
        {
            return false;
        }
        if let Some(until) = self.to.and_then(next_day).and_then(jst_midnight)
            && e.at >= until
        {
            return false;
        }
        true
    }

    /// Whether anything is filtered.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// One entry as people read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryView {
    /// Its number in the chain.
    pub sequence: u64,
    /// When.
    pub at: Timestamp,
    /// Who, by name.
    pub actor: Named,
    /// The action code.
    pub action: String,
    /// Its Japanese name.
    pub action_label: String,
    /// What, by name, with where to see it.
    pub target: Target,
    /// What changed.
    pub changes: Changes,
}

/// A page of the filtered log, newest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditLog {
    /// The entries of the page.
    pub entries: Vec<EntryView>,
    /// How many entries pass the filter.
    pub total: usize,
    /// The page shown, 1 = newest.
    pub page: usize,
    /// How many pages there are (at least 1).
    pub pages: usize,
}

/// The filtered log, a page of [`PER_PAGE`] entries, newest first (administrators).
pub async fn audit_log(
    cx: &Context<'_>,
    authority: &impl Authority,
    filter: &AuditFilter,
    page: usize,
    per_page: usize,
) -> Result<AuditLog, AppError> {
    require(authority, Action::ReadAudit)?;
    let per_page = per_page.max(1);
    // First pass: the sequence numbers that pass, oldest first.
    let mut matching: Vec<u64> = Vec::new();
    let mut after = 0;
    loop {
        let batch = cx.store.audit_entries(cx.municipality, after, PAGE).await?;
        let full = batch.len() == PAGE as usize;
        if let Some(last) = batch.last() {
            after = last.sequence;
        }
        matching.extend(
            batch
                .iter()
                .filter(|e| filter.admits(e))
                .map(|e| e.sequence),
        );
        if !full {
            break;
        }
    }
    let total = matching.len();
    let pages = total.div_ceil(per_page).max(1);
    let page = page.clamp(1, pages);
    // Newest first: page 1 is the end of the list.
    let end = total.saturating_sub((page - 1) * per_page);
    let start = end.saturating_sub(per_page);
    let wanted = &matching[start..end];
    let mut entries = Vec::with_capacity(wanted.len());
    if let (Some(&first), Some(&last)) = (wanted.first(), wanted.last()) {
        let mut after = first - 1;
        while after < last {
            let batch = cx.store.audit_entries(cx.municipality, after, PAGE).await?;
            let Some(end) = batch.last().map(|e| e.sequence) else {
                break;
            };
            after = end;
            entries.extend(
                batch
                    .into_iter()
                    .filter(|e| e.sequence <= last && wanted.binary_search(&e.sequence).is_ok()),
            );
        }
    }
    entries.reverse();
    let mut names = names::Names::load(cx).await?;
    let mut views = Vec::with_capacity(entries.len());
    for e in entries {
        views.push(names.view(cx, e).await?);
    }
    Ok(AuditLog {
        entries: views,
        total,
        page,
        pages,
    })
}

/// What the filter offers: the accounts that appear (by name) and the plans.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterChoices {
    /// `(login id, display name)`, the command line first.
    pub actors: Vec<(String, String)>,
    /// `(plan id, title)`.
    pub plans: Vec<(String, String)>,
}

/// The choices of the filter form (administrators).
pub async fn filter_choices(
    cx: &Context<'_>,
    authority: &impl Authority,
) -> Result<FilterChoices, AppError> {
    require(authority, Action::ReadAudit)?;
    let mut actors = vec![("cli".to_owned(), names::CLI_NAME.to_owned())];
    actors.extend(
        cx.store
            .users(cx.municipality)
            .await?
            .into_iter()
            .map(|u| (u.login_id.to_string(), u.display_name)),
    );
    let plans = cx
        .store
        .plan_summaries(cx.municipality)
        .await?
        .into_iter()
        .map(|s| (s.header.id.to_string(), s.header.title))
        .collect();
    Ok(FilterChoices { actors, plans })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn input(from: &str, to: &str) -> FilterInput {
        FilterInput {
            from: from.to_owned(),
            to: to.to_owned(),
            ..FilterInput::default()
        }
    }

    #[test]
    fn dates_are_read_in_any_form_and_bound_japan_days() {
        let (f, page) = AuditFilter::read(&input("令和7年4月1日", "2025-04-01")).unwrap();
        assert_eq!(page, 1);
        let entry = |at: &str| AuditEntry {
            at: at.parse().unwrap(),
            ..AuditEntry::append(
                None,
                keikaku_domain::audit::NewEntry {
                    municipality: keikaku_domain::MunicipalityCode::parse("03209").unwrap(),
                    at: Timestamp::UNIX_EPOCH,
                    actor: "a".to_owned(),
                    action: "plan.status".to_owned(),
                    target: "p".to_owned(),
                    before: None,
                    after: None,
                },
            )
        };
        // 2025-04-01 00:00 JST is 2025-03-31T15:00Z.
        assert!(!f.admits(&entry("2025-03-31T14:59:59Z")));
        assert!(f.admits(&entry("2025-03-31T15:00:00Z")));
        assert!(f.admits(&entry("2025-04-01T14:59:59Z")));
        assert!(!f.admits(&entry("2025-04-01T15:00:00Z")));
    }

    #[test]
    fn bad_parts_are_all_reported_by_field() {
        let err = AuditFilter::read(&FilterInput {
            action: "nothing".to_owned(),
            from: "令和7年13月1日".to_owned(),
            to: "きのう".to_owned(),
            page: "0".to_owned(),
            ..FilterInput::default()
        })
        .unwrap_err();
        let AppError::Invalid(problems) = err else {
            panic!("{err:?}")
        };
        let fields: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(fields, ["action", "from", "to", "page"]);
        assert!(problems[1].message.starts_with("期間の開始日: "));
    }

    #[test]
    fn an_end_before_the_start_is_refused() {
        let err = AuditFilter::read(&input("2025-04-02", "2025-04-01")).unwrap_err();
        assert!(matches!(err, AppError::Invalid(p) if p[0].path == "to"));
    }
}

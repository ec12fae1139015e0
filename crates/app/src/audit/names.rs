//! Names for the audit log: the account that acted and the thing an entry's target names —
//! a plan by its title, an element by its kind and title, a user by name, an edition of the
//! 実施計画 by its year — read from what is stored now, else from the entry itself, with
//! 「（削除済み）」 when the thing is gone; and the [`Link`] to the thing, or to the last
//! version that still holds a deleted element.

use std::collections::{HashMap, HashSet};

use keikaku_domain::audit::AuditEntry;
use keikaku_domain::era::FiscalYear;
use keikaku_domain::format::YEAR_STYLE;
use keikaku_domain::{ElementKind, PlanId};
use keikaku_storage::rows;
use serde_json::Value;

use super::EntryView;
use super::actions::action_label;
use super::changes::changes;
use crate::{AppError, Context};

/// How the command line is named in the log.
pub(crate) const CLI_NAME: &str = "コマンドライン（サーバーの管理者）";

/// Versions of a plan searched, newest first, for a deleted element.
const VERSIONS_SEARCHED: usize = 30;

/// An account by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named {
    /// The id as recorded.
    pub id: String,
    /// What people read: the name, or 「id（削除済み）」 when no such account is stored.
    pub label: String,
}

/// Where the thing an entry changed can be seen (the web turns it into an address).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Link {
    /// A plan's working copy.
    Plan(PlanId),
    /// An element of a plan's working copy.
    Element {
        /// The plan.
        plan: PlanId,
        /// The element.
        id: String,
    },
    /// A deleted element, as the last version that holds it has it.
    ElementInVersion {
        /// The plan.
        plan: PlanId,
        /// The version.
        number: u32,
        /// The element.
        id: String,
    },
    /// A plan's versions (a deleted plan, or an element no version holds).
    Versions(PlanId),
    /// A plan's KPI evaluation.
    Kpi(PlanId),
    /// A plan's verification round of a year.
    KpiRound {
        /// The plan.
        plan: PlanId,
        /// The fiscal year.
        year: i32,
    },
    /// A user's page.
    User(String),
    /// An edition of the 実施計画, by the year it was made in.
    Edition(i32),
    /// The 人口ビジョン.
    Population,
    /// The department list.
    Departments,
}

/// What an entry changed, by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The target as recorded (ids).
    pub id: String,
    /// What people read.
    pub label: String,
    /// Where to see it; `None` when there is nothing to show (a token).
    pub link: Option<Link>,
}

struct PlanNames {
    title: String,
    elements: HashMap<String, (ElementKind, String)>,
}

/// Names read once for a page of entries.
pub(crate) struct Names {
    users: HashMap<String, String>,
    plans: HashMap<String, PlanNames>,
    /// Per plan: the element ids of each version read so far, newest first.
    versions: HashMap<String, Vec<(u32, HashSet<String>)>>,
    scenarios: Option<HashMap<String, String>>,
}

fn gone(id: &str) -> String {
    format!("{id}（削除済み）")
}

fn fiscal(year: i32) -> String {
    FiscalYear::new(year).map_or_else(|_| format!("{year}年度"), |y| y.format(YEAR_STYLE))
}

/// The kind and title an element's audit text records.
fn recorded_element(text: Option<&str>) -> Option<(ElementKind, String)> {
    let v: Value = serde_json::from_str(text?).ok()?;
    let kind = ElementKind::from_code(v.get("kind")?.as_str()?)?;
    let title = v.get("title")?.as_str()?.to_owned();
    Some((kind, title))
}

/// The title a plan file records for its first plan.
fn recorded_plan_title(text: Option<&str>) -> Option<String> {
    let v: Value = serde_json::from_str(text?).ok()?;
    Some(v.get("plans")?.get(0)?.get("title")?.as_str()?.to_owned())
}

/// The value of a `key: value` line.
fn recorded_line<'a>(text: Option<&'a str>, key: &str) -> Option<&'a str> {
    text?
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(": "))
}

impl Names {
    pub(crate) async fn load(cx: &Context<'_>) -> Result<Self, AppError> {
        let users = cx
            .store
            .users(cx.municipality)
            .await?
            .into_iter()
            .map(|u| (u.login_id.to_string(), u.display_name))
            .collect();
        let plans = crate::stored_plans(cx)
            .await?
            .iter()
            .map(|p| {
                let flat = rows::flatten(p);
                let elements = flat
                    .elements
                    .into_iter()
                    .filter_map(|e| Some((e.id, (ElementKind::from_code(&e.kind)?, e.title))))
                    .collect();
                (
                    p.id().to_string(),
                    PlanNames {
                        title: p.header().title.clone(),
                        elements,
                    },
                )
            })
            .collect();
        Ok(Self {
            users,
            plans,
            versions: HashMap::new(),
            scenarios: None,
        })
    }

    fn actor(&self, id: &str) -> Named {
        let label = if id == "cli" {
            CLI_NAME.to_owned()
        } else {
            self.users.get(id).cloned().unwrap_or_else(|| gone(id))
        };
        Named {
            id: id.to_owned(),
            label,
        }
    }

    fn plan_label(&self, plan: &str, e: &AuditEntry) -> (String, bool) {
        match self.plans.get(plan) {
            Some(p) => (format!("「{}」", p.title), true),
            None => match recorded_plan_title(e.before.as_deref())
                .or_else(|| recorded_plan_title(e.after.as_deref()))
            {
                Some(t) => (format!("「{t}」（削除済み）"), false),
                None => (format!("「{}」", gone(plan)), false),
            },
        }
    }

    /// The newest version (of the last [`VERSIONS_SEARCHED`]) that holds an element.
    async fn last_version_with(
        &mut self,
        cx: &Context<'_>,
        plan: &PlanId,
        id: &str,
    ) -> Result<Option<u32>, AppError> {
        if !self.versions.contains_key(plan.as_str()) {
            let mut read = Vec::new();
            let mut list = cx.store.plan_versions(cx.municipality, plan).await?;
            list.reverse();
            for v in list.into_iter().take(VERSIONS_SEARCHED) {
                let Some((_, snapshot)) = cx
                    .store
                    .plan_version(cx.municipality, plan, v.number)
                    .await?
                else {
                    continue;
                };
                let ids = keikaku_planfile::read_snapshot(&snapshot)
                    .ok()
                    .and_then(|f| f.plans.into_iter().next())
                    .map(|p| {
                        rows::flatten(&p)
                            .elements
                            .into_iter()
                            .map(|e| e.id)
                            .collect()
                    })
                    .unwrap_or_default();
                read.push((v.number, ids));
            }
            self.versions.insert(plan.to_string(), read);
        }
        Ok(self
            .versions
            .get(plan.as_str())
            .and_then(|vs| vs.iter().find(|(_, ids)| ids.contains(id)).map(|(n, _)| *n)))
    }

    async fn scenario_name(
        &mut self,
        cx: &Context<'_>,
        id: &str,
    ) -> Result<Option<String>, AppError> {
        if self.scenarios.is_none() {
            let data = cx.store.population(cx.municipality).await?;
            self.scenarios = Some(
                data.scenarios
                    .into_iter()
                    .map(|s| (s.scenario.id.to_string(), s.scenario.name))
                    .collect(),
            );
        }
        Ok(self.scenarios.as_ref().and_then(|m| m.get(id).cloned()))
    }

    async fn target(&mut self, cx: &Context<'_>, e: &AuditEntry) -> Result<Target, AppError> {
        let id = e.target.clone();
        let (label, link) = self.describe(cx, e).await?;
        Ok(Target { id, label, link })
    }

    #[allow(clippy::too_many_lines)] // one arm per kind of target
    async fn describe(
        &mut self,
        cx: &Context<'_>,
        e: &AuditEntry,
    ) -> Result<(String, Option<Link>), AppError> {
        let t = e.target.as_str();
        let action = e.action.as_str();
        if action.starts_with("element.") {
            let Some((plan, id)) = t.split_once('/') else {
                return Ok((t.to_owned(), None));
            };
            let Ok(plan_id) = PlanId::parse(plan) else {
                return Ok((t.to_owned(), None));
            };
            let (plan_label, plan_exists) = self.plan_label(plan, e);
            if let Some((kind, title)) = self.plans.get(plan).and_then(|p| p.elements.get(id)) {
                return Ok((
                    format!("{}「{title}」（計画{plan_label}）", kind.label()),
                    Some(Link::Element {
                        plan: plan_id,
                        id: id.to_owned(),
                    }),
                ));
            }
            let what = recorded_element(e.before.as_deref())
                .or_else(|| recorded_element(e.after.as_deref()))
                .map_or_else(
                    || gone(id),
                    |(k, title)| format!("{}「{title}」（削除済み）", k.label()),
                );
            let link = if plan_exists {
                match self.last_version_with(cx, &plan_id, id).await? {
                    Some(number) => Link::ElementInVersion {
                        plan: plan_id,
                        number,
                        id: id.to_owned(),
                    },
                    None => Link::Versions(plan_id),
                }
            } else {
                Link::Versions(plan_id)
            };
            return Ok((format!("{what}（計画{plan_label}）"), Some(link)));
        }
        if action.starts_with("plan.") || action == "kpi.values" || action == "kpi.settings" {
            let Ok(plan_id) = PlanId::parse(t) else {
                return Ok((t.to_owned(), None));
            };
            let (label, exists) = self.plan_label(t, e);
            let link = match (exists, action.starts_with("kpi.")) {
                (true, true) => Link::Kpi(plan_id),
                (true, false) => Link::Plan(plan_id),
                (false, _) => Link::Versions(plan_id),
            };
            return Ok((format!("計画{label}"), Some(link)));
        }
        if action.starts_with("kpi.round.") {
            let parsed = t
                .rsplit_once('/')
                .and_then(|(p, y)| Some((PlanId::parse(p).ok()?, y.parse::<i32>().ok()?)));
            let Some((plan_id, year)) = parsed else {
                return Ok((t.to_owned(), None));
            };
            let (label, exists) = self.plan_label(plan_id.as_str(), e);
            return Ok((
                format!("計画{label}の{}の効果検証", fiscal(year)),
                exists.then_some(Link::KpiRound {
                    plan: plan_id,
                    year,
                }),
            ));
        }
        if action.starts_with("user.") {
            let name = self.users.get(t).cloned().unwrap_or_else(|| gone(t));
            return Ok((
                format!("利用者「{name}」"),
                self.users.contains_key(t).then(|| Link::User(t.to_owned())),
            ));
        }
        if action.starts_with("token.") {
            let name = recorded_line(e.after.as_deref(), "name")
                .or_else(|| recorded_line(e.before.as_deref(), "name"))
                .unwrap_or(t);
            let owner = recorded_line(e.after.as_deref(), "login_id")
                .or_else(|| recorded_line(e.before.as_deref(), "login_id"))
                .map(|l| self.actor(l).label);
            return Ok((
                match owner {
                    Some(o) => format!("APIトークン「{name}」（{o}）"),
                    None => format!("APIトークン「{name}」"),
                },
                None,
            ));
        }
        if action.starts_with("implementation_plan.") {
            let year = t
                .strip_prefix("implementation-plan/")
                .and_then(|y| y.parse::<i32>().ok());
            return Ok(match year {
                Some(y) => (
                    format!("{}に作成した実施計画", fiscal(y)),
                    (action != "implementation_plan.delete").then_some(Link::Edition(y)),
                ),
                None => (t.to_owned(), None),
            });
        }
        if action.starts_with("population.") {
            let label = if let Some(year) = t.strip_prefix("population/census/") {
                format!("人口ビジョンの基準人口（{year}年）")
            } else if let Some(id) = t.strip_prefix("population/scenario/") {
                match self.scenario_name(cx, id).await? {
                    Some(name) => format!("人口ビジョンの推計「{name}」"),
                    None => format!("人口ビジョンの推計「{}」", gone(id)),
                }
            } else {
                "人口ビジョン".to_owned()
            };
            return Ok((label, Some(Link::Population)));
        }
        if action == "departments" {
            return Ok(("所管課の一覧".to_owned(), Some(Link::Departments)));
        }
        Ok((t.to_owned(), None))
    }

    /// The label of a key an entry records: a form field's name comes from the forms; an
    /// indicator and year (`kpi-1 2020`, the yearly values) from the plan; the element a move
    /// records is the entry's target, so its key is the position.
    fn key_label(&self, e: &AuditEntry, key: &str) -> Option<String> {
        // A move records `id: position`.
        if e.action == "element.move" && e.target.ends_with(&format!("/{key}")) {
            return Some("並び順（位置の番号）".to_owned());
        }
        if e.action != "kpi.values" {
            return None;
        }
        let (indicator, year) = key.split_once(' ')?;
        let (_, title) = self.plans.get(e.target.as_str())?.elements.get(indicator)?;
        let year = year.parse::<i32>().ok()?;
        Some(format!("{title}（{}）", fiscal(year)))
    }

    pub(crate) async fn view(
        &mut self,
        cx: &Context<'_>,
        e: AuditEntry,
    ) -> Result<EntryView, AppError> {
        let target = self.target(cx, &e).await?;
        let changes = changes(e.before.as_deref(), e.after.as_deref(), &|k| {
            self.key_label(&e, k)
        });
        Ok(EntryView {
            sequence: e.sequence,
            at: e.at,
            actor: self.actor(&e.actor),
            action_label: action_label(&e.action).to_owned(),
            action: e.action,
            target,
            changes,
        })
    }
}

//! The 人口ビジョン as the pages and the API read it: everything stored, each scenario with
//! its input resolved (or why it cannot be projected) and whether its stored result is
//! current; the strategy's indicators it rests on, by name; and the public's part — only when
//! the vision is public, only the scenarios marked public that have a result.

use keikaku_domain::population::{Basis, ScenarioId};
use keikaku_domain::{ElementRef, Plan, format};
use keikaku_planfile::FileProblem;
use keikaku_storage::{CensusRecord, PopulationData, PopulationVisionRecord, ScenarioRecord};

use super::input::{Resolved, resolve};
use crate::access::{Action, Authority, require};
use crate::{AppError, Context};

/// A scenario with what the pages say about it.
#[derive(Clone, Debug)]
pub struct ScenarioView {
    /// As stored, with its last result.
    pub record: ScenarioRecord,
    /// Its input, or why it cannot be projected now.
    pub resolved: Result<Resolved, Vec<FileProblem>>,
    /// The name of the scenario it is derived from, if it is derived.
    pub from_name: Option<String>,
}

impl ScenarioView {
    /// Its id.
    pub fn id(&self) -> &ScenarioId {
        &self.record.scenario.id
    }

    /// Whether the stored result was computed from the current inputs.
    pub fn current(&self) -> bool {
        match (&self.record.result, &self.resolved) {
            (Some(r), Ok(now)) => r.input_hash == now.hash,
            _ => false,
        }
    }

    /// The rule of a derived scenario, as the pages state it.
    pub fn rule(&self) -> Option<String> {
        match &self.record.scenario.basis {
            Basis::Assumed(_) => None,
            Basis::Derived { rule, from } => {
                Some(rule.rule(self.from_name.as_deref().unwrap_or(from.as_str())))
            }
        }
    }

    /// Its state in words: 未計算, 計算済み, 再計算が必要, 計算できません.
    pub fn state_label(&self) -> &'static str {
        match (&self.record.result, &self.resolved) {
            (_, Err(_)) => "計算できません",
            (None, Ok(_)) => "未計算",
            (Some(_), Ok(_)) if self.current() => "計算済み",
            (Some(_), Ok(_)) => "再計算が必要",
        }
    }
}

/// An indicator of the strategy the vision rests on.
#[derive(Clone, Debug)]
pub struct LinkedIndicator {
    /// Where it is.
    pub link: ElementRef,
    /// Its name, or `None` when the plans no longer have it.
    pub title: Option<String>,
    /// The plan's title.
    pub plan_title: String,
    /// 基準値 as people read it (「1.45（平成26年（2014年））」), or 「―」.
    pub baseline: String,
    /// 目標値, likewise.
    pub target: String,
}

/// The vision as a whole.
#[derive(Clone, Debug)]
pub struct PopulationView {
    /// The vision's figures, if entered.
    pub vision: Option<PopulationVisionRecord>,
    /// The censuses, by year.
    pub censuses: Vec<CensusRecord>,
    /// The scenarios, in the order they were made (for the public: only those shown).
    pub scenarios: Vec<ScenarioView>,
    /// The strategy's indicators the vision rests on.
    pub indicators: Vec<LinkedIndicator>,
}

impl PopulationView {
    /// A scenario by id.
    pub fn scenario(&self, id: &ScenarioId) -> Option<&ScenarioView> {
        self.scenarios.iter().find(|s| s.id() == id)
    }

    /// A census by year.
    pub fn census(&self, year: i32) -> Option<&CensusRecord> {
        self.censuses.iter().find(|c| c.census.year == year)
    }

    /// The vision's revision as forms carry it (`""` before it is first saved).
    pub fn vision_revision(&self) -> String {
        self.vision
            .as_ref()
            .map(|v| v.revision.to_string())
            .unwrap_or_default()
    }

    /// Whether any scenario's result is missing or out of date.
    pub fn needs_run(&self) -> bool {
        self.scenarios
            .iter()
            .any(|s| s.resolved.is_ok() && !s.current())
    }
}

pub(crate) fn indicators(plans: &[Plan], links: &[ElementRef]) -> Vec<LinkedIndicator> {
    links
        .iter()
        .map(|link| {
            let plan = plans.iter().find(|p| p.id() == &link.plan);
            let place = plan.and_then(|p| {
                p.indicators()
                    .into_iter()
                    .find(|i| i.indicator.id == link.element)
                    .map(|i| i.indicator.clone())
            });
            LinkedIndicator {
                link: link.clone(),
                title: place.as_ref().map(|i| i.title.clone()),
                plan_title: plan.map(|p| p.header().title.clone()).unwrap_or_default(),
                baseline: place.as_ref().map_or_else(
                    || "―".to_owned(),
                    |i| format::year_value(&i.baseline, &i.unit),
                ),
                target: place.as_ref().map_or_else(
                    || "―".to_owned(),
                    |i| format::year_value(&i.target, &i.unit),
                ),
            }
        })
        .collect()
}

pub(crate) fn assemble(data: PopulationData, plans: &[Plan]) -> PopulationView {
    let scenarios = data
        .scenarios
        .iter()
        .map(|r| ScenarioView {
            record: r.clone(),
            resolved: resolve(&data, &r.scenario),
            from_name: match &r.scenario.basis {
                Basis::Derived { from, .. } => data.scenario(from).map(|p| p.scenario.name.clone()),
                Basis::Assumed(_) => None,
            },
        })
        .collect();
    let links = data
        .vision
        .as_ref()
        .map(|v| v.vision.links.clone())
        .unwrap_or_default();
    PopulationView {
        vision: data.vision,
        censuses: data.censuses,
        scenarios,
        indicators: indicators(plans, &links),
    }
}

/// Everything, for the staff (`ReadPopulation` or `ManagePopulation`).
pub async fn population(
    cx: &Context<'_>,
    authority: &impl Authority,
) -> Result<PopulationView, AppError> {
    if !authority.allows(Action::ManagePopulation) {
        require(authority, Action::ReadPopulation)?;
    }
    let data = cx.store.population(cx.municipality).await?;
    let plans = crate::stored_plans(cx).await?;
    Ok(assemble(data, &plans))
}

/// The public's part: `NotFound` unless the vision is public; only the scenarios marked
/// public that have a result (shown as stored, never projected again), and the censuses they
/// start from; indicators named from the published plans.
pub async fn published_population(
    cx: &Context<'_>,
    published_plans: &[Plan],
) -> Result<PopulationView, AppError> {
    let data = cx.store.population(cx.municipality).await?;
    if !data.vision.as_ref().is_some_and(|v| v.vision.published) {
        return Err(AppError::NotFound(
            "人口ビジョンはまだ公開されていません。".to_owned(),
        ));
    }
    let mut view = assemble(data, published_plans);
    view.scenarios
        .retain(|s| s.record.scenario.published && s.record.result.is_some());
    let years: Vec<i32> = view
        .scenarios
        .iter()
        .map(|s| s.record.scenario.base_year)
        .collect();
    view.censuses.retain(|c| years.contains(&c.census.year));
    view.indicators.retain(|i| i.title.is_some());
    Ok(view)
}

/// The indicators the vision may rest on: every 数値目標 and KPI of the stored plans, with a
/// label (「一関市まち・ひと・しごと創生総合戦略: 数値目標 社会増減数」), in the plans' order.
pub async fn indicator_choices(
    cx: &Context<'_>,
    authority: &impl Authority,
) -> Result<Vec<(ElementRef, String)>, AppError> {
    require(authority, Action::ManagePopulation)?;
    let plans = crate::stored_plans(cx).await?;
    let mut out = Vec::new();
    for p in &plans {
        for i in p.indicators() {
            if matches!(
                i.kind,
                keikaku_domain::ElementKind::NumericalTarget | keikaku_domain::ElementKind::Kpi
            ) {
                out.push((
                    ElementRef {
                        plan: p.id().clone(),
                        element: i.indicator.id.clone(),
                    },
                    format!(
                        "{}: {} {}",
                        p.header().title,
                        i.kind.label(),
                        i.indicator.title
                    ),
                ));
            }
        }
    }
    Ok(out)
}

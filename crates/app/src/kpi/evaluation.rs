//! The evaluation of a plan's indicators: each indicator with its place in the plan, its
//! yearly values, every year of the plan's period evaluated, its latest state (the last year
//! with an actual, 未把握 when none) and its grade; and the grade counts per group.

use keikaku_domain::era::FiscalYear;
use keikaku_domain::kpi::{
    GradeScale, Outcome, PlanSettings, Tally, YearResult, YearlyValue, evaluate_year,
    latest_actual_year, values_by_indicator,
};
use keikaku_domain::{ElementId, ElementKind, Indicator, Plan, PlanId};

use crate::{AppError, Context};

/// An element an indicator rolls up into, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupRef {
    /// Its kind.
    pub kind: ElementKind,
    /// Its id.
    pub id: ElementId,
    /// Its display number.
    pub number: String,
    /// Its title.
    pub title: String,
}

impl GroupRef {
    /// 「基本目標1　安定した雇用を創出する」: the kind, number and title for people.
    pub fn label(&self) -> String {
        if self.number.trim().is_empty() {
            format!("{}　{}", self.kind.label(), self.title)
        } else {
            format!("{}{}　{}", self.kind.label(), self.number, self.title)
        }
    }
}

/// One indicator as evaluated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndicatorReport {
    /// The definition.
    pub indicator: Indicator,
    /// 数値目標, KPI or 成果指標.
    pub kind: ElementKind,
    /// The groups it rolls up into, outermost first.
    pub groups: Vec<GroupRef>,
    /// 所管課 (its own, else its group's); may be empty.
    pub department: String,
    /// Its stored yearly values, by fiscal year.
    pub values: Vec<YearlyValue>,
    /// Every fiscal year of the plan's period, evaluated.
    pub years: Vec<YearResult>,
    /// The latest year with an actual up to the evaluated year, evaluated (`None`: no actual
    /// yet — 未把握).
    pub latest: Option<YearResult>,
    /// The grade of the latest year (`None`: 評価不能 or no actual).
    pub grade: Option<String>,
}

impl IndicatorReport {
    /// The stored value of a year.
    pub fn value(&self, year: FiscalYear) -> Option<&YearlyValue> {
        self.values.iter().find(|v| v.fiscal_year == year)
    }

    /// The evaluation of a year of the plan's period.
    pub fn year(&self, year: FiscalYear) -> Option<&YearResult> {
        self.years.iter().find(|y| y.year == year)
    }

    /// Whether the latest actual falls behind what was expected of its year (a rate below
    /// 100 %, or a maintain-type indicator outside its band).
    pub fn behind(&self) -> bool {
        match self.latest.as_ref().map(|l| &l.outcome) {
            Some(Outcome::Rate { percent, .. }) => *percent < rust_decimal::Decimal::ONE_HUNDRED,
            Some(Outcome::Maintained { within, .. }) => !within,
            _ => false,
        }
    }
}

/// A plan's indicators as evaluated up to a fiscal year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evaluation {
    /// The plan.
    pub plan: Plan,
    /// How it evaluates (its own settings, or the defaults).
    pub settings: PlanSettings,
    /// The revision of the plan's own settings (`None`: the defaults).
    pub settings_revision: Option<i64>,
    /// The fiscal years of the plan's period.
    pub years: Vec<FiscalYear>,
    /// The year evaluated up to (the latest actual on or before it counts).
    pub until: FiscalYear,
    /// Every indicator, in plan order (narrowed through [`Evaluation::retain`]).
    pub indicators: Vec<IndicatorReport>,
    /// The grade counts of every group, counted once (an evaluation kept between requests
    /// is counted on its first view only).
    tallies: std::sync::OnceLock<Vec<crate::kpi::report::GroupTally>>,
}

impl Evaluation {
    /// The grades counted over some indicators (the latest outcome of each; no actual yet is
    /// 評価不能).
    pub fn tally<'a>(&self, reports: impl IntoIterator<Item = &'a IndicatorReport>) -> Tally {
        let missing = Outcome::Unevaluable(keikaku_domain::kpi::Unevaluable::MissingActual);
        let outcomes: Vec<Outcome> = reports
            .into_iter()
            .map(|r| r.latest.as_ref().map_or(missing, |l| l.outcome))
            .collect();
        self.settings.scale.tally(outcomes.iter())
    }

    /// The grade counts of every group (objective, goal, field, measure — each followed by
    /// the groups inside it) and of the whole plan, by the latest grade of each indicator
    /// (no actual yet is 評価不能); the same roll-up as a published report's.
    pub fn group_tallies(&self) -> Vec<crate::kpi::report::GroupTally> {
        self.tallies.get_or_init(|| self.count_groups()).clone()
    }

    /// Keeps only the indicators `keep` says (a department's, those a grant reaches); the
    /// counts are made again from those. Narrow an evaluation through this, not by changing
    /// `indicators` itself.
    pub fn retain(&mut self, keep: impl FnMut(&IndicatorReport) -> bool) {
        self.indicators.retain(keep);
        self.tallies = std::sync::OnceLock::new();
    }

    fn count_groups(&self) -> Vec<crate::kpi::report::GroupTally> {
        let labels: Vec<String> = self
            .settings
            .scale
            .grades
            .iter()
            .map(|g| g.label.clone())
            .collect();
        let items: Vec<crate::kpi::report::Graded<'_>> = self
            .indicators
            .iter()
            .map(|r| {
                (
                    r.groups
                        .iter()
                        .map(|g| (g.id.as_str(), g.label()))
                        .collect(),
                    r.grade.as_deref(),
                )
            })
            .collect();
        crate::kpi::report::group_tallies(&labels, &items)
    }

    /// The indicators under a group (an objective, goal, field or measure).
    pub fn under<'a>(&'a self, group: &'a ElementId) -> impl Iterator<Item = &'a IndicatorReport> {
        self.indicators
            .iter()
            .filter(move |r| r.groups.iter().any(|g| &g.id == group))
    }

    /// The outermost groups (基本目標, まちづくりの目標), in plan order, each once.
    pub fn top_groups(&self) -> Vec<&GroupRef> {
        let mut out: Vec<&GroupRef> = Vec::new();
        for r in &self.indicators {
            if let Some(g) = r.groups.first()
                && !out.iter().any(|o| o.id == g.id)
            {
                out.push(g);
            }
        }
        out
    }

    /// The indicator with this id.
    pub fn indicator(&self, id: &str) -> Option<&IndicatorReport> {
        self.indicators
            .iter()
            .find(|r| r.indicator.id.as_str() == id)
    }
}

/// Evaluations kept between requests, each with the store's data version it was read at:
/// every write moves that version, so a kept evaluation is served only while nothing at all
/// was written since (one cheap query per request), and a plan of thousands of indicators is
/// read and evaluated once per change rather than once per page view.
#[derive(Debug, Default)]
pub struct EvaluationCache {
    kept: std::sync::Mutex<Vec<Kept>>,
}

#[derive(Debug)]
struct Kept {
    plan: PlanId,
    until: Option<FiscalYear>,
    version: i64,
    evaluation: std::sync::Arc<Evaluation>,
}

/// How many evaluations (plan × year evaluated up to) are kept; the least recent goes first.
const KEPT: usize = 4;

impl EvaluationCache {
    /// The evaluation of a plan as [`evaluation`] reads it, kept until the next write.
    pub async fn evaluation(
        &self,
        cx: &Context<'_>,
        plan: &PlanId,
        until: Option<FiscalYear>,
    ) -> Result<std::sync::Arc<Evaluation>, AppError> {
        // The version first: a write landing while the plan is read makes the next request
        // read it again.
        let version = cx.store.data_version(cx.municipality).await?;
        {
            let mut kept = self.lock();
            if let Some(i) = kept
                .iter()
                .position(|k| &k.plan == plan && k.until == until && k.version == version)
            {
                let hit = kept.remove(i);
                let evaluation = std::sync::Arc::clone(&hit.evaluation);
                kept.push(hit);
                return Ok(evaluation);
            }
        }
        let evaluation = std::sync::Arc::new(evaluation(cx, plan, until).await?);
        let mut kept = self.lock();
        kept.retain(|k| !(&k.plan == plan && k.until == until));
        if kept.len() >= KEPT {
            kept.remove(0);
        }
        kept.push(Kept {
            plan: plan.clone(),
            until,
            version,
            evaluation: std::sync::Arc::clone(&evaluation),
        });
        Ok(evaluation)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Kept>> {
        match self.kept.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

/// Evaluates every indicator of a stored plan up to `until` (default: the last year of the
/// plan's period) from the stored values and the plan's settings.
pub async fn evaluation(
    cx: &Context<'_>,
    plan_id: &PlanId,
    until: Option<FiscalYear>,
) -> Result<Evaluation, AppError> {
    let plan = cx
        .store
        .plan(cx.municipality, plan_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("計画「{plan_id}」は登録されていません。")))?;
    let (settings, settings_revision) =
        match cx.store.kpi_settings(cx.municipality, plan_id).await? {
            Some((s, r)) => (s, Some(r)),
            None => (PlanSettings::default(), None),
        };
    let values = cx.store.kpi_values(cx.municipality, plan_id).await?;
    Ok(evaluate_plan(
        plan,
        settings,
        settings_revision,
        &values,
        until,
    ))
}

/// The evaluation of a plan from values in hand (pure; [`evaluation`] reads them).
pub fn evaluate_plan(
    plan: Plan,
    settings: PlanSettings,
    settings_revision: Option<i64>,
    values: &[YearlyValue],
    until: Option<FiscalYear>,
) -> Evaluation {
    let period = &plan.header().period;
    let mut years = Vec::new();
    let mut y = period.start;
    while y <= period.end {
        years.push(y);
        y = y.next();
    }
    let until = until.unwrap_or(period.end);
    let by_indicator = values_by_indicator(values);
    let indicators = plan
        .indicators()
        .into_iter()
        .map(|place| {
            let own = by_indicator
                .get(&place.indicator.id)
                .cloned()
                .unwrap_or_default();
            let evaluated: Vec<YearResult> = years
                .iter()
                .map(|&year| {
                    evaluate_year(
                        place.indicator,
                        &own,
                        year,
                        settings.scale.basis,
                        settings.lower_form,
                    )
                })
                .collect();
            let latest = latest_actual_year(&own, until).map(|year| {
                evaluated
                    .iter()
                    .find(|y| y.year == year)
                    .cloned()
                    .unwrap_or_else(|| {
                        evaluate_year(
                            place.indicator,
                            &own,
                            year,
                            settings.scale.basis,
                            settings.lower_form,
                        )
                    })
            });
            let grade = latest
                .as_ref()
                .and_then(|l| grade_of(&settings.scale, &l.outcome));
            IndicatorReport {
                indicator: place.indicator.clone(),
                kind: place.kind,
                groups: place
                    .groups
                    .iter()
                    .map(|g| GroupRef {
                        kind: g.kind,
                        id: g.id.clone(),
                        number: g.number.to_owned(),
                        title: g.title.to_owned(),
                    })
                    .collect(),
                department: place.department.to_owned(),
                values: own.into_iter().cloned().collect(),
                years: evaluated,
                latest,
                grade,
            }
        })
        .collect();
    Evaluation {
        plan,
        settings,
        settings_revision,
        years,
        until,
        indicators,
        tallies: std::sync::OnceLock::new(),
    }
}

fn grade_of(scale: &GradeScale, outcome: &Outcome) -> Option<String> {
    scale.of(outcome).map(|g| g.label.clone())
}

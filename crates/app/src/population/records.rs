//! The planning office's writes of the 人口ビジョン (`ManagePopulation`): the vision's figures,
//! censuses, scenarios — made, derived from another in one action, deleted — and their runs.
//! Every write is checked whole first (every problem by field, nothing written) and stored
//! against the revision the writer read.

use keikaku_domain::audit::Timestamp;
use keikaku_domain::population::{
    Basis, Census, Derivation, PopulationProblem, PopulationVision, Projected, Scenario,
    ScenarioId, ScenarioResult,
};
use keikaku_domain::{ElementKind, Plan};
use keikaku_planfile::FileProblem;
use keikaku_projection::project;
use keikaku_storage::{Author, PopulationData, ScenarioRecord, StoreError};

use super::input::resolve;
use crate::access::{Action, Authority, require};
use crate::{AppError, Context};

fn author(authority: &impl Authority, at: Timestamp) -> Author {
    Author {
        actor: authority.actor(),
        at,
    }
}

fn invalid(problems: Vec<PopulationProblem>) -> AppError {
    AppError::Invalid(
        problems
            .into_iter()
            .map(|p| FileProblem {
                path: p.field,
                message: p.message,
            })
            .collect(),
    )
}

fn one(path: &str, message: String) -> AppError {
    AppError::Invalid(vec![FileProblem {
        path: path.to_owned(),
        message,
    }])
}

/// A write refused because the record changed since the writer read it, in words.
fn refusal(e: StoreError, what: &str) -> AppError {
    match e {
        StoreError::Stale(_) => AppError::Conflict(format!(
            "{what}は、あなたが画面を開いた後にほかの人が変更しています。入力は保存されていません。画面を開き直して、もう一度操作してください。"
        )),
        other => other.into(),
    }
}

/// Saves the vision's figures and settings: the target path, actual totals, references, the
/// strategy's indicators it rests on (each must be a 数値目標 or KPI of a stored plan), the
/// note and whether it is public. Returns the new revision.
pub async fn save_vision(
    cx: &Context<'_>,
    authority: &impl Authority,
    vision: PopulationVision,
    expected: Option<i64>,
    at: Timestamp,
) -> Result<i64, AppError> {
    require(authority, Action::ManagePopulation)?;
    let mut problems: Vec<FileProblem> = vision
        .problems()
        .into_iter()
        .map(|p| FileProblem {
            path: p.field,
            message: p.message,
        })
        .collect();
    let plans = crate::stored_plans(cx).await?;
    for (i, link) in vision.links.iter().enumerate() {
        if !is_indicator(&plans, link) {
            problems.push(FileProblem {
                path: format!("links[{i}]"),
                message: format!(
                    "「{}/{}」は、登録されている計画の数値目標・KPIではありません。",
                    link.plan, link.element
                ),
            });
        }
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let vision = vision.sorted();
    cx.store
        .save_vision(cx.municipality, &vision, expected, &author(authority, at))
        .await
        .map_err(|e| refusal(e, "人口ビジョンの目標・実績"))
}

fn is_indicator(plans: &[Plan], link: &keikaku_domain::ElementRef) -> bool {
    plans.iter().filter(|p| p.id() == &link.plan).any(|p| {
        p.indicators().iter().any(|i| {
            i.indicator.id == link.element
                && matches!(i.kind, ElementKind::NumericalTarget | ElementKind::Kpi)
        })
    })
}

/// Saves a census (its year is its key; `expected` `None` adds a year not stored yet).
pub async fn save_census(
    cx: &Context<'_>,
    authority: &impl Authority,
    census: Census,
    expected: Option<i64>,
    at: Timestamp,
) -> Result<i64, AppError> {
    require(authority, Action::ManagePopulation)?;
    let problems = census.problems();
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    if expected.is_none() {
        let data = cx.store.population(cx.municipality).await?;
        if data.census(census.year).is_some() {
            return Err(one(
                "year",
                format!(
                    "{}年の人口は既に登録されています。変更するときは、その年の人口を開いてください。",
                    census.year
                ),
            ));
        }
    }
    cx.store
        .save_census(cx.municipality, &census, expected, &author(authority, at))
        .await
        .map_err(|e| refusal(e, &format!("{}年の人口", census.year)))
}

/// Deletes a census no scenario starts from.
pub async fn delete_census(
    cx: &Context<'_>,
    authority: &impl Authority,
    year: i32,
    expected: i64,
    at: Timestamp,
) -> Result<(), AppError> {
    require(authority, Action::ManagePopulation)?;
    cx.store
        .delete_census(cx.municipality, year, expected, &author(authority, at))
        .await
        .map_err(|e| refusal(e, &format!("{year}年の人口")))
}

/// The data as it would be with `scenario` saved at `at`.
fn with(data: &PopulationData, scenario: &Scenario, at: Timestamp) -> PopulationData {
    let mut next = data.clone();
    let record = ScenarioRecord {
        scenario: scenario.clone(),
        result: None,
        updated_by: String::new(),
        updated_at: at,
        revision: 0,
    };
    match next
        .scenarios
        .iter_mut()
        .find(|s| s.scenario.id == scenario.id)
    {
        Some(s) => s.scenario = scenario.clone(),
        None => next.scenarios.push(record),
    }
    next
}

/// Saves a scenario's definition, checked whole — its fields, and whether it can be projected
/// (its base census, the numbers of its assumptions or of those it is derived from). `expected`
/// `None` makes a new one, refused when the id is taken. Returns the new revision.
pub async fn save_scenario(
    cx: &Context<'_>,
    authority: &impl Authority,
    scenario: Scenario,
    expected: Option<i64>,
    at: Timestamp,
) -> Result<i64, AppError> {
    require(authority, Action::ManagePopulation)?;
    let data = cx.store.population(cx.municipality).await?;
    if expected.is_none() && data.scenario(&scenario.id).is_some() {
        return Err(one(
            "id",
            format!("推計のID「{}」は既に使われています。", scenario.id),
        ));
    }
    if let Basis::Derived { from, .. } = &scenario.basis {
        let derived_from_this = data.scenarios.iter().any(
            |s| matches!(&s.scenario.basis, Basis::Derived { from: f, .. } if f == &scenario.id),
        );
        if derived_from_this {
            return Err(one(
                "from",
                format!(
                    "推計「{}」からはほかの推計が導かれているため、この推計を別の推計から導くことはできません。",
                    scenario.name
                ),
            ));
        }
        if from == &scenario.id {
            return Err(one(
                "from",
                "推計を、その推計自身から導くことはできません。".to_owned(),
            ));
        }
    }
    resolve(&with(&data, &scenario, at), &scenario).map_err(AppError::Invalid)?;
    cx.store
        .save_scenario(cx.municipality, &scenario, expected, &author(authority, at))
        .await
        .map_err(|e| refusal(e, &format!("推計「{}」", scenario.name)))
}

/// Makes a scenario derived from another by a rule, in one action: its base year and horizon
/// are the other's, and it is projected at once. Returns the new scenario's revision.
#[allow(clippy::too_many_arguments)] // one action of the page: what it is derived from and how
pub async fn derive_scenario(
    cx: &Context<'_>,
    authority: &impl Authority,
    from: &ScenarioId,
    id: ScenarioId,
    name: String,
    rule: Derivation,
    at: Timestamp,
) -> Result<i64, AppError> {
    require(authority, Action::ManagePopulation)?;
    let data = cx.store.population(cx.municipality).await?;
    let Some(parent) = data.scenario(from) else {
        return Err(one("from", format!("推計「{from}」がありません。")));
    };
    let name = if name.trim().is_empty() {
        format!("{}（{}）", parent.scenario.name, rule.label())
    } else {
        name.trim().to_owned()
    };
    let scenario = Scenario {
        id,
        description: String::new(),
        name,
        base_year: parent.scenario.base_year,
        horizon: parent.scenario.horizon,
        basis: Basis::Derived {
            from: from.clone(),
            rule,
        },
        published: false,
        sample: parent.scenario.sample,
    };
    let revision = save_scenario(cx, authority, scenario.clone(), None, at).await?;
    run_scenario(cx, authority, &scenario.id, revision, at).await
}

/// Deletes a scenario no other is derived from, with its result.
pub async fn delete_scenario(
    cx: &Context<'_>,
    authority: &impl Authority,
    id: &ScenarioId,
    expected: i64,
    at: Timestamp,
) -> Result<(), AppError> {
    require(authority, Action::ManagePopulation)?;
    cx.store
        .delete_scenario(cx.municipality, id, expected, &author(authority, at))
        .await
        .map_err(|e| refusal(e, &format!("推計「{id}」")))
}

/// Projects a scenario from the current inputs and stores the result against the revision
/// the caller read. Returns the new revision.
pub async fn run_scenario(
    cx: &Context<'_>,
    authority: &impl Authority,
    id: &ScenarioId,
    expected: i64,
    at: Timestamp,
) -> Result<i64, AppError> {
    require(authority, Action::ManagePopulation)?;
    let data = cx.store.population(cx.municipality).await?;
    let Some(record) = data.scenario(id) else {
        return Err(AppError::NotFound(format!("推計「{id}」はありません。")));
    };
    let resolved = resolve(&data, &record.scenario).map_err(AppError::Invalid)?;
    let steps = project(&resolved.input).map_err(|p| {
        AppError::Invalid(
            p.into_iter()
                .map(|p| FileProblem {
                    path: p.path,
                    message: p.message,
                })
                .collect(),
        )
    })?;
    let result = ScenarioResult {
        computed_at: at,
        input_hash: resolved.hash,
        years: steps
            .iter()
            .map(|s| Projected {
                year: s.year,
                population: keikaku_domain::population::BySex {
                    male: s.population.male,
                    female: s.population.female,
                },
            })
            .collect(),
        notes: resolved.notes,
    };
    cx.store
        .save_result(
            cx.municipality,
            id,
            &result,
            expected,
            &author(authority, at),
        )
        .await
        .map_err(|e| refusal(e, &format!("推計「{}」", record.scenario.name)))
}

/// Projects every scenario whose result is missing or out of date (in the order they were
/// made: a scenario before those derived from it). Returns how many were projected; a
/// scenario that cannot be projected is left as it is and named in the error when nothing
/// else could be done.
pub async fn run_all(
    cx: &Context<'_>,
    authority: &impl Authority,
    at: Timestamp,
) -> Result<usize, AppError> {
    require(authority, Action::ManagePopulation)?;
    let view = super::view::population(cx, authority).await?;
    let mut done = 0;
    for s in &view.scenarios {
        if s.resolved.is_ok() && !s.current() {
            run_scenario(cx, authority, s.id(), s.record.revision, at).await?;
            done += 1;
        }
    }
    Ok(done)
}

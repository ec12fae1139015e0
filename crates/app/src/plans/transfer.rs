//! The operator's use cases: importing and exporting plan files, loading example data.

use keikaku_domain::audit::Timestamp;
use keikaku_domain::plan::validate::LinkTarget;
use keikaku_domain::{Municipality, Plan, PlanId};
use keikaku_planfile::FileProblem;
use keikaku_storage::{Author, ExistingPlan, PlanWrite, Store};

use crate::access::Operator;
use crate::{AppError, Context, stored_plans};

/// What an import did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportReport {
    /// The municipality the plans belong to.
    pub municipality: Municipality,
    /// The ids of the plans written, in file order.
    pub plans: Vec<PlanId>,
}

/// Imports a plan file: checks all of it (against the plans already stored, which links may
/// point to), and writes all of it in one transaction, or nothing. A plan whose id is already
/// stored is refused unless `existing` is [`ExistingPlan::Replace`]. Each plan written gets
/// an audit entry (with the plan before and after) and a new version; `at` is the time of the
/// change, read by the caller.
pub async fn import(
    operator: &Operator,
    store: &dyn Store,
    text: &str,
    existing: ExistingPlan,
    at: Timestamp,
) -> Result<ImportReport, AppError> {
    // The municipality code is needed to find the stored plans links may point to; read it
    // leniently first, then check the whole file against those plans.
    let code = keikaku_planfile::peek_municipality(text);
    let stored = match &code {
        Some(code) => stored_plans(&Context::new(store, code)).await?,
        None => Vec::new(),
    };
    let file = keikaku_planfile::parse(text, &stored).map_err(AppError::Invalid)?;
    if existing == ExistingPlan::Refuse {
        let problems: Vec<FileProblem> = file
            .plans
            .iter()
            .enumerate()
            .filter(|(_, p)| stored.iter().any(|s| s.id() == p.id()))
            .map(|(i, p)| FileProblem {
                path: format!("$.plans[{i}].id"),
                message: format!(
                    "計画「{}」は既に登録されています。置き換える場合は --replace を指定してください（何も書き込んでいません）。",
                    p.id()
                ),
            })
            .collect();
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
    }
    let broken = links_cut_by(&file.plans, &stored);
    if !broken.is_empty() {
        return Err(AppError::Invalid(broken));
    }
    let writes: Vec<PlanWrite> =
        file.plans
            .iter()
            .map(|plan| PlanWrite {
                before: stored.iter().find(|s| s.id() == plan.id()).map(|s| {
                    keikaku_planfile::to_json(&file.municipality, std::slice::from_ref(s))
                }),
                after: keikaku_planfile::to_json(&file.municipality, std::slice::from_ref(plan)),
                plan: plan.clone(),
                action: None,
            })
            .collect();
    let author = Author {
        actor: operator.actor().to_owned(),
        at,
    };
    store
        .insert_plans(&file.municipality, &writes, existing, &author)
        .await?;
    Ok(ImportReport {
        plans: file.plans.iter().map(|p| p.id().clone()).collect(),
        municipality: file.municipality,
    })
}

/// The links from stored plans that the file leaves in place into plans that the file
/// replaces, which no longer find their target: one problem at the replacing plan per link.
/// (The database would refuse them too, but only as a storage failure without a place.)
fn links_cut_by(file: &[Plan], stored: &[Plan]) -> Vec<FileProblem> {
    let mut problems = Vec::new();
    let kept = stored
        .iter()
        .filter(|s| file.iter().all(|p| p.id() != s.id()));
    for plan in kept {
        let Plan::Strategy(strategy) = plan else {
            continue;
        };
        for measure in strategy.basic_objectives.iter().flat_map(|o| &o.measures) {
            let links = measure
                .linked_measures
                .iter()
                .map(|r| (r, LinkTarget::Measure))
                .chain(
                    measure
                        .linked_priority_projects
                        .iter()
                        .map(|r| (r, LinkTarget::PriorityProject)),
                );
            for (link, want) in links {
                let Some(i) = file.iter().position(|p| p.id() == &link.plan) else {
                    continue;
                };
                let found = match (&file[i], want) {
                    (Plan::Comprehensive(cp), LinkTarget::Measure) => {
                        cp.measure(&link.element).is_some()
                    }
                    (Plan::Comprehensive(cp), LinkTarget::PriorityProject) => {
                        cp.priority_project(&link.element).is_some()
                    }
                    (Plan::Strategy(_), _) => false,
                };
                let what = match want {
                    LinkTarget::Measure => "施策",
                    LinkTarget::PriorityProject => "重点プロジェクト",
                };
                if !found {
                    problems.push(FileProblem {
                        path: format!("$.plans[{i}]"),
                        message: format!(
                            "登録済みの計画「{}」の施策「{}」がリンクしている{what}「{}」が、この計画にありません。置き換えるとリンクが切れるため、何も書き込んでいません。",
                            plan.id(),
                            measure.id,
                            link.element
                        ),
                    });
                }
            }
        }
    }
    problems
}

/// Exports the plans of a municipality (all, or the ones named) as a canonical plan file.
pub async fn export(cx: &Context<'_>, _: &Operator, only: &[PlanId]) -> Result<String, AppError> {
    let municipality = cx
        .store
        .municipality(cx.municipality)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "市町村コード「{}」の団体は登録されていません。",
                cx.municipality
            ))
        })?;
    let mut plans = stored_plans(cx).await?;
    if !only.is_empty() {
        for id in only {
            if !plans.iter().any(|p| p.id() == id) {
                return Err(AppError::NotFound(format!(
                    "計画「{id}」は登録されていません。"
                )));
            }
        }
        plans.retain(|p| only.contains(p.id()));
    }
    Ok(keikaku_planfile::to_json(&municipality, &plans))
}

/// What [`load_example`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExampleOutcome {
    /// The example was written into the empty database.
    Loaded(ImportReport),
    /// The database already held plans of the example's municipality; nothing was written.
    AlreadyPresent(Municipality),
}

/// Loads a named example into the database when the example's municipality has no plans yet.
pub async fn load_example(
    operator: &Operator,
    store: &dyn Store,
    name: &str,
    at: Timestamp,
) -> Result<ExampleOutcome, AppError> {
    let text = keikaku_planfile::example(name).ok_or_else(|| {
        AppError::NotFound(format!(
            "例「{name}」はありません（使える例: {}）。",
            keikaku_planfile::EXAMPLES.join(", ")
        ))
    })?;
    let file = keikaku_planfile::parse(text, &[]).map_err(AppError::Invalid)?;
    if !store
        .plan_summaries(&file.municipality.code)
        .await?
        .is_empty()
    {
        return Ok(ExampleOutcome::AlreadyPresent(file.municipality));
    }
    import(operator, store, text, ExistingPlan::Refuse, at)
        .await
        .map(ExampleOutcome::Loaded)
}

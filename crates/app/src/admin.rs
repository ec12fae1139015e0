//! The operator's use cases: importing and exporting plan files, loading example data.

use keikaku_domain::{Municipality, MunicipalityCode, Plan, PlanId};
use keikaku_planfile::FileProblem;
use keikaku_storage::{ExistingPlan, PlanStore};

use crate::AppError;
use crate::access::Operator;

/// What an import did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportReport {
    /// The municipality the plans belong to.
    pub municipality: Municipality,
    /// The ids of the plans written, in file order.
    pub plans: Vec<PlanId>,
}

async fn stored_plans(store: &dyn PlanStore, code: &MunicipalityCode) -> Result<Vec<Plan>, AppError> {
    let mut plans = Vec::new();
    for s in store.plan_summaries(code).await? {
        if let Some(p) = store.plan(code, &s.header.id).await? {
            plans.push(p);
        }
    }
    Ok(plans)
}

/// Imports a plan file: checks all of it (against the plans already stored, which links may
/// point to), and writes all of it in one transaction, or nothing. A plan whose id is already
/// stored is refused unless `existing` is [`ExistingPlan::Replace`].
pub async fn import(
    _: &Operator,
    store: &dyn PlanStore,
    text: &str,
    existing: ExistingPlan,
) -> Result<ImportReport, AppError> {
    // The municipality code is needed to find the stored plans links may point to; read it
    // leniently first, then check the whole file against those plans.
    let code = keikaku_planfile::peek_municipality(text);
    let stored = match &code {
        Some(code) => stored_plans(store, code).await?,
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
    store.insert_plans(&file.municipality, &file.plans, existing).await?;
    Ok(ImportReport {
        plans: file.plans.iter().map(|p| p.id().clone()).collect(),
        municipality: file.municipality,
    })
}

/// Exports the plans of a municipality (all, or the ones named) as a canonical plan file.
pub async fn export(
    _: &Operator,
    store: &dyn PlanStore,
    code: &MunicipalityCode,
    only: &[PlanId],
) -> Result<String, AppError> {
    let municipality = store
        .municipality(code)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("市町村コード「{code}」の団体は登録されていません。")))?;
    let mut plans = stored_plans(store, code).await?;
    if !only.is_empty() {
        for id in only {
            if !plans.iter().any(|p| p.id() == id) {
                return Err(AppError::NotFound(format!("計画「{id}」は登録されていません。")));
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
    store: &dyn PlanStore,
    name: &str,
) -> Result<ExampleOutcome, AppError> {
    let text = keikaku_planfile::example(name).ok_or_else(|| {
        AppError::NotFound(format!(
            "例「{name}」はありません（使える例: {}）。",
            keikaku_planfile::EXAMPLES.join(", ")
        ))
    })?;
    let file = keikaku_planfile::parse(text, &[]).map_err(AppError::Invalid)?;
    if !store.plan_summaries(&file.municipality.code).await?.is_empty() {
        return Ok(ExampleOutcome::AlreadyPresent(file.municipality));
    }
    import(operator, store, text, ExistingPlan::Refuse)
        .await
        .map(ExampleOutcome::Loaded)
}

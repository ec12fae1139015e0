//! The operator's use cases: importing and exporting plan files, loading example data.

use keikaku_domain::audit::Timestamp;
use keikaku_domain::plan::validate::LinkTarget;
use keikaku_domain::{Municipality, MunicipalityCode, Plan, PlanId};
use keikaku_planfile::FileProblem;
use keikaku_storage::{Author, ExistingPlan, PlanBatch, PlanWrite, Store};

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

/// One plan file to import, with the name its problems are reported under.
#[derive(Clone, Copy, Debug)]
pub struct PlanFileText<'a> {
    /// The file's name as the user gave it (`ok.json`); empty for a single unnamed input.
    pub name: &'a str,
    /// The file's text.
    pub text: &'a str,
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
    let mut reports = import_files(
        operator,
        store,
        &[PlanFileText { name: "", text }],
        existing,
        at,
    )
    .await?;
    reports.pop().ok_or_else(|| AppError::Invalid(Vec::new()))
}

/// One parsed file of an import, and the plans it may link to.
struct Parsed {
    municipality: Municipality,
    plans: Vec<Plan>,
}

/// Imports several plan files as one: every file is checked (each against the stored plans
/// and the files before it, so that a strategy may link to a plan of an earlier file), and
/// then all of them are written in one transaction — or, when any file has a problem,
/// nothing is. Every problem is reported, its path after the file's name (`bad.json:
/// $.plans[0].id`). Returns one report per file, in the order given.
#[allow(clippy::too_many_lines)] // one pass over the files: parse, the two refusals, the writes
pub async fn import_files(
    operator: &Operator,
    store: &dyn Store,
    files: &[PlanFileText<'_>],
    existing: ExistingPlan,
    at: Timestamp,
) -> Result<Vec<ImportReport>, AppError> {
    let place = |name: &str, path: String| {
        if name.is_empty() {
            path
        } else {
            format!("{name}: {path}")
        }
    };
    let mut problems: Vec<FileProblem> = Vec::new();
    // The stored plans of each municipality met, read once.
    let mut stored: Vec<(MunicipalityCode, Vec<Plan>)> = Vec::new();
    let mut parsed: Vec<Option<Parsed>> = Vec::new();
    for (f, file) in files.iter().enumerate() {
        // The municipality code is needed to find the stored plans links may point to; read
        // it leniently first, then check the whole file against those plans.
        let code = keikaku_planfile::peek_municipality(file.text);
        if let Some(code) = &code
            && !stored.iter().any(|(c, _)| c == code)
        {
            let plans = stored_plans(&Context::new(store, code)).await?;
            stored.push((code.clone(), plans));
        }
        let kept = code
            .as_ref()
            .and_then(|c| stored.iter().find(|(s, _)| s == c))
            .map_or(&[][..], |(_, plans)| plans.as_slice());
        // What this file's links may point to: the stored plans, with those that an earlier
        // file replaces seen as that file has them.
        let earlier: Vec<&Plan> = parsed
            .iter()
            .flatten()
            .filter(|p| Some(&p.municipality.code) == code.as_ref())
            .flat_map(|p| &p.plans)
            .collect();
        let mut others: Vec<Plan> = kept
            .iter()
            .filter(|s| earlier.iter().all(|e| e.id() != s.id()))
            .cloned()
            .collect();
        others.extend(earlier.iter().map(|p| (*p).clone()));
        match keikaku_planfile::parse(file.text, &others) {
            Err(found) => {
                problems.extend(found.into_iter().map(|p| FileProblem {
                    path: place(file.name, p.path),
                    message: p.message,
                }));
                parsed.push(None);
            }
            Ok(plan_file) => {
                for (i, plan) in plan_file.plans.iter().enumerate() {
                    let path = place(file.name, format!("$.plans[{i}].id"));
                    let before = files[..f].iter().zip(&parsed).find(|(_, p)| {
                        p.as_ref().is_some_and(|p| {
                            p.municipality.code == plan_file.municipality.code
                                && p.plans.iter().any(|q| q.id() == plan.id())
                        })
                    });
                    if let Some((earlier_file, _)) = before {
                        problems.push(FileProblem {
                            path,
                            message: format!(
                                "計画「{}」は「{}」にもあります。同じ計画を2つのファイルから取り込むことはできません（何も書き込んでいません）。",
                                plan.id(),
                                earlier_file.name
                            ),
                        });
                    } else if existing == ExistingPlan::Refuse
                        && kept.iter().any(|s| s.id() == plan.id())
                    {
                        problems.push(FileProblem {
                            path,
                            message: format!(
                                "計画「{}」は既に登録されています。置き換える場合は --replace を指定してください（何も書き込んでいません）。",
                                plan.id()
                            ),
                        });
                    }
                }
                parsed.push(Some(Parsed {
                    municipality: plan_file.municipality,
                    plans: plan_file.plans,
                }));
            }
        }
    }
    // Links from stored plans that stay into plans that the files replace, per municipality.
    for (code, kept) in &stored {
        let incoming: Vec<(usize, usize, &Plan)> = parsed
            .iter()
            .enumerate()
            .filter_map(|(f, p)| p.as_ref().map(|p| (f, p)))
            .filter(|(_, p)| &p.municipality.code == code)
            .flat_map(|(f, p)| {
                p.plans
                    .iter()
                    .enumerate()
                    .map(move |(i, plan)| (f, i, plan))
            })
            .collect();
        let plans: Vec<Plan> = incoming.iter().map(|(_, _, p)| (*p).clone()).collect();
        for (k, message) in links_cut_by(&plans, kept) {
            let (f, i, _) = incoming[k];
            problems.push(FileProblem {
                path: place(files[f].name, format!("$.plans[{i}]")),
                message,
            });
        }
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let parsed: Vec<Parsed> = parsed.into_iter().flatten().collect();
    let mut batches: Vec<PlanBatch> = Vec::new();
    for file in &parsed {
        let kept = stored
            .iter()
            .find(|(c, _)| c == &file.municipality.code)
            .map_or(&[][..], |(_, plans)| plans.as_slice());
        let writes = file.plans.iter().map(|plan| PlanWrite {
            before: kept
                .iter()
                .find(|s| s.id() == plan.id())
                .map(|s| keikaku_planfile::to_json(&file.municipality, std::slice::from_ref(s))),
            after: keikaku_planfile::to_json(&file.municipality, std::slice::from_ref(plan)),
            plan: plan.clone(),
            action: None,
        });
        match batches
            .iter_mut()
            .find(|b| b.municipality.code == file.municipality.code)
        {
            Some(batch) => {
                // The last file's name and prefecture of the municipality are the ones stored.
                batch.municipality = file.municipality.clone();
                batch.plans.extend(writes);
            }
            None => batches.push(PlanBatch {
                municipality: file.municipality.clone(),
                plans: writes.collect(),
            }),
        }
    }
    let author = Author {
        actor: operator.actor().to_owned(),
        at,
    };
    store.insert_plans(&batches, existing, &author).await?;
    Ok(parsed
        .into_iter()
        .map(|file| ImportReport {
            plans: file.plans.iter().map(|p| p.id().clone()).collect(),
            municipality: file.municipality,
        })
        .collect())
}

/// The links from stored plans that the files leave in place into plans that the files
/// replace, which no longer find their target: one problem at the replacing plan (its index
/// in `file`) per link. (The database would refuse them too, but only as a storage failure
/// without a place.)
fn links_cut_by(file: &[Plan], stored: &[Plan]) -> Vec<(usize, String)> {
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
                    problems.push((
                        i,
                        format!(
                            "登録済みの計画「{}」の施策「{}」がリンクしている{what}「{}」が、この計画にありません。置き換えるとリンクが切れるため、何も書き込んでいません。",
                            plan.id(),
                            measure.id,
                            link.element
                        ),
                    ));
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
    let loaded = import(operator, store, text, ExistingPlan::Refuse, at).await?;
    if let Some(values) = keikaku_planfile::example_values(name) {
        load_example_values(operator, store, &file.municipality.code, values, at).await?;
    }
    if let Some(rounds) = keikaku_planfile::example_rounds(name) {
        crate::kpi::example::load_example_rounds(
            operator,
            store,
            &file.municipality.code,
            rounds,
            at,
        )
        .await?;
    }
    if let Some(programs) = keikaku_planfile::example_programs(name) {
        crate::programs::example::load_example_programs(
            operator,
            store,
            &file.municipality.code,
            programs,
            at,
        )
        .await?;
    }
    if let Some(population) = keikaku_planfile::example_population(name) {
        crate::population::example::load_example_population(
            operator,
            store,
            &file.municipality.code,
            population,
            at,
        )
        .await?;
    }
    if let Some(departments) = keikaku_planfile::example_departments(name) {
        let list = keikaku_planfile::read_departments(departments)
            .map_err(|p| AppError::Invalid(vec![p]))?;
        crate::departments::save(
            &crate::Context::new(store, &file.municipality.code),
            operator,
            &list,
            "",
            at,
        )
        .await?;
    }
    if let Some(themes) = keikaku_planfile::example_themes(name) {
        load_example_themes(
            operator,
            &crate::Context::new(store, &file.municipality.code),
            themes,
            at,
        )
        .await?;
    }
    Ok(ExampleOutcome::Loaded(loaded))
}

/// Stores an example's theme list and puts its elements under their themes.
async fn load_example_themes(
    operator: &Operator,
    cx: &crate::Context<'_>,
    text: &str,
    at: Timestamp,
) -> Result<(), AppError> {
    let themes = keikaku_planfile::read_themes(text).map_err(|p| AppError::Invalid(vec![p]))?;
    let list: Vec<keikaku_domain::theme::Theme> = themes.iter().map(|(t, _)| t.clone()).collect();
    crate::themes::save(cx, operator, &list, "", at).await?;
    let mut by_element: Vec<((String, String), Vec<String>)> = Vec::new();
    for (theme, elements) in &themes {
        for e in elements {
            match by_element.iter_mut().find(|(k, _)| k == e) {
                Some((_, codes)) => codes.push(theme.code.clone()),
                None => by_element.push((e.clone(), vec![theme.code.clone()])),
            }
        }
    }
    for ((plan, element), codes) in by_element {
        let plan = keikaku_domain::PlanId::parse(&plan).map_err(|_| {
            AppError::Invalid(vec![keikaku_planfile::FileProblem {
                path: "$.themes".to_owned(),
                message: format!("計画「{plan}」のidが不正です。"),
            }])
        })?;
        crate::themes::tag(cx, operator, &plan, &element, &[], &codes, at).await?;
    }
    Ok(())
}

/// Stores an example's sample yearly values (see [`keikaku_planfile::example_values`]).
async fn load_example_values(
    operator: &Operator,
    store: &dyn Store,
    code: &keikaku_domain::MunicipalityCode,
    text: &str,
    at: Timestamp,
) -> Result<(), AppError> {
    use keikaku_domain::kpi::ValueState;
    use keikaku_storage::ValueWrite;
    let broken = |what: &str| {
        AppError::Store(keikaku_storage::StoreError::Corrupt(format!(
            "例の実績値: {what}"
        )))
    };
    let file: serde_json::Value = serde_json::from_str(text).map_err(|e| broken(&e.to_string()))?;
    let mut by_plan: Vec<(keikaku_domain::PlanId, Vec<ValueWrite>)> = Vec::new();
    for v in file["values"].as_array().map_or(&[][..], Vec::as_slice) {
        let field = |k: &str| v[k].as_str().ok_or_else(|| broken(k));
        let plan =
            keikaku_domain::PlanId::parse(field("plan")?).map_err(|e| broken(&e.to_string()))?;
        let write = ValueWrite {
            indicator: keikaku_domain::ElementId::parse(field("indicator")?)
                .map_err(|e| broken(&e.to_string()))?,
            fiscal_year: v["fiscal_year"]
                .as_i64()
                .and_then(|y| i32::try_from(y).ok())
                .and_then(|y| keikaku_domain::era::FiscalYear::new(y).ok())
                .ok_or_else(|| broken("fiscal_year"))?,
            target: None,
            actual: Some(field("actual")?.parse().map_err(|_| broken("actual"))?),
            state: ValueState::from_code(field("state")?).ok_or_else(|| broken("state"))?,
            note: field("note")?.to_owned(),
            expected: None,
        };
        match by_plan.iter_mut().find(|(p, _)| *p == plan) {
            Some((_, writes)) => writes.push(write),
            None => by_plan.push((plan, vec![write])),
        }
    }
    let author = keikaku_storage::Author {
        actor: operator.actor().to_owned(),
        at,
    };
    for (plan, writes) in by_plan {
        store.save_kpi_values(code, &plan, &writes, &author).await?;
    }
    Ok(())
}

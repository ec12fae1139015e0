//! A scenario (推計): its form — id, name, description, base year (a stored census), horizon,
//! public or not, and either its own assumptions (生残率 and 純移動率 for 19 age groups × 男・
//! 女, 子ども女性比, 性比) or the rule deriving them from another scenario —, its result (the
//! pyramid of a year, the totals and age bands year by year), its run and its deletion.
//!
//! Assumptions given per step (by a file or the API) are shown, not edited here: the form
//! keeps them as they are.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use keikaku_app::access::{Action, Granted, permits};
use keikaku_app::auth::Signed;
use keikaku_app::population::{
    PopulationView, delete_scenario, population, run_scenario, save_scenario,
};
use keikaku_domain::format::calendar_year;
use keikaku_domain::population::{
    Assumptions, Basis, GROUPS, Scenario, ScenarioId, Sex, group_label,
};
use serde::Deserialize;

use super::forms::{
    Posted, Problem, RULES, derivation, number, number_text, points_text, rate_field, rates,
    rule_code, year,
};
use super::{HOME, problems_of, scenario_href, trail};
use crate::AppState;
use crate::charts::population::{NARROW, Pyramid, WIDE, pyramid};
use crate::clock::now;
use crate::error::WebError;
use crate::paths::PagePath;
use crate::population_view::{Table, age_table, summary_table};
use crate::public::population::{YearChoice, chosen_year};
use crate::staff::extract::{StaffForm, StaffUser};
use crate::staff::{private_page, redirect, staff_layout};
use crate::views::Layout;

/// A row of the rates table: an age group's four rates.
struct RateRow {
    label: String,
    /// (field, value) for 生残率 男, 女, 純移動率 男, 女.
    cells: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "staff/population_scenario.html")]
struct ScenarioPage {
    layout: Layout,
    csrf: String,
    heading: String,
    new: bool,
    action: String,
    revision: String,
    summary: Vec<(String, String)>,
    errors: Vec<Problem>,
    notice: Option<String>,
    may_manage: bool,
    values: std::collections::BTreeMap<String, String>,
    derived: bool,
    per_step: bool,
    rates: Vec<RateRow>,
    census_years: Vec<(String, String)>,
    assumed: Vec<(String, String)>,
    rules: Vec<(&'static str, &'static str)>,
    state: Option<&'static str>,
    problems_now: Vec<String>,
    rule: Option<String>,
    notes: Vec<String>,
    years: Vec<YearChoice>,
    year_label: String,
    pyramid: Option<Pyramid>,
    pyramid_narrow: Option<Pyramid>,
    ages: Option<Table>,
    result: Option<Table>,
    derived_from_this: Vec<String>,
}

impl ScenarioPage {
    fn value(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }

    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    fn checked(&self, name: &str) -> bool {
        self.values.get(name).is_some_and(|v| !v.is_empty())
    }
}

/// The id of a field's input.
pub(crate) fn id_of(field: &str) -> String {
    format!(
        "scenario-{}",
        field.replace(['[', ']', '.'], "-").trim_end_matches('-')
    )
}

/// The values a form shows for a stored scenario.
fn values_of(s: &Scenario) -> std::collections::BTreeMap<String, String> {
    let mut v = std::collections::BTreeMap::new();
    v.insert("id".to_owned(), s.id.to_string());
    v.insert("name".to_owned(), s.name.clone());
    v.insert("description".to_owned(), s.description.clone());
    v.insert("base_year".to_owned(), s.base_year.to_string());
    v.insert("horizon".to_owned(), s.horizon.to_string());
    if s.published {
        v.insert("published".to_owned(), "yes".to_owned());
    }
    if s.sample {
        v.insert("sample".to_owned(), "yes".to_owned());
    }
    match &s.basis {
        Basis::Assumed(a) => {
            for (kind, list) in [("survival", &a.survival), ("migration", &a.migration)] {
                if let Some(first) = list.first() {
                    for (sex, g, value) in first.cells() {
                        v.insert(rate_field(kind, sex, g), number_text(value));
                    }
                }
            }
            v.insert(
                "cwr".to_owned(),
                a.child_woman_ratio
                    .iter()
                    .map(|c| number_text(*c))
                    .collect::<Vec<_>>()
                    .join(" "),
            );
            v.insert("sex_ratio".to_owned(), number_text(a.sex_ratio));
        }
        Basis::Derived { from, rule } => {
            v.insert("from".to_owned(), from.to_string());
            v.insert("rule".to_owned(), rule_code(rule).to_owned());
            match rule {
                keikaku_domain::population::Derivation::ScaledMigration { factor } => {
                    v.insert("factor".to_owned(), number_text(*factor));
                }
                keikaku_domain::population::Derivation::Fertility { base_tfr, points } => {
                    v.insert("base_tfr".to_owned(), number_text(*base_tfr));
                    v.insert("points".to_owned(), points_text(points));
                }
                keikaku_domain::population::Derivation::ZeroMigration => {}
            }
        }
    }
    v
}

struct Shown<'a> {
    view: &'a PopulationView,
    id: Option<&'a ScenarioId>,
    year: Option<String>,
}

#[allow(clippy::too_many_arguments, clippy::too_many_lines)] // one page: the form and the result
async fn page(
    state: &AppState,
    roles: &[keikaku_domain::account::Role],
    csrf: &str,
    status: StatusCode,
    shown: Shown<'_>,
    values: std::collections::BTreeMap<String, String>,
    derived: bool,
    errors: Vec<Problem>,
    notice: Option<String>,
) -> Result<Response, WebError> {
    let view = shown.view;
    let s = shown.id.and_then(|id| view.scenario(id));
    let per_step = s.is_some_and(|s| match &s.record.scenario.basis {
        Basis::Assumed(a) => a.survival.len() > 1 || a.migration.len() > 1,
        Basis::Derived { .. } => false,
    });
    let rates = (0..GROUPS)
        .map(|g| RateRow {
            label: group_label(g),
            cells: [
                ("survival", Sex::Male, "生残率・男"),
                ("survival", Sex::Female, "生残率・女"),
                ("migration", Sex::Male, "純移動率・男"),
                ("migration", Sex::Female, "純移動率・女"),
            ]
            .into_iter()
            .map(|(kind, sex, label)| {
                let field = rate_field(kind, sex, g);
                let value = values.get(&field).cloned().unwrap_or_default();
                (field, value, label.to_owned())
            })
            .collect(),
        })
        .collect();
    let years: Vec<i32> = s
        .and_then(|s| s.record.result.as_ref())
        .map(|r| r.years.iter().map(|p| p.year).collect())
        .unwrap_or_default();
    let year = chosen_year(&years, shown.year.as_deref()).ok();
    let heading = s.map_or_else(
        || "推計を作る".to_owned(),
        |s| format!("推計「{}」", s.record.scenario.name),
    );
    let page = ScenarioPage {
        layout: staff_layout(state, &heading, &trail()).await?,
        csrf: csrf.to_owned(),
        new: s.is_none(),
        action: s.map_or_else(|| format!("{HOME}/scenarios"), |s| scenario_href(s.id().as_str())),
        revision: s.map(|s| s.record.revision.to_string()).unwrap_or_default(),
        summary: errors
            .iter()
            .map(|(f, m)| (if f.is_empty() { "scenario-form".to_owned() } else { id_of(f) }, m.clone()))
            .collect(),
        errors,
        notice,
        may_manage: permits(Some(roles), Action::ManagePopulation),
        derived,
        per_step,
        rates,
        census_years: view
            .censuses
            .iter()
            .map(|c| (c.census.year.to_string(), format!("{}（{}）", calendar_year(c.census.year), c.census.source)))
            .collect(),
        assumed: view
            .scenarios
            .iter()
            .filter(|x| matches!(x.record.scenario.basis, Basis::Assumed(_)))
            .filter(|x| Some(x.id()) != shown.id)
            .map(|x| (x.id().to_string(), x.record.scenario.name.clone()))
            .collect(),
        rules: RULES.to_vec(),
        state: s.map(|s| s.state_label()),
        problems_now: s
            .and_then(|s| s.resolved.as_ref().err())
            .map(|p| p.iter().map(|p| format!("{}: {}", p.path, p.message)).collect())
            .unwrap_or_default(),
        rule: s.and_then(keikaku_app::population::ScenarioView::rule),
        notes: s
            .and_then(|s| s.record.result.as_ref())
            .map(|r| r.notes.clone())
            .unwrap_or_default(),
        years: years
            .iter()
            .map(|y| YearChoice {
                label: y.to_string(),
                href: format!("{}?year={y}#pyramid", s.map(|s| scenario_href(s.id().as_str())).unwrap_or_default()),
                current: Some(*y) == year,
            })
            .collect(),
        year_label: year.map(calendar_year).unwrap_or_default(),
        pyramid: s.zip(year).and_then(|(s, y)| pyramid(s, y, "pyramid-chart", WIDE)),
        pyramid_narrow: s.zip(year).and_then(|(s, y)| pyramid(s, y, "pyramid-chart-narrow", NARROW)),
        ages: s.zip(year).and_then(|(s, y)| age_table(s, y)),
        result: s.filter(|s| s.record.result.is_some()).map(summary_table),
        derived_from_this: s
            .map(|me| {
                view.scenarios
                    .iter()
                    .filter(|x| matches!(&x.record.scenario.basis, Basis::Derived { from, .. } if from == me.id()))
                    .map(|x| x.record.scenario.name.clone())
                    .collect()
            })
            .unwrap_or_default(),
        values,
        heading,
    };
    Ok(private_page(status, page.render()?))
}

#[derive(Debug, Deserialize)]
pub(crate) struct NewQuery {
    /// A scenario whose assumptions the new one starts from.
    #[serde(default)]
    from: Option<String>,
}

/// `GET /staff/population/scenarios/new?from=`: a scenario with its own assumptions, filled
/// from another's (or the first one's).
pub(super) async fn new_page(
    State(state): State<AppState>,
    Query(query): Query<NewQuery>,
    StaffUser { signed, granted }: StaffUser,
) -> Result<Response, WebError> {
    let view = population(&state.catalog.context(), &granted).await?;
    let source = view
        .scenarios
        .iter()
        .filter(|s| matches!(s.record.scenario.basis, Basis::Assumed(_)))
        .find(|s| query.from.as_deref().is_none_or(|f| s.id().as_str() == f));
    let mut values = source
        .map(|s| values_of(&s.record.scenario))
        .unwrap_or_default();
    for k in ["id", "name", "description", "published"] {
        values.remove(k);
    }
    if let Some(c) = view.censuses.last() {
        values
            .entry("base_year".to_owned())
            .or_insert_with(|| c.census.year.to_string());
    }
    values
        .entry("horizon".to_owned())
        .or_insert_with(|| "2060".to_owned());
    values
        .entry("sex_ratio".to_owned())
        .or_insert_with(|| "105".to_owned());
    let shown = Shown {
        view: &view,
        id: None,
        year: None,
    };
    page(
        &state,
        &signed.user.roles,
        &signed.csrf,
        StatusCode::OK,
        shown,
        values,
        false,
        Vec::new(),
        None,
    )
    .await
}

#[derive(Debug, Deserialize)]
pub(crate) struct ScenarioQuery {
    #[serde(default)]
    year: Option<String>,
    #[serde(default)]
    done: Option<String>,
}

/// `GET /staff/population/scenarios/{id}?year=`.
pub(super) async fn scenario_page(
    State(state): State<AppState>,
    PagePath(id): PagePath<String>,
    Query(query): Query<ScenarioQuery>,
    StaffUser { signed, granted }: StaffUser,
) -> Result<Response, WebError> {
    let id = ScenarioId::parse(&id).map_err(|_| WebError::NotFound(None))?;
    let view = population(&state.catalog.context(), &granted).await?;
    let s = view.scenario(&id).ok_or(WebError::NotFound(None))?;
    let values = values_of(&s.record.scenario);
    let derived = matches!(s.record.scenario.basis, Basis::Derived { .. });
    let notice = match query.done.as_deref() {
        Some("saved") => {
            Some("保存しました。結果を更新するには「計算する」を押してください。".to_owned())
        }
        Some("created") => Some("推計を作りました。「計算する」を押すと結果が出ます。".to_owned()),
        Some("run") => Some("計算しました。".to_owned()),
        _ => None,
    };
    let shown = Shown {
        view: &view,
        id: Some(&id),
        year: query.year,
    };
    page(
        &state,
        &signed.user.roles,
        &signed.csrf,
        StatusCode::OK,
        shown,
        values,
        derived,
        Vec::new(),
        notice,
    )
    .await
}

/// The scenario a form posts (the stored one's per-step rates kept), or every problem.
fn read(p: &Posted, stored: Option<&Scenario>) -> Result<Scenario, Vec<Problem>> {
    let mut problems = Vec::new();
    let id = match stored {
        Some(s) => s.id.clone(),
        None => match ScenarioId::parse(&p.get("id")) {
            Ok(id) => id,
            Err(m) => {
                problems.push(("id".to_owned(), m));
                ScenarioId::parse("x").map_err(|m| vec![(String::new(), m)])?
            }
        },
    };
    let mut yearly = |field: &str, what: &str| match year(&p.get(field)) {
        Ok(Some(y)) => y,
        _ => {
            problems.push((
                field.to_owned(),
                format!("{what}を入力してください（例: 2020）。"),
            ));
            0
        }
    };
    let base_year = yearly("base_year", "基準年");
    let horizon = yearly("horizon", "推計の最終年");
    let derived = match stored {
        Some(s) => matches!(s.basis, Basis::Derived { .. }),
        None => false,
    };
    let basis = if derived {
        let from = ScenarioId::parse(&p.get("from")).map_err(|m| vec![("from".to_owned(), m)]);
        let rule = derivation(
            &p.get("rule"),
            &p.get("factor"),
            &p.get("base_tfr"),
            &p.get("points"),
        );
        match (from, rule) {
            (Ok(from), Ok(rule)) => Some(Basis::Derived { from, rule }),
            (from, rule) => {
                problems.extend(from.err().unwrap_or_default());
                problems.extend(rule.err().unwrap_or_default());
                None
            }
        }
    } else {
        let kept = match stored.map(|s| &s.basis) {
            Some(Basis::Assumed(a)) if a.survival.len() > 1 || a.migration.len() > 1 => Some(a),
            _ => None,
        };
        let (survival, migration) = match kept {
            Some(a) => (a.survival.clone(), a.migration.clone()),
            None => (
                vec![rates(p, "survival", "生残率", &mut problems)],
                vec![rates(p, "migration", "純移動率", &mut problems)],
            ),
        };
        let mut cwr = Vec::new();
        for (i, part) in p
            .get("cwr")
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、' | '　'))
            .filter(|s| !s.is_empty())
            .enumerate()
        {
            match number(part) {
                Ok(Some(v)) => cwr.push(v),
                _ => problems.push((
                    "cwr".to_owned(),
                    format!(
                        "子ども女性比の{}つ目「{part}」は数値として読めません。",
                        i + 1
                    ),
                )),
            }
        }
        if cwr.is_empty() && !problems.iter().any(|(f, _)| f == "cwr") {
            problems.push((
                "cwr".to_owned(),
                "子ども女性比を入力してください（例: 0.195。期ごとなら空白で区切って並べます）。"
                    .to_owned(),
            ));
        }
        let sex_ratio = match number(&p.get("sex_ratio")) {
            Ok(Some(v)) => v,
            _ => {
                problems.push((
                    "sex_ratio".to_owned(),
                    "性比（女100人に対する男の数）を入力してください（例: 105）。".to_owned(),
                ));
                0.0
            }
        };
        Some(Basis::Assumed(Assumptions {
            survival,
            migration,
            child_woman_ratio: cwr,
            sex_ratio,
        }))
    };
    match basis {
        Some(basis) if problems.is_empty() => Ok(Scenario {
            id,
            name: p.get("name").trim().to_owned(),
            description: p.get("description").trim().to_owned(),
            base_year,
            horizon,
            basis,
            published: p.checked("published"),
            sample: p.checked("sample"),
        }),
        _ => Err(problems),
    }
}

/// A use case's problem at its form field: the projection's `survival.M[3]` is the form's;
/// `survival[2].M[3]` (per step) and paths of another scenario's assumptions are shown at the
/// top of the form.
fn placed(field: &str) -> String {
    let known = field.starts_with("survival.")
        || field.starts_with("migration.")
        || matches!(
            field,
            "cwr"
                | "sex_ratio"
                | "name"
                | "id"
                | "base_year"
                | "horizon"
                | "from"
                | "factor"
                | "base_tfr"
                | "points"
                | "rule"
        );
    if known {
        field.to_owned()
    } else if field.starts_with("cwr[") {
        "cwr".to_owned()
    } else {
        String::new()
    }
}

fn posted_values(p: &Posted) -> std::collections::BTreeMap<String, String> {
    p.values.clone()
}

async fn store(
    state: &AppState,
    granted: &Granted,
    roles: &[keikaku_domain::account::Role],
    csrf: &str,
    form: &Posted,
    id: Option<&ScenarioId>,
) -> Result<Response, WebError> {
    let view = population(&state.catalog.context(), granted).await?;
    let stored = id.and_then(|id| view.scenario(id));
    let derived = stored.is_some_and(|s| matches!(s.record.scenario.basis, Basis::Derived { .. }));
    let expected = match stored {
        Some(_) => Some(
            keikaku_app::forms::parse_revision(&form.get("revision"))
                .map_err(|_| WebError::BadRequest("版の番号が不正です。".to_owned()))?
                .unwrap_or(0),
        ),
        None => None,
    };
    let shown = Shown {
        view: &view,
        id,
        year: None,
    };
    let scenario = match read(form, stored.map(|s| &s.record.scenario)) {
        Ok(s) => s,
        Err(errors) => {
            return page(
                state,
                roles,
                csrf,
                StatusCode::UNPROCESSABLE_ENTITY,
                shown,
                posted_values(form),
                derived,
                errors,
                None,
            )
            .await;
        }
    };
    let target = scenario.id.clone();
    match save_scenario(
        &state.catalog.context(),
        granted,
        scenario,
        expected,
        now()?,
    )
    .await
    {
        Ok(_) => {
            state.catalog.invalidate().await?;
            let done = if stored.is_some() { "saved" } else { "created" };
            redirect(&format!("{}?done={done}", scenario_href(target.as_str())))
        }
        Err(e) => {
            let (status, problems) = problems_of(e)?;
            let errors = problems.into_iter().map(|(f, m)| (placed(&f), m)).collect();
            page(
                state,
                roles,
                csrf,
                status,
                shown,
                posted_values(form),
                derived,
                errors,
                None,
            )
            .await
        }
    }
}

/// `POST /staff/population/scenarios`: a new scenario with its own assumptions.
pub(super) async fn create(
    State(state): State<AppState>,
    StaffForm {
        signed,
        granted,
        form,
    }: StaffForm<Posted>,
) -> Result<Response, WebError> {
    store(
        &state,
        &granted,
        &signed.user.roles,
        &signed.csrf,
        &form,
        None,
    )
    .await
}

/// `POST /staff/population/scenarios/{id}`.
pub(super) async fn save(
    State(state): State<AppState>,
    PagePath(id): PagePath<String>,
    StaffForm {
        signed,
        granted,
        form,
    }: StaffForm<Posted>,
) -> Result<Response, WebError> {
    let id = ScenarioId::parse(&id).map_err(|_| WebError::NotFound(None))?;
    let view = population(&state.catalog.context(), &granted).await?;
    if view.scenario(&id).is_none() {
        return Err(WebError::NotFound(None));
    }
    store(
        &state,
        &granted,
        &signed.user.roles,
        &signed.csrf,
        &form,
        Some(&id),
    )
    .await
}

/// `POST /staff/population/scenarios/{id}/run`: projected from the current inputs.
pub(super) async fn run(
    State(state): State<AppState>,
    PagePath(id): PagePath<String>,
    StaffForm {
        signed,
        granted,
        form,
    }: StaffForm<Posted>,
) -> Result<Response, WebError> {
    let id = ScenarioId::parse(&id).map_err(|_| WebError::NotFound(None))?;
    let revision = keikaku_app::forms::parse_revision(&form.get("revision"))
        .map_err(|_| WebError::BadRequest("版の番号が不正です。".to_owned()))?
        .unwrap_or(0);
    match run_scenario(&state.catalog.context(), &granted, &id, revision, now()?).await {
        Ok(_) => {
            state.catalog.invalidate().await?;
            redirect(&format!("{}?done=run", scenario_href(id.as_str())))
        }
        Err(e) => {
            let (status, problems) = problems_of(e)?;
            let view = population(&state.catalog.context(), &granted).await?;
            let errors = problems.into_iter().map(|(f, m)| (placed(&f), m)).collect();
            stored_page(&state, &signed, &view, &id, status, errors).await
        }
    }
}

/// The page of a scenario as stored, with the problems of an action done on it (a run, a
/// deletion) that was refused.
async fn stored_page(
    state: &AppState,
    signed: &Signed,
    view: &PopulationView,
    id: &ScenarioId,
    status: StatusCode,
    errors: Vec<Problem>,
) -> Result<Response, WebError> {
    let s = view.scenario(id).ok_or(WebError::NotFound(None))?;
    let shown = Shown {
        view,
        id: Some(id),
        year: None,
    };
    page(
        state,
        &signed.user.roles,
        &signed.csrf,
        status,
        shown,
        values_of(&s.record.scenario),
        matches!(s.record.scenario.basis, Basis::Derived { .. }),
        errors,
        None,
    )
    .await
}

/// `POST /staff/population/scenarios/{id}/delete` (confirmed by a checkbox).
pub(super) async fn delete(
    State(state): State<AppState>,
    PagePath(id): PagePath<String>,
    StaffForm {
        signed,
        granted,
        form,
    }: StaffForm<Posted>,
) -> Result<Response, WebError> {
    let id = ScenarioId::parse(&id).map_err(|_| WebError::NotFound(None))?;
    let view = population(&state.catalog.context(), &granted).await?;
    if view.scenario(&id).is_none() {
        return Err(WebError::NotFound(None));
    }
    let refuse = |status, errors| stored_page(&state, &signed, &view, &id, status, errors);
    if !form.checked("confirm") {
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![(
                String::new(),
                "削除するには、確認のチェックを入れてください。".to_owned(),
            )],
        )
        .await;
    }
    let revision = keikaku_app::forms::parse_revision(&form.get("revision"))
        .map_err(|_| WebError::BadRequest("版の番号が不正です。".to_owned()))?
        .unwrap_or(0);
    match delete_scenario(&state.catalog.context(), &granted, &id, revision, now()?).await {
        Ok(()) => {
            state.catalog.invalidate().await?;
            redirect(&format!("{HOME}?done=scenario-deleted"))
        }
        Err(e) => {
            let (status, problems) = problems_of(e)?;
            refuse(status, problems).await
        }
    }
}

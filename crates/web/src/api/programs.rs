//! The 実施計画 (implementation plan) read without a token (tag `implementation-plan`): the
//! published editions (`GET /api/v1/implementation-plans`), one edition in the shape of the
//! plan file's `keikaku_planfile::programs::EditionFile` (`…/{year}`), a program with its
//! history across the published editions (`…/{year}/programs/{code}`), the edition's totals by
//! year and funding source and by goal, field, priority project, strategy objective,
//! department and 事業区分 (`…/{year}/aggregates`) and what changed from another edition
//! (`…/{year}/diff?from=…`). Published editions only: an edition being made or fixed is a 404
//! here (staff read it under `/api/v1/staff/implementation-plans`, `program_edits`).
//!
//! Amounts are whole yen as integers (never 千円, never floats). Answers are read from the
//! store and cached by the public site's version (which follows the editions published),
//! with an `ETag`, like the other public reads.

use axum::extract::{OriginalUri, State};
use axum::http::HeaderMap;
use axum::response::Response;
use keikaku_app::AppError;
use keikaku_app::programs::{
    Viewer, aggregates, compare, edition_file, program_entry, program_history, published_edition,
    published_editions,
};
use keikaku_domain::era::FiscalYear;
use keikaku_domain::program::{Amount, Edition, Funding, ProgramCode, YearTotals};
use keikaku_planfile::programs::{EditionFile, ProgramEntry, YearEntry};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::api::kpi::fiscal_year;
use crate::api::{ApiError, ApiPath, ApiQuery, cached_json_async, only_params};
use crate::routes::{Route, route};

pub(crate) const ROUTES: &[Route] = &[
    route!(
        GET "/api/v1/implementation-plans" => list_published_editions,
        ReadPublished,
        "/api/v1/implementation-plans"
    ),
    route!(
        GET "/api/v1/implementation-plans/{year}" => get_published_edition,
        ReadPublished,
        "/api/v1/implementation-plans/2025"
    ),
    route!(
        GET "/api/v1/implementation-plans/{year}/programs/{code}" => get_published_program,
        ReadPublished,
        "/api/v1/implementation-plans/2025/programs/01-01-001"
    ),
    route!(
        GET "/api/v1/implementation-plans/{year}/aggregates" => get_edition_aggregates,
        ReadPublished,
        "/api/v1/implementation-plans/2025/aggregates"
    ),
    route!(
        GET "/api/v1/implementation-plans/{year}/diff" => get_edition_diff,
        ReadPublished,
        "/api/v1/implementation-plans/2025/diff?from=2024"
    ),
];

// ---------------------------------------------------------------- shared with the staff API

/// The fiscal year an edition is made in, from the URL (2025; 令和7年度, R7 … are read too).
pub(crate) fn made_in(text: &str) -> Result<FiscalYear, ApiError> {
    fiscal_year("URLの年度（版）", text)
}

/// A program code from the URL; one that cannot be a code is a bad request.
pub(crate) fn program_code(text: &str) -> Result<ProgramCode, ApiError> {
    ProgramCode::parse(text).map_err(ApiError::BadRequest)
}

/// The three fiscal years an edition made in `made_in` covers.
pub(crate) fn covers(made_in: FiscalYear) -> Vec<i32> {
    Edition {
        made_in,
        programs: Vec::new(),
    }
    .covers()
    .iter()
    .map(|y| y.year())
    .collect()
}

/// 事業費 and 財源内訳 of one fiscal year, in whole yen.
#[derive(Debug, Serialize, ToSchema)]
pub struct FundingYear {
    /// The fiscal year.
    pub fiscal_year: i32,
    /// 事業費.
    pub cost: i64,
    /// 国庫支出金.
    pub national: i64,
    /// 県支出金.
    pub prefectural: i64,
    /// 地方債.
    pub bonds: i64,
    /// その他（特定財源）.
    pub other: i64,
    /// 一般財源.
    pub general: i64,
}

pub(crate) fn funding_year(fiscal_year: FiscalYear, f: &Funding) -> FundingYear {
    FundingYear {
        fiscal_year: fiscal_year.year(),
        cost: f.cost.yen(),
        national: f.national.yen(),
        prefectural: f.prefectural.yen(),
        bonds: f.bonds.yen(),
        other: f.other.yen(),
        general: f.general.yen(),
    }
}

fn not_in(code: &ProgramCode, made_in: FiscalYear) -> ApiError {
    ApiError::NotFound(format!(
        "事業「{code}」は{}版の実施計画にありません。",
        keikaku_domain::format::fiscal_year(made_in)
    ))
}

// ---------------------------------------------------------------- the published editions

/// The published editions of the 実施計画, the newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct EditionList {
    /// One per published edition.
    pub editions: Vec<EditionListing>,
}

/// A published edition in the list.
#[derive(Debug, Serialize, ToSchema)]
pub struct EditionListing {
    /// The fiscal year it is made in (N; the `{year}` of its URLs).
    #[schema(example = 2025)]
    pub edition: i32,
    /// The fiscal years it covers: N+1, N+2, N+3.
    pub covers: Vec<i32>,
    /// The comprehensive plan whose goals, fields and measures the 一覧 follows.
    pub plan: String,
    /// `published` (公表): only published editions are listed.
    pub state: String,
    /// How amounts are shown in 千円: `half_up` (四捨五入), `down` (切り捨て), `up` (切り上げ).
    pub rounding: String,
    /// How many programs it has.
    pub programs: i64,
    /// Its URL in this API.
    pub href: String,
}

/// The published editions (no token needed).
#[utoipa::path(get, path = "/api/v1/implementation-plans", tag = "implementation-plan",
    responses((status = 200, body = EditionList), (status = 400, body = crate::error::ErrorEnvelope)))]
pub(crate) async fn list_published_editions(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery,
    uri: OriginalUri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let st = state.clone();
    cached_json_async(&state, &uri, &headers, |_| async move {
        let editions = published_editions(&st.catalog.context()).await?;
        Ok(EditionList {
            editions: editions
                .iter()
                .map(|e| EditionListing {
                    edition: e.edition.made_in.year(),
                    covers: covers(e.edition.made_in),
                    plan: e.edition.plan.to_string(),
                    state: e.edition.state.code().to_owned(),
                    rounding: e.edition.rounding.code().to_owned(),
                    programs: e.programs,
                    href: format!("/api/v1/implementation-plans/{}", e.edition.made_in.year()),
                })
                .collect(),
        })
    })
    .await
}

/// A published edition with its programs, amounts in yen (no token needed): the shape of the
/// JSON that `keikaku implementation-plan export --format json` writes.
#[utoipa::path(get, path = "/api/v1/implementation-plans/{year}", tag = "implementation-plan",
    params(("year" = String, Path, description = "The fiscal year the edition is made in (2025; 令和7年度, R7 … are read too)", example = "2025")),
    responses((status = 200, body = EditionFile), (status = 400, body = crate::error::ErrorEnvelope),
        (status = 404, description = "No published edition made in that year", body = crate::error::ErrorEnvelope)))]
pub(crate) async fn get_published_edition(
    State(state): State<AppState>,
    ApiPath(year): ApiPath<String>,
    ApiQuery(params): ApiQuery,
    uri: OriginalUri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let year = made_in(&year)?;
    let st = state.clone();
    cached_json_async(&state, &uri, &headers, |site| async move {
        let view = published_edition(&st.catalog.context(), &site.plans, year).await?;
        Ok(edition_file(&view))
    })
    .await
}

// ---------------------------------------------------------------- a program and its history

/// A program of a published edition, with every published edition that holds it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgramWithHistory {
    /// The edition asked for.
    pub edition: i32,
    /// The program as that edition holds it.
    pub program: ProgramEntry,
    /// Every published edition holding the program, the oldest first (the one asked for
    /// among them).
    pub history: Vec<ProgramInEdition>,
}

/// A program as one edition holds it: what the 一覧 of that edition said of it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgramInEdition {
    /// The fiscal year the edition is made in.
    pub edition: i32,
    /// The fiscal years the edition covers.
    pub covers: Vec<i32>,
    /// 事業名 in that edition.
    pub name: String,
    /// 所管課 in that edition.
    pub department: String,
    /// 事業区分 in that edition (`new`, `continued`, `expanded`, `reduced`, `suspended`,
    /// `abolished`, `completed`).
    pub category: String,
    /// 事業費 and 財源内訳 per fiscal year entered in that edition, in yen.
    pub years: Vec<YearEntry>,
    /// The program in that edition, in this API.
    pub href: String,
}

/// A program of a published edition and its history (no token needed).
#[utoipa::path(get, path = "/api/v1/implementation-plans/{year}/programs/{code}", tag = "implementation-plan",
    params(("year" = String, Path, description = "The fiscal year the edition is made in", example = "2025"),
        ("code" = String, Path, description = "事業コード", example = "01-01-001", pattern = "^[A-Za-z0-9_-]{1,32}$")),
    responses((status = 200, body = ProgramWithHistory), (status = 400, body = crate::error::ErrorEnvelope),
        (status = 404, description = "No published edition made in that year, or no such program in it", body = crate::error::ErrorEnvelope)))]
pub(crate) async fn get_published_program(
    State(state): State<AppState>,
    ApiPath((year, code)): ApiPath<(String, String)>,
    ApiQuery(params): ApiQuery,
    uri: OriginalUri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let year = made_in(&year)?;
    let code = program_code(&code)?;
    let st = state.clone();
    cached_json_async(&state, &uri, &headers, |site| async move {
        let cx = st.catalog.context();
        let view = published_edition(&cx, &site.plans, year).await?;
        let record = view
            .program(code.as_str())
            .ok_or_else(|| not_in(&code, year))?;
        let history = program_history(&cx, Viewer::Public(&site.plans), code.as_str()).await?;
        Ok(ProgramWithHistory {
            edition: year.year(),
            program: program_entry(&view, &record.program),
            history: history
                .iter()
                .map(|(e, p)| ProgramInEdition {
                    edition: e.made_in.year(),
                    covers: covers(e.made_in),
                    name: p.program.name.clone(),
                    department: p.program.department.clone(),
                    category: p.program.category.code().to_owned(),
                    years: ProgramEntry::of(&p.program, Vec::new()).years,
                    href: format!(
                        "/api/v1/implementation-plans/{}/programs/{code}",
                        e.made_in.year()
                    ),
                })
                .collect(),
        })
    })
    .await
}

// ---------------------------------------------------------------- the aggregates

/// What a published edition adds up to, per fiscal year and funding source, in yen.
#[derive(Debug, Serialize, ToSchema)]
pub struct EditionAggregates {
    /// The fiscal year the edition is made in.
    pub edition: i32,
    /// The fiscal years it covers.
    pub covers: Vec<i32>,
    /// How the pages and sheets round the amounts to 千円 (`half_up`, `down`, `up`); the
    /// amounts here are exact yen.
    pub rounding: String,
    /// The rounding rule in Japanese (四捨五入, 切り捨て, 切り上げ).
    pub rounding_label: String,
    /// The whole edition.
    pub total: FundingGroup,
    /// By まちづくりの目標 of the basis plan; programs serving none of its measures last,
    /// as 「施策に位置付けのない事業」.
    pub by_goal: Vec<FundingGroup>,
    /// By 分野.
    pub by_field: Vec<FundingGroup>,
    /// By 重点プロジェクト (a program may count in several, or in none).
    pub by_project: Vec<FundingGroup>,
    /// By 総合戦略の基本目標 (a program may count in several, or in none).
    pub by_objective: Vec<FundingGroup>,
    /// By 所管課.
    pub by_department: Vec<FundingGroup>,
    /// By 事業区分 (`id`: its code, `new`, `continued` …).
    pub by_category: Vec<FundingGroup>,
}

/// The totals of a group of programs.
#[derive(Debug, Serialize, ToSchema)]
pub struct FundingGroup {
    /// The element's id (a goal, field, priority project or strategy objective); the code of a
    /// 事業区分; empty for a department and the whole edition.
    pub id: String,
    /// Its number (「1-2」; may be empty).
    pub number: String,
    /// Its title (the department's name, the 事業区分's label, 「合計」 for the edition).
    pub title: String,
    /// How many programs it counts.
    pub programs: usize,
    /// 事業費 and 財源内訳 per fiscal year of the edition.
    pub years: Vec<FundingYear>,
}

pub(crate) fn funding_group(id: &str, number: &str, title: &str, t: &YearTotals) -> FundingGroup {
    FundingGroup {
        id: id.to_owned(),
        number: number.to_owned(),
        title: title.to_owned(),
        programs: t.programs,
        years: t.years.iter().map(|(y, f)| funding_year(*y, f)).collect(),
    }
}

fn groups(rows: &[(keikaku_app::programs::listing::Label, YearTotals)]) -> Vec<FundingGroup> {
    rows.iter()
        .map(|(l, t)| funding_group(&l.id, &l.number, &l.title, t))
        .collect()
}

/// The totals of a published edition by year and funding source (no token needed).
#[utoipa::path(get, path = "/api/v1/implementation-plans/{year}/aggregates", tag = "implementation-plan",
    params(("year" = String, Path, description = "The fiscal year the edition is made in", example = "2025")),
    responses((status = 200, body = EditionAggregates), (status = 400, body = crate::error::ErrorEnvelope),
        (status = 404, description = "No published edition made in that year", body = crate::error::ErrorEnvelope)))]
pub(crate) async fn get_edition_aggregates(
    State(state): State<AppState>,
    ApiPath(year): ApiPath<String>,
    ApiQuery(params): ApiQuery,
    uri: OriginalUri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let year = made_in(&year)?;
    let st = state.clone();
    cached_json_async(&state, &uri, &headers, |site| async move {
        let view = published_edition(&st.catalog.context(), &site.plans, year).await?;
        let a = aggregates(&view);
        let mut by_category = groups(&a.by_category);
        for g in &mut by_category {
            if let Some(c) = keikaku_domain::program::ProgramCategory::from_label(&g.title) {
                c.code().clone_into(&mut g.id);
            }
        }
        Ok(EditionAggregates {
            edition: year.year(),
            covers: covers(year),
            rounding: a.rounding.code().to_owned(),
            rounding_label: a.rounding.label().to_owned(),
            total: funding_group("", "", "合計", &a.total),
            by_goal: groups(&a.by_goal),
            by_field: groups(&a.by_field),
            by_project: groups(&a.by_project),
            by_objective: groups(&a.by_objective),
            by_department: groups(&a.by_department),
            by_category,
        })
    })
    .await
}

// ---------------------------------------------------------------- two editions compared

/// What changed from one published edition to another.
#[derive(Debug, Serialize, ToSchema)]
pub struct EditionComparison {
    /// The older edition (`from`).
    pub from: i32,
    /// The newer edition (`{year}`).
    pub to: i32,
    /// The fiscal years both cover: amounts are compared in these.
    pub compared_years: Vec<i32>,
    /// Codes of the programs in the newer edition only, in its order.
    pub added: Vec<String>,
    /// Codes of the programs in the older edition only (ended, 廃止, 完了), in its order.
    pub ended: Vec<String>,
    /// The programs in both that differ, in the newer edition's order.
    pub changed: Vec<ProgramDiff>,
}

/// A program in both editions that differs.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgramDiff {
    /// 事業コード.
    pub code: String,
    /// 事業名 in the newer edition.
    pub name: String,
    /// 事業区分 when it changed (codes); `null`: unchanged.
    pub category: Option<CategoryDiff>,
    /// The texts that changed, by their Japanese label (事業名, 所管課, 目的, 対象, 手段,
    /// 開始年度, 終了年度, 会計, 経費区分, 施策など, 活動指標).
    pub fields: Vec<FieldDiff>,
    /// The amounts that differ in the years both cover, by year, 事業費 first.
    pub amounts: Vec<AmountDiff>,
    /// The activity indicator's targets that differ in the years both cover.
    pub activity_targets: Vec<ActivityTargetDiff>,
}

/// A change of 事業区分.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryDiff {
    /// In the older edition (`new`, `continued` …).
    pub old: String,
    /// In the newer edition.
    pub new: String,
}

/// A text that changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldDiff {
    /// The field's Japanese label (事業名 …).
    pub label: String,
    /// In the older edition.
    pub old: String,
    /// In the newer edition.
    pub new: String,
}

/// An amount of a fiscal year that differs, in yen.
#[derive(Debug, Serialize, ToSchema)]
pub struct AmountDiff {
    /// The fiscal year.
    pub fiscal_year: i32,
    /// Which amount: `cost` (事業費), `national`, `prefectural`, `bonds`, `other` or
    /// `general`.
    pub amount: String,
    /// In the older edition; `null`: the year was not entered.
    pub old: Option<i64>,
    /// In the newer edition; `null`: the year is not entered.
    pub new: Option<i64>,
}

/// An activity indicator's target that differs.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityTargetDiff {
    /// The fiscal year.
    pub fiscal_year: i32,
    /// In the older edition, an exact decimal string; `null`: none.
    pub old: Option<String>,
    /// In the newer edition.
    pub new: Option<String>,
}

fn amount_code(a: Amount) -> &'static str {
    match a {
        Amount::Cost => "cost",
        Amount::Part(p) => p.code(),
    }
}

/// What changed from edition `from` to edition `{year}`, both published (no token needed).
#[utoipa::path(get, path = "/api/v1/implementation-plans/{year}/diff", tag = "implementation-plan",
    params(("year" = String, Path, description = "The newer edition: the fiscal year it is made in", example = "2026"),
        ("from" = String, Query, description = "The older edition (usually the one before): the fiscal year it is made in", example = "2025")),
    responses((status = 200, body = EditionComparison),
        (status = 400, description = "`from` missing, not a fiscal year, or the same edition", body = crate::error::ErrorEnvelope),
        (status = 404, description = "Either edition is not published", body = crate::error::ErrorEnvelope)))]
pub(crate) async fn get_edition_diff(
    State(state): State<AppState>,
    ApiPath(year): ApiPath<String>,
    ApiQuery(params): ApiQuery,
    uri: OriginalUri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    only_params(&params, &["from"])?;
    let to = made_in(&year)?;
    let from = match params.get("from").map(|f| f.trim()) {
        None | Some("") => {
            return Err(ApiError::BadRequest(
                "比べる版を from（作成年度、例: from=2025）で指定してください。".to_owned(),
            ));
        }
        Some(f) => fiscal_year("from", f)?,
    };
    let st = state.clone();
    cached_json_async(&state, &uri, &headers, |site| async move {
        let cx = st.catalog.context();
        let c = compare(&cx, Viewer::Public(&site.plans), from, to)
            .await
            .map_err(|e| match e {
                AppError::Invalid(p) => ApiError::BadRequest(
                    p.into_iter()
                        .map(|p| p.message)
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
                other => other.into(),
            })?;
        let d = c.diff;
        Ok(EditionComparison {
            from: from.year(),
            to: to.year(),
            compared_years: d.compared_years.iter().map(|y| y.year()).collect(),
            added: d.added.iter().map(ToString::to_string).collect(),
            ended: d.ended.iter().map(ToString::to_string).collect(),
            changed: d
                .changed
                .iter()
                .map(|p| ProgramDiff {
                    code: p.code.to_string(),
                    name: p.name.clone(),
                    category: p.category.map(|(o, n)| CategoryDiff {
                        old: o.code().to_owned(),
                        new: n.code().to_owned(),
                    }),
                    fields: p
                        .fields
                        .iter()
                        .map(|(label, old, new)| FieldDiff {
                            label: (*label).to_owned(),
                            old: old.clone(),
                            new: new.clone(),
                        })
                        .collect(),
                    amounts: p
                        .amounts
                        .iter()
                        .map(|a| AmountDiff {
                            fiscal_year: a.fiscal_year.year(),
                            amount: amount_code(a.amount).to_owned(),
                            old: a.old.map(|y| y.yen()),
                            new: a.new.map(|y| y.yen()),
                        })
                        .collect(),
                    activity_targets: p
                        .activity_targets
                        .iter()
                        .map(|(y, old, new)| ActivityTargetDiff {
                            fiscal_year: y.year(),
                            old: old.map(|d| d.to_string()),
                            new: new.map(|d| d.to_string()),
                        })
                        .collect(),
                })
                .collect(),
        })
    })
    .await
}

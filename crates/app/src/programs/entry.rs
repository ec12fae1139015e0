//! A program entered, changed or removed (`EditPrograms`): read from a form (amounts in 千円 as
//! clerks type them) or given whole (the API, a sheet), checked whole — every problem by
//! field — and stored with the revision the writer started from.
//!
//! Field names, the same in the form and in every problem's path: `code`, `name`,
//! `department`, `category`, `links`, `purpose`, `target_group`, `means`, `start_year`,
//! `end_year`, `account`, `expense_type`, `activity_name`, `activity_unit`, and per fiscal
//! year `y2026.cost`, `y2026.national`, `y2026.prefectural`, `y2026.bonds`, `y2026.other`,
//! `y2026.general`, `y2026.activity_target`.

use std::collections::HashSet;

use keikaku_domain::audit::Timestamp;
use keikaku_domain::era::FiscalYear;
use keikaku_domain::kpi::check_text;
use keikaku_domain::plan::year_lines::parse_decimal;
use keikaku_domain::program::{
    Account, Activity, ExpenseType, Funding, FundingPart, FundingProblem, Program, ProgramCategory,
    ProgramCode, ProgramProblem, ProgramYear, Yen,
};
use keikaku_domain::{ElementId, ElementRef, PlanId};
use keikaku_planfile::FileProblem;
use keikaku_storage::{Author, ProgramRecord, ProgramWrite, StoreError};
use rust_decimal::Decimal;

use super::editions::{EditionView, refusal, view};
use crate::access::{Action, Authority, require};
use crate::{AppError, Context};

/// One fiscal year of the form, in 千円 as typed (blank: nothing entered).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct YearForm {
    /// 事業費 (blank with parts given: their sum).
    pub cost: String,
    /// 国庫支出金.
    pub national: String,
    /// 県支出金.
    pub prefectural: String,
    /// 地方債.
    pub bonds: String,
    /// その他.
    pub other: String,
    /// 一般財源 (blank with a cost given: the cost less the other parts).
    pub general: String,
    /// 活動指標の目標値.
    pub activity_target: String,
}

/// A program as typed into its form.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProgramForm {
    /// 事業コード.
    pub code: String,
    /// 事業名.
    pub name: String,
    /// 所管課.
    pub department: String,
    /// 事業区分 (its code).
    pub category: String,
    /// The elements it serves, each `plan/element`, in order.
    pub links: Vec<String>,
    /// 目的.
    pub purpose: String,
    /// 対象.
    pub target_group: String,
    /// 手段.
    pub means: String,
    /// 開始年度 (2026, 令和8年度 …).
    pub start_year: String,
    /// 終了年度 (blank: open-ended).
    pub end_year: String,
    /// 会計 (its code).
    pub account: String,
    /// 経費区分 (its code).
    pub expense_type: String,
    /// 活動指標.
    pub activity_name: String,
    /// 活動指標の単位.
    pub activity_unit: String,
    /// サンプル.
    pub sample: bool,
    /// The years of the edition, each with its amounts.
    pub years: Vec<(FiscalYear, YearForm)>,
}

fn problem(path: impl Into<String>, message: impl Into<String>) -> FileProblem {
    FileProblem {
        path: path.into(),
        message: message.into(),
    }
}

/// An amount typed in 千円 (full-width digits, separators, decimals down to the yen): `None`
/// when blank or a dash.
pub(crate) fn parse_thousands(text: &str) -> Result<Option<Yen>, String> {
    let t = text.trim();
    if t.is_empty() || matches!(t, "-" | "－" | "―" | "ー") {
        return Ok(None);
    }
    let d = strict_amount(t).ok_or_else(|| {
        format!("「{t}」は金額（千円）として読めません（例: 1,234 や 1234.5。桁区切りは3桁ごと）。")
    })?;
    let yen = d * Decimal::from(1_000);
    if !yen.fract().is_zero() {
        return Err(format!(
            "「{t}」には1円未満の端数があります（千円単位で小数点以下3桁まで）。"
        ));
    }
    yen.trunc()
        .to_string()
        .parse::<i64>()
        .map(|y| Some(Yen::new(y)))
        .map_err(|_| format!("「{t}」は大きすぎます。"))
}

/// An amount as clerks write it, and nothing looser: an optional minus (「-」「－」「△」「▲」),
/// digits — full-width too — either without separators or with 「,」 (「，」) every three
/// digits, and an optional decimal part. 「10,00」, 「1_000」, 「1e3」 and 「.5」 are not amounts.
fn strict_amount(text: &str) -> Option<Decimal> {
    let normal: String = text
        .chars()
        .map(|c| match c {
            '０'..='９' => {
                char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')).unwrap_or(c)
            }
            '，' => ',',
            '．' => '.',
            '－' | '△' | '▲' | '−' => '-',
            other => other,
        })
        .collect();
    let (negative, body) = match normal.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, normal.as_str()),
    };
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let grouped = if int.contains(',') {
        let mut groups = int.split(',');
        let first = groups.next().unwrap_or("");
        digits(first) && first.len() <= 3 && groups.all(|g| g.len() == 3 && digits(g))
    } else {
        digits(int)
    };
    if !grouped || frac.is_some_and(|f| !digits(f)) {
        return None;
    }
    let plain = format!(
        "{}{}{}",
        if negative { "-" } else { "" },
        int.replace(',', ""),
        frac.map(|f| format!(".{f}")).unwrap_or_default()
    );
    plain.parse::<Decimal>().ok()
}

fn year(
    text: &str,
    path: &str,
    label: &str,
    problems: &mut Vec<FileProblem>,
) -> Option<FiscalYear> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    FiscalYear::parse(t)
        .map_err(|e| {
            problems.push(problem(
                path,
                format!("{label}: {e}（例: 2026、令和8年度）"),
            ))
        })
        .ok()
}

fn coded<T: Copy>(
    text: &str,
    path: &str,
    label: &str,
    default: Option<T>,
    from: fn(&str) -> Option<T>,
    problems: &mut Vec<FileProblem>,
) -> Option<T> {
    let t = text.trim();
    if t.is_empty() {
        if default.is_none() {
            problems.push(problem(path, format!("{label}を選んでください。")));
        }
        return default;
    }
    let v = from(t);
    if v.is_none() {
        problems.push(problem(
            path,
            format!("{label}「{t}」は選択肢にありません。"),
        ));
    }
    v
}

/// Parses the link texts `plan/element` (blank lines skipped).
pub(crate) fn parse_links(texts: &[String], problems: &mut Vec<FileProblem>) -> Vec<ElementRef> {
    let mut out = Vec::new();
    for t in texts.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        let parsed = t.split_once('/').and_then(|(p, e)| {
            Some(ElementRef {
                plan: PlanId::parse(p.trim()).ok()?,
                element: ElementId::parse(e.trim()).ok()?,
            })
        });
        match parsed {
            Some(link) => out.push(link),
            None => problems.push(problem(
                "links",
                format!("「{t}」は「計画ID/要素ID」の形ではありません。"),
            )),
        }
    }
    out
}

fn year_of_form(
    y: FiscalYear,
    f: &YearForm,
    problems: &mut Vec<FileProblem>,
) -> Option<ProgramYear> {
    let key = |k: &str| format!("y{}.{k}", y.year());
    let mut amount = |k: &str, text: &str| -> Option<Yen> {
        parse_thousands(text)
            .map_err(|m| {
                problems.push(problem(
                    key(k),
                    format!(
                        "{}の{}: {m}",
                        keikaku_domain::format::fiscal_year(y),
                        label_of(k)
                    ),
                ));
            })
            .ok()
            .flatten()
    };
    let cost = amount("cost", &f.cost);
    let parts = [
        amount("national", &f.national),
        amount("prefectural", &f.prefectural),
        amount("bonds", &f.bonds),
        amount("other", &f.other),
        amount("general", &f.general),
    ];
    let target_text = f.activity_target.trim();
    let activity_target = if target_text.is_empty() {
        None
    } else {
        parse_decimal(target_text).or_else(|| {
            problems.push(problem(
                key("activity_target"),
                format!(
                    "{}の活動指標の目標値「{target_text}」は数値として読めません。",
                    keikaku_domain::format::fiscal_year(y)
                ),
            ));
            None
        })
    };
    if cost.is_none() && parts.iter().all(Option::is_none) {
        return activity_target.map(|t| ProgramYear {
            fiscal_year: y,
            funding: Funding::default(),
            activity_target: Some(t),
        });
    }
    let [national, prefectural, bonds, other, general] = parts.map(|p| p.unwrap_or(Yen::ZERO));
    let specific = Yen::checked_sum([national, prefectural, bonds, other]).unwrap_or(Yen::ZERO);
    // 一般財源 left blank is what the cost leaves after the specific sources; a blank cost with
    // parts given is their sum — as clerks fill such sheets.
    let (cost, general) = match (cost, parts[4]) {
        (Some(c), None) => (c, c.checked_sub(specific).unwrap_or(Yen::ZERO)),
        (None, _) => (specific.checked_add(general).unwrap_or(Yen::ZERO), general),
        (Some(c), Some(g)) => (c, g),
    };
    Some(ProgramYear {
        fiscal_year: y,
        funding: Funding {
            cost,
            national,
            prefectural,
            bonds,
            other,
            general,
        },
        activity_target,
    })
}

fn label_of(key: &str) -> &'static str {
    match key {
        "cost" => "事業費",
        "activity_target" => "活動指標の目標値",
        k => FundingPart::from_code(k).map_or("金額", FundingPart::label),
    }
}

/// Reads a program's form: every field checked that can be checked without the edition,
/// every problem by field name.
pub fn parse_form(form: &ProgramForm) -> Result<Program, Vec<FileProblem>> {
    let (program, problems) = read_form(form, None);
    if problems.is_empty() {
        Ok(program)
    } else {
        Err(problems)
    }
}

/// Reads a form whatever it holds: the program (a field that could not be read takes a
/// stand-in — the stored code `X`, 継続, `start` or 2000 for 開始年度 —, so the rest can still
/// be checked) and the problems of reading it.
fn read_form(form: &ProgramForm, start: Option<FiscalYear>) -> (Program, Vec<FileProblem>) {
    let mut problems = Vec::new();
    let code = ProgramCode::parse(&form.code)
        .map_err(|m| problems.push(problem("code", m)))
        .ok();
    let category = coded(
        &form.category,
        "category",
        "事業区分",
        None,
        ProgramCategory::from_code,
        &mut problems,
    );
    let account = coded(
        &form.account,
        "account",
        "会計",
        Some(Account::General),
        Account::from_code,
        &mut problems,
    );
    let expense_type = coded(
        &form.expense_type,
        "expense_type",
        "経費区分",
        Some(ExpenseType::Other),
        ExpenseType::from_code,
        &mut problems,
    );
    let start_year = year(&form.start_year, "start_year", "開始年度", &mut problems);
    if form.start_year.trim().is_empty() {
        problems.push(problem("start_year", "開始年度を入力してください。"));
    }
    let end_year = year(&form.end_year, "end_year", "終了年度", &mut problems);
    let links = parse_links(&form.links, &mut problems);
    let years: Vec<ProgramYear> = form
        .years
        .iter()
        .filter_map(|(y, f)| year_of_form(*y, f, &mut problems))
        .collect();
    let fallback_start = start.unwrap_or_else(|| {
        FiscalYear::new(2000).unwrap_or_else(|_| unreachable!("2000 is a fiscal year"))
    });
    let program = Program {
        code: code
            .unwrap_or_else(|| ProgramCode::parse("X").unwrap_or_else(|_| unreachable!("a code"))),
        name: form.name.clone(),
        department: form.department.clone(),
        links,
        purpose: form.purpose.clone(),
        target_group: form.target_group.clone(),
        means: form.means.clone(),
        start_year: start_year.unwrap_or(fallback_start),
        end_year,
        account: account.unwrap_or(Account::General),
        expense_type: expense_type.unwrap_or(ExpenseType::Other),
        activity: Activity {
            name: form.activity_name.clone(),
            unit: form.activity_unit.clone(),
        },
        category: category.unwrap_or(ProgramCategory::Continued),
        years,
        sample: form.sample,
    };
    (program, problems)
}

/// Every problem of a form at once: those of reading it and those a save would find (the
/// funding identity, links, who may write it …), each field named once, reading's first.
pub async fn form_problems(
    cx: &Context<'_>,
    authority: &impl Authority,
    made_in: FiscalYear,
    form: &ProgramForm,
) -> Result<Vec<FileProblem>, AppError> {
    require(authority, Action::EditPrograms)?;
    let plans = crate::stored_plans(cx).await?;
    let view = view(cx, made_in, plans).await?;
    let (mut program, mut problems) = read_form(form, Some(view.covers()[0]));
    let stored = view.program(program.code.as_str());
    for p in check(&view, authority, &mut program, stored) {
        if !problems.iter().any(|q| q.path == p.path) {
            problems.push(p);
        }
    }
    Ok(problems)
}

/// The field a problem of the domain belongs to.
fn path_of(p: &ProgramProblem) -> String {
    let y = |y: &FiscalYear| format!("y{}", y.year());
    match p {
        ProgramProblem::EndsBeforeStart => "end_year".to_owned(),
        ProgramProblem::YearOutside(fy)
        | ProgramProblem::YearTwice(fy)
        | ProgramProblem::CostOutsidePeriod(fy) => format!("{}.cost", y(fy)),
        ProgramProblem::NegativeActivityTarget(fy) => format!("{}.activity_target", y(fy)),
        ProgramProblem::Funding(fy, f) => match f {
            FundingProblem::NegativePart(part, _) => format!("{}.{}", y(fy), part.code()),
            FundingProblem::TooLarge(label, _) => {
                let part = FundingPart::ALL.into_iter().find(|p| p.label() == *label);
                format!("{}.{}", y(fy), part.map_or("cost", FundingPart::code))
            }
            FundingProblem::NegativeCost(_) | FundingProblem::Mismatch { .. } => {
                format!("{}.cost", y(fy))
            }
        },
    }
}

/// Normalises a program's texts and checks it against the edition: required texts, the
/// funding identity and the other rules of the domain, links that exist, and who may write it.
pub(crate) fn check(
    view: &EditionView,
    authority: &impl Authority,
    program: &mut Program,
    stored: Option<&ProgramRecord>,
) -> Vec<FileProblem> {
    let mut problems = Vec::new();
    // Bidirectional overrides make a text show other than it is (a name that reads backwards).
    let bidi = |t: &str| {
        t.chars()
            .any(|c| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
    };
    for (path, label, text) in [
        ("name", "事業名", &program.name),
        ("department", "所管課", &program.department),
        ("purpose", "目的", &program.purpose),
        ("target_group", "対象", &program.target_group),
        ("means", "手段", &program.means),
        ("activity_name", "活動指標", &program.activity.name),
    ] {
        if bidi(text) {
            problems.push(problem(
                path,
                format!("{label}に、文字の向きを変える制御文字（U+202E など）が含まれています。"),
            ));
        }
    }
    if let Some(other) = view.programs.iter().find(|p| {
        p.program.code != program.code
            && p.program
                .code
                .as_str()
                .eq_ignore_ascii_case(program.code.as_str())
    }) {
        problems.push(problem(
            "code",
            format!(
                "事業コード「{}」は、この版の「{}」と大文字・小文字だけが違います。同じ事業なら同じコードにしてください。",
                program.code, other.program.code
            ),
        ));
    }
    let mut line = |path: &str, label: &str, text: &mut String, required: bool| match check_text(
        label, text,
    ) {
        Ok(t) if t.contains('\n') => {
            problems.push(problem(path, format!("{label}は1行で入力してください。")))
        }
        Ok(t) if t.chars().count() > 500 => problems.push(problem(
            path,
            format!("{label}は500文字以内で入力してください。"),
        )),
        Ok(t) if required && t.trim().is_empty() => {
            problems.push(problem(path, format!("{label}を入力してください。")))
        }
        Ok(t) => *text = t.trim().to_owned(),
        Err(m) => problems.push(problem(path, m)),
    };
    line("name", "事業名", &mut program.name, true);
    line("department", "所管課", &mut program.department, true);
    line(
        "activity_name",
        "活動指標",
        &mut program.activity.name,
        false,
    );
    line(
        "activity_unit",
        "活動指標の単位",
        &mut program.activity.unit,
        false,
    );
    for (path, label, text) in [
        ("purpose", "目的", &mut program.purpose),
        ("target_group", "対象", &mut program.target_group),
        ("means", "手段", &mut program.means),
    ] {
        match check_text(label, text) {
            Ok(t) => *text = t,
            Err(m) => problems.push(problem(path, m)),
        }
    }
    for p in program.problems(&view.covers()) {
        problems.push(problem(path_of(&p), p.message()));
    }
    let places = view.places();
    canonical_links(view, &mut program.links);
    let mut seen = HashSet::new();
    for link in &program.links {
        if !seen.insert(link) {
            problems.push(problem(
                "links",
                format!("「{}/{}」が2回あります。", link.plan, link.element),
            ));
        } else if places.kind(link).is_none() {
            problems.push(problem(
                "links",
                format!("「{}/{}」は計画にない要素です。", link.plan, link.element),
            ));
        }
    }
    if !program.department.trim().is_empty() && !authority.reaches(Some(program.department.trim()))
    {
        problems.push(problem(
            "department",
            format!(
                "所管課「{}」の事業は入力できません（自分の課の事業だけを入力できます）。",
                program.department.trim()
            ),
        ));
    }
    if let Some(s) = stored
        && !authority.reaches(Some(s.program.department.trim()))
    {
        problems.push(problem(
            "department",
            format!(
                "所管課「{}」の事業は変更できません。",
                s.program.department.trim()
            ),
        ));
    }
    problems
}

/// The one order of a program's links: its first measure of the basis plan (the one that
/// places it in the 一覧) first, then the others by plan and element — so a form, a sheet and
/// the API saving the same links save the same program.
pub(crate) fn canonical_links(view: &EditionView, links: &mut Vec<ElementRef>) {
    let places = view.places();
    let primary = links.iter().position(|l| {
        l.plan == view.edition.plan && places.kind(l) == Some(keikaku_domain::ElementKind::Measure)
    });
    let first = primary.map(|i| links.remove(i));
    links.sort();
    links.dedup();
    if let Some(p) = first {
        links.retain(|l| *l != p);
        links.insert(0, p);
    }
}

/// The department whose part guards a write by `authority`: a department editor writes only
/// while their own part is 未提出 or 差戻し; the planning office (reaching every department)
/// is not held back.
pub(crate) fn guard_of(authority: &impl Authority) -> Option<String> {
    authority.own_department()
}

/// Checks that the edition may be written by `authority` now: 作成中, and — for a department
/// editor — their part not submitted.
pub(crate) fn check_open(
    view: &EditionView,
    authority: &impl Authority,
    department: &str,
) -> Result<(), AppError> {
    if !view.editable() {
        return Err(AppError::Conflict(format!(
            "{}の実施計画は「{}」のため、変更できません。",
            view.title(),
            view.edition.state.label()
        )));
    }
    if let Some(d) = guard_of(authority).filter(|d| d == department.trim())
        && let Some(part) = view.part(&d)
        && !part.state.editable()
    {
        return Err(AppError::Conflict(format!(
            "{d}の事業は「{}」のため変更できません。変更するには、企画担当に差し戻してもらってください。",
            part.state.label()
        )));
    }
    Ok(())
}

/// Saves a program: a new one (`expected` `None`; its code must not be in the edition yet) or
/// a change from the revision the writer saw. Refused with every problem by field, or as a
/// conflict when someone else changed it first.
pub async fn save_program(
    cx: &Context<'_>,
    authority: &impl Authority,
    made_in: FiscalYear,
    mut program: Program,
    expected: Option<i64>,
    at: Timestamp,
) -> Result<ProgramRecord, AppError> {
    require(authority, Action::EditPrograms)?;
    let plans = crate::stored_plans(cx).await?;
    let view = view(cx, made_in, plans).await?;
    let stored = view.program(program.code.as_str());
    if expected.is_none() && stored.is_some() {
        return Err(AppError::Invalid(vec![problem(
            "code",
            format!("事業コード「{}」は既にこの版にあります。", program.code),
        )]));
    }
    if let Some(s) = stored
        && !authority.reaches(Some(s.program.department.trim()))
    {
        return Err(AppError::Forbidden(format!(
            "所管課「{}」の事業は変更できません。",
            s.program.department.trim()
        )));
    }
    check_open(&view, authority, &program.department)?;
    let problems = check(&view, authority, &mut program, stored);
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    // Nothing changed (the stored links in another order count as the same): nothing written.
    if let Some(s) = stored.filter(|s| Some(s.revision) == expected) {
        let mut same = s.program.clone();
        canonical_links(&view, &mut same.links);
        if same == program {
            return Ok(s.clone());
        }
    }
    let guard = guard_of(authority);
    let write = ProgramWrite::Save { program, expected };
    let saved = cx
        .store
        .save_programs(
            cx.municipality,
            made_in,
            std::slice::from_ref(&write),
            guard.as_deref(),
            &Author {
                actor: authority.actor(),
                at,
            },
        )
        .await
        .map_err(|e| stale(e, made_in, expected.is_none()))?;
    saved.into_iter().next().ok_or_else(|| {
        AppError::Store(StoreError::Corrupt(
            "保存した事業が返されませんでした。".to_owned(),
        ))
    })
}

fn stale(e: StoreError, made_in: FiscalYear, new: bool) -> AppError {
    match e {
        StoreError::Stale(code) if new && code != "edition" => AppError::Conflict(format!(
            "事業コード「{code}」は、ほかの人が先にこの版に追加しています。入力は保存されていません。"
        )),
        other => refusal(other, made_in),
    }
}

/// Removes a program from an edition being made, from the revision the writer saw.
pub async fn delete_program(
    cx: &Context<'_>,
    authority: &impl Authority,
    made_in: FiscalYear,
    code: &str,
    revision: &str,
    at: Timestamp,
) -> Result<(), AppError> {
    require(authority, Action::EditPrograms)?;
    let view = view(cx, made_in, Vec::new()).await?;
    let Some(stored) = view.program(code) else {
        return Err(AppError::NotFound(format!(
            "事業「{}」はこの版にありません。",
            code.trim()
        )));
    };
    let department = stored.program.department.clone();
    if !authority.reaches(Some(department.trim())) {
        return Err(AppError::Forbidden(format!(
            "所管課「{}」の事業は削除できません。",
            department.trim()
        )));
    }
    check_open(&view, authority, &department)?;
    let expected = crate::forms::parse_revision(revision)
        .ok()
        .flatten()
        .ok_or_else(|| AppError::Invalid(vec![problem("revision", "版の番号が不正です。")]))?;
    let write = ProgramWrite::Delete {
        code: stored.program.code.clone(),
        expected,
    };
    let guard = guard_of(authority);
    cx.store
        .save_programs(
            cx.municipality,
            made_in,
            &[write],
            guard.as_deref(),
            &Author {
                actor: authority.actor(),
                at,
            },
        )
        .await
        .map_err(|e| refusal(e, made_in))?;
    Ok(())
}

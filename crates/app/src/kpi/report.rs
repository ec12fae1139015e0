//! The verification report (効果検証の結果) of a round: frozen as text at publication (like a
//! plan version), so the public site keeps showing what was published — even while the round
//! is re-opened — until it is published again. Publishing and re-opening (`PublishKpiRound`),
//! and the public reading of the published reports.

use keikaku_domain::PlanId;
use keikaku_domain::audit::Timestamp;
use keikaku_domain::era::FiscalYear;
use keikaku_domain::format;
use keikaku_domain::kpi::{Outcome, Reference, RoundStep, SubmissionState, Tally, round_after};
use keikaku_storage::{Author, RoundChange, StoreError};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::access::{Action, Granted};
use crate::kpi::round::{RoundView, round};
use crate::{AppError, Context};

/// One indicator of a report, as published (texts as the public reads them).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReportLine {
    /// 指標ID (the indicator's code, else its id).
    pub code: String,
    /// 数値目標, KPI or 成果指標.
    pub kind: String,
    /// The innermost group it rolls up into.
    pub group: String,
    /// 指標名.
    pub title: String,
    /// 所管課.
    pub department: String,
    /// 基準値 with its year.
    pub baseline: String,
    /// 目標値 with its year.
    pub target: String,
    /// 実績値 of the year (empty: 未把握), with 「（速報値）」 when provisional.
    pub actual: String,
    /// 進捗率 / 達成率, the band, or why not evaluable.
    pub rate: String,
    /// 評価 (empty: none).
    pub grade: String,
    /// 要因分析.
    pub analysis: String,
    /// 今後の方向性 (label).
    pub course: String,
    /// 委員評価 (label).
    pub rating: String,
    /// 指摘事項.
    pub remark: String,
    /// 対応方針.
    pub response: String,
    /// The indicator's id (empty in a report frozen before ids were kept).
    pub indicator: String,
    /// 単位 when published.
    pub unit: String,
    /// The decimal places the indicator is shown with (`None`: as entered).
    pub decimals: Option<u32>,
    /// The actual the year is judged by, as an exact decimal string (`None`: 未把握, or a
    /// report frozen before the numbers were kept).
    pub actual_value: Option<String>,
    /// Whether that actual is provisional (速報値).
    pub provisional: bool,
    /// The year's expectation or target it was measured against, as a decimal string.
    pub expected: Option<String>,
    /// 進捗率 / 達成率 in percent, exact, as a decimal string (`None`: no rate).
    pub percent: Option<String>,
    /// Whether it is behind its expectation (`None`: not known — not evaluable, or frozen
    /// before this was kept).
    pub behind: Option<bool>,
    /// Every group it rolls up into, outermost first (in an older report: its innermost
    /// group's label alone, without an id).
    pub groups: Vec<ReportGroup>,
}

/// A group an indicator of a report rolls up into, as published.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReportGroup {
    /// The element's id (empty in a report frozen before ids were kept).
    pub id: String,
    /// The element kind's code (`basic_objective`, `field` …; may be empty).
    pub kind: String,
    /// 「基本目標1　…」.
    pub label: String,
}

impl ReportLine {
    /// Whether this line is of the indicator with this id and code (a line frozen without
    /// the id is matched by its 指標ID, which is the code, else the id).
    pub fn is_of(&self, id: &str, code: &str) -> bool {
        if self.indicator.is_empty() {
            self.code == id || (!code.trim().is_empty() && self.code == code)
        } else {
            self.indicator == id
        }
    }

    /// The grade, or `None` when it has none (評価不能).
    pub fn graded(&self) -> Option<&str> {
        Some(self.grade.as_str()).filter(|g| !g.is_empty())
    }
}

/// A published report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// The plan's title when published.
    pub plan_title: String,
    /// The fiscal year verified.
    pub fiscal_year: FiscalYear,
    /// Which publication (1, 2, …).
    pub number: i64,
    /// When it was published.
    pub published_at: Timestamp,
    /// 総合意見 of the expert panel.
    pub opinion: String,
    /// Every indicator, in plan order.
    pub lines: Vec<ReportLine>,
    /// The labels of the plan's grade scale when published, best first (for an older report:
    /// the grades its lines carry, in the order they first appear).
    pub grades: Vec<String>,
    /// The word for a missing actual when published (「未把握」).
    pub missing_label: String,
}

/// Grades counted over one group of a report or an evaluation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupTally {
    /// 「基本目標1　…」, or 「計画全体」.
    pub label: String,
    /// How deep the group sits (0: outermost; the plan total is 0 as well).
    pub depth: usize,
    /// The counts.
    pub tally: Tally,
}

/// An indicator as the roll-up sees it: its groups (id, label), outermost first, and its
/// grade (`None`: 評価不能).
pub type Graded<'a> = (Vec<(&'a str, String)>, Option<&'a str>);

/// The grade counts of every group in plan order (each group once, outermost first, each
/// followed by the groups inside it) and of the whole plan, last. `items` are each
/// indicator's groups (ids and labels, outermost first) with its grade (`None`: 評価不能).
pub fn group_tallies<'a>(scale: &[String], items: &[Graded<'a>]) -> Vec<GroupTally> {
    let mut groups: Vec<(&str, String, usize)> = Vec::new();
    for (path, _) in items {
        for (depth, (id, label)) in path.iter().enumerate() {
            if !groups.iter().any(|(i, l, _)| i == id && l == label) {
                groups.push((id, label.clone(), depth));
            }
        }
    }
    let mut out: Vec<GroupTally> = groups
        .into_iter()
        .map(|(id, label, depth)| {
            let grades = items
                .iter()
                .filter(|(path, _)| path.iter().any(|(i, l)| *i == id && *l == label))
                .map(|(_, g)| *g);
            let tally = Tally::of_grades(scale, grades);
            GroupTally {
                label,
                depth,
                tally,
            }
        })
        .collect();
    out.push(GroupTally {
        label: "計画全体".to_owned(),
        depth: 0,
        tally: Tally::of_grades(scale, items.iter().map(|(_, g)| *g)),
    });
    out
}

impl Report {
    /// The grade counts per group and of the whole plan, as published.
    pub fn tallies(&self) -> Vec<GroupTally> {
        let items: Vec<Graded<'_>> = self
            .lines
            .iter()
            .map(|l| {
                (
                    l.groups
                        .iter()
                        .map(|g| (g.id.as_str(), g.label.clone()))
                        .collect(),
                    l.graded(),
                )
            })
            .collect();
        group_tallies(&self.grades, &items)
    }

    /// The lines behind their expectation.
    pub fn behind(&self) -> impl Iterator<Item = &ReportLine> {
        self.lines.iter().filter(|l| l.behind == Some(true))
    }

    /// The lines without an actual for the year (未把握).
    pub fn missing(&self) -> impl Iterator<Item = &ReportLine> {
        self.lines.iter().filter(|l| l.actual.trim().is_empty())
    }

    /// The line of an indicator.
    pub fn line_of(&self, id: &str, code: &str) -> Option<&ReportLine> {
        self.lines.iter().find(|l| l.is_of(id, code))
    }
}

/// Whether an outcome falls behind what was expected of its year: a rate below 100 %, or a
/// maintain-type indicator outside its band (`None`: not evaluable).
pub fn outcome_behind(outcome: &Outcome) -> Option<bool> {
    match outcome {
        Outcome::Rate { percent, .. } => Some(*percent < Decimal::ONE_HUNDRED),
        Outcome::Maintained { within, .. } => Some(!within),
        Outcome::Unevaluable(_) => None,
    }
}

/// How an outcome reads: the rate and what it was measured against, the band, or why it
/// cannot be evaluated.
pub fn outcome_text(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Rate { percent, against } => {
            let against = match against {
                Reference::Target(_) => "",
                Reference::Interim { stated: true, .. } => "（中間目標に対して）",
                Reference::Interim { stated: false, .. } => "（目標までの按分に対して）",
            };
            format!(
                "{}{against}",
                format::percent(*percent, format::PERCENT_DECIMALS)
            )
        }
        Outcome::Maintained { within: true, .. } => "許容幅内（維持）".to_owned(),
        Outcome::Maintained { within: false, .. } => "許容幅外".to_owned(),
        Outcome::Unevaluable(why) => format!("評価不能（{}）", why.reason()),
    }
}

/// What a year was measured against: the target or the year's expectation of a rate, the
/// target of a maintain-type indicator, else the target entered for the year.
fn expected_of(
    i: &keikaku_domain::Indicator,
    y: &keikaku_domain::kpi::YearResult,
) -> Option<Decimal> {
    match y.outcome {
        Outcome::Rate { against, .. } => Some(against.value()),
        Outcome::Maintained { .. } => i.target.map(|t| t.value),
        Outcome::Unevaluable(_) => y.target,
    }
}

/// The report of a round as it stands (what publication would freeze).
pub fn report_of(view: &RoundView, number: i64, at: Timestamp) -> Report {
    let year = view.year;
    let lines = view
        .evaluation
        .indicators
        .iter()
        .map(|r| {
            let i = &r.indicator;
            let result = r.year(year);
            let value = r.value(year);
            let actual = value.and_then(|v| v.actual).map_or_else(String::new, |a| {
                let provisional = value.is_some_and(|v| v.state.code() == "provisional");
                format!(
                    "{}{}{}",
                    format::value(a, i.decimals),
                    i.unit,
                    if provisional { "（速報値）" } else { "" }
                )
            });
            let a = view.assessment(i.id.as_str());
            ReportLine {
                code: if i.code.trim().is_empty() {
                    i.id.to_string()
                } else {
                    i.code.clone()
                },
                kind: r.kind.label().to_owned(),
                group: r.groups.last().map(|g| g.label()).unwrap_or_default(),
                title: i.title.clone(),
                department: r.department.clone(),
                baseline: format::year_value_in(&i.baseline, &i.unit, i.decimals),
                target: format::year_value_in(&i.target, &i.unit, i.decimals),
                actual,
                rate: result.map(|y| outcome_text(&y.outcome)).unwrap_or_default(),
                grade: result
                    .and_then(|y| view.evaluation.settings.scale.of(&y.outcome))
                    .map(|g| g.label.clone())
                    .unwrap_or_default(),
                analysis: a.map(|a| a.analysis.clone()).unwrap_or_default(),
                course: a
                    .and_then(|a| a.course)
                    .map(|c| c.label().to_owned())
                    .unwrap_or_default(),
                rating: a
                    .and_then(|a| a.rating)
                    .map(|c| c.label().to_owned())
                    .unwrap_or_default(),
                remark: a.map(|a| a.remark.clone()).unwrap_or_default(),
                response: a.map(|a| a.response.clone()).unwrap_or_default(),
                indicator: i.id.to_string(),
                unit: i.unit.clone(),
                decimals: i.decimals,
                actual_value: result.and_then(|y| y.actual).map(|d| d.to_string()),
                provisional: result.is_some_and(|y| y.provisional),
                expected: result
                    .and_then(|y| expected_of(i, y))
                    .map(|d| d.to_string()),
                percent: result.and_then(|y| match y.outcome {
                    Outcome::Rate { percent, .. } => Some(percent.normalize().to_string()),
                    _ => None,
                }),
                behind: result.and_then(|y| outcome_behind(&y.outcome)),
                groups: r
                    .groups
                    .iter()
                    .map(|g| ReportGroup {
                        id: g.id.to_string(),
                        kind: g.kind.code().to_owned(),
                        label: g.label(),
                    })
                    .collect(),
            }
        })
        .collect();
    let settings = &view.evaluation.settings;
    Report {
        plan_title: view.evaluation.plan.header().title.clone(),
        fiscal_year: year,
        number,
        published_at: at,
        opinion: view.round.opinion.clone(),
        lines,
        grades: settings
            .scale
            .grades
            .iter()
            .map(|g| g.label.clone())
            .collect(),
        missing_label: settings.missing_label.clone(),
    }
}

fn line_json(l: &ReportLine) -> Value {
    json!({
        "code": l.code, "kind": l.kind, "group": l.group, "title": l.title,
        "department": l.department, "baseline": l.baseline, "target": l.target,
        "actual": l.actual, "rate": l.rate, "grade": l.grade, "analysis": l.analysis,
        "course": l.course, "rating": l.rating, "remark": l.remark, "response": l.response,
        "indicator": l.indicator, "unit": l.unit, "decimals": l.decimals,
        "actual_value": l.actual_value, "provisional": l.provisional,
        "expected": l.expected, "percent": l.percent, "behind": l.behind,
        "groups": l.groups.iter().map(|g| json!({
            "id": g.id, "kind": g.kind, "label": g.label,
        })).collect::<Vec<_>>(),
    })
}

/// The frozen text of a report (JSON).
pub fn report_text(report: &Report) -> String {
    json!({
        "plan_title": report.plan_title,
        "fiscal_year": report.fiscal_year.year(),
        "opinion": report.opinion,
        "lines": report.lines.iter().map(line_json).collect::<Vec<_>>(),
        "grades": report.grades,
        "missing_label": report.missing_label,
    })
    .to_string()
}

/// Reads a frozen report (keys a report frozen earlier lacks read as absent).
pub fn read_report(
    text: &str,
    fiscal_year: FiscalYear,
    number: i64,
    published_at: Timestamp,
) -> Result<Report, AppError> {
    let corrupt = || AppError::Store(StoreError::Corrupt("公表された検証結果".to_owned()));
    let v: Value = serde_json::from_str(text).map_err(|_| corrupt())?;
    let s = |v: &Value, k: &str| v[k].as_str().unwrap_or_default().to_owned();
    let decimal = |v: &Value, k: &str| {
        v[k].as_str()
            .filter(|t| t.parse::<Decimal>().is_ok())
            .map(str::to_owned)
    };
    let lines: Vec<ReportLine> = v["lines"]
        .as_array()
        .ok_or_else(corrupt)?
        .iter()
        .map(|l| ReportLine {
            indicator: s(l, "indicator"),
            unit: s(l, "unit"),
            decimals: l["decimals"].as_u64().and_then(|d| u32::try_from(d).ok()),
            actual_value: decimal(l, "actual_value"),
            provisional: l["provisional"].as_bool().unwrap_or(false),
            expected: decimal(l, "expected"),
            percent: decimal(l, "percent"),
            behind: l["behind"].as_bool(),
            groups: match l["groups"].as_array() {
                Some(groups) => groups
                    .iter()
                    .map(|g| ReportGroup {
                        id: s(g, "id"),
                        kind: s(g, "kind"),
                        label: s(g, "label"),
                    })
                    .collect(),
                None if !s(l, "group").is_empty() => vec![ReportGroup {
                    label: s(l, "group"),
                    ..ReportGroup::default()
                }],
                None => Vec::new(),
            },
            code: s(l, "code"),
            kind: s(l, "kind"),
            group: s(l, "group"),
            title: s(l, "title"),
            department: s(l, "department"),
            baseline: s(l, "baseline"),
            target: s(l, "target"),
            actual: s(l, "actual"),
            rate: s(l, "rate"),
            grade: s(l, "grade"),
            analysis: s(l, "analysis"),
            course: s(l, "course"),
            rating: s(l, "rating"),
            remark: s(l, "remark"),
            response: s(l, "response"),
        })
        .collect();
    Ok(Report {
        plan_title: s(&v, "plan_title"),
        fiscal_year,
        number,
        published_at,
        opinion: s(&v, "opinion"),
        grades: match v["grades"].as_array() {
            Some(g) => g
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            None => {
                let mut seen: Vec<String> = Vec::new();
                for g in lines.iter().filter_map(ReportLine::graded) {
                    if !seen.iter().any(|s| s == g) {
                        seen.push(g.to_owned());
                    }
                }
                seen
            }
        },
        missing_label: Some(s(&v, "missing_label"))
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| keikaku_domain::kpi::PlanSettings::default().missing_label),
        lines,
    })
}

/// Publishes the round's report (`PublishKpiRound`): refused unless every department's part
/// is approved; freezes the report as it stands. `revision` is the round's revision the page
/// was opened at.
pub async fn publish(
    cx: &Context<'_>,
    granted: &Granted,
    plan_id: &PlanId,
    year: FiscalYear,
    revision: i64,
    at: Timestamp,
) -> Result<(), AppError> {
    change(cx, granted, plan_id, year, RoundStep::Publish, revision, at).await
}

/// Re-opens a published round (`PublishKpiRound`, audited): the public keeps the published
/// report until the next publication.
pub async fn reopen(
    cx: &Context<'_>,
    granted: &Granted,
    plan_id: &PlanId,
    year: FiscalYear,
    revision: i64,
    at: Timestamp,
) -> Result<(), AppError> {
    change(cx, granted, plan_id, year, RoundStep::Reopen, revision, at).await
}

async fn change(
    cx: &Context<'_>,
    granted: &Granted,
    plan_id: &PlanId,
    year: FiscalYear,
    step: RoundStep,
    revision: i64,
    at: Timestamp,
) -> Result<(), AppError> {
    if granted.action() != Action::PublishKpiRound {
        return Err(AppError::Forbidden(
            "効果検証の結果を公表する権限がありません。".to_owned(),
        ));
    }
    // The data version before the round is read: a write after it (a department returned,
    // a remark changed) refuses the publication rather than freezing a report that no longer
    // is what is stored.
    let made_at = cx.store.data_version(cx.municipality).await?;
    let view = round(cx, granted, plan_id, year).await?;
    round_after(view.round.state, step).map_err(AppError::Conflict)?;
    let change = if step == RoundStep::Publish {
        let pending: Vec<&str> = view
            .departments
            .iter()
            .filter(|d| d.state != SubmissionState::Approved)
            .map(|d| d.department.as_str())
            .collect();
        if !pending.is_empty() {
            return Err(AppError::Conflict(format!(
                "承認されていない所管課があります（{}）。すべての課を承認してから公表してください。",
                pending.join("、")
            )));
        }
        let report = report_of(&view, view.round.publications + 1, at);
        RoundChange::Publish {
            report: report_text(&report),
            made_at: Some(made_at),
        }
    } else {
        RoundChange::Reopen
    };
    let author = Author {
        actor: granted.user().login_id.to_string(),
        at,
    };
    cx.store
        .save_round(cx.municipality, plan_id, year, &change, revision, &author)
        .await
        .map_err(|e| match e {
            StoreError::Stale(_) => AppError::Conflict(
                "あなたが画面を開いた後に、ほかの人がこの年度の効果検証を変更しています。画面を開き直してください。"
                    .to_owned(),
            ),
            other => other.into(),
        })?;
    Ok(())
}

/// The published reports of a plan, by fiscal year (the latest publication of each), read
/// from the store now. The public site reads them from the catalog's `Site` instead
/// (`Site::reports`), which reloads when a report is published.
pub async fn published_reports(
    cx: &Context<'_>,
    plan_id: &PlanId,
) -> Result<Vec<Report>, AppError> {
    cx.store
        .published_reports(cx.municipality, plan_id)
        .await?
        .iter()
        .map(|r| read_report(&r.report, r.fiscal_year, r.number, r.published_at))
        .collect()
}

/// The published report of a plan and year (`None`: never published).
pub async fn published_report(
    cx: &Context<'_>,
    plan_id: &PlanId,
    year: FiscalYear,
) -> Result<Option<Report>, AppError> {
    Ok(published_reports(cx, plan_id)
        .await?
        .into_iter()
        .find(|r| r.fiscal_year == year))
}

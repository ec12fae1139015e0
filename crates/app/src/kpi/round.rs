//! The yearly verification round (効果検証) of a plan and fiscal year, step by step: a
//! department enters its analysis (要因分析) and future course (今後の方向性) per indicator and
//! submits its part; the planning office approves or returns it with a comment and sees what is
//! still missing (the completeness board); the expert panel records its rating and remark per
//! indicator and an overall opinion; the planning office answers each remark (対応方針).
//! Publication and re-opening are in [`super::report`].
//!
//! Each step is an action of the permission table; a department editor reaches only the
//! indicators and the part of their own department (`Scope::OwnDepartment`).

use keikaku_domain::PlanId;
use keikaku_domain::audit::Timestamp;
use keikaku_domain::era::FiscalYear;
use keikaku_domain::kpi::{
    FutureCourse, PanelRating, RoundState, RoundStep, SubmissionState, check_text, submission_after,
};
use keikaku_planfile::FileProblem;
use keikaku_storage::{
    AssessmentPart, AssessmentRecord, AssessmentWrite, Author, OpinionWrite, RoundRecord,
    StoreError, SubmissionRecord,
};

use crate::access::{Action, Granted};
use crate::kpi::evaluation::{Evaluation, IndicatorReport, evaluation};
use crate::{AppError, Context};

/// The actions that open a round's pages.
const ROUND_ACTIONS: [Action; 6] = [
    Action::EnterKpiAnalysis,
    Action::SubmitKpiRound,
    Action::ReviewKpiRound,
    Action::AssessKpiRound,
    Action::RespondKpiRemarks,
    Action::PublishKpiRound,
];

/// A department's part of a round, with what is still missing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DepartmentPart {
    /// 所管課.
    pub department: String,
    /// Its state (未提出 when nothing was stored).
    pub state: SubmissionState,
    /// The planning office's comment.
    pub comment: String,
    /// The revision of its stored state (0: none).
    pub revision: i64,
    /// Its indicators (titles) without an actual for the year.
    pub missing_actual: Vec<String>,
    /// Its indicators (titles) without an analysis or a course.
    pub missing_analysis: Vec<String>,
    /// How many indicators it has.
    pub indicators: usize,
}

/// A round as a page shows it.
#[derive(Clone, Debug)]
pub struct RoundView {
    /// The plan's evaluation up to the year, narrowed to what the grant reaches.
    pub evaluation: Evaluation,
    /// The fiscal year verified.
    pub year: FiscalYear,
    /// The round.
    pub round: RoundRecord,
    /// The assessments stored, by indicator.
    pub assessments: Vec<AssessmentRecord>,
    /// Each department reached, with its state and what it still misses.
    pub departments: Vec<DepartmentPart>,
}

impl RoundView {
    /// The stored assessment of an indicator.
    pub fn assessment(&self, indicator: &str) -> Option<&AssessmentRecord> {
        self.assessments
            .iter()
            .find(|a| a.indicator.as_str() == indicator)
    }

    /// A department's part.
    pub fn department(&self, department: &str) -> Option<&DepartmentPart> {
        self.departments.iter().find(|d| d.department == department)
    }

    /// Whether the round is published now.
    pub fn published(&self) -> bool {
        self.round.state == RoundState::Published
    }
}

fn check_round_action(granted: &Granted, allowed: &[Action]) -> Result<(), AppError> {
    if allowed.contains(&granted.action()) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "効果検証のこの操作をする権限がありません。".to_owned(),
        ))
    }
}

/// The round of a plan and year as the grant's holder sees it (a department editor: only
/// their own department's indicators).
pub async fn round(
    cx: &Context<'_>,
    granted: &Granted,
    plan_id: &PlanId,
    year: FiscalYear,
) -> Result<RoundView, AppError> {
    check_round_action(granted, &ROUND_ACTIONS)?;
    view_of(cx, plan_id, year, |department| {
        granted.scope().reaches(granted.user(), Some(department))
    })
    .await
}

/// The round with the indicators whose department `reaches` says (no grant: the callers
/// check it, or are the console's example loading).
pub(crate) async fn view_of(
    cx: &Context<'_>,
    plan_id: &PlanId,
    year: FiscalYear,
    reaches: impl Fn(&str) -> bool,
) -> Result<RoundView, AppError> {
    let mut evaluation = evaluation(cx, plan_id, Some(year)).await?;
    if !evaluation.years.contains(&year) {
        return Err(AppError::NotFound(format!(
            "{}は計画期間の外です。",
            keikaku_domain::format::fiscal_year(year)
        )));
    }
    evaluation.retain(|r| reaches(&r.department));
    let data = cx.store.round(cx.municipality, plan_id, year).await?;
    let departments = departments_of(&evaluation, year, &data.assessments, &data.submissions);
    Ok(RoundView {
        evaluation,
        year,
        round: data.round,
        assessments: data.assessments,
        departments,
    })
}

fn departments_of(
    evaluation: &Evaluation,
    year: FiscalYear,
    assessments: &[AssessmentRecord],
    submissions: &[SubmissionRecord],
) -> Vec<DepartmentPart> {
    let mut out: Vec<DepartmentPart> = Vec::new();
    for r in &evaluation.indicators {
        let name = if r.department.trim().is_empty() {
            "（所管課なし）".to_owned()
        } else {
            r.department.clone()
        };
        let index = if let Some(i) = out.iter().position(|d| d.department == name) {
            i
        } else {
            let stored = submissions.iter().find(|s| s.department == name);
            out.push(DepartmentPart {
                department: name,
                state: stored.map_or(SubmissionState::Draft, |s| s.state),
                comment: stored.map(|s| s.comment.clone()).unwrap_or_default(),
                revision: stored.map_or(0, |s| s.revision),
                missing_actual: Vec::new(),
                missing_analysis: Vec::new(),
                indicators: 0,
            });
            out.len() - 1
        };
        let part = &mut out[index];
        part.indicators += 1;
        if r.value(year).and_then(|v| v.actual).is_none() {
            part.missing_actual.push(r.indicator.title.clone());
        }
        let a = assessments.iter().find(|a| a.indicator == r.indicator.id);
        if a.is_none_or(|a| a.analysis.trim().is_empty() || a.course.is_none()) {
            part.missing_analysis.push(r.indicator.title.clone());
        }
    }
    out
}

/// The department's part of one indicator, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AnalysisInput {
    /// The indicator's id.
    pub indicator: String,
    /// 要因分析.
    pub analysis: String,
    /// 今後の方向性 as its code (blank: not chosen).
    pub course: String,
    /// The assessment's revision when the form was opened (blank or 0: none).
    pub revision: String,
}

/// The panel's part of one indicator, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PanelInput {
    /// The indicator's id.
    pub indicator: String,
    /// 委員評価 as its code (blank: not chosen).
    pub rating: String,
    /// 指摘事項.
    pub remark: String,
    /// The revision when the form was opened.
    pub revision: String,
}

/// The city's response to one remark, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResponseInput {
    /// The indicator's id.
    pub indicator: String,
    /// 対応方針.
    pub response: String,
    /// The revision when the form was opened.
    pub revision: String,
}

fn author(granted: &Granted, at: Timestamp) -> Author {
    Author {
        actor: granted.user().login_id.to_string(),
        at,
    }
}

fn revision(id: &str, text: &str, name: &str, problems: &mut Vec<FileProblem>) -> i64 {
    crate::forms::parse_revision(text)
        .unwrap_or_else(|crate::forms::BadRevision| {
            problems.push(FileProblem {
                path: format!("{id}.revision"),
                message: format!("{name}: 版の番号「{}」が不正です。", text.trim()),
            });
            None
        })
        .unwrap_or(0)
}

fn stale_message(e: StoreError) -> AppError {
    match e {
        StoreError::Stale(what) if what == "round" => AppError::Conflict(
            "この年度の効果検証は公表済みです。変更するには、企画担当が検証を再開してください。"
                .to_owned(),
        ),
        StoreError::Stale(_) => AppError::Conflict(
            "あなたが画面を開いた後に、ほかの人がこの内容を変更しています。入力は保存されていません。画面を開き直して、もう一度入力してください。".to_owned(),
        ),
        other => other.into(),
    }
}

/// Where the overall opinion's problems are reported (`$opinion.opinion`, `$opinion.revision`):
/// no element id can be it, so an indicator's problems never land on the opinion.
pub const OPINION: &str = "$opinion";

/// The indicator of an input, once: an unknown (or unreachable) one and one named a second
/// time in the same write are problems.
fn find<'a>(
    view: &'a RoundView,
    id: &str,
    seen: &mut std::collections::HashSet<String>,
    problems: &mut Vec<FileProblem>,
) -> Option<&'a IndicatorReport> {
    if !seen.insert(id.to_owned()) {
        problems.push(FileProblem {
            path: format!("{id}.indicator"),
            message: format!("指標「{id}」が2回あります。1回にまとめてください。"),
        });
        return None;
    }
    let found = view.evaluation.indicator(id);
    if found.is_none() {
        problems.push(FileProblem {
            path: format!("{id}.indicator"),
            message: format!("指標「{id}」はこの計画にないか、あなたの担当ではありません。"),
        });
    }
    found
}

fn checked(
    id: &str,
    field: &str,
    label: &str,
    text: &str,
    problems: &mut Vec<FileProblem>,
) -> String {
    check_text(label, text).unwrap_or_else(|message| {
        problems.push(FileProblem {
            path: format!("{id}.{field}"),
            message,
        });
        String::new()
    })
}

/// Saves a department's analyses and courses (`EnterKpiAnalysis`), all or nothing: only
/// indicators the grant reaches, only while the department's part is 未提出 or 差戻し and the
/// round is open.
pub async fn save_analyses(
    cx: &Context<'_>,
    granted: &Granted,
    plan_id: &PlanId,
    year: FiscalYear,
    inputs: &[AnalysisInput],
    at: Timestamp,
) -> Result<Vec<AssessmentRecord>, AppError> {
    check_round_action(granted, &[Action::EnterKpiAnalysis])?;
    let view = round(cx, granted, plan_id, year).await?;
    let mut problems = Vec::new();
    let mut writes = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for input in inputs {
        let id = input.indicator.trim();
        let Some(report) = find(&view, id, &mut seen, &mut problems) else {
            continue;
        };
        let name = &report.indicator.title;
        let department = if report.department.trim().is_empty() {
            "（所管課なし）"
        } else {
            &report.department
        };
        if let Some(part) = view.department(department)
            && !part.state.editable()
        {
            problems.push(FileProblem {
                path: format!("{id}.analysis"),
                message: format!(
                    "{name}: {}の提出は「{}」のため変更できません。",
                    part.department,
                    part.state.label()
                ),
            });
            continue;
        }
        let analysis = checked(
            id,
            "analysis",
            &format!("{name}の要因分析"),
            &input.analysis,
            &mut problems,
        );
        let course = match input.course.trim() {
            "" => None,
            c => FutureCourse::from_code(c).or_else(|| {
                problems.push(FileProblem {
                    path: format!("{id}.course"),
                    message: format!("{name}の今後の方向性: 「{c}」は選択肢にありません。"),
                });
                None
            }),
        };
        let expected = revision(id, &input.revision, name, &mut problems);
        writes.push(AssessmentWrite {
            indicator: report.indicator.id.clone(),
            part: AssessmentPart::Department {
                analysis,
                course,
                department: department.to_owned(),
            },
            expected,
        });
    }
    save(cx, granted, &view, &writes, None, problems, at).await
}

async fn save(
    cx: &Context<'_>,
    granted: &Granted,
    view: &RoundView,
    writes: &[AssessmentWrite],
    opinion: Option<&OpinionWrite>,
    problems: Vec<FileProblem>,
    at: Timestamp,
) -> Result<Vec<AssessmentRecord>, AppError> {
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    if view.published() {
        return Err(stale_message(StoreError::Stale("round".to_owned())));
    }
    cx.store
        .save_assessments(
            cx.municipality,
            view.evaluation.plan.id(),
            view.year,
            writes,
            opinion,
            &author(granted, at),
        )
        .await
        .map_err(stale_message)
}

/// Saves the panel's ratings and remarks (`AssessKpiRound`) and, when given, the overall
/// opinion with the round's revision the form was opened at — in one write: all of it or
/// nothing.
pub async fn save_panel(
    cx: &Context<'_>,
    granted: &Granted,
    plan_id: &PlanId,
    year: FiscalYear,
    inputs: &[PanelInput],
    opinion: Option<(&str, &str)>,
    at: Timestamp,
) -> Result<(), AppError> {
    check_round_action(granted, &[Action::AssessKpiRound])?;
    let view = round(cx, granted, plan_id, year).await?;
    let mut problems = Vec::new();
    let mut writes = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for input in inputs {
        let id = input.indicator.trim();
        let Some(report) = find(&view, id, &mut seen, &mut problems) else {
            continue;
        };
        let name = &report.indicator.title;
        let remark = checked(
            id,
            "remark",
            &format!("{name}の指摘事項"),
            &input.remark,
            &mut problems,
        );
        let rating = match input.rating.trim() {
            "" => None,
            c => PanelRating::from_code(c).or_else(|| {
                problems.push(FileProblem {
                    path: format!("{id}.rating"),
                    message: format!("{name}の委員評価: 「{c}」は選択肢にありません。"),
                });
                None
            }),
        };
        let expected = revision(id, &input.revision, name, &mut problems);
        writes.push(AssessmentWrite {
            indicator: report.indicator.id.clone(),
            part: AssessmentPart::Panel { rating, remark },
            expected,
        });
    }
    let opinion = opinion.map(|(text, rev)| OpinionWrite {
        text: checked(OPINION, "opinion", "総合意見", text, &mut problems),
        expected: revision(OPINION, rev, "総合意見", &mut problems),
    });
    // One write: a stale opinion leaves the remarks beside it unwritten, and a stale remark the
    // opinion.
    save(cx, granted, &view, &writes, opinion.as_ref(), problems, at).await?;
    Ok(())
}

/// Saves the city's responses to the panel's remarks (`RespondKpiRemarks`).
pub async fn save_responses(
    cx: &Context<'_>,
    granted: &Granted,
    plan_id: &PlanId,
    year: FiscalYear,
    inputs: &[ResponseInput],
    at: Timestamp,
) -> Result<Vec<AssessmentRecord>, AppError> {
    check_round_action(granted, &[Action::RespondKpiRemarks])?;
    let view = round(cx, granted, plan_id, year).await?;
    let mut problems = Vec::new();
    let mut writes = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for input in inputs {
        let id = input.indicator.trim();
        let Some(report) = find(&view, id, &mut seen, &mut problems) else {
            continue;
        };
        let name = &report.indicator.title;
        let response = checked(
            id,
            "response",
            &format!("{name}の対応方針"),
            &input.response,
            &mut problems,
        );
        let expected = revision(id, &input.revision, name, &mut problems);
        writes.push(AssessmentWrite {
            indicator: report.indicator.id.clone(),
            part: AssessmentPart::Response { response },
            expected,
        });
    }
    save(cx, granted, &view, &writes, None, problems, at).await
}

/// Moves a department's part by a step: `Submit` (`SubmitKpiRound`, a department editor
/// only their own), `Approve` or `Return` (`ReviewKpiRound`; a return needs a comment).
/// `revision` is the part's revision the page was opened at. Returns the new state.
#[allow(clippy::too_many_arguments)] // the round's key, the department, the step and its check
pub async fn move_department(
    cx: &Context<'_>,
    granted: &Granted,
    plan_id: &PlanId,
    year: FiscalYear,
    department: &str,
    step: RoundStep,
    comment: &str,
    revision: i64,
    at: Timestamp,
) -> Result<SubmissionState, AppError> {
    let action = match step {
        RoundStep::Submit => Action::SubmitKpiRound,
        RoundStep::Approve | RoundStep::Return => Action::ReviewKpiRound,
        RoundStep::Publish | RoundStep::Reopen => {
            return Err(AppError::Conflict(format!(
                "「{}」は課の提出には使えません。",
                step.label()
            )));
        }
    };
    check_round_action(granted, &[action])?;
    let view = round(cx, granted, plan_id, year).await?;
    let Some(part) = view.department(department.trim()) else {
        return Err(AppError::NotFound(format!(
            "「{}」は、この計画のあなたが担当する所管課ではありません。",
            department.trim()
        )));
    };
    let next = submission_after(view.round.state, part.state, step).map_err(AppError::Conflict)?;
    let comment = check_text("コメント", comment).map_err(|message| {
        AppError::Invalid(vec![FileProblem {
            path: "comment".to_owned(),
            message,
        }])
    })?;
    if step == RoundStep::Return && comment.trim().is_empty() {
        return Err(AppError::Invalid(vec![FileProblem {
            path: "comment".to_owned(),
            message: "差戻しの理由（コメント）を入力してください。".to_owned(),
        }]));
    }
    let comment = if step == RoundStep::Submit {
        String::new()
    } else {
        comment
    };
    cx.store
        .save_submission(
            cx.municipality,
            plan_id,
            year,
            &part.department,
            next,
            &comment,
            revision,
            &author(granted, at),
        )
        .await
        .map_err(stale_message)?;
    Ok(next)
}

//! Each department's part of an edition: 提出 by the department (`SubmitPrograms`, only its
//! own), 承認 or 差戻し with a comment by the planning office (`ReviewPrograms`), and the board
//! of every department's state.

use keikaku_domain::audit::Timestamp;
use keikaku_domain::era::FiscalYear;
use keikaku_domain::kpi::check_text;
use keikaku_domain::program::{EditionStep, SubmissionState, part_after};
use keikaku_planfile::FileProblem;
use keikaku_storage::{Author, ProgramRecord, SubmissionRecord};

use super::editions::{check_action, refusal, view};
use crate::access::{Action, Authority, Granted};
use crate::{AppError, Context};

/// A department's part of an edition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartView {
    /// 所管課.
    pub department: String,
    /// Its state (未提出 when nothing is stored).
    pub state: SubmissionState,
    /// The planning office's comment (a return's reason).
    pub comment: String,
    /// The revision of its stored state (0: none).
    pub revision: i64,
    /// How many programs it has in the edition.
    pub programs: usize,
    /// Who changed the state last (empty: nobody).
    pub updated_by: String,
    /// When, if ever.
    pub updated_at: Option<Timestamp>,
}

/// Every department with programs (in the order of the programs, by code) and then those with
/// only a stored part, each with its state.
pub(crate) fn parts_of(programs: &[ProgramRecord], stored: &[SubmissionRecord]) -> Vec<PartView> {
    let mut out: Vec<PartView> = Vec::new();
    let add = |department: &str, out: &mut Vec<PartView>| -> usize {
        if let Some(i) = out.iter().position(|p| p.department == department) {
            return i;
        }
        let s = stored.iter().find(|s| s.department == department);
        out.push(PartView {
            department: department.to_owned(),
            state: s.map_or(SubmissionState::Draft, |s| s.state),
            comment: s.map(|s| s.comment.clone()).unwrap_or_default(),
            revision: s.map_or(0, |s| s.revision),
            programs: 0,
            updated_by: s.map(|s| s.updated_by.clone()).unwrap_or_default(),
            updated_at: s.map(|s| s.updated_at),
        });
        out.len() - 1
    };
    for p in programs {
        let i = add(p.program.department.trim(), &mut out);
        out[i].programs += 1;
    }
    for s in stored {
        add(&s.department, &mut out);
    }
    out
}

/// Moves a department's part by a step: 提出 (`SubmitPrograms`; a department editor only their
/// own), 承認 or 差戻し (`ReviewPrograms`; a return needs a comment). `revision` is the part's
/// revision the page was opened at. Returns the new state.
#[allow(clippy::too_many_arguments)] // the edition, the department, the step and its check
pub async fn move_part(
    cx: &Context<'_>,
    granted: &Granted,
    made_in: FiscalYear,
    department: &str,
    step: EditionStep,
    comment: &str,
    revision: &str,
    at: Timestamp,
) -> Result<SubmissionState, AppError> {
    let action = match step {
        EditionStep::Submit => Action::SubmitPrograms,
        EditionStep::Approve | EditionStep::Return => Action::ReviewPrograms,
        EditionStep::Fix | EditionStep::Unfix | EditionStep::Publish => {
            return Err(AppError::Conflict(format!(
                "「{}」は版全体の操作です。課の提出には使えません。",
                step.label()
            )));
        }
    };
    check_action(granted, &[action])?;
    let department = department.trim();
    if !granted.reaches(Some(department)) {
        return Err(AppError::Forbidden(format!(
            "「{department}」の事業を提出する権限がありません（自分の課の事業だけを提出できます）。"
        )));
    }
    let current = view(cx, made_in, Vec::new()).await?;
    let Some(part) = current.part(department) else {
        return Err(AppError::NotFound(format!(
            "「{department}」の事業はこの版にありません。"
        )));
    };
    let expected = crate::forms::parse_revision(revision)
        .map_err(|crate::forms::BadRevision| invalid("revision", "版の番号が不正です。"))?
        .unwrap_or(0);
    let next = part_after(current.edition.state, part.state, step).map_err(AppError::Conflict)?;
    let comment = check_text("コメント", comment).map_err(|m| invalid("comment", &m))?;
    if step == EditionStep::Return && comment.trim().is_empty() {
        return Err(invalid(
            "comment",
            "差戻しの理由（コメント）を入力してください。",
        ));
    }
    let comment = if step == EditionStep::Submit {
        String::new()
    } else {
        comment
    };
    let author = Author {
        actor: granted.actor(),
        at,
    };
    cx.store
        .save_part(
            cx.municipality,
            made_in,
            department,
            next,
            &comment,
            expected,
            &author,
        )
        .await
        .map_err(|e| refusal(e, made_in))?;
    Ok(next)
}

fn invalid(path: &str, message: &str) -> AppError {
    AppError::Invalid(vec![FileProblem {
        path: path.to_owned(),
        message: message.to_owned(),
    }])
}

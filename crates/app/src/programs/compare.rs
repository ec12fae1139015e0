//! Two editions side by side, and one program across the editions that hold it.

use keikaku_domain::Plan;
use keikaku_domain::era::FiscalYear;
use keikaku_domain::format;
use keikaku_domain::program::{EditionDiff, EditionState, ProgramCode, diff};
use keikaku_storage::{EditionRecord, ProgramRecord};

use super::editions::{EditionView, READ_ACTIONS, check_action, published_edition, view};
use crate::access::{Authority, Granted};
use crate::{AppError, Context};

/// Who is looking: the public (published editions only, placed in the published plans) or
/// staff (every edition, placed in the working copies).
#[derive(Clone, Copy, Debug)]
pub enum Viewer<'a> {
    /// The public site and API, with the plans as published.
    Public(&'a [Plan]),
    /// A staff member holding one of the actions that read editions.
    Staff(&'a Granted),
}

impl Viewer<'_> {
    async fn edition(
        &self,
        cx: &Context<'_>,
        made_in: FiscalYear,
    ) -> Result<EditionView, AppError> {
        match self {
            Self::Public(plans) => published_edition(cx, plans, made_in).await,
            Self::Staff(granted) => {
                check_action(*granted, &READ_ACTIONS)?;
                let mut v = view(cx, made_in, crate::stored_plans(cx).await?).await?;
                v.narrow(*granted);
                Ok(v)
            }
        }
    }
}

/// Two editions and what changed from the older to the newer.
#[derive(Clone, Debug)]
pub struct Comparison {
    /// The older edition.
    pub old: EditionView,
    /// The newer edition.
    pub new: EditionView,
    /// What changed.
    pub diff: EditionDiff,
}

/// Compares two editions the viewer may see, the older with the newer (whatever their order
/// here): programs added in the newer, ended since the older, and changed.
pub async fn compare(
    cx: &Context<'_>,
    viewer: Viewer<'_>,
    from: FiscalYear,
    to: FiscalYear,
) -> Result<Comparison, AppError> {
    if from == to {
        return Err(AppError::Invalid(vec![keikaku_planfile::FileProblem {
            path: "from".to_owned(),
            message: format!(
                "同じ版（{}版）どうしは比べられません。",
                format::fiscal_year(from)
            ),
        }]));
    }
    // The older edition is always the one compared from: what the newer added and ended.
    let (from, to) = if from < to { (from, to) } else { (to, from) };
    let old = viewer.edition(cx, from).await?;
    let new = viewer.edition(cx, to).await?;
    let diff = diff(&old.domain(), &new.domain());
    Ok(Comparison { old, new, diff })
}

/// A program in every edition that holds it and the viewer may see, the oldest first.
pub async fn program_history(
    cx: &Context<'_>,
    viewer: Viewer<'_>,
    code: &str,
) -> Result<Vec<(EditionRecord, ProgramRecord)>, AppError> {
    let not_found = || AppError::NotFound(format!("事業「{}」はありません。", code.trim()));
    let code = ProgramCode::parse(code).map_err(|_| not_found())?;
    if let Viewer::Staff(granted) = viewer {
        check_action(granted, &READ_ACTIONS)?;
    }
    let mut history = cx.store.program_history(cx.municipality, &code).await?;
    match viewer {
        Viewer::Public(_) => history.retain(|(e, _)| e.state == EditionState::Published),
        Viewer::Staff(granted) => {
            history.retain(|(_, p)| granted.reaches(Some(p.program.department.trim())));
        }
    }
    if history.is_empty() {
        return Err(not_found());
    }
    Ok(history)
}

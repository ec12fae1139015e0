//! Editions of the 実施計画: listing them, one edition as pages and the API show it, opening
//! one (empty, or by rolling the last), its settings and fiscal frames, and the edition's own
//! steps (確定, 確定の取消し, 公表) — the planning office's (`ManageEditions`).

use keikaku_domain::audit::Timestamp;
use keikaku_domain::era::FiscalYear;
use keikaku_domain::format::{self, Rounding};
use keikaku_domain::program::{
    Edition, EditionState, EditionStep, Frame, Places, RolledProgram, Yen, edition_after,
};
use keikaku_domain::{Plan, PlanId, PlanKind};
use keikaku_planfile::FileProblem;
use keikaku_storage::{
    Author, EditionChange, EditionRecord, EditionSummary, ProgramRecord, StoreError,
};

use super::entry::parse_thousands;
use super::review::{PartView, parts_of};
use crate::access::{Action, Authority, require};
use crate::{AppError, Context};

/// The actions whose holders may read editions being made (the staff pages).
pub(crate) const READ_ACTIONS: [Action; 6] = [
    Action::ReadPrograms,
    Action::ReadDrafts,
    Action::EditPrograms,
    Action::SubmitPrograms,
    Action::ReviewPrograms,
    Action::ManageEditions,
];

/// One edition with everything its pages show.
#[derive(Clone, Debug)]
pub struct EditionView {
    /// The edition's row.
    pub edition: EditionRecord,
    /// Its programs, by code.
    pub programs: Vec<ProgramRecord>,
    /// Every department with programs or a stored part, with its state and what it misses.
    pub parts: Vec<PartView>,
    /// The fiscal frames.
    pub frames: Vec<Frame>,
    /// The city's plans the programs are placed in (working copies for staff, the published
    /// versions for the public).
    pub plans: Vec<Plan>,
    /// Whether it is narrowed to one department's programs (a department editor's view): its
    /// totals are that department's, not the city's.
    pub narrowed: bool,
}

impl EditionView {
    /// The fiscal year the edition is made in.
    pub fn made_in(&self) -> FiscalYear {
        self.edition.made_in
    }

    /// The three fiscal years it covers.
    pub fn covers(&self) -> [FiscalYear; 3] {
        covers(self.edition.made_in)
    }

    /// The rounding rule of its 千円 columns.
    pub fn rounding(&self) -> Rounding {
        self.edition.rounding
    }

    /// The programs as the domain's edition.
    pub fn domain(&self) -> Edition {
        Edition {
            made_in: self.edition.made_in,
            programs: self.programs.iter().map(|p| p.program.clone()).collect(),
        }
    }

    /// Where each program sits in the plans.
    pub fn places(&self) -> Places<'_> {
        Places::new(&self.plans, &self.edition.plan)
    }

    /// The basis plan, when it is stored.
    pub fn basis(&self) -> Option<&Plan> {
        self.plans.iter().find(|p| p.id() == &self.edition.plan)
    }

    /// A program by its code.
    pub fn program(&self, code: &str) -> Option<&ProgramRecord> {
        self.programs
            .iter()
            .find(|p| p.program.code.as_str() == code.trim())
    }

    /// A department's part.
    pub fn part(&self, department: &str) -> Option<&PartView> {
        self.parts
            .iter()
            .find(|p| p.department == department.trim())
    }

    /// 「令和7年度（2025年度）版」: how pages and sheets name the edition.
    pub fn title(&self) -> String {
        title(self.edition.made_in)
    }

    /// 「令和8年度〜令和10年度（2026〜2028年度）」: the years it covers.
    pub fn period(&self) -> String {
        period(self.edition.made_in)
    }

    /// Whether programs may change now.
    pub fn editable(&self) -> bool {
        self.edition.state.editable()
    }

    /// Keeps only the programs, parts and departments' frames `authority` reaches (everything
    /// for the operator and the planning office; a department editor's own).
    pub(crate) fn narrow(&mut self, authority: &impl Authority) {
        self.narrowed = authority.own_department().is_some();
        self.programs
            .retain(|p| authority.reaches(Some(p.program.department.trim())));
        self.parts
            .retain(|p| authority.reaches(Some(&p.department)));
        self.frames.retain(|f| {
            authority.reaches(Some(f.department.trim()))
                || (f.department.trim().is_empty() && authority.reaches(None))
        });
    }
}

/// The three fiscal years an edition made in `made_in` covers.
pub fn covers(made_in: FiscalYear) -> [FiscalYear; 3] {
    Edition {
        made_in,
        programs: Vec::new(),
    }
    .covers()
}

/// 「令和7年度（2025年度）版」: how pages and sheets name the edition made in `made_in`.
pub fn title(made_in: FiscalYear) -> String {
    format!("{}版", format::fiscal_year(made_in))
}

/// 「令和8年度〜令和10年度（2026〜2028年度）」: the years an edition covers, without nested
/// brackets.
pub fn period(made_in: FiscalYear) -> String {
    use keikaku_domain::era::YearStyle;
    let [first, _, last] = covers(made_in);
    format!(
        "{}〜{}（{}〜{}年度）",
        first.format(YearStyle::Wareki),
        last.format(YearStyle::Wareki),
        first.year(),
        last.year()
    )
}

fn author(authority: &impl Authority, at: Timestamp) -> Author {
    Author {
        actor: authority.actor(),
        at,
    }
}

/// Refuses an authority that covers none of `allowed`.
pub(crate) fn check_action(authority: &impl Authority, allowed: &[Action]) -> Result<(), AppError> {
    if allowed.iter().any(|a| authority.allows(*a)) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "実施計画のこの操作をする権限がありません。".to_owned(),
        ))
    }
}

fn not_found(made_in: FiscalYear) -> AppError {
    AppError::NotFound(format!(
        "{}版の実施計画はありません。",
        format::fiscal_year(made_in)
    ))
}

/// What a storage refusal means for the user of an edition.
pub(crate) fn refusal(e: StoreError, made_in: FiscalYear) -> AppError {
    match e {
        StoreError::Stale(what) if what == "edition" => AppError::Conflict(format!(
            "{}版の実施計画は、あなたが画面を開いた後に変更されたか、作成中ではなくなっています。入力は保存されていません。画面を開き直してください。",
            format::fiscal_year(made_in)
        )),
        StoreError::Stale(what) if what == "parts" => {
            AppError::Conflict("承認されていない課があるため、確定できません。".to_owned())
        }
        StoreError::Stale(what) => AppError::Conflict(format!(
            "「{what}」は、あなたが画面を開いた後にほかの人が変更しています（提出済みになった場合を含みます）。入力は保存されていません。画面を開き直して、もう一度入力してください。"
        )),
        other => other.into(),
    }
}

/// Every edition of the municipality, drafts included, the newest first (staff).
pub async fn editions(
    cx: &Context<'_>,
    authority: &impl Authority,
) -> Result<Vec<EditionSummary>, AppError> {
    check_action(authority, &READ_ACTIONS)?;
    Ok(cx.store.editions(cx.municipality).await?)
}

/// The comprehensive plans an edition may be based on (id, title), in display order.
pub async fn basis_plans(
    cx: &Context<'_>,
    authority: &impl Authority,
) -> Result<Vec<(PlanId, String)>, AppError> {
    check_action(authority, &READ_ACTIONS)?;
    Ok(cx
        .store
        .plan_summaries(cx.municipality)
        .await?
        .into_iter()
        .filter(|s| s.kind == PlanKind::Comprehensive)
        .map(|s| (s.header.id, s.header.title))
        .collect())
}

/// The published editions, the newest first (the public site and API).
pub async fn published_editions(cx: &Context<'_>) -> Result<Vec<EditionSummary>, AppError> {
    let mut all = cx.store.editions(cx.municipality).await?;
    all.retain(|e| e.edition.state == EditionState::Published);
    Ok(all)
}

/// One edition as staff see it (any state), placed in the plans' working copies, narrowed to
/// the programs and parts of the departments the authority reaches (a department editor: their
/// own).
pub async fn edition(
    cx: &Context<'_>,
    authority: &impl Authority,
    made_in: FiscalYear,
) -> Result<EditionView, AppError> {
    check_action(authority, &READ_ACTIONS)?;
    let plans = crate::stored_plans(cx).await?;
    let mut view = view(cx, made_in, plans).await?;
    view.narrow(authority);
    Ok(view)
}

/// One published edition, placed in the plans as published (`plans`, the public site's);
/// editions not published are not found.
pub async fn published_edition(
    cx: &Context<'_>,
    plans: &[Plan],
    made_in: FiscalYear,
) -> Result<EditionView, AppError> {
    let view = view(cx, made_in, plans.to_vec()).await?;
    if view.edition.state == EditionState::Published {
        Ok(view)
    } else {
        Err(not_found(made_in))
    }
}

/// The edition with its parts, any state (the callers decide who sees it).
pub(crate) async fn view(
    cx: &Context<'_>,
    made_in: FiscalYear,
    plans: Vec<Plan>,
) -> Result<EditionView, AppError> {
    let data = cx
        .store
        .edition(cx.municipality, made_in)
        .await?
        .ok_or_else(|| not_found(made_in))?;
    let parts = parts_of(&data.programs, &data.parts);
    Ok(EditionView {
        edition: data.edition,
        programs: data.programs,
        parts,
        frames: data.frames,
        plans,
        narrowed: false,
    })
}

/// Checks that `plan` names a stored comprehensive plan (the basis of an edition).
async fn basis_plan(cx: &Context<'_>, plan: &str) -> Result<PlanId, AppError> {
    let invalid = |message: String| {
        AppError::Invalid(vec![FileProblem {
            path: "plan".to_owned(),
            message,
        }])
    };
    let id = PlanId::parse(plan.trim()).map_err(|e| invalid(e.0))?;
    match cx.store.plan(cx.municipality, &id).await? {
        Some(p) if p.kind() == PlanKind::Comprehensive => Ok(id),
        Some(p) => Err(invalid(format!(
            "計画「{}」は総合計画ではありません。実施計画の施策は総合計画から選びます。",
            p.header().title
        ))),
        None => Err(invalid(format!("計画「{id}」はありません。"))),
    }
}

/// The fiscal years an edition may be made in: from 平成元年度 to 2200.
const MADE_IN: std::ops::RangeInclusive<i32> = 1989..=2200;

fn check_made_in(made_in: FiscalYear, path: &str) -> Result<(), AppError> {
    if MADE_IN.contains(&made_in.year()) {
        Ok(())
    } else {
        Err(AppError::Invalid(vec![FileProblem {
            path: path.to_owned(),
            message: format!(
                "作成年度は{}年度から{}年度までです（{}）。",
                MADE_IN.start(),
                MADE_IN.end(),
                format::fiscal_year(made_in)
            ),
        }]))
    }
}

/// Removes an edition being made (作成中), with its programs: a roll made too early, or an
/// edition opened by mistake. `revision` is the edition's as the page showed it.
pub async fn delete_edition(
    cx: &Context<'_>,
    authority: &impl Authority,
    made_in: FiscalYear,
    revision: &str,
    at: Timestamp,
) -> Result<(), AppError> {
    require(authority, Action::ManageEditions)?;
    let expected = revision_of(revision)?;
    let current = view(cx, made_in, Vec::new()).await?;
    if !current.editable() {
        return Err(AppError::Conflict(format!(
            "{}の実施計画は「{}」のため、削除できません。",
            current.title(),
            current.edition.state.label()
        )));
    }
    cx.store
        .delete_edition(cx.municipality, made_in, expected, &author(authority, at))
        .await
        .map_err(|e| refusal(e, made_in))
}

/// Opens a new, empty edition made in `made_in` (the first one, or one that is not rolled).
pub async fn create_edition(
    cx: &Context<'_>,
    authority: &impl Authority,
    made_in: FiscalYear,
    plan: &str,
    rounding: Rounding,
    at: Timestamp,
) -> Result<(), AppError> {
    require(authority, Action::ManageEditions)?;
    check_made_in(made_in, "edition")?;
    let plan = basis_plan(cx, plan).await?;
    let record = EditionRecord {
        made_in,
        plan,
        state: EditionState::Draft,
        rounding,
        updated_by: authority.actor(),
        updated_at: at,
        revision: 1,
    };
    cx.store
        .create_edition(cx.municipality, &record, &author(authority, at))
        .await
        .map_err(|e| match e {
            StoreError::Stale(_) => AppError::Conflict(format!(
                "{}版の実施計画は既にあります。",
                format::fiscal_year(made_in)
            )),
            other => other.into(),
        })
}

/// Opens edition N+1 by rolling edition `from` (N), in one transaction: what
/// [`keikaku_domain::program::roll`] says, done by the store. Refused, writing nothing, when N
/// does not exist or N+1 exists already. Returns what happened to each program of N.
pub async fn roll(
    cx: &Context<'_>,
    authority: &impl Authority,
    from: FiscalYear,
    at: Timestamp,
) -> Result<Vec<RolledProgram>, AppError> {
    require(authority, Action::ManageEditions)?;
    check_made_in(from.next(), "from")?;
    let to = from.next();
    cx.store
        .roll_edition(cx.municipality, from, &author(authority, at))
        .await
        .map_err(|e| match e {
            StoreError::Stale(what) if what == "from" => not_found(from),
            StoreError::Stale(_) => AppError::Conflict(format!(
                "{}版の実施計画は既にあります。ローリングは1年度に1回です（{}版から作成済み）。",
                format::fiscal_year(to),
                format::fiscal_year(from)
            )),
            other => other.into(),
        })
}

fn revision_of(text: &str) -> Result<i64, AppError> {
    crate::forms::parse_revision(text)
        .map_err(|crate::forms::BadRevision| {
            AppError::Invalid(vec![FileProblem {
                path: "revision".to_owned(),
                message: format!("版の番号「{}」が不正です。", text.trim()),
            }])
        })
        .map(|r| r.unwrap_or(0))
}

/// Sets the edition's basis plan and rounding rule (作成中 only).
pub async fn save_settings(
    cx: &Context<'_>,
    authority: &impl Authority,
    made_in: FiscalYear,
    plan: &str,
    rounding: &str,
    revision: &str,
    at: Timestamp,
) -> Result<i64, AppError> {
    require(authority, Action::ManageEditions)?;
    let expected = revision_of(revision)?;
    let plan = basis_plan(cx, plan).await?;
    let rounding = Rounding::from_code(rounding.trim()).ok_or_else(|| {
        AppError::Invalid(vec![FileProblem {
            path: "rounding".to_owned(),
            message: format!("端数処理「{}」は選択肢にありません。", rounding.trim()),
        }])
    })?;
    cx.store
        .save_edition(
            cx.municipality,
            made_in,
            &EditionChange::Settings { plan, rounding },
            expected,
            &author(authority, at),
        )
        .await
        .map_err(|e| refusal(e, made_in))
}

/// One fiscal frame as typed: the year, the department (empty: the whole city) and the
/// 一般財源 in 千円 (blank: no frame).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameInput {
    /// The fiscal year.
    pub fiscal_year: FiscalYear,
    /// The department; empty for the whole city.
    pub department: String,
    /// The amount in 千円 as typed.
    pub amount: String,
}

/// One fiscal frame in whole yen, as a script sends it (the API).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameAmount {
    /// The fiscal year.
    pub fiscal_year: FiscalYear,
    /// The department; empty for the whole city.
    pub department: String,
    /// The 一般財源 in yen.
    pub general: Yen,
}

/// What is wrong with a frame: its year (outside the edition), the frame as a whole (given
/// twice) or its amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FrameFault {
    Year,
    Twice,
    Amount,
}

/// The frames of an edition made in `made_in`, each given as its year, its department and its
/// amount as read (`Ok(None)`: no frame; `Err`: why the amount cannot be read): the frames to
/// store, or every problem with the index of the frame, what is wrong and the message.
fn checked_frames(
    made_in: FiscalYear,
    items: Vec<(FiscalYear, String, Result<Option<Yen>, String>)>,
) -> Result<Vec<Frame>, Vec<(usize, FrameFault, String)>> {
    let years = covers(made_in);
    let mut problems = Vec::new();
    let mut frames: Vec<Frame> = Vec::new();
    for (i, (fiscal_year, department, amount)) in items.into_iter().enumerate() {
        let department = department.trim().to_owned();
        let who = if department.is_empty() {
            "市全体".to_owned()
        } else {
            department.clone()
        };
        let label = format!("{}の{who}の枠", format::fiscal_year(fiscal_year));
        if !years.contains(&fiscal_year) {
            problems.push((
                i,
                FrameFault::Year,
                format!("{label}: この版の計画期間の外です。"),
            ));
            continue;
        }
        if frames
            .iter()
            .any(|f| f.fiscal_year == fiscal_year && f.department == department)
        {
            problems.push((i, FrameFault::Twice, format!("{label}が2つあります。")));
            continue;
        }
        match amount {
            Ok(None) => {}
            Ok(Some(general)) if general.is_negative() => {
                problems.push((i, FrameFault::Amount, format!("{label}が負の値です。")));
            }
            Ok(Some(general)) => frames.push(Frame {
                fiscal_year,
                department,
                general,
            }),
            Err(message) => {
                problems.push((i, FrameFault::Amount, format!("{label}: {message}")));
            }
        }
    }
    if problems.is_empty() {
        Ok(frames)
    } else {
        Err(problems)
    }
}

/// Stores every fiscal frame of the edition, replacing those stored, from the revision read.
async fn store_frames(
    cx: &Context<'_>,
    authority: &impl Authority,
    made_in: FiscalYear,
    frames: Vec<Frame>,
    expected: i64,
    at: Timestamp,
) -> Result<i64, AppError> {
    cx.store
        .save_edition(
            cx.municipality,
            made_in,
            &EditionChange::Frames(frames),
            expected,
            &author(authority, at),
        )
        .await
        .map_err(|e| refusal(e, made_in))
}

/// Sets every fiscal frame of the edition (作成中 only), replacing those stored; each problem
/// is reported under `frame.{year}.{department}`.
pub async fn save_frames(
    cx: &Context<'_>,
    authority: &impl Authority,
    made_in: FiscalYear,
    inputs: &[FrameInput],
    revision: &str,
    at: Timestamp,
) -> Result<i64, AppError> {
    require(authority, Action::ManageEditions)?;
    let expected = revision_of(revision)?;
    let items = inputs
        .iter()
        .map(|f| {
            (
                f.fiscal_year,
                f.department.clone(),
                parse_thousands(&f.amount),
            )
        })
        .collect();
    let frames = checked_frames(made_in, items).map_err(|problems| {
        AppError::Invalid(
            problems
                .into_iter()
                .map(|(i, _, message)| FileProblem {
                    path: format!(
                        "frame.{}.{}",
                        inputs[i].fiscal_year.year(),
                        inputs[i].department.trim()
                    ),
                    message,
                })
                .collect(),
        )
    })?;
    store_frames(cx, authority, made_in, frames, expected, at).await
}

/// Sets every fiscal frame of the edition from amounts in yen (作成中 only), replacing those
/// stored — the same rules as [`save_frames`]; each problem is reported under
/// `frames[i].fiscal_year` (a year outside the edition), `frames[i]` (a frame given twice) or
/// `frames[i].general` (a negative amount), `i` the frame's index in `frames`.
pub async fn save_frame_amounts(
    cx: &Context<'_>,
    authority: &impl Authority,
    made_in: FiscalYear,
    frames: &[FrameAmount],
    revision: &str,
    at: Timestamp,
) -> Result<i64, AppError> {
    require(authority, Action::ManageEditions)?;
    let expected = revision_of(revision)?;
    let items = frames
        .iter()
        .map(|f| (f.fiscal_year, f.department.clone(), Ok(Some(f.general))))
        .collect();
    let frames = checked_frames(made_in, items).map_err(|problems| {
        AppError::Invalid(
            problems
                .into_iter()
                .map(|(i, fault, message)| FileProblem {
                    path: match fault {
                        FrameFault::Year => format!("frames[{i}].fiscal_year"),
                        FrameFault::Twice => format!("frames[{i}]"),
                        FrameFault::Amount => format!("frames[{i}].general"),
                    },
                    message,
                })
                .collect(),
        )
    })?;
    store_frames(cx, authority, made_in, frames, expected, at).await
}

/// The edition's own steps: 確定 (every department approved, at least one program),
/// 確定の取消し (back to 作成中 from 確定) and 公表 (from 確定). Returns the new state.
pub async fn change_state(
    cx: &Context<'_>,
    authority: &impl Authority,
    made_in: FiscalYear,
    step: EditionStep,
    revision: &str,
    at: Timestamp,
) -> Result<EditionState, AppError> {
    require(authority, Action::ManageEditions)?;
    let expected = revision_of(revision)?;
    let current = view(cx, made_in, Vec::new()).await?;
    let parts: Vec<(String, keikaku_domain::program::SubmissionState)> = current
        .parts
        .iter()
        .map(|p| (p.department.clone(), p.state))
        .collect();
    let next = edition_after(current.edition.state, step, &parts, current.programs.len())
        .map_err(AppError::Conflict)?;
    cx.store
        .save_edition(
            cx.municipality,
            made_in,
            &EditionChange::State(next),
            expected,
            &author(authority, at),
        )
        .await
        .map_err(|e| refusal(e, made_in))?;
    Ok(next)
}

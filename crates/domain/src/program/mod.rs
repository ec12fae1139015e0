//! The 実施計画 (implementation plan), its pure part: programs (事業) with a code stable
//! across editions, the edition made in FY N covering FY N+1 … N+3, costs per fiscal year in
//! integer yen with the funding identity 事業費 = 国庫支出金 + 県支出金 + 地方債 + その他 +
//! 一般財源 (every part ≥ 0), and the yearly roll of an edition into the next.
//!
//! - `yen` — [`Yen`], an amount in whole yen (never a float), checked arithmetic.
//! - `funding` — [`Funding`], a program's 事業費 and 財源内訳 of one fiscal year, and
//!   [`FundingProblem`]: every way it breaks the identity, with its Japanese message.
//! - `programs` — [`Program`], its [`ProgramCode`], [`ProgramCategory`] (新規 / 継続 / 拡充 /
//!   縮小 / 休止 / 廃止 / 完了), [`Account`] (会計) and [`ExpenseType`] (経費区分).
//! - `edition` — [`Edition`] (the fiscal year it is made in and the years it covers) and
//!   [`roll`]: edition N into N+1.
//! - `diff` — [`diff`]: what changed between two editions (programs added, ended and
//!   changed: 事業区分, texts, and each amount of the years both cover).
//! - `review` — [`EditionState`] (作成中 → 確定 → 公表), the departments' parts
//!   ([`SubmissionState`]) and the steps between them ([`part_after`], [`edition_after`]).
//! - `place` — [`Places`]: where a program sits in the city's plans (goal → field → measure
//!   of the basis plan, priority projects, strategy objectives, outcome indicators).
//! - `totals` — [`YearTotals`] per fiscal year of any set of programs, [`group_totals`], and
//!   the budget guide ([`budget_guide`]: 一般財源 needed against the [`Frame`]s entered).
//!
//! Money is shown in 千円 through [`crate::format::Rounding`] (四捨五入 unless an edition
//! says otherwise), one rounding rule in one place.

mod diff;
mod edition;
mod funding;
mod place;
mod programs;
mod review;
mod totals;
mod yen;

pub use diff::{Amount, AmountChange, EditionDiff, ProgramChange, diff};
pub use edition::{Edition, RolledProgram, roll};
pub use funding::{Funding, FundingPart, FundingProblem};
pub use place::{Place, Places};
pub use programs::{
    Account, Activity, ExpenseType, Program, ProgramCategory, ProgramCode, ProgramProblem,
    ProgramYear,
};
pub use review::{EditionState, EditionStep, SubmissionState, edition_after, part_after};
pub use totals::{BudgetGuide, BudgetLine, Frame, YearTotals, budget_guide, group_totals};
pub use yen::Yen;

//! KPIs and their yearly verification (効果検証) — the place for the pure part of that
//! capability: yearly targets and actuals per indicator and fiscal year (速報値 / 確定値),
//! progress (進捗率 = (A − B) / (T − B) × 100) and achievement (達成率), interim expectations,
//! grade scales per plan and their roll-ups, and the states of a verification round
//! (department → planning office → expert panel → publication).
//!
//! The indicator *definitions* stay part of the plan ([`crate::plan::strategy::Indicator`],
//! versioned with it); what lands here are the yearly values, which live outside the plan's
//! edit path, and the calculations on them, exact decimals and never floats.
//!
//! `values`: the yearly values as stored (速報値 / 確定値, who and when, a version) and
//! `evaluate_year`, which picks the actual and the expectation a year is judged by.
//!
//! Also: `evaluate` (進捗率 and 達成率 of a year, interim expectations, maintain bands,
//! cumulative actuals from yearly amounts or running totals, and the reasons for 評価不能) and
//! `grade` (grade scales with the default A–D and the ◎ ○ △ × preset, and their roll-up).
//!
//! `round`: the verification round of a fiscal year — its states, each department's
//! submission, the allowed steps, 今後の方向性 ([`FutureCourse`]), 委員評価 ([`PanelRating`])
//! and the checks of typed texts.

pub mod evaluate;
pub mod grade;
pub mod round;
pub mod values;

pub use evaluate::{
    Entered, LowerForm, Outcome, RateKind, Reference, Settings, Unevaluable, cumulative_actual,
    evaluate,
};
pub use grade::{Grade, GradeScale, Tally, UNEVALUABLE};
pub use round::{
    FutureCourse, PanelRating, RoundState, RoundStep, SubmissionState, check_text, round_after,
    submission_after,
};
pub use values::{
    MISSING, PlanSettings, ValueState, YearResult, YearlyValue, evaluate_year, latest_actual_year,
    values_by_indicator, values_of,
};

//! Where a plan (or a basic plan) stands in a given fiscal year, as the public site says it:
//! 計画期間前, 計画期間中, 計画期間終了 — and 改定中 when the city is revising the published text.

use crate::era::FiscalYear;
use crate::plan::PlanStatus;

/// Where a span of fiscal years stands in a fiscal year.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// The first year has not come yet.
    NotStarted,
    /// The year lies in the span.
    Current,
    /// The last year has passed.
    Ended,
}

impl Phase {
    /// The phase of `start..=end` in `today`.
    pub fn of(start: FiscalYear, end: FiscalYear, today: FiscalYear) -> Self {
        if today < start {
            Self::NotStarted
        } else if today > end {
            Self::Ended
        } else {
            Self::Current
        }
    }

    /// 「計画期間前」「計画期間中」「計画期間終了」.
    pub fn label(self) -> &'static str {
        match self {
            Self::NotStarted => "計画期間前",
            Self::Current => "計画期間中",
            Self::Ended => "計画期間終了",
        }
    }
}

/// What the public is told about a published plan: its phase, and whether the city is revising
/// it (the working copy is no longer the published one: a draft or under deliberation), in which
/// case the site keeps showing the published text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Standing {
    /// The phase of the plan's period.
    pub phase: Phase,
    /// Whether a revision is under way.
    pub revising: bool,
}

impl Standing {
    /// The standing of a plan whose period is `start..=end` and whose working copy has
    /// `working` status, in the fiscal year `today`. A revision is under way when the working
    /// copy is a draft or under deliberation (an adopted working copy is about to be published).
    pub fn of(start: FiscalYear, end: FiscalYear, working: PlanStatus, today: FiscalYear) -> Self {
        Self {
            phase: Phase::of(start, end, today),
            revising: matches!(
                working,
                PlanStatus::Draft | PlanStatus::UnderDeliberation | PlanStatus::Adopted
            ),
        }
    }

    /// The state in words: 「改定中」 first, since it is what a reader must know before reading on.
    pub fn label(self) -> &'static str {
        if self.revising {
            "改定中"
        } else {
            self.phase.label()
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn fy(y: i32) -> FiscalYear {
        FiscalYear::new(y).unwrap()
    }

    #[test]
    fn phases_at_the_edges_of_the_period() {
        let cases = [
            (2019, Phase::NotStarted),
            (2020, Phase::Current),
            (2024, Phase::Current),
            (2029, Phase::Current),
            (2030, Phase::Ended),
        ];
        for (today, want) in cases {
            assert_eq!(Phase::of(fy(2020), fy(2029), fy(today)), want, "{today}");
        }
    }

    #[test]
    fn a_revision_is_said_before_the_phase() {
        let cases = [
            (PlanStatus::Published, 2025, "計画期間中"),
            (PlanStatus::Published, 2031, "計画期間終了"),
            (PlanStatus::Published, 2018, "計画期間前"),
            (PlanStatus::Draft, 2025, "改定中"),
            (PlanStatus::UnderDeliberation, 2031, "改定中"),
            (PlanStatus::Adopted, 2025, "改定中"),
        ];
        for (status, today, want) in cases {
            let s = Standing::of(fy(2020), fy(2029), status, fy(today));
            assert_eq!(s.label(), want, "{status:?} {today}");
        }
    }
}

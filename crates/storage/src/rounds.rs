//! The yearly verification round (効果検証) of a plan and fiscal year: the round's state and
//! the panel's overall opinion, each department's submission, the assessment of each
//! indicator (the department's analysis and future course, the panel's rating and remark,
//! the city's response), and the reports frozen at each publication.
//!
//! Like the yearly values, rounds reference the municipality, not the plan row (a plan
//! replaced from a plan file keeps its rounds). Every write is one transaction with one audit
//! entry and checks the revision the writer started from (`0`: the writer saw nothing
//! stored); a stale one is [`StoreError::Stale`] and nothing is written.

use async_trait::async_trait;
use keikaku_domain::audit::Timestamp;
use keikaku_domain::era::FiscalYear;
use keikaku_domain::kpi::{FutureCourse, PanelRating, RoundState, SubmissionState};
use keikaku_domain::{ElementId, MunicipalityCode, PlanId};

use crate::{Author, StoreError};

/// A round as stored (a round never written is [`RoundRecord::new`]: open, revision 0).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoundRecord {
    /// The fiscal year verified.
    pub fiscal_year: FiscalYear,
    /// 検証中 or 公表済み.
    pub state: RoundState,
    /// The expert panel's overall opinion (総合意見); may be empty.
    pub opinion: String,
    /// How many times the round's report was published (0: never).
    pub publications: i64,
    /// Grows with every write of the round's row; 0: never written.
    pub revision: i64,
}

impl RoundRecord {
    /// A round nothing was written for yet.
    pub fn new(fiscal_year: FiscalYear) -> Self {
        Self {
            fiscal_year,
            state: RoundState::Open,
            opinion: String::new(),
            publications: 0,
            revision: 0,
        }
    }
}

/// One department's part of a round.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubmissionRecord {
    /// 所管課.
    pub department: String,
    /// Its state.
    pub state: SubmissionState,
    /// The planning office's comment (a return's reason); may be empty.
    pub comment: String,
    /// Who changed it last, and when.
    pub updated_by: String,
    /// When.
    pub updated_at: Timestamp,
    /// Grows with every change.
    pub revision: i64,
}

/// The assessment of one indicator in a round.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssessmentRecord {
    /// The indicator.
    pub indicator: ElementId,
    /// 要因分析 by the department.
    pub analysis: String,
    /// 今後の方向性 by the department.
    pub course: Option<FutureCourse>,
    /// 委員評価.
    pub rating: Option<PanelRating>,
    /// 指摘事項 of the panel.
    pub remark: String,
    /// 対応方針: the city's response to the remark.
    pub response: String,
    /// Who changed it last.
    pub updated_by: String,
    /// When.
    pub updated_at: Timestamp,
    /// Grows with every change.
    pub revision: i64,
}

/// Everything of one round.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoundData {
    /// The round.
    pub round: RoundRecord,
    /// The departments' parts written so far, by department.
    pub submissions: Vec<SubmissionRecord>,
    /// The assessments written so far, by indicator.
    pub assessments: Vec<AssessmentRecord>,
}

/// The part of an assessment a writer changes; the other parts stay as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AssessmentPart {
    /// The department's: 要因分析 and 今後の方向性.
    Department {
        /// 要因分析.
        analysis: String,
        /// 今後の方向性.
        course: Option<FutureCourse>,
        /// The department whose part it is (its submission's key): while that part is
        /// 提出済み or 承認 — read inside the transaction — the write is refused as
        /// `Stale(department)`.
        department: String,
    },
    /// The panel's: 委員評価 and 指摘事項.
    Panel {
        /// 委員評価.
        rating: Option<PanelRating>,
        /// 指摘事項.
        remark: String,
    },
    /// The planning office's: 対応方針.
    Response {
        /// 対応方針.
        response: String,
    },
}

/// One assessment as a writer wants it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssessmentWrite {
    /// The indicator.
    pub indicator: ElementId,
    /// What changes.
    pub part: AssessmentPart,
    /// The revision the writer started from (0: none was stored).
    pub expected: i64,
}

/// The panel's overall opinion (総合意見) as a writer wants it, written together with the
/// panel's assessments ([`RoundStore::save_assessments`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpinionWrite {
    /// The opinion.
    pub text: String,
    /// The round's revision the writer started from (0: never written).
    pub expected: i64,
}

/// A change of the round's own row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RoundChange {
    /// The panel's overall opinion.
    Opinion(String),
    /// Publication: the state becomes 公表済み and the report (the app's frozen text) is
    /// stored as the next publication.
    Publish {
        /// The report as published.
        report: String,
        /// The municipality's data version the report was made from
        /// ([`crate::PlanStore::data_version`], read before the round): anything written
        /// since — a department returned, a remark changed — refuses the publication as
        /// `Stale("report")`, so what is frozen is what is stored. `None`: not checked.
        made_at: Option<i64>,
    },
    /// The round is re-opened (検証中); the published reports stay.
    Reopen,
}

/// One publication of a round's report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportRecord {
    /// The fiscal year.
    pub fiscal_year: FiscalYear,
    /// 1 for the first publication, then 2, …
    pub number: i64,
    /// Who published it.
    pub published_by: String,
    /// When.
    pub published_at: Timestamp,
    /// The report as frozen by the app.
    pub report: String,
}

/// Verification rounds.
#[async_trait]
pub trait RoundStore: Send + Sync {
    /// The round of a plan and year, with its submissions and assessments (a round never
    /// written is open, revision 0, with none).
    async fn round(
        &self,
        municipality: &MunicipalityCode,
        plan: &PlanId,
        year: FiscalYear,
    ) -> Result<RoundData, StoreError>;

    /// Stores every assessment and, when given, the panel's overall opinion — all of them or
    /// nothing, in one transaction (`kpi.round.assessments` and `kpi.round.opinion`, target
    /// `plan/year`). Refused with `Stale("round")` while the round is published,
    /// `Stale(indicator)` for an assessment's stale revision and `Stale("opinion")` for an
    /// opinion changed from a stale round revision. A write equal to what is stored is
    /// skipped (an assessment's revision is still checked; an opinion equal to the stored
    /// one changes nothing and is not checked). Returns the assessments as stored after the
    /// write, in the order of the writes.
    async fn save_assessments(
        &self,
        municipality: &MunicipalityCode,
        plan: &PlanId,
        year: FiscalYear,
        writes: &[AssessmentWrite],
        opinion: Option<&OpinionWrite>,
        author: &Author,
    ) -> Result<Vec<AssessmentRecord>, StoreError>;

    /// Sets a department's state and comment (`kpi.round.submission`), checking `expected`
    /// (0: none stored); refused with `Stale("round")` while the round is published. Returns
    /// the new revision.
    #[allow(clippy::too_many_arguments)] // the key (four parts), the change and its check
    async fn save_submission(
        &self,
        municipality: &MunicipalityCode,
        plan: &PlanId,
        year: FiscalYear,
        department: &str,
        state: SubmissionState,
        comment: &str,
        expected: i64,
        author: &Author,
    ) -> Result<i64, StoreError>;

    /// Changes the round's row (`kpi.round.opinion`, `kpi.round.publish`,
    /// `kpi.round.reopen`), checking `expected`; the opinion is refused with `Stale("round")`
    /// while published. Returns the new revision.
    async fn save_round(
        &self,
        municipality: &MunicipalityCode,
        plan: &PlanId,
        year: FiscalYear,
        change: &RoundChange,
        expected: i64,
        author: &Author,
    ) -> Result<i64, StoreError>;

    /// The latest publication of each year's report of a plan, by fiscal year. Rounds
    /// re-opened since are listed too: the public keeps the text published last.
    async fn published_reports(
        &self,
        municipality: &MunicipalityCode,
        plan: &PlanId,
    ) -> Result<Vec<ReportRecord>, StoreError>;
}

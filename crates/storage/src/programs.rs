//! The 実施計画 (implementation plan): its editions (one per fiscal year it is made in), their
//! programs with 事業費 and 財源内訳 per fiscal year, each department's part of the yearly
//! cycle and the fiscal frames of the budget guide.
//!
//! Editions reference the municipality, not a plan row: the edition names its basis plan by
//! id, and a program's links name plan elements by id, so a fixed edition keeps what it said
//! when the plans are revised. Every write is one transaction with one audit entry
//! (`implementation_plan.*`, target `implementation-plan/N`), checks the revision the writer
//! started from, and is refused as [`StoreError::Stale`] otherwise; nothing is written then.

use async_trait::async_trait;
use keikaku_domain::audit::Timestamp;
use keikaku_domain::era::FiscalYear;
use keikaku_domain::format::Rounding;
use keikaku_domain::program::{
    EditionState, Frame, FundingPart, Program, ProgramCode, RolledProgram, SubmissionState,
};
use keikaku_domain::{MunicipalityCode, PlanId};

use crate::{Author, StoreError, SubmissionRecord};

/// An edition's own row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EditionRecord {
    /// The fiscal year it is made in (N); it covers N+1 … N+3.
    pub made_in: FiscalYear,
    /// The comprehensive plan whose structure the 一覧 follows.
    pub plan: PlanId,
    /// 作成中, 確定 or 公表.
    pub state: EditionState,
    /// How amounts are shown in 千円.
    pub rounding: Rounding,
    /// Who changed it last.
    pub updated_by: String,
    /// When.
    pub updated_at: Timestamp,
    /// Grows with every change of the row (its state, settings or frames).
    pub revision: i64,
}

/// An edition in a list, with how many programs it has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EditionSummary {
    /// The edition's row.
    pub edition: EditionRecord,
    /// How many programs it has.
    pub programs: i64,
}

/// A program as stored in an edition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgramRecord {
    /// The program.
    pub program: Program,
    /// Who changed it last.
    pub updated_by: String,
    /// When.
    pub updated_at: Timestamp,
    /// Grows with every change of the program (its row, years or links).
    pub revision: i64,
}

/// Everything of one edition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EditionData {
    /// The edition's row.
    pub edition: EditionRecord,
    /// Its programs, by code.
    pub programs: Vec<ProgramRecord>,
    /// The departments' parts written so far, by department.
    pub parts: Vec<SubmissionRecord>,
    /// The fiscal frames, by year and department (the city's, `""`, first).
    pub frames: Vec<Frame>,
}

/// One change of an edition's programs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProgramWrite {
    /// The program as it should be stored (its row, every year and every link).
    Save {
        /// The program.
        program: Program,
        /// The revision the writer started from; `None`: the writer adds a program no other
        /// has (a stored one with the code refuses the write).
        expected: Option<i64>,
    },
    /// The program removed from the edition.
    Delete {
        /// Its code.
        code: ProgramCode,
        /// The revision the writer saw.
        expected: i64,
    },
}

impl ProgramWrite {
    /// The code of the program written.
    pub fn code(&self) -> &ProgramCode {
        match self {
            Self::Save { program, .. } => &program.code,
            Self::Delete { code, .. } => code,
        }
    }
}

/// A change of an edition's own row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EditionChange {
    /// A new state (確定, 確定の取消し, 公表).
    State(EditionState),
    /// The basis plan and the rounding rule.
    Settings {
        /// The basis plan.
        plan: PlanId,
        /// The rounding rule.
        rounding: Rounding,
    },
    /// Every fiscal frame of the edition, replacing those stored.
    Frames(Vec<Frame>),
}

/// Editions, programs, parts and frames of the 実施計画.
#[async_trait]
pub trait ProgramStore: Send + Sync {
    /// Every edition of the municipality, the newest first.
    async fn editions(
        &self,
        municipality: &MunicipalityCode,
    ) -> Result<Vec<EditionSummary>, StoreError>;

    /// One edition with its programs, parts and frames.
    async fn edition(
        &self,
        municipality: &MunicipalityCode,
        made_in: FiscalYear,
    ) -> Result<Option<EditionData>, StoreError>;

    /// A program in every edition that holds it, the oldest edition first.
    async fn program_history(
        &self,
        municipality: &MunicipalityCode,
        code: &ProgramCode,
    ) -> Result<Vec<(EditionRecord, ProgramRecord)>, StoreError>;

    /// Stores a new, empty edition (state, author and revision as given are ignored: it is
    /// 作成中, revision 1). Refused with `Stale("edition")` when it exists
    /// (`implementation_plan.create`).
    async fn create_edition(
        &self,
        municipality: &MunicipalityCode,
        edition: &EditionRecord,
        author: &Author,
    ) -> Result<(), StoreError>;

    /// Rolls edition `from` (N) into N+1, in one transaction, as
    /// [`keikaku_domain::program::roll`] specifies: the programs carried keep their codes,
    /// texts, links and the amounts of N+2 and N+3; N+4 starts empty; 新規, 拡充 and 縮小
    /// become 継続; programs that end before N+2, or are 廃止 or 完了, are not carried; the
    /// frames of N+2 and N+3 are carried; the new edition is 作成中 with every department
    /// 未提出; edition N is left as it is. Refused with `Stale("edition")` when N+1 exists,
    /// and `Stale("from")` when N does not (`implementation_plan.roll`). Returns what happened
    /// to each program of N, by code.
    async fn roll_edition(
        &self,
        municipality: &MunicipalityCode,
        from: FiscalYear,
        author: &Author,
    ) -> Result<Vec<RolledProgram>, StoreError>;

    /// Stores every write or none (`implementation_plan.programs`), while the edition is
    /// 作成中 (else `Stale("edition")`). Each write's revision is checked (`Stale(code)`).
    /// With `guard`, the write is refused as `Stale(department)` while that department's part
    /// is 提出済み or 承認 (read in the transaction). A save equal to what is stored is
    /// skipped. Returns the programs as stored after the write, for the saves, in order.
    async fn save_programs(
        &self,
        municipality: &MunicipalityCode,
        made_in: FiscalYear,
        writes: &[ProgramWrite],
        guard: Option<&str>,
        author: &Author,
    ) -> Result<Vec<ProgramRecord>, StoreError>;

    /// Sets a department's part (`implementation_plan.part`), checking `expected` (0: none
    /// stored), while the edition is 作成中 (else `Stale("edition")`). Returns the new
    /// revision.
    #[allow(clippy::too_many_arguments)] // the key (two parts), the change and its check
    async fn save_part(
        &self,
        municipality: &MunicipalityCode,
        made_in: FiscalYear,
        department: &str,
        state: SubmissionState,
        comment: &str,
        expected: i64,
        author: &Author,
    ) -> Result<i64, StoreError>;

    /// Removes an edition being made (作成中) with its programs, parts and frames
    /// (`implementation_plan.delete`), checking `expected`; a fixed or published edition is
    /// refused as `Stale("edition")`.
    async fn delete_edition(
        &self,
        municipality: &MunicipalityCode,
        made_in: FiscalYear,
        expected: i64,
        author: &Author,
    ) -> Result<(), StoreError>;

    /// Changes the edition's row (`implementation_plan.state`, `.settings`, `.frames`),
    /// checking `expected`. A new state of 確定 is refused as `Stale("parts")` when any part
    /// stored is not 承認 (read in the transaction), settings and frames as
    /// `Stale("edition")` unless the edition is 作成中. Returns the new revision.
    async fn save_edition(
        &self,
        municipality: &MunicipalityCode,
        made_in: FiscalYear,
        change: &EditionChange,
        expected: i64,
        author: &Author,
    ) -> Result<i64, StoreError>;
}

/// A program as the audit log shows it: one line per fact, amounts in yen.
pub fn program_text(p: &Program) -> String {
    let year = |y: Option<FiscalYear>| y.map_or_else(|| "-".to_owned(), |y| y.year().to_string());
    let mut lines = vec![
        format!("{} {}", p.code, p.name),
        format!("所管課: {}", p.department),
        format!("事業区分: {}", p.category.label()),
        format!("期間: {}〜{}", p.start_year.year(), year(p.end_year)),
        format!(
            "会計: {} / 経費区分: {}",
            p.account.label(),
            p.expense_type.label()
        ),
        format!("目的: {}", p.purpose.replace('\n', " ")),
        format!("対象: {}", p.target_group.replace('\n', " ")),
        format!("手段: {}", p.means.replace('\n', " ")),
        format!(
            "活動指標: {} ({})",
            p.activity.name.replace('\n', " "),
            p.activity.unit
        ),
        format!(
            "施策など: {}",
            p.links
                .iter()
                .map(|l| format!("{}/{}", l.plan, l.element))
                .collect::<Vec<_>>()
                .join(" ")
        ),
    ];
    for y in &p.years {
        let parts: Vec<String> = FundingPart::ALL
            .iter()
            .map(|part| format!("{}={}", part.code(), y.funding.part(*part).yen()))
            .collect();
        let target = y
            .activity_target
            .map_or_else(|| "-".to_owned(), |t| t.to_string());
        lines.push(format!(
            "{}: cost={} {} activity={}",
            y.fiscal_year.year(),
            y.funding.cost.yen(),
            parts.join(" "),
            target
        ));
    }
    if p.sample {
        lines.push("サンプル".to_owned());
    }
    lines.join("\n")
}

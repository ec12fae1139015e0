//! Yearly values of indicators and each plan's evaluation settings: outside the plan's
//! versioned rows and its draft-only editing, with the same guarantees as every write —
//! optimistic concurrency per cell, one audit entry per save, all or nothing.

use async_trait::async_trait;
use keikaku_domain::era::FiscalYear;
use keikaku_domain::kpi::{PlanSettings, ValueState, YearlyValue};
use keikaku_domain::{ElementId, MunicipalityCode, PlanId};
use rust_decimal::Decimal;

use crate::{Author, StoreError};

/// One cell (indicator × fiscal year) as a writer wants it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueWrite {
    /// The indicator.
    pub indicator: ElementId,
    /// The fiscal year.
    pub fiscal_year: FiscalYear,
    /// The year's target; `None`: none.
    pub target: Option<Decimal>,
    /// The actual; `None`: 未把握.
    pub actual: Option<Decimal>,
    /// 速報値 or 確定値.
    pub state: ValueState,
    /// Note; may be empty.
    pub note: String,
    /// The version of the cell the writer started from; `None`: the writer saw no value.
    pub expected: Option<i64>,
}

impl ValueWrite {
    /// Whether the write leaves nothing in the cell (no target, no actual, no note): the
    /// stored cell is removed.
    pub fn is_empty(&self) -> bool {
        self.target.is_none() && self.actual.is_none() && self.note.trim().is_empty()
    }

    /// Whether the write says what is stored already (then nothing is written for it).
    pub fn matches(&self, stored: &YearlyValue) -> bool {
        self.target == stored.target
            && self.actual == stored.actual
            && self.state == stored.state
            && self.note == stored.note
    }
}

/// Yearly values and evaluation settings.
#[async_trait]
pub trait KpiStore: Send + Sync {
    /// Every stored value of a plan's indicators, by indicator and fiscal year. Values of
    /// indicators the plan no longer has are returned too (the caller shows what it knows).
    async fn kpi_values(
        &self,
        municipality: &MunicipalityCode,
        plan: &PlanId,
    ) -> Result<Vec<YearlyValue>, StoreError>;

    /// Stores every write or none. A write whose `expected` version is not the stored one
    /// (or that expects no cell where one exists, or a cell that is gone) is refused with
    /// [`StoreError::Stale`] naming `indicator/year`; nothing is written then. A write equal to
    /// the stored cell is skipped; an empty write removes the cell. One audit entry
    /// `kpi.values` (target: the plan) lists the cells before and after, when anything
    /// changed. Returns the cells as stored after the write (changed ones with their new
    /// version), for the writes given, in their order; removed cells are left out.
    async fn save_kpi_values(
        &self,
        municipality: &MunicipalityCode,
        plan: &PlanId,
        writes: &[ValueWrite],
        author: &Author,
    ) -> Result<Vec<YearlyValue>, StoreError>;

    /// The plan's evaluation settings and their revision, if the plan has its own.
    async fn kpi_settings(
        &self,
        municipality: &MunicipalityCode,
        plan: &PlanId,
    ) -> Result<Option<(PlanSettings, i64)>, StoreError>;

    /// Stores the plan's evaluation settings, with an audit entry `kpi.settings`. `expected`
    /// is the revision the writer started from (`None`: the plan had none); a stale one is
    /// refused with [`StoreError::Stale`]`("settings")`. Returns the new revision.
    async fn save_kpi_settings(
        &self,
        municipality: &MunicipalityCode,
        plan: &PlanId,
        settings: &PlanSettings,
        expected: Option<i64>,
        author: &Author,
    ) -> Result<i64, StoreError>;
}

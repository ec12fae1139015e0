//! The 人口ビジョン (population vision): the municipality's census populations, its projection
//! scenarios with their stored results, and the vision's own figures (target path, actual
//! totals, reference projections, links to the strategy's targets).
//!
//! Three kinds of record, each with its own revision: the vision (one per municipality), a
//! census (one per year) and a scenario (one per id, with its result). Every write is one
//! transaction with one audit entry (`population.*`, target `population`,
//! `population/census/YEAR` or `population/scenario/ID`), checks the revision the writer
//! started from, and is refused as [`StoreError::Stale`] otherwise; nothing is written then.

use async_trait::async_trait;
use keikaku_domain::MunicipalityCode;
use keikaku_domain::audit::Timestamp;
use keikaku_domain::population::{
    Basis, Census, Derivation, PopulationVision, Scenario, ScenarioId, ScenarioResult,
};

use crate::{Author, StoreError};

/// The vision's figures as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct PopulationVisionRecord {
    /// The figures and settings.
    pub vision: PopulationVision,
    /// Who changed them last.
    pub updated_by: String,
    /// When.
    pub updated_at: Timestamp,
    /// Grows with every change.
    pub revision: i64,
}

/// A census as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct CensusRecord {
    /// The census.
    pub census: Census,
    /// Who changed it last.
    pub updated_by: String,
    /// When.
    pub updated_at: Timestamp,
    /// Grows with every change.
    pub revision: i64,
}

/// A scenario as stored, with its last result.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioRecord {
    /// The definition.
    pub scenario: Scenario,
    /// The last result computed, if any (it may be out of date: compare its `input_hash`).
    pub result: Option<ScenarioResult>,
    /// Who changed the definition or the result last.
    pub updated_by: String,
    /// When.
    pub updated_at: Timestamp,
    /// Grows with every change of the definition or the result.
    pub revision: i64,
}

/// Everything the municipality keeps for its vision, read in one transaction.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct PopulationData {
    /// The vision's figures; `None` until first saved.
    pub vision: Option<PopulationVisionRecord>,
    /// The censuses, by year.
    pub censuses: Vec<CensusRecord>,
    /// The scenarios, in the order they were made.
    pub scenarios: Vec<ScenarioRecord>,
}

impl PopulationData {
    /// The census of a year.
    pub fn census(&self, year: i32) -> Option<&CensusRecord> {
        self.censuses.iter().find(|c| c.census.year == year)
    }

    /// A scenario by id.
    pub fn scenario(&self, id: &ScenarioId) -> Option<&ScenarioRecord> {
        self.scenarios.iter().find(|s| &s.scenario.id == id)
    }
}

/// The 人口ビジョン's records. Writers pass the revision they read (`None`: the record does
/// not exist yet); a record changed since, or created meanwhile, is [`StoreError::Stale`].
#[async_trait]
pub trait PopulationStore: Send + Sync {
    /// Everything, in one read.
    async fn population(&self, code: &MunicipalityCode) -> Result<PopulationData, StoreError>;

    /// Saves the vision's figures and settings; returns the new revision.
    async fn save_vision(
        &self,
        code: &MunicipalityCode,
        vision: &PopulationVision,
        expected: Option<i64>,
        author: &Author,
    ) -> Result<i64, StoreError>;

    /// Saves a census (its year is its key); returns the new revision.
    async fn save_census(
        &self,
        code: &MunicipalityCode,
        census: &Census,
        expected: Option<i64>,
        author: &Author,
    ) -> Result<i64, StoreError>;

    /// Deletes a census; refused ([`StoreError::Referenced`]) while a scenario starts from it.
    async fn delete_census(
        &self,
        code: &MunicipalityCode,
        year: i32,
        expected: i64,
        author: &Author,
    ) -> Result<(), StoreError>;

    /// Saves a scenario's definition (its result is kept; it tells by its fingerprint
    /// whether it is still current); returns the new revision. A new scenario goes last.
    async fn save_scenario(
        &self,
        code: &MunicipalityCode,
        scenario: &Scenario,
        expected: Option<i64>,
        author: &Author,
    ) -> Result<i64, StoreError>;

    /// Deletes a scenario with its result; refused ([`StoreError::Referenced`]) while
    /// another scenario is derived from it.
    async fn delete_scenario(
        &self,
        code: &MunicipalityCode,
        id: &ScenarioId,
        expected: i64,
        author: &Author,
    ) -> Result<(), StoreError>;

    /// Stores the result of a scenario computed from the definition of revision `expected`;
    /// returns the new revision.
    async fn save_result(
        &self,
        code: &MunicipalityCode,
        id: &ScenarioId,
        result: &ScenarioResult,
        expected: i64,
        author: &Author,
    ) -> Result<i64, StoreError>;
}

/// A scenario's definition as the audit log shows it.
pub fn scenario_text(s: &Scenario) -> String {
    let mut lines = vec![
        format!("{} {}", s.id, s.name),
        format!("基準年: {}年、推計の最終年: {}年", s.base_year, s.horizon),
        format!("公開: {}", if s.published { "する" } else { "しない" }),
    ];
    match &s.basis {
        Basis::Assumed(a) => lines.push(format!(
            "前提: 生残率 {}組、純移動率 {}組、子ども女性比 {}、性比 {}",
            a.survival.len(),
            a.migration.len(),
            a.child_woman_ratio
                .iter()
                .map(f64::to_string)
                .collect::<Vec<_>>()
                .join(" "),
            a.sex_ratio
        )),
        Basis::Derived { from, rule } => {
            lines.push(format!("「{from}」から: {}", rule.label()));
            if let Derivation::Fertility { points, .. } = rule {
                for (y, v) in points {
                    lines.push(format!("  {y}年 {v}"));
                }
            }
        }
    }
    lines.join("\n")
}

/// The vision's figures as the audit log shows them.
pub fn vision_text(v: &PopulationVision) -> String {
    let mut lines = vec![format!(
        "公開: {}",
        if v.published { "する" } else { "しない" }
    )];
    for t in &v.target {
        lines.push(format!("目標 {}年: {}人", t.year, t.total));
    }
    for a in &v.actuals {
        lines.push(format!(
            "実績 {}年: {}人（{}）",
            a.year,
            a.total,
            a.source.label()
        ));
    }
    for r in &v.references {
        let points: Vec<String> = r
            .points
            .iter()
            .map(|(y, t)| format!("{y}年 {t}人"))
            .collect();
        lines.push(format!("参考 {}: {}", r.name, points.join("、")));
    }
    for l in &v.links {
        lines.push(format!("関連する指標: {}/{}", l.plan, l.element));
    }
    lines.join("\n")
}

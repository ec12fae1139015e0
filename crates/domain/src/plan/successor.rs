//! Starting a basic plan from the one before it (前期 → 後期): its priority projects, fields,
//! measures, 成果指標 and まちづくりの進め方 copied with their texts and values under new ids,
//! and every link inside the copy re-pointed to the copies.
//!
//! What stays as it is: the target basic plan's own title, period and description (they are
//! the 後期's, not the 前期's), and links to anything outside the copied part — a field keeps
//! the goal of the 基本構想 it serves, a priority project's link to a measure of another basic
//! plan stays on that measure. An indicator's code is left empty in the copy: codes are
//! unique within a plan, so the 前期's indicator keeps its code and the clerk gives the copy
//! its own. The copy is refused while the target has any content: nothing is ever replaced.

use std::collections::HashMap;

use crate::ids::ElementId;
use crate::plan::ElementKind;
use crate::plan::comprehensive::{
    Approach, BasicPlan, ComprehensivePlan, Field, Measure, PriorityProject,
};
use crate::plan::strategy::Indicator;

/// The kinds a basic plan holds, in the order the confirmation lists them.
pub const COPIED_KINDS: [ElementKind; 5] = [
    ElementKind::PriorityProject,
    ElementKind::Field,
    ElementKind::Measure,
    ElementKind::OutcomeIndicator,
    ElementKind::PlanApproach,
];

/// One element of the copy: its kind, the element it was copied from and its own new id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopiedElement {
    /// The kind.
    pub kind: ElementKind,
    /// The element of the source basic plan.
    pub source: ElementId,
    /// The copy's new id.
    pub copy: ElementId,
}

/// A plan whose basic plan was started from its predecessor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Successor {
    /// The plan with the target basic plan filled.
    pub plan: ComprehensivePlan,
    /// The basic plan copied from.
    pub source: ElementId,
    /// Every element copied (fields with their measures and indicators, approaches, then
    /// projects), parents before their children: the table of re-pointed ids.
    pub copied: Vec<CopiedElement>,
}

/// Why a basic plan cannot be started from its predecessor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SuccessorRefusal {
    /// The plan has no basic plan with this id.
    NoSuchBasicPlan(String),
    /// It is the first basic plan: there is nothing before it.
    NoPredecessor {
        /// The target's title.
        target: String,
    },
    /// The target already has elements (counts per kind).
    NotEmpty {
        /// The target's title.
        target: String,
        /// What it holds, per kind (kinds with none left out).
        counts: Vec<(ElementKind, usize)>,
    },
    /// The predecessor has nothing to copy.
    SourceEmpty {
        /// The predecessor's title.
        source: String,
    },
}

impl SuccessorRefusal {
    /// The reason as a clerk reads it.
    pub fn message(&self) -> String {
        match self {
            Self::NoSuchBasicPlan(id) => format!("基本計画「{id}」はこの計画にありません。"),
            Self::NoPredecessor { target } => format!(
                "{target}はこの計画の最初の基本計画のため、写す元になる基本計画がありません。"
            ),
            Self::NotEmpty { target, counts } => format!(
                "{target}にはすでに{}があるため、写しを作りません（今の内容を置き換えることはしません）。空の基本計画でだけ使えます。",
                counts_text(counts)
            ),
            Self::SourceEmpty { source } => {
                format!(
                    "{source}には写す要素（重点プロジェクト・分野・まちづくりの進め方）がありません。"
                )
            }
        }
    }
}

/// 「分野35件・施策120件」: counts per kind as one text.
pub fn counts_text(counts: &[(ElementKind, usize)]) -> String {
    counts
        .iter()
        .map(|(k, n)| format!("{}{n}件", k.label()))
        .collect::<Vec<_>>()
        .join("・")
}

impl ComprehensivePlan {
    /// The basic plan just before this one (the 前期 of a 後期), in the plan's order.
    pub fn predecessor(&self, basic_plan: &ElementId) -> Option<&BasicPlan> {
        let at = self.basic_plans.iter().position(|b| &b.id == basic_plan)?;
        at.checked_sub(1).and_then(|i| self.basic_plans.get(i))
    }
}

impl BasicPlan {
    /// How many elements of each copied kind it holds, kinds with none left out.
    pub fn element_counts(&self) -> Vec<(ElementKind, usize)> {
        let measures: usize = self.fields.iter().map(|f| f.measures.len()).sum();
        let indicators: usize = self
            .fields
            .iter()
            .map(|f| {
                f.indicators.len() + f.measures.iter().map(|m| m.indicators.len()).sum::<usize>()
            })
            .sum();
        COPIED_KINDS
            .into_iter()
            .map(|k| {
                let n = match k {
                    ElementKind::PriorityProject => self.priority_projects.len(),
                    ElementKind::Field => self.fields.len(),
                    ElementKind::Measure => measures,
                    ElementKind::OutcomeIndicator => indicators,
                    _ => self.approaches.len(),
                };
                (k, n)
            })
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    /// Whether it holds no element (a title and a period only).
    pub fn is_empty(&self) -> bool {
        self.priority_projects.is_empty() && self.fields.is_empty() && self.approaches.is_empty()
    }
}

/// Checks whether the basic plan `target` may be started from its predecessor; returns the
/// predecessor.
pub fn successor_source<'a>(
    plan: &'a ComprehensivePlan,
    target: &ElementId,
) -> Result<&'a BasicPlan, SuccessorRefusal> {
    let to = plan
        .basic_plan(target)
        .ok_or_else(|| SuccessorRefusal::NoSuchBasicPlan(target.to_string()))?;
    let from = plan
        .predecessor(target)
        .ok_or_else(|| SuccessorRefusal::NoPredecessor {
            target: to.title.clone(),
        })?;
    if !to.is_empty() {
        return Err(SuccessorRefusal::NotEmpty {
            target: to.title.clone(),
            counts: to.element_counts(),
        });
    }
    if from.is_empty() {
        return Err(SuccessorRefusal::SourceEmpty {
            source: from.title.clone(),
        });
    }
    Ok(from)
}

/// Fills the empty basic plan `target` with a copy of its predecessor's elements. `new_id`
/// gives each copy its id (the caller makes them unique in the plan).
pub fn start_from_predecessor(
    plan: &ComprehensivePlan,
    target: &ElementId,
    mut new_id: impl FnMut(ElementKind) -> ElementId,
) -> Result<Successor, SuccessorRefusal> {
    let source = successor_source(plan, target)?;
    let mut copier = Copier {
        new_id: &mut new_id,
        copied: Vec::new(),
        ids: HashMap::new(),
    };
    let fields: Vec<Field> = source.fields.iter().map(|f| copier.field(f)).collect();
    let approaches: Vec<Approach> = source
        .approaches
        .iter()
        .map(|a| Approach {
            id: copier.id(ElementKind::PlanApproach, &a.id),
            ..a.clone()
        })
        .collect();
    // Projects last, so that every measure they point at has its copy already.
    let projects: Vec<PriorityProject> = source
        .priority_projects
        .iter()
        .map(|p| copier.project(p))
        .collect();
    let source_id = source.id.clone();
    let mut out = plan.clone();
    if let Some(to) = out.basic_plans.iter_mut().find(|b| &b.id == target) {
        to.priority_projects = projects;
        to.fields = fields;
        to.approaches = approaches;
    }
    Ok(Successor {
        plan: out,
        source: source_id,
        copied: copier.copied,
    })
}

/// Makes copies with new ids and remembers which copy each source element became.
struct Copier<'a, F: FnMut(ElementKind) -> ElementId> {
    new_id: &'a mut F,
    copied: Vec<CopiedElement>,
    ids: HashMap<ElementId, ElementId>,
}

impl<F: FnMut(ElementKind) -> ElementId> Copier<'_, F> {
    fn id(&mut self, kind: ElementKind, source: &ElementId) -> ElementId {
        let copy = (self.new_id)(kind);
        self.ids.insert(source.clone(), copy.clone());
        self.copied.push(CopiedElement {
            kind,
            source: source.clone(),
            copy: copy.clone(),
        });
        copy
    }

    fn indicator(&mut self, i: &Indicator) -> Indicator {
        Indicator {
            id: self.id(ElementKind::OutcomeIndicator, &i.id),
            code: String::new(),
            ..i.clone()
        }
    }

    fn field(&mut self, f: &Field) -> Field {
        let id = self.id(ElementKind::Field, &f.id);
        let measures = f.measures.iter().map(|m| self.measure(m)).collect();
        let indicators = f.indicators.iter().map(|i| self.indicator(i)).collect();
        Field {
            id,
            measures,
            indicators,
            ..f.clone()
        }
    }

    fn measure(&mut self, m: &Measure) -> Measure {
        let id = self.id(ElementKind::Measure, &m.id);
        let indicators = m.indicators.iter().map(|i| self.indicator(i)).collect();
        Measure {
            id,
            indicators,
            ..m.clone()
        }
    }

    fn project(&mut self, p: &PriorityProject) -> PriorityProject {
        let id = self.id(ElementKind::PriorityProject, &p.id);
        let measures = p
            .measures
            .iter()
            .map(|m| self.ids.get(m).cloned().unwrap_or_else(|| m.clone()))
            .collect();
        PriorityProject {
            id,
            measures,
            ..p.clone()
        }
    }
}

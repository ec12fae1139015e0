//! Every indicator of a plan with its place: the groups it rolls up into (basic objective and
//! measure of a strategy; goal, field and measure of a comprehensive plan) and the department
//! (所管課) that reports its values. The yearly verification, the dashboards and the sheets
//! list indicators through this one function.

use crate::ids::ElementId;
use crate::plan::strategy::Indicator;
use crate::plan::{ElementKind, Plan};

/// An element an indicator rolls up into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Group<'a> {
    /// Its kind (基本目標, 施策, まちづくりの目標, 分野 …).
    pub kind: ElementKind,
    /// Its id.
    pub id: &'a ElementId,
    /// Its display number; may be empty.
    pub number: &'a str,
    /// Its title.
    pub title: &'a str,
}

/// An indicator and where it sits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndicatorPlace<'a> {
    /// The definition.
    pub indicator: &'a Indicator,
    /// 数値目標, KPI or 成果指標.
    pub kind: ElementKind,
    /// The groups it rolls up into, outermost first.
    pub groups: Vec<Group<'a>>,
    /// 所管課: the indicator's own, else that of the nearest group that has one; may be empty.
    pub department: &'a str,
}

fn first_non_empty<'a>(candidates: &[&'a str]) -> &'a str {
    candidates
        .iter()
        .map(|d| d.trim())
        .find(|d| !d.is_empty())
        .unwrap_or("")
}

impl Plan {
    /// Every indicator of the plan, in the order the plan presents them (a field's own 成果指標
    /// before those of its measures).
    pub fn indicators(&self) -> Vec<IndicatorPlace<'_>> {
        let mut out = Vec::new();
        match self {
            Self::Strategy(s) => {
                for o in &s.basic_objectives {
                    let objective = Group {
                        kind: ElementKind::BasicObjective,
                        id: &o.id,
                        number: &o.number,
                        title: &o.title,
                    };
                    for t in &o.numerical_targets {
                        out.push(IndicatorPlace {
                            indicator: t,
                            kind: ElementKind::NumericalTarget,
                            groups: vec![objective],
                            department: first_non_empty(&[&t.department]),
                        });
                    }
                    for m in &o.measures {
                        let measure = Group {
                            kind: ElementKind::StrategyMeasure,
                            id: &m.id,
                            number: &m.number,
                            title: &m.title,
                        };
                        for k in &m.kpis {
                            out.push(IndicatorPlace {
                                indicator: k,
                                kind: ElementKind::Kpi,
                                groups: vec![objective, measure],
                                department: first_non_empty(&[&k.department, &m.department]),
                            });
                        }
                    }
                }
            }
            Self::Comprehensive(p) => {
                for (_, f) in p.fields() {
                    let goal = p.goal(&f.goal).map(|g| Group {
                        kind: ElementKind::Goal,
                        id: &g.id,
                        number: &g.number,
                        title: &g.title,
                    });
                    let field = Group {
                        kind: ElementKind::Field,
                        id: &f.id,
                        number: &f.number,
                        title: &f.title,
                    };
                    let outer: Vec<Group<'_>> = goal.into_iter().chain([field]).collect();
                    for i in &f.indicators {
                        out.push(IndicatorPlace {
                            indicator: i,
                            kind: ElementKind::OutcomeIndicator,
                            groups: outer.clone(),
                            department: first_non_empty(&[&i.department, &f.department]),
                        });
                    }
                    for m in &f.measures {
                        let mut groups = outer.clone();
                        groups.push(Group {
                            kind: ElementKind::Measure,
                            id: &m.id,
                            number: &m.number,
                            title: &m.title,
                        });
                        for i in &m.indicators {
                            out.push(IndicatorPlace {
                                indicator: i,
                                kind: ElementKind::OutcomeIndicator,
                                groups: groups.clone(),
                                department: first_non_empty(&[
                                    &i.department,
                                    &m.department,
                                    &f.department,
                                ]),
                            });
                        }
                    }
                }
            }
        }
        out
    }

    /// The indicator with this id, with its place.
    pub fn indicator(&self, id: &ElementId) -> Option<IndicatorPlace<'_>> {
        self.indicators()
            .into_iter()
            .find(|p| &p.indicator.id == id)
    }
}

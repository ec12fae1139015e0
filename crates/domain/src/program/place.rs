//! Where a program sits in the city's plans: the 施策 it serves in the edition's basis plan
//! (the comprehensive plan whose structure the 実施計画 一覧 follows) with that measure's field
//! and goal, the priority projects and strategy objectives it works towards, and the outcome
//! indicators of its logic model. The 一覧's grouping and every aggregate go through here.
//!
//! A program counts towards a priority project when it links to the project or to one of the
//! project's measures, and towards a strategy objective when it links to the objective (or one
//! of its measures or indicators) or to a comprehensive-plan measure that one of the
//! objective's measures links to. Projects and objectives cut across fields, so a program may
//! count in several of them: their totals do not add up to the edition's.

use std::collections::HashMap;

use super::Program;
use crate::ids::{ElementId, ElementRef, PlanId};
use crate::plan::indicators::Group;
use crate::plan::{ElementKind, Plan};

/// A program's place.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Place<'a> {
    /// The first measure of the basis plan it serves, with the field and the goal above it:
    /// [goal, field, measure]. `None`: it serves none of the basis plan's measures.
    pub measure: Option<[Group<'a>; 3]>,
    /// The basis plan's priority projects it works towards, in the plan's order.
    pub projects: Vec<Group<'a>>,
    /// The strategy objectives it works towards (basic objectives of the city's strategies),
    /// in the plans' order.
    pub objectives: Vec<Group<'a>>,
    /// The outcome indicators (成果指標, KPI, 数値目標) among its links, with their titles.
    pub indicators: Vec<(ElementRef, Group<'a>)>,
}

/// Everything that a link can point at, with what the placement needs to know of it.
#[derive(Clone, Debug)]
enum Target<'a> {
    /// A measure of the basis plan: goal, field, measure.
    BasisMeasure([Group<'a>; 3]),
    /// A priority project of the basis plan (its index).
    Project(usize),
    /// An element within a strategy objective (the objective, its measure or an indicator):
    /// the objective's index.
    InObjective(usize),
    /// An indicator anywhere.
    Indicator(Group<'a>),
}

/// The placement index of a set of plans, built once per edition and asked per program.
#[derive(Debug)]
pub struct Places<'a> {
    plans: &'a [Plan],
    targets: HashMap<ElementRef, Vec<Target<'a>>>,
    projects: Vec<(Group<'a>, Vec<ElementRef>)>,
    objectives: Vec<(Group<'a>, Vec<&'a ElementRef>)>,
}

fn group<'a>(kind: ElementKind, id: &'a ElementId, number: &'a str, title: &'a str) -> Group<'a> {
    Group {
        kind,
        id,
        number,
        title,
    }
}

impl<'a> Places<'a> {
    /// The index of the city's plans, the basis plan being the one with id `basis` (when it is
    /// a comprehensive plan among them).
    pub fn new(plans: &'a [Plan], basis: &PlanId) -> Self {
        let mut places = Self {
            plans,
            targets: HashMap::new(),
            projects: Vec::new(),
            objectives: Vec::new(),
        };
        for plan in plans {
            let pid = plan.id();
            for i in plan.indicators() {
                let g = group(i.kind, &i.indicator.id, "", &i.indicator.title);
                places.add(pid, &i.indicator.id, Target::Indicator(g));
            }
            match plan {
                Plan::Comprehensive(c) if pid == basis => {
                    for bp in &c.basic_plans {
                        for f in &bp.fields {
                            let Some(goal) = c.vision.goals.iter().find(|g| g.id == f.goal) else {
                                continue;
                            };
                            let goal =
                                group(ElementKind::Goal, &goal.id, &goal.number, &goal.title);
                            let field = group(ElementKind::Field, &f.id, &f.number, &f.title);
                            for m in &f.measures {
                                let measure =
                                    group(ElementKind::Measure, &m.id, &m.number, &m.title);
                                places.add(
                                    pid,
                                    &m.id,
                                    Target::BasisMeasure([goal, field, measure]),
                                );
                            }
                        }
                        for p in &bp.priority_projects {
                            let index = places.projects.len();
                            let measures = p
                                .measures
                                .iter()
                                .map(|m| ElementRef {
                                    plan: pid.clone(),
                                    element: m.clone(),
                                })
                                .collect();
                            places.projects.push((
                                group(ElementKind::PriorityProject, &p.id, &p.number, &p.title),
                                measures,
                            ));
                            places.add(pid, &p.id, Target::Project(index));
                        }
                    }
                }
                Plan::Comprehensive(_) => {}
                Plan::Strategy(s) => {
                    for o in &s.basic_objectives {
                        let index = places.objectives.len();
                        let mut served = Vec::new();
                        places.add(pid, &o.id, Target::InObjective(index));
                        for t in &o.numerical_targets {
                            places.add(pid, &t.id, Target::InObjective(index));
                        }
                        for m in &o.measures {
                            places.add(pid, &m.id, Target::InObjective(index));
                            for k in &m.kpis {
                                places.add(pid, &k.id, Target::InObjective(index));
                            }
                            served.extend(m.linked_measures.iter());
                        }
                        places.objectives.push((
                            group(ElementKind::BasicObjective, &o.id, &o.number, &o.title),
                            served,
                        ));
                    }
                }
            }
        }
        places
    }

    fn add(&mut self, plan: &'a PlanId, element: &'a ElementId, target: Target<'a>) {
        let key = ElementRef {
            plan: plan.clone(),
            element: element.clone(),
        };
        self.targets.entry(key).or_default().push(target);
    }

    fn targets(&self, link: &ElementRef) -> &[Target<'a>] {
        self.targets.get(link).map_or(&[], Vec::as_slice)
    }

    /// The kind of element a link points at, when it is an element of the city's plans.
    pub fn kind(&self, link: &ElementRef) -> Option<ElementKind> {
        self.plans
            .iter()
            .find(|p| p.id() == &link.plan)
            .and_then(|p| p.element_kind(&link.element))
    }

    /// The basis plan's priority projects, in its order.
    pub fn projects(&self) -> impl Iterator<Item = &Group<'a>> {
        self.projects.iter().map(|(g, _)| g)
    }

    /// The strategies' basic objectives, in the plans' order.
    pub fn objectives(&self) -> impl Iterator<Item = &Group<'a>> {
        self.objectives.iter().map(|(g, _)| g)
    }

    /// Where a program sits.
    pub fn of(&self, program: &Program) -> Place<'a> {
        let mut place = Place::default();
        let mut projects = vec![false; self.projects.len()];
        let mut objectives = vec![false; self.objectives.len()];
        for link in &program.links {
            for target in self.targets(link) {
                match target {
                    Target::BasisMeasure(groups) => {
                        if place.measure.is_none() {
                            place.measure = Some(*groups);
                        }
                    }
                    Target::Project(i) => projects[*i] = true,
                    Target::InObjective(i) => objectives[*i] = true,
                    Target::Indicator(g) => place.indicators.push((link.clone(), *g)),
                }
            }
            for (i, (_, measures)) in self.projects.iter().enumerate() {
                if measures.contains(link) {
                    projects[i] = true;
                }
            }
            for (i, (_, served)) in self.objectives.iter().enumerate() {
                if served.contains(&link) {
                    objectives[i] = true;
                }
            }
        }
        place.projects = self
            .projects
            .iter()
            .zip(&projects)
            .filter(|(_, on)| **on)
            .map(|((g, _), _)| *g)
            .collect();
        place.objectives = self
            .objectives
            .iter()
            .zip(&objectives)
            .filter(|(_, on)| **on)
            .map(|((g, _), _)| *g)
            .collect();
        place
    }
}

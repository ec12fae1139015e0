//! Search over the published plans: which text of which element is indexed, and where each
//! hit lives (plan, kind, id, and the trail of titles above it).

use keikaku_domain::search::{SearchDocument, SearchIndex};
use keikaku_domain::{ElementId, ElementKind, Indicator, Plan, PlanId};

/// Where a search hit lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The plan.
    pub plan: PlanId,
    /// The element kind; `None` for the plan itself (its purpose, scope, future image).
    pub kind: Option<ElementKind>,
    /// The element; `None` for the plan itself.
    pub id: Option<ElementId>,
    /// Titles from the plan down to the element's parent, for a breadcrumb-like path.
    pub trail: Vec<String>,
}

/// Builds the index over the given plans.
#[allow(clippy::too_many_lines)] // one walk over both kinds of plan, one short entry per element kind
pub fn build(plans: &[Plan]) -> SearchIndex<Location> {
    let mut docs = Vec::new();
    for plan in plans {
        let h = plan.header();
        let at = |kind, id: &ElementId, trail: &[&str]| Location {
            plan: h.id.clone(),
            kind: Some(kind),
            id: Some(id.clone()),
            trail: std::iter::once(h.title.as_str())
                .chain(trail.iter().copied())
                .map(str::to_owned)
                .collect(),
        };
        let mut push = |key, title: &str, body: Vec<&str>| {
            docs.push(SearchDocument {
                key,
                title: title.to_owned(),
                body: body
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join("\n"),
            });
        };
        let plan_loc = Location {
            plan: h.id.clone(),
            kind: None,
            id: None,
            trail: Vec::new(),
        };
        match plan {
            Plan::Comprehensive(p) => {
                push(
                    plan_loc,
                    &h.title,
                    vec![
                        &h.purpose,
                        &h.scope,
                        &p.vision.future_image,
                        &p.vision.future_image_note,
                    ],
                );
                for x in &p.vision.principles {
                    push(
                        at(ElementKind::Principle, &x.id, &["基本構想"]),
                        &x.title,
                        vec![&x.description],
                    );
                }
                for x in &p.vision.goals {
                    push(
                        at(ElementKind::Goal, &x.id, &["基本構想"]),
                        &x.title,
                        vec![&x.description],
                    );
                }
                for x in &p.vision.approaches {
                    push(
                        at(ElementKind::VisionApproach, &x.id, &["基本構想"]),
                        &x.title,
                        vec![&x.description],
                    );
                }
                for bp in &p.basic_plans {
                    push(
                        at(ElementKind::BasicPlan, &bp.id, &[]),
                        &bp.title,
                        vec![&bp.description],
                    );
                    for pp in &bp.priority_projects {
                        push(
                            at(ElementKind::PriorityProject, &pp.id, &[&bp.title]),
                            &pp.title,
                            vec![&pp.description],
                        );
                    }
                    for f in &bp.fields {
                        let goal = p.goal(&f.goal).map_or("", |g| g.title.as_str());
                        push(
                            at(ElementKind::Field, &f.id, &[&bp.title, goal]),
                            &f.title,
                            vec![&f.current_state, &f.department],
                        );
                        for m in &f.measures {
                            push(
                                at(ElementKind::Measure, &m.id, &[&bp.title, goal, &f.title]),
                                &m.title,
                                vec![&m.course_of_action, &m.citizen_participation, &m.department],
                            );
                            for i in &m.indicators {
                                push(
                                    at(
                                        ElementKind::OutcomeIndicator,
                                        &i.id,
                                        &[&bp.title, goal, &f.title, &m.title],
                                    ),
                                    &i.title,
                                    indicator_text(i),
                                );
                            }
                        }
                        for i in &f.indicators {
                            push(
                                at(
                                    ElementKind::OutcomeIndicator,
                                    &i.id,
                                    &[&bp.title, goal, &f.title],
                                ),
                                &i.title,
                                indicator_text(i),
                            );
                        }
                    }
                    for x in &bp.approaches {
                        push(
                            at(ElementKind::PlanApproach, &x.id, &[&bp.title]),
                            &x.title,
                            vec![&x.description],
                        );
                    }
                }
            }
            Plan::Strategy(s) => {
                push(plan_loc, &h.title, vec![&h.purpose, &h.scope]);
                for o in &s.basic_objectives {
                    push(
                        at(ElementKind::BasicObjective, &o.id, &[]),
                        &o.title,
                        vec![&o.description],
                    );
                    for t in &o.numerical_targets {
                        push(
                            at(ElementKind::NumericalTarget, &t.id, &[&o.title]),
                            &t.title,
                            indicator_text(t),
                        );
                    }
                    for m in &o.measures {
                        push(
                            at(ElementKind::StrategyMeasure, &m.id, &[&o.title]),
                            &m.title,
                            vec![&m.description, &m.department],
                        );
                        for k in &m.kpis {
                            push(
                                at(ElementKind::Kpi, &k.id, &[&o.title, &m.title]),
                                &k.title,
                                indicator_text(k),
                            );
                        }
                    }
                }
            }
        }
    }
    SearchIndex::new(docs)
}

fn indicator_text(i: &Indicator) -> Vec<&str> {
    vec![
        &i.code,
        &i.calculation_method,
        &i.data_source,
        &i.acquisition,
        &i.department,
    ]
}

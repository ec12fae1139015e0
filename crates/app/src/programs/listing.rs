//! What an edition adds up to: the 一覧 grouped goal → field → measure of the basis plan (the
//! programs that serve none of its measures last), the totals by goal, field, priority
//! project, strategy objective, department and 事業区分 — each per fiscal year and funding
//! source —, and the budget guide against the fiscal frames. Pure: built from an
//! [`EditionView`], the same for pages, sheets and the API.

use keikaku_domain::era::FiscalYear;
use keikaku_domain::format::Rounding;
use keikaku_domain::plan::indicators::Group;
use keikaku_domain::program::{BudgetGuide, ProgramCategory, YearTotals, budget_guide};
use keikaku_domain::{ElementId, Plan};

use super::editions::EditionView;

/// A group as pages name it: its number and its title, apart.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Label {
    /// The element's id (empty for groups that are not elements).
    pub id: String,
    /// Its number (「1-2-1」); may be empty.
    pub number: String,
    /// Its title.
    pub title: String,
}

impl Label {
    fn of(g: &Group<'_>) -> Self {
        Self {
            id: g.id.to_string(),
            number: g.number.to_owned(),
            title: g.title.to_owned(),
        }
    }

    fn text(text: &str) -> Self {
        Self {
            title: text.to_owned(),
            ..Self::default()
        }
    }

    /// 「1-2-1　企業誘致と…」: number and title with a full-width space between.
    pub fn display(&self) -> String {
        if self.number.trim().is_empty() {
            self.title.clone()
        } else {
            format!("{}\u{3000}{}", self.number.trim(), self.title)
        }
    }
}

/// A measure with its programs (indices into [`EditionView::programs`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeasureGroup {
    /// The measure.
    pub measure: Label,
    /// Its programs, by code.
    pub programs: Vec<usize>,
    /// Their totals.
    pub totals: YearTotals,
}

/// A field with its measures that have programs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldGroup {
    /// The field.
    pub field: Label,
    /// Its measures with programs.
    pub measures: Vec<MeasureGroup>,
    /// Their totals.
    pub totals: YearTotals,
}

/// A goal with its fields that have programs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoalGroup {
    /// The goal.
    pub goal: Label,
    /// Its fields with programs.
    pub fields: Vec<FieldGroup>,
    /// Their totals.
    pub totals: YearTotals,
}

/// The 一覧.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listing {
    /// The years of the edition.
    pub years: [FiscalYear; 3],
    /// Goals with programs, in the basis plan's order.
    pub goals: Vec<GoalGroup>,
    /// Programs that serve no measure of the basis plan.
    pub unplaced: Vec<usize>,
    /// Their totals.
    pub unplaced_totals: YearTotals,
    /// The edition's totals.
    pub total: YearTotals,
    /// The rounding rule of the 千円 columns.
    pub rounding: Rounding,
}

/// The measures of the basis plan in its order, each with its field and goal.
fn measures_in_order(plan: Option<&Plan>) -> Vec<[(ElementId, Label); 3]> {
    let Some(Plan::Comprehensive(c)) = plan else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for goal in &c.vision.goals {
        let g = (
            goal.id.clone(),
            Label {
                id: goal.id.to_string(),
                number: goal.number.clone(),
                title: goal.title.clone(),
            },
        );
        for bp in &c.basic_plans {
            for f in bp.fields.iter().filter(|f| f.goal == goal.id) {
                let fl = (
                    f.id.clone(),
                    Label {
                        id: f.id.to_string(),
                        number: f.number.clone(),
                        title: f.title.clone(),
                    },
                );
                for m in &f.measures {
                    let ml = (
                        m.id.clone(),
                        Label {
                            id: m.id.to_string(),
                            number: m.number.clone(),
                            title: m.title.clone(),
                        },
                    );
                    out.push([g.clone(), fl.clone(), ml]);
                }
            }
        }
    }
    out
}

/// The 一覧 of an edition.
pub fn listing(view: &EditionView) -> Listing {
    let years = view.covers();
    let places = view.places();
    let measure_of: Vec<Option<String>> = view
        .programs
        .iter()
        .map(|p| {
            places
                .of(&p.program)
                .measure
                .map(|[_, _, m]| m.id.to_string())
        })
        .collect();
    let mut goals: Vec<GoalGroup> = Vec::new();
    for [(gid, goal), (fid, field), (mid, measure)] in measures_in_order(view.basis()) {
        let programs: Vec<usize> = measure_of
            .iter()
            .enumerate()
            .filter(|(_, m)| m.as_deref() == Some(mid.as_str()))
            .map(|(i, _)| i)
            .collect();
        if programs.is_empty() {
            continue;
        }
        let totals = YearTotals::of(&years, programs.iter().map(|&i| &view.programs[i].program));
        let group = MeasureGroup {
            measure,
            programs,
            totals,
        };
        if goals.last().is_none_or(|g| g.goal.id != gid.as_str()) {
            goals.push(GoalGroup {
                goal,
                fields: Vec::new(),
                totals: YearTotals::new(&years),
            });
        }
        let g = goals
            .last_mut()
            .unwrap_or_else(|| unreachable!("pushed above"));
        if g.fields.last().is_none_or(|f| f.field.id != fid.as_str()) {
            g.fields.push(FieldGroup {
                field,
                measures: Vec::new(),
                totals: YearTotals::new(&years),
            });
        }
        let f = g
            .fields
            .last_mut()
            .unwrap_or_else(|| unreachable!("pushed above"));
        for &i in &group.programs {
            f.totals.add(&view.programs[i].program);
            g.totals.add(&view.programs[i].program);
        }
        f.measures.push(group);
    }
    let unplaced: Vec<usize> = measure_of
        .iter()
        .enumerate()
        .filter(|(_, m)| m.is_none())
        .map(|(i, _)| i)
        .collect();
    Listing {
        years,
        unplaced_totals: YearTotals::of(
            &years,
            unplaced.iter().map(|&i| &view.programs[i].program),
        ),
        unplaced,
        goals,
        total: YearTotals::of(&years, view.programs.iter().map(|p| &p.program)),
        rounding: view.rounding(),
    }
}

/// The totals of an edition by every grouping, and its budget guide.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Aggregates {
    /// The years of the edition.
    pub years: [FiscalYear; 3],
    /// The rounding rule of the 千円 columns.
    pub rounding: Rounding,
    /// The whole edition, per year and funding source.
    pub total: YearTotals,
    /// By goal of the basis plan (programs serving none of its measures: 「施策に位置付けのない事業」).
    pub by_goal: Vec<(Label, YearTotals)>,
    /// By field.
    pub by_field: Vec<(Label, YearTotals)>,
    /// By priority project (a program may count in several, or none).
    pub by_project: Vec<(Label, YearTotals)>,
    /// By strategy objective (a program may count in several, or none).
    pub by_objective: Vec<(Label, YearTotals)>,
    /// By department.
    pub by_department: Vec<(Label, YearTotals)>,
    /// By 事業区分.
    pub by_category: Vec<(Label, YearTotals)>,
    /// The budget guide: 一般財源 needed against the fiscal frames.
    pub budget: BudgetGuide,
}

const UNPLACED: &str = "施策に位置付けのない事業";

/// The aggregates of an edition.
pub fn aggregates(view: &EditionView) -> Aggregates {
    let years = view.covers();
    let list = listing(view);
    let places = view.places();
    let mut by_goal: Vec<(Label, YearTotals)> = list
        .goals
        .iter()
        .map(|g| (g.goal.clone(), g.totals.clone()))
        .collect();
    let by_field = list
        .goals
        .iter()
        .flat_map(|g| g.fields.iter().map(|f| (f.field.clone(), f.totals.clone())))
        .collect();
    if !list.unplaced.is_empty() {
        by_goal.push((Label::text(UNPLACED), list.unplaced_totals.clone()));
    }
    let placed: Vec<keikaku_domain::program::Place<'_>> = view
        .programs
        .iter()
        .map(|p| places.of(&p.program))
        .collect();
    let cross = |groups: Vec<&Group<'_>>, member: &dyn Fn(usize, &ElementId) -> bool| {
        groups
            .into_iter()
            .map(|g| {
                let programs = (0..view.programs.len())
                    .filter(|&i| member(i, g.id))
                    .map(|i| &view.programs[i].program);
                (Label::of(g), YearTotals::of(&years, programs))
            })
            .filter(|(_, t)| t.programs > 0)
            .collect::<Vec<_>>()
    };
    let by_project = cross(places.projects().collect(), &|i, id| {
        placed[i].projects.iter().any(|g| g.id == id)
    });
    let by_objective = cross(places.objectives().collect(), &|i, id| {
        placed[i].objectives.iter().any(|g| g.id == id)
    });
    let edition = view.domain();
    let by_department =
        keikaku_domain::program::group_totals(&edition, |p| vec![p.department.trim().to_owned()])
            .into_iter()
            .map(|(d, t)| (Label::text(&d), t))
            .collect();
    let by_category = ProgramCategory::ALL
        .iter()
        .map(|c| {
            let t = YearTotals::of(&years, edition.programs.iter().filter(|p| p.category == *c));
            (Label::text(c.label()), t)
        })
        .filter(|(_, t)| t.programs > 0)
        .collect();
    Aggregates {
        years,
        rounding: view.rounding(),
        total: list.total.clone(),
        by_goal,
        by_field,
        by_project,
        by_objective,
        by_department,
        by_category,
        budget: budget_guide(&edition, &view.frames),
    }
}

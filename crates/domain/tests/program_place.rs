//! Where a program sits in the city's plans (`program::Places`): the basis plan's goal → field
//! → measure, the priority projects and strategy objectives it works towards (directly or
//! through a measure), and the outcome indicators among its links.
#![allow(clippy::unwrap_used)]

use keikaku_domain::era::FiscalYear;
use keikaku_domain::kpi::Entered;
use keikaku_domain::program::{
    Account, Activity, ExpenseType, Places, Program, ProgramCategory, ProgramCode,
};
use keikaku_domain::{
    BasicObjective, BasicPlan, ComprehensivePlan, Direction, ElementId, ElementKind, ElementRef,
    Field, Goal, Half, Indicator, IndicatorType, Measure, MunicipalityCode, Period, Plan,
    PlanHeader, PlanId, PlanStatus, PriorityProject, Strategy, StrategyMeasure, Vision,
};

fn id(s: &str) -> ElementId {
    ElementId::parse(s).unwrap()
}

fn fy(y: i32) -> FiscalYear {
    FiscalYear::new(y).unwrap()
}

fn to(plan: &str, element: &str) -> ElementRef {
    ElementRef {
        plan: PlanId::parse(plan).unwrap(),
        element: id(element),
    }
}

fn header(plan: &str) -> PlanHeader {
    PlanHeader {
        id: PlanId::parse(plan).unwrap(),
        municipality: MunicipalityCode::parse("03209").unwrap(),
        title: plan.to_owned(),
        purpose: String::new(),
        scope: String::new(),
        period: Period {
            start: fy(2016),
            end: fy(2025),
            description: String::new(),
        },
        status: PlanStatus::Published,
        position: 0,
    }
}

fn indicator(i: &str) -> Indicator {
    Indicator {
        id: id(i),
        title: format!("指標{i}"),
        unit: "人".to_owned(),
        direction: Direction::Higher,
        indicator_type: IndicatorType::Level,
        baseline: None,
        target: None,
        calculation_method: String::new(),
        data_source: String::new(),
        department: String::new(),
        sample: false,
        code: String::new(),
        decimals: None,
        interim_targets: Vec::new(),
        tolerance: None,
        cumulative_entry: Entered::RunningTotals,
        acquisition: String::new(),
        lag_years: None,
        definition_changes: Vec::new(),
    }
}

fn measure(m: &str, indicators: Vec<Indicator>) -> Measure {
    Measure {
        id: id(m),
        number: m.trim_start_matches("m-").to_owned(),
        title: format!("施策{m}"),
        course_of_action: String::new(),
        citizen_participation: String::new(),
        department: String::new(),
        indicators,
        sample: false,
    }
}

fn field(f: &str, goal: &str, measures: Vec<Measure>) -> Field {
    Field {
        id: id(f),
        goal: id(goal),
        number: f.trim_start_matches("f-").to_owned(),
        title: format!("分野{f}"),
        current_state: String::new(),
        department: String::new(),
        measures,
        indicators: Vec::new(),
        sample: false,
    }
}

fn goal(g: &str) -> Goal {
    Goal {
        id: id(g),
        number: g.trim_start_matches("g-").to_owned(),
        title: format!("目標{g}"),
        description: String::new(),
    }
}

fn plans() -> Vec<Plan> {
    let sogo = ComprehensivePlan {
        header: header("sogo"),
        vision: Vision {
            future_image: "将来像".to_owned(),
            future_image_note: String::new(),
            principles: Vec::new(),
            goals: vec![goal("g-1"), goal("g-2")],
            approaches: Vec::new(),
        },
        basic_plans: vec![BasicPlan {
            id: id("bp"),
            half: Half::First,
            title: "前期基本計画".to_owned(),
            start: fy(2016),
            end: fy(2020),
            description: String::new(),
            priority_projects: vec![
                PriorityProject {
                    id: id("pp-1"),
                    number: "1".to_owned(),
                    title: "しごと".to_owned(),
                    description: String::new(),
                    measures: vec![id("m-1-1")],
                    sample: false,
                },
                PriorityProject {
                    id: id("pp-2"),
                    number: "2".to_owned(),
                    title: "ひと".to_owned(),
                    description: String::new(),
                    measures: Vec::new(),
                    sample: false,
                },
            ],
            fields: vec![
                field(
                    "f-1",
                    "g-1",
                    vec![measure("m-1-1", vec![indicator("oi-1")])],
                ),
                field("f-2", "g-2", vec![measure("m-2-1", Vec::new())]),
            ],
            approaches: Vec::new(),
        }],
    };
    let senryaku = Strategy {
        header: header("senryaku"),
        basic_objectives: vec![
            BasicObjective {
                id: id("o-1"),
                number: "1".to_owned(),
                title: "雇用".to_owned(),
                description: String::new(),
                numerical_targets: Vec::new(),
                measures: vec![StrategyMeasure {
                    id: id("sm-1"),
                    number: "1".to_owned(),
                    title: "戦略施策".to_owned(),
                    description: String::new(),
                    department: String::new(),
                    kpis: vec![indicator("kpi-1")],
                    linked_measures: vec![to("sogo", "m-1-1")],
                    linked_priority_projects: Vec::new(),
                    sample: false,
                }],
                sample: false,
            },
            BasicObjective {
                id: id("o-2"),
                number: "2".to_owned(),
                title: "子育て".to_owned(),
                description: String::new(),
                numerical_targets: vec![indicator("nt-2")],
                measures: Vec::new(),
                sample: false,
            },
        ],
    };
    vec![Plan::Comprehensive(sogo), Plan::Strategy(senryaku)]
}

fn program(links: &[ElementRef]) -> Program {
    Program {
        code: ProgramCode::parse("P1").unwrap(),
        name: "事業".to_owned(),
        department: "農政課".to_owned(),
        links: links.to_vec(),
        purpose: String::new(),
        target_group: String::new(),
        means: String::new(),
        start_year: fy(2020),
        end_year: None,
        account: Account::General,
        expense_type: ExpenseType::Other,
        activity: Activity::default(),
        category: ProgramCategory::Continued,
        years: Vec::new(),
        sample: false,
    }
}

fn ids<'a>(
    groups: impl IntoIterator<Item = &'a keikaku_domain::plan::indicators::Group<'a>>,
) -> Vec<String> {
    groups.into_iter().map(|g| g.id.to_string()).collect()
}

#[test]
fn a_program_is_placed_through_its_links() {
    let plans = plans();
    let places = Places::new(&plans, &PlanId::parse("sogo").unwrap());
    assert_eq!(ids(places.projects()), ["pp-1", "pp-2"]);
    assert_eq!(ids(places.objectives()), ["o-1", "o-2"]);
    // links → [goal, field, measure], projects, objectives, indicators
    type Case<'a> = (
        &'a [ElementRef],
        Option<[&'a str; 3]>,
        &'a [&'a str],
        &'a [&'a str],
        &'a [&'a str],
    );
    let cases: &[Case] = &[
        // A measure of the basis plan: its goal and field; the project that lists it and the
        // objective whose strategy measure links to it; no indicator of its own.
        (
            &[to("sogo", "m-1-1")],
            Some(["g-1", "f-1", "m-1-1"]),
            &["pp-1"],
            &["o-1"],
            &[],
        ),
        // The first measure decides the place; a direct link to a project and an indicator of
        // another objective count too.
        (
            &[
                to("sogo", "m-2-1"),
                to("sogo", "m-1-1"),
                to("sogo", "pp-2"),
                to("senryaku", "nt-2"),
            ],
            Some(["g-2", "f-2", "m-2-1"]),
            &["pp-1", "pp-2"],
            &["o-1", "o-2"],
            &["nt-2"],
        ),
        // Only a strategy measure and an outcome indicator: no place in the basis plan.
        (
            &[to("senryaku", "sm-1"), to("sogo", "oi-1")],
            None,
            &[],
            &["o-1"],
            &["oi-1"],
        ),
        (&[], None, &[], &[], &[]),
        (&[to("nowhere", "m-1-1")], None, &[], &[], &[]),
    ];
    for (links, measure, projects, objectives, indicators) in cases {
        let p = program(links);
        let place = places.of(&p);
        assert_eq!(
            place.measure.map(|m| m.map(|g| g.id.to_string())),
            measure.map(|m| m.map(str::to_owned)),
            "{links:?}"
        );
        assert_eq!(ids(&place.projects), *projects, "{links:?}");
        assert_eq!(ids(&place.objectives), *objectives, "{links:?}");
        assert_eq!(
            place
                .indicators
                .iter()
                .map(|(r, _)| r.element.to_string())
                .collect::<Vec<_>>(),
            *indicators,
            "{links:?}"
        );
    }
    assert_eq!(
        places.kind(&to("sogo", "m-2-1")),
        Some(ElementKind::Measure)
    );
    assert_eq!(
        places.kind(&to("senryaku", "kpi-1")),
        Some(ElementKind::Kpi)
    );
    assert_eq!(places.kind(&to("sogo", "nope")), None);
}

#[test]
fn another_plan_as_basis_places_nothing_in_goals() {
    let plans = plans();
    let places = Places::new(&plans, &PlanId::parse("senryaku").unwrap());
    let p = program(&[to("sogo", "m-1-1")]);
    let place = places.of(&p);
    assert_eq!(place.measure, None);
    assert!(place.projects.is_empty());
    assert_eq!(ids(&place.objectives), ["o-1"]);
}

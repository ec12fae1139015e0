//! Tests for `keikaku_domain::plan::warnings`: input that is valid but probably not meant, as
//! table cases — a change to an indicator and the warnings it gives, each as 「field: message」
//! — and the span an element's target is held against (a strategy's period, the basic plan of
//! a 成果指標).
#![allow(clippy::unwrap_used)]

use keikaku_domain::era::FiscalYear;
use keikaku_domain::kpi::Entered;
use keikaku_domain::plan::validate::validate_plan;
use keikaku_domain::plan::warnings::{Span, element_warnings, indicator_warnings};
use keikaku_domain::{
    BasicObjective, BasicPlan, ComprehensivePlan, Direction, ElementId, Field, Goal, Half,
    Indicator, IndicatorType, MunicipalityCode, Period, Plan, PlanHeader, PlanId, PlanStatus,
    Strategy, StrategyMeasure, Vision, YearValue,
};
use rust_decimal::Decimal;

fn id(s: &str) -> ElementId {
    ElementId::parse(s).unwrap()
}

fn fy(y: i32) -> FiscalYear {
    FiscalYear::new(y).unwrap()
}

fn yv(value: i64, year: i32) -> Option<YearValue> {
    Some(YearValue {
        value: Decimal::from(value),
        year: fy(year),
    })
}

fn indicator(i: &str) -> Indicator {
    Indicator {
        id: id(i),
        title: "企業立地件数".to_owned(),
        unit: "件".to_owned(),
        direction: Direction::Higher,
        indicator_type: IndicatorType::Level,
        baseline: yv(100, 2019),
        target: yv(110, 2024),
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

fn span() -> Span {
    Span {
        name: "計画期間".to_owned(),
        start: fy(2020),
        end: fy(2024),
    }
}

type Case = (&'static str, fn(&mut Indicator), &'static [&'static str]);

const CASES: &[Case] = &[
    ("nothing suspicious", |_| {}, &[]),
    (
        "a target year after the period",
        |i| i.target = yv(110, 2033),
        &[
            "target_year: 目標値の年度 令和15年度（2033年度）は計画期間（令和2年度〜令和6年度）の外です。",
        ],
    ),
    (
        "a target year before the period",
        |i| {
            i.baseline = yv(100, 2015);
            i.target = yv(110, 2018);
        },
        &[
            "target_year: 目標値の年度 平成30年度（2018年度）は計画期間（令和2年度〜令和6年度）の外です。",
        ],
    ),
    (
        "the first and the last year of the period are inside",
        |i| i.target = yv(110, 2020),
        &[],
    ),
    (
        "a baseline in the target's year",
        |i| i.baseline = yv(100, 2024),
        &["target_year: 目標値の年度 令和6年度（2024年度）は基準値の年度と同じです。"],
    ),
    (
        "a target equal to the baseline, aiming higher",
        |i| i.target = yv(100, 2024),
        &["target_value: 目標値 100件が基準値と同じです（目指す方向は「増加を目指す」）。"],
    ),
    (
        "a target equal to the baseline is what maintaining means",
        |i| {
            i.direction = Direction::Maintain;
            i.target = yv(100, 2024);
        },
        &[],
    ),
    (
        "a target below the baseline, aiming higher",
        |i| i.target = yv(90, 2024),
        &[
            "target_value: 目標値 90件が基準値100件より小さくなっています（目指す方向は「増加を目指す」）。",
        ],
    ),
    (
        "a target above the baseline, aiming lower",
        |i| {
            i.direction = Direction::Lower;
            i.target = yv(1_200, 2024);
        },
        &[
            "target_value: 目標値 1,200件が基準値100件より大きくなっています（目指す方向は「減少を目指す」）。",
        ],
    ),
    (
        "a baseline year after the target year is validate's error, not a warning as well",
        |i| i.baseline = yv(100, 2025),
        &[],
    ),
    ("no target, nothing to compare", |i| i.target = None, &[]),
    (
        "several at once, in the order of the form",
        |i| {
            i.baseline = yv(100, 2033);
            i.target = yv(100, 2033);
        },
        &[
            "target_year: 目標値の年度 令和15年度（2033年度）は計画期間（令和2年度〜令和6年度）の外です。",
            "target_year: 目標値の年度 令和15年度（2033年度）は基準値の年度と同じです。",
            "target_value: 目標値 100件が基準値と同じです（目指す方向は「増加を目指す」）。",
        ],
    ),
];

#[test]
fn suspicious_indicators_are_warned_about() {
    for (name, change, expected) in CASES {
        let mut i = indicator("k-1");
        change(&mut i);
        let got: Vec<String> = indicator_warnings(&i, &span())
            .iter()
            .map(|w| format!("{}: {}", w.field.name(), w.message))
            .collect();
        assert_eq!(got, *expected, "{name}");
    }
}

fn header(plan: &str, start: i32, end: i32) -> PlanHeader {
    PlanHeader {
        id: PlanId::parse(plan).unwrap(),
        municipality: MunicipalityCode::parse("03209").unwrap(),
        title: "計画".to_owned(),
        purpose: String::new(),
        scope: String::new(),
        period: Period {
            start: fy(start),
            end: fy(end),
            description: String::new(),
        },
        status: PlanStatus::Draft,
        position: 0,
    }
}

#[test]
fn a_kpi_is_held_against_the_strategys_period() {
    let mut kpi = indicator("k-1");
    kpi.target = yv(110, 2033);
    let plan = Plan::Strategy(Strategy {
        header: header("senryaku", 2020, 2024),
        basic_objectives: vec![BasicObjective {
            id: id("o-1"),
            number: "1".to_owned(),
            title: "基本目標".to_owned(),
            description: String::new(),
            numerical_targets: Vec::new(),
            measures: vec![StrategyMeasure {
                id: id("sm-1"),
                number: "1-1".to_owned(),
                title: "施策".to_owned(),
                description: String::new(),
                department: String::new(),
                kpis: vec![kpi],
                linked_measures: Vec::new(),
                linked_priority_projects: Vec::new(),
                sample: false,
            }],
            sample: false,
        }],
    });
    // Valid: a warning is never an error.
    assert!(validate_plan(&plan, &[]).is_empty());
    let warnings = element_warnings(&plan, &id("k-1"));
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0]
            .message
            .ends_with("は計画期間（令和2年度〜令和6年度）の外です。"),
        "{warnings:?}"
    );
    // Not an indicator, or not there: nothing.
    assert!(element_warnings(&plan, &id("sm-1")).is_empty());
    assert!(element_warnings(&plan, &id("nothing")).is_empty());
}

#[test]
fn an_outcome_indicator_is_held_against_its_basic_plan() {
    let mut oi = indicator("oi-1");
    oi.baseline = yv(100, 2015);
    oi.target = yv(110, 2025);
    let plan = Plan::Comprehensive(ComprehensivePlan {
        header: header("sogo", 2016, 2025),
        vision: Vision {
            future_image: "将来像".to_owned(),
            future_image_note: String::new(),
            principles: Vec::new(),
            goals: vec![Goal {
                id: id("goal-1"),
                number: "1".to_owned(),
                title: "目標".to_owned(),
                description: String::new(),
            }],
            approaches: Vec::new(),
        },
        basic_plans: vec![BasicPlan {
            id: id("bp"),
            half: Half::First,
            title: "前期基本計画".to_owned(),
            start: fy(2016),
            end: fy(2020),
            description: String::new(),
            priority_projects: Vec::new(),
            fields: vec![Field {
                id: id("f-1"),
                goal: id("goal-1"),
                number: "1-1".to_owned(),
                title: "分野".to_owned(),
                current_state: String::new(),
                department: String::new(),
                measures: Vec::new(),
                indicators: vec![oi],
                sample: false,
            }],
            approaches: Vec::new(),
        }],
    });
    let messages: Vec<String> = element_warnings(&plan, &id("oi-1"))
        .into_iter()
        .map(|w| w.message)
        .collect();
    assert_eq!(
        messages,
        [
            "目標値の年度 令和7年度（2025年度）は前期基本計画の期間（平成28年度〜令和2年度）の外です。"
        ]
    );
}

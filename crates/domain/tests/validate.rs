//! Tests for `keikaku_domain::plan::validate`: the rules of an indicator's definition (code,
//! display decimals, interim targets, tolerance, definition changes) and the 成果指標 of a
//! comprehensive plan, as table cases — a change to a small valid plan and the problems it
//! gives, each as 「path: message」.
#![allow(clippy::unwrap_used)]

use keikaku_domain::era::FiscalYear;
use keikaku_domain::kpi::Entered;
use keikaku_domain::plan::validate::validate_plan;
use keikaku_domain::{
    BasicObjective, BasicPlan, ComprehensivePlan, DefinitionChange, Direction, ElementId, Field,
    Goal, Half, Indicator, IndicatorType, Measure, MunicipalityCode, Period, Plan, PlanHeader,
    PlanId, PlanStatus, Strategy, StrategyMeasure, Vision, YearValue,
};
use rust_decimal::Decimal;

fn id(s: &str) -> ElementId {
    ElementId::parse(s).unwrap()
}

fn fy(y: i32) -> FiscalYear {
    FiscalYear::new(y).unwrap()
}

fn yv(value: i64, year: i32) -> YearValue {
    YearValue {
        value: Decimal::from(value),
        year: fy(year),
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

fn indicator(i: &str, code: &str) -> Indicator {
    Indicator {
        id: id(i),
        title: format!("指標{i}"),
        unit: "人".to_owned(),
        direction: Direction::Higher,
        indicator_type: IndicatorType::Level,
        baseline: Some(yv(100, 2014)),
        target: Some(yv(110, 2019)),
        calculation_method: String::new(),
        data_source: String::new(),
        department: String::new(),
        sample: false,
        code: code.to_owned(),
        decimals: None,
        interim_targets: Vec::new(),
        tolerance: None,
        cumulative_entry: Entered::RunningTotals,
        acquisition: String::new(),
        lag_years: None,
        definition_changes: Vec::new(),
    }
}

fn strategy() -> Strategy {
    Strategy {
        header: header("senryaku", 2015, 2019),
        basic_objectives: vec![BasicObjective {
            id: id("o-1"),
            number: "1".to_owned(),
            title: "基本目標".to_owned(),
            description: String::new(),
            numerical_targets: vec![indicator("t-1", "T1")],
            measures: vec![StrategyMeasure {
                id: id("sm-1"),
                number: "1-1".to_owned(),
                title: "施策".to_owned(),
                description: String::new(),
                department: String::new(),
                kpis: vec![indicator("k-1", "K1"), indicator("k-2", "")],
                linked_measures: Vec::new(),
                linked_priority_projects: Vec::new(),
                sample: false,
            }],
            sample: false,
        }],
    }
}

fn problems(plan: &Plan) -> Vec<String> {
    validate_plan(plan, &[])
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn kpi(s: &mut Strategy, k: usize) -> &mut Indicator {
    &mut s.basic_objectives[0].measures[0].kpis[k]
}

type Case = (&'static str, fn(&mut Strategy), &'static [&'static str]);

const CASES: &[Case] = &[
    ("valid", |_| {}, &[]),
    (
        "a repeated code, wherever it is",
        |s| kpi(s, 1).code = "T1".to_owned(),
        &[
            "$.basic_objectives[0].measures[0].kpis[1].code: 指標コード「T1」が重複しています（「指標t-1」で使用済み: $.basic_objectives[0].numerical_targets[0].code）。計画の中で一つにしてください。",
        ],
    ),
    (
        "a code that is not a plain identifier",
        |s| kpi(s, 0).code = "指標 1".to_owned(),
        &[
            "$.basic_objectives[0].measures[0].kpis[0].code: KPI「指標k-1」の指標コード「指標 1」は使えません。半角英数字と「-」「_」「.」の32文字以内で、英数字で始めてください。",
        ],
    ),
    (
        "dotted codes and surrounding spaces are fine",
        |s| {
            kpi(s, 0).code = " K1.1-a_2 ".to_owned();
            kpi(s, 1).code = "K1.1-b".to_owned();
        },
        &[],
    ),
    (
        "too many decimals",
        |s| kpi(s, 0).decimals = Some(7),
        &[
            "$.basic_objectives[0].measures[0].kpis[0].decimals: 表示する小数点以下の桁数は0〜6です（7でした）。",
        ],
    ),
    (
        "interim targets between baseline and target, not repeated",
        |s| {
            kpi(s, 0).interim_targets = vec![
                yv(104, 2016),
                yv(106, 2017),
                yv(105, 2016),
                yv(100, 2014),
                yv(110, 2019),
            ];
        },
        &[
            "$.basic_objectives[0].measures[0].kpis[0].interim_targets[2]: 中間目標値の平成28年度（2016年度）が2回あります。",
            "$.basic_objectives[0].measures[0].kpis[0].interim_targets[3]: 中間目標値の年度（平成26年度・2014年度）は基準値の年度（平成26年度・2014年度）より後で、目標値の年度（令和元年度・2019年度）より前にしてください。",
            "$.basic_objectives[0].measures[0].kpis[0].interim_targets[4]: 中間目標値の年度（令和元年度・2019年度）は基準値の年度（平成26年度・2014年度）より後で、目標値の年度（令和元年度・2019年度）より前にしてください。",
        ],
    ),
    (
        "interim targets without a baseline",
        |s| {
            let k = kpi(s, 0);
            k.baseline = None;
            k.interim_targets = vec![yv(1, 2010), yv(2, 2020)];
        },
        &[
            "$.basic_objectives[0].measures[0].kpis[0].interim_targets[1]: 中間目標値の年度（令和2年度・2020年度）は目標値の年度（令和元年度・2019年度）より前にしてください。",
        ],
    ),
    (
        "a tolerance on a higher-is-better indicator",
        |s| kpi(s, 0).tolerance = Some(Decimal::from(2)),
        &[
            "$.basic_objectives[0].measures[0].kpis[0].tolerance: 許容幅は「維持を目指す」指標にだけ指定できます。目指す方向を「維持を目指す」にするか、許容幅を空欄にしてください。",
        ],
    ),
    (
        "a tolerance on a maintain-type indicator, and a negative one",
        |s| {
            kpi(s, 0).direction = Direction::Maintain;
            kpi(s, 0).tolerance = Some(Decimal::ZERO);
            kpi(s, 1).direction = Direction::Maintain;
            kpi(s, 1).tolerance = Some(Decimal::from(-1));
        },
        &[
            "$.basic_objectives[0].measures[0].kpis[1].tolerance: 許容幅は0以上にしてください（-1でした）。",
        ],
    ),
    (
        "definition changes: a repeated year, a blank note, a note of two lines",
        |s| {
            let change = |y, note: &str| DefinitionChange {
                year: fy(y),
                note: note.to_owned(),
            };
            kpi(s, 0).definition_changes = vec![
                change(2016, "調査方法を変更"),
                change(2016, "対象を拡大"),
                change(2017, " "),
                change(2018, "一行目\n二行目"),
            ];
        },
        &[
            "$.basic_objectives[0].measures[0].kpis[0].definition_changes[1]: 定義の変更の平成28年度（2016年度）が2回あります。1行にまとめてください。",
            "$.basic_objectives[0].measures[0].kpis[0].definition_changes[2]: 定義の変更（平成29年度・2017年度）の内容を入力してください。",
            "$.basic_objectives[0].measures[0].kpis[0].definition_changes[3]: 定義の変更（平成30年度・2018年度）の内容は1行で書いてください。",
        ],
    ),
];

#[test]
fn indicator_definition_cases() {
    let mut failures = Vec::new();
    for (name, change, expected) in CASES {
        let mut s = strategy();
        change(&mut s);
        let got = problems(&Plan::Strategy(s));
        if got != *expected {
            failures.push(format!(
                "case 「{name}」:\n got: {got:#?}\n expected: {expected:#?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn comprehensive() -> ComprehensivePlan {
    let measure = Measure {
        id: id("m-1"),
        number: "1-1-1".to_owned(),
        title: "施策".to_owned(),
        course_of_action: String::new(),
        citizen_participation: String::new(),
        department: String::new(),
        indicators: vec![indicator("oi-m", "C1")],
        sample: false,
    };
    ComprehensivePlan {
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
                department: "農政課".to_owned(),
                measures: vec![measure],
                indicators: vec![indicator("oi-f", "C2")],
                sample: false,
            }],
            approaches: Vec::new(),
        }],
    }
}

#[test]
fn outcome_indicators_are_checked_like_kpis() {
    let mut p = comprehensive();
    assert_eq!(
        problems(&Plan::Comprehensive(p.clone())),
        Vec::<String>::new()
    );
    let field = &mut p.basic_plans[0].fields[0];
    field.indicators[0].code = "C1".to_owned();
    field.indicators[0].title = " ".to_owned();
    field.measures[0].indicators.push(indicator("f-1", ""));
    assert_eq!(
        problems(&Plan::Comprehensive(p)),
        [
            "$.basic_plans[0].fields[0].measures[0].indicators[1].id: 要素ID「f-1」が重複しています（最初の使用: $.basic_plans[0].fields[0].id）。",
            "$.basic_plans[0].fields[0].indicators[0].title: 成果指標の名称を入力してください。",
            "$.basic_plans[0].fields[0].indicators[0].code: 指標コード「C1」が重複しています（「指標oi-m」で使用済み: $.basic_plans[0].fields[0].measures[0].indicators[0].code）。計画の中で一つにしてください。",
        ]
    );
}

#[test]
fn outcome_indicators_are_listed_with_their_goal_field_and_measure() {
    let p = Plan::Comprehensive(comprehensive());
    let listed: Vec<(String, Vec<String>, &str)> = p
        .indicators()
        .iter()
        .map(|i| {
            (
                i.indicator.id.to_string(),
                i.groups.iter().map(|g| g.id.to_string()).collect(),
                i.department,
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            (
                "oi-f".to_owned(),
                vec!["goal-1".to_owned(), "f-1".to_owned()],
                "農政課"
            ),
            (
                "oi-m".to_owned(),
                vec!["goal-1".to_owned(), "f-1".to_owned(), "m-1".to_owned()],
                "農政課"
            ),
        ]
    );
    assert_eq!(
        p.element_kind(&id("oi-m")),
        Some(keikaku_domain::ElementKind::OutcomeIndicator)
    );
    assert!(p.indicator(&id("oi-m")).is_some());
}

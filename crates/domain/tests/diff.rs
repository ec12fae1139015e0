//! Tests for `keikaku_domain::plan::diff`: plan versions compared element by element, and the
//! character-level text diff behind the highlighted changes.
//!
//! Plan cases are data: a change applied to a small sample plan, and the diff rendered as
//! compact lines (`+` added, `-` removed, `~` changed text, `=` changed value, `>` moved), with
//! removed text written `[-…-]` and inserted text `[+…+]`, and a value's sides whole: `0 → 5`.
#![allow(clippy::unwrap_used)]

use keikaku_domain::plan::diff::{Change, PlanDiff, TextPart, diff_plans, text_diff};
use keikaku_domain::{ComprehensivePlan, ElementKind, Plan, PlanStatus, Strategy};
use proptest::prelude::*;
use proptest::strategy::Strategy as _;

/// Small sample plans built from domain values.
mod sample {
    use keikaku_domain::era::FiscalYear;
    use keikaku_domain::{
        Approach, BasicObjective, BasicPlan, ComprehensivePlan, Direction, ElementId, ElementRef,
        Field, Goal, Half, Indicator, IndicatorType, Measure, MunicipalityCode, Period, PlanHeader,
        PlanId, PlanStatus, Principle, PriorityProject, Strategy, StrategyMeasure, Vision,
        YearValue,
    };
    use rust_decimal::Decimal;

    pub fn id(s: &str) -> ElementId {
        ElementId::parse(s).unwrap()
    }

    pub fn fy(y: i32) -> FiscalYear {
        FiscalYear::new(y).unwrap()
    }

    pub fn header(plan: &str, title: &str, start: i32, end: i32) -> PlanHeader {
        PlanHeader {
            id: PlanId::parse(plan).unwrap(),
            municipality: MunicipalityCode::parse("03209").unwrap(),
            title: title.to_owned(),
            purpose: "市の最上位計画として、まちづくりの方向を示します。".to_owned(),
            scope: "市政全般".to_owned(),
            period: Period {
                start: fy(start),
                end: fy(end),
                description: String::new(),
            },
            status: PlanStatus::Draft,
            position: 1,
        }
    }

    fn goal(i: &str, number: &str, title: &str) -> Goal {
        Goal {
            id: id(i),
            number: number.to_owned(),
            title: title.to_owned(),
            description: String::new(),
        }
    }

    pub fn measure(i: &str, number: &str, title: &str, course: &str) -> Measure {
        Measure {
            id: id(i),
            number: number.to_owned(),
            title: title.to_owned(),
            course_of_action: course.to_owned(),
            citizen_participation: String::new(),
            department: String::new(),
            indicators: Vec::new(),
            sample: false,
        }
    }

    fn field(i: &str, goal: &str, number: &str, title: &str, state: &str) -> Field {
        Field {
            id: id(i),
            goal: id(goal),
            number: number.to_owned(),
            title: title.to_owned(),
            current_state: state.to_owned(),
            department: String::new(),
            measures: Vec::new(),
            indicators: Vec::new(),
            sample: false,
        }
    }

    /// 一関市総合計画, cut down: 2 principles, 3 goals, 1 approach, and a first basic plan with
    /// a priority project, three fields of one or two measures, and an approach.
    pub fn comprehensive() -> ComprehensivePlan {
        let mut f11 = field(
            "f-1-1",
            "goal-1",
            "1-1",
            "農林水産業",
            "農業従事者の高齢化が進んでいます。",
        );
        f11.measures = vec![
            measure(
                "m-1-1-1",
                "1-1-1",
                "農業の担い手の育成",
                "新規就農者を支援します。",
            ),
            measure("m-1-1-2", "1-1-2", "林業の振興", "森林の整備を進めます。"),
        ];
        let mut f12 = field("f-1-2", "goal-1", "1-2", "工業", "");
        f12.measures = vec![measure("m-1-2-1", "1-2-1", "企業誘致の推進", "")];
        let mut f31 = field("f-3-1", "goal-3", "3-1", "子育て", "");
        f31.measures = vec![measure(
            "m-3-1-1",
            "3-1-1",
            "子育て支援の充実",
            "子育て世代への支援を充実します。",
        )];
        ComprehensivePlan {
            header: header("sogo-keikaku-2016", "一関市総合計画", 2016, 2025),
            vision: Vision {
                future_image: "みつけよう育てよう 郷土の宝 いのち輝く一関".to_owned(),
                future_image_note: String::new(),
                principles: vec![
                    Principle {
                        id: id("p-1"),
                        number: "1".to_owned(),
                        title: "「郷土の宝物」地域資源を活用しよう".to_owned(),
                        description: String::new(),
                    },
                    Principle {
                        id: id("p-2"),
                        number: "2".to_owned(),
                        title: "「市民主体」自ら考え共に行動しよう".to_owned(),
                        description: String::new(),
                    },
                ],
                goals: vec![
                    goal("goal-1", "1", "地域資源をみがき生かせる 魅力あるまち"),
                    goal("goal-2", "2", "みんなが交流して 地域が賑わう 活力あるまち"),
                    goal("goal-3", "3", "自ら輝きながら 次代の担い手を応援するまち"),
                ],
                approaches: vec![Approach {
                    id: id("a-1"),
                    number: "1".to_owned(),
                    title: "市民と行政の協働のまちづくり".to_owned(),
                    description: String::new(),
                }],
            },
            basic_plans: vec![BasicPlan {
                id: id("bp-1"),
                half: Half::First,
                title: "前期基本計画".to_owned(),
                start: fy(2016),
                end: fy(2020),
                description: String::new(),
                priority_projects: vec![PriorityProject {
                    id: id("pp-1"),
                    number: "1".to_owned(),
                    title: "しごと：若者や女性が集うまち".to_owned(),
                    description: String::new(),
                    measures: vec![id("m-1-1-1"), id("m-1-2-1")],
                    sample: false,
                }],
                fields: vec![f11, f12, f31],
                approaches: vec![Approach {
                    id: id("bpa-1"),
                    number: "1".to_owned(),
                    title: "地域づくり活動の促進と協働によるまちづくりの推進".to_owned(),
                    description: String::new(),
                }],
            }],
        }
    }

    pub fn year_value(value: i64, year: i32) -> Option<YearValue> {
        Some(YearValue {
            value: Decimal::from(value),
            year: fy(year),
        })
    }

    pub fn indicator(i: &str, title: &str, unit: &str, target: i64) -> Indicator {
        Indicator {
            id: id(i),
            title: title.to_owned(),
            unit: unit.to_owned(),
            direction: Direction::Higher,
            indicator_type: IndicatorType::Cumulative,
            baseline: year_value(0, 2014),
            target: year_value(target, 2019),
            calculation_method: String::new(),
            data_source: String::new(),
            department: String::new(),
            sample: false,
            code: String::new(),
            decimals: None,
            interim_targets: Vec::new(),
            tolerance: None,
            cumulative_entry: keikaku_domain::kpi::Entered::RunningTotals,
            acquisition: String::new(),
            lag_years: None,
            definition_changes: Vec::new(),
        }
    }

    pub fn link(element: &str) -> ElementRef {
        ElementRef {
            plan: PlanId::parse("sogo-keikaku-2016").unwrap(),
            element: id(element),
        }
    }

    /// 一関市まち・ひと・しごと創生総合戦略, cut down: one objective with a numerical target and
    /// a measure with a KPI and links into the comprehensive plan.
    pub fn strategy() -> Strategy {
        Strategy {
            header: header(
                "sogo-senryaku-2015",
                "一関市まち・ひと・しごと創生総合戦略",
                2015,
                2019,
            ),
            basic_objectives: vec![BasicObjective {
                id: id("o-1"),
                number: "1".to_owned(),
                title: "しごとをつくり、安心して働けるようにする".to_owned(),
                description: String::new(),
                numerical_targets: vec![indicator("nt-1-1", "新規雇用者数", "人", 1000)],
                measures: vec![StrategyMeasure {
                    id: id("sm-1-1"),
                    number: "1-1".to_owned(),
                    title: "企業誘致と雇用の創出".to_owned(),
                    description: String::new(),
                    department: "商業労政課".to_owned(),
                    kpis: vec![indicator("kpi-1-1-1", "誘致企業数", "社", 10)],
                    linked_measures: vec![link("m-1-2-1")],
                    linked_priority_projects: vec![link("pp-1")],
                    sample: false,
                }],
                sample: false,
            }],
        }
    }
}

fn kind_code(kind: Option<ElementKind>) -> &'static str {
    match kind {
        None => "plan",
        Some(ElementKind::Principle) => "principle",
        Some(ElementKind::Goal) => "goal",
        Some(ElementKind::VisionApproach | ElementKind::PlanApproach) => "approach",
        Some(ElementKind::BasicPlan) => "basic_plan",
        Some(ElementKind::PriorityProject) => "priority_project",
        Some(ElementKind::Field) => "field",
        Some(ElementKind::Measure) => "measure",
        Some(ElementKind::BasicObjective) => "basic_objective",
        Some(ElementKind::NumericalTarget) => "numerical_target",
        Some(ElementKind::StrategyMeasure) => "strategy_measure",
        Some(ElementKind::Kpi) => "kpi",
        Some(ElementKind::OutcomeIndicator) => "outcome_indicator",
    }
}

/// Text parts as one string, changed parts in `[-…-]` (old side) or `[+…+]` (new side).
fn marked(parts: &[TextPart], sign: char) -> String {
    parts
        .iter()
        .map(|p| {
            if p.changed {
                format!("[{sign}{}{sign}]", p.text)
            } else {
                p.text.clone()
            }
        })
        .collect()
}

/// The diff as compact lines, one per added, removed or moved element and per changed
/// attribute.
fn render(diff: &PlanDiff) -> Vec<String> {
    let mut lines = Vec::new();
    for c in &diff.changes {
        let mut who = kind_code(c.kind).to_owned();
        if let Some(id) = &c.id {
            who = format!("{who} {id}");
        }
        match &c.change {
            Change::Added => lines.push(format!("+ {who} 「{}」", c.title)),
            Change::Removed => lines.push(format!("- {who} 「{}」", c.title)),
            Change::Moved {
                from_position,
                to_position,
            } => lines.push(format!(
                "> {who} 「{}」 {from_position}→{to_position}",
                c.title
            )),
            Change::Changed(fields) => {
                assert!(!fields.is_empty(), "{who}: a change without attributes");
                for f in fields {
                    let joined = |parts: &[TextPart]| -> String {
                        parts.iter().map(|p| p.text.as_str()).collect()
                    };
                    assert_eq!(joined(&f.old_parts), f.old);
                    assert_eq!(joined(&f.new_parts), f.new);
                    if f.value {
                        // A value is one changed part, never split.
                        assert!(f.old_parts.len() <= 1 && f.new_parts.iter().all(|p| p.changed));
                        lines.push(format!("= {who} {}: {} → {}", f.field, f.old, f.new));
                        continue;
                    }
                    lines.push(format!(
                        "~ {who} {}: 「{}」→「{}」",
                        f.field,
                        marked(&f.old_parts, '-'),
                        marked(&f.new_parts, '+')
                    ));
                }
            }
        }
    }
    lines
}

/// Compares the rendered diff of two plans with the expected lines; the error says how they
/// differ.
fn check(old: &Plan, new: &Plan, expect: &[&str]) -> Result<(), String> {
    let diff = diff_plans(old, new);
    let got = render(&diff);
    if got != expect {
        return Err(format!(
            "got:\n{}\nexpected:\n{}",
            got.join("\n"),
            expect.join("\n")
        ));
    }
    if diff.is_empty() != expect.is_empty() {
        return Err("is_empty disagrees with the changes".to_owned());
    }
    Ok(())
}

/// Runs named cases and reports every failing one.
fn run_cases(results: impl Iterator<Item = (&'static str, Result<(), String>)>) {
    let failures: Vec<String> = results
        .filter_map(|(name, r)| r.err().map(|e| format!("case 「{name}」:\n{e}")))
        .collect();
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

type ComprehensiveCase = (
    &'static str,
    fn(&mut ComprehensivePlan),
    &'static [&'static str],
);

fn measure_mut<'a>(p: &'a mut ComprehensivePlan, id: &str) -> &'a mut keikaku_domain::Measure {
    p.basic_plans
        .iter_mut()
        .flat_map(|bp| bp.fields.iter_mut())
        .flat_map(|f| f.measures.iter_mut())
        .find(|m| m.id.as_str() == id)
        .unwrap()
}

const COMPREHENSIVE_CASES: &[ComprehensiveCase] = &[
    ("identical", |_| {}, &[]),
    (
        "title with inserted characters",
        |p| measure_mut(p, "m-1-1-1").title = "農業の担い手の確保と育成".to_owned(),
        &["~ measure m-1-1-1 名称: 「農業の担い手の育成」→「農業の担い手の[+確保と+]育成」"],
    ),
    (
        "title with replaced characters",
        |p| p.vision.goals[1].title = "みんなが交流して 地域がにぎわう 活力あるまち".to_owned(),
        &[
            "~ goal goal-2 名称: 「みんなが交流して 地域が[-賑-]わう 活力あるまち」→「みんなが交流して 地域が[+にぎ+]わう 活力あるまち」",
        ],
    ),
    (
        "mid-sentence insertions",
        |p| {
            p.basic_plans[0].fields[0].current_state =
                "農業従事者の高齢化と担い手不足が進んでいます。".to_owned();
            measure_mut(p, "m-3-1-1").course_of_action =
                "子育て世代への経済的な支援を充実します。".to_owned();
        },
        &[
            "~ field f-1-1 現状と課題: 「農業従事者の高齢化が進んでいます。」→「農業従事者の高齢化[+と担い手不足+]が進んでいます。」",
            "~ measure m-3-1-1 展開方法: 「子育て世代への支援を充実します。」→「子育て世代への[+経済的な+]支援を充実します。」",
        ],
    ),
    (
        "a rewritten clause, with a lone common character shown as changed",
        |p| measure_mut(p, "m-1-1-2").course_of_action = "林道の整備を進めます。".to_owned(),
        &[
            "~ measure m-1-1-2 展開方法: 「[-森林-]の整備を進めます。」→「[+林道+]の整備を進めます。」",
        ],
    ),
    (
        "added and removed measures",
        |p| {
            let f = &mut p.basic_plans[0].fields[0];
            f.measures.remove(1);
            f.measures
                .push(sample::measure("m-1-1-3", "1-1-3", "水産業の振興", ""));
            p.basic_plans[0].fields[2].measures.insert(
                0,
                sample::measure("m-3-1-0", "3-1-0", "結婚支援", "出会いの場をつくります。"),
            );
        },
        &[
            "- measure m-1-1-2 「林業の振興」",
            "+ measure m-1-1-3 「水産業の振興」",
            "+ measure m-3-1-0 「結婚支援」",
        ],
    ),
    (
        "a removed field with its measures",
        |p| {
            p.basic_plans[0].fields.remove(1);
            p.basic_plans[0].priority_projects[0].measures.pop();
        },
        &[
            "= priority_project pp-1 関連する施策: m-1-1-1, m-1-2-1 → m-1-1-1",
            "- field f-1-2 「工業」",
            "- measure m-1-2-1 「企業誘致の推進」",
        ],
    ),
    (
        "a measure moved to another field",
        |p| {
            let m = p.basic_plans[0].fields[0].measures.remove(1);
            p.basic_plans[0].fields[1].measures.push(m);
        },
        &["> measure m-1-1-2 「林業の振興」 1→1"],
    ),
    (
        "a measure moved and renumbered",
        |p| {
            let mut m = p.basic_plans[0].fields[0].measures.remove(1);
            m.number = "1-2-2".to_owned();
            p.basic_plans[0].fields[1].measures.push(m);
        },
        &[
            "= measure m-1-1-2 番号: 1-1-2 → 1-2-2",
            "= measure m-1-1-2 所属: 分野「農林水産業」 → 分野「工業」",
        ],
    ),
    (
        "a goal moved to the front",
        |p| p.vision.goals.rotate_right(1),
        &["> goal goal-3 「自ら輝きながら 次代の担い手を応援するまち」 2→0"],
    ),
    (
        "two goals swapped",
        |p| p.vision.goals.swap(0, 1),
        &["> goal goal-2 「みんなが交流して 地域が賑わう 活力あるまち」 1→0"],
    ),
    (
        "measures reordered inside their field",
        |p| p.basic_plans[0].fields[0].measures.reverse(),
        &["> measure m-1-1-2 「林業の振興」 1→0"],
    ),
    (
        "an insertion does not move the siblings after it",
        |p| {
            p.vision.principles.insert(
                0,
                keikaku_domain::Principle {
                    id: sample::id("p-0"),
                    number: "0".to_owned(),
                    title: "「次世代人材支援」郷土を誇りに思う心を育てよう".to_owned(),
                    description: String::new(),
                },
            );
        },
        &["+ principle p-0 「「次世代人材支援」郷土を誇りに思う心を育てよう」"],
    ),
    (
        "priority project links",
        |p| {
            let pp = &mut p.basic_plans[0].priority_projects[0];
            pp.measures = vec![sample::id("m-1-1-1"), sample::id("m-3-1-1")];
            pp.sample = true;
        },
        &[
            "= priority_project pp-1 関連する施策: m-1-1-1, m-1-2-1 → m-1-1-1, m-3-1-1",
            "= priority_project pp-1 サンプル: いいえ → はい",
        ],
    ),
    (
        "the goal of a field",
        |p| p.basic_plans[0].fields[2].goal = sample::id("goal-2"),
        &["= field f-3-1 まちづくりの目標: goal-3 → goal-2"],
    ),
    (
        "header period, status and future image",
        |p| {
            p.header.period.end = sample::fy(2026);
            p.header.status = PlanStatus::Adopted;
            p.vision.future_image_note = "郷土の宝を見つけ、育てます。".to_owned();
        },
        &[
            "= plan 終了年度: 令和7年度（2025年度） → 令和8年度（2026年度）",
            "= plan 状態: 草案 → 決定",
            "~ plan 将来像の説明: 「」→「[+郷土の宝を見つけ、育てます。+]」",
        ],
    ),
    (
        "basic plan period and an approach moved from the vision into the basic plan",
        |p| {
            p.basic_plans[0].end = sample::fy(2021);
            let a = p.vision.approaches.remove(0);
            p.basic_plans[0].approaches.push(a);
        },
        &[
            "= basic_plan bp-1 終了年度: 令和2年度（2020年度） → 令和3年度（2021年度）",
            "> approach a-1 「市民と行政の協働のまちづくり」 0→1",
        ],
    ),
    (
        "outcome indicators added to a field and a measure",
        |p| {
            p.basic_plans[0].fields[0]
                .indicators
                .push(sample::indicator("oi-1-1", "農業産出額", "億円", 300));
            measure_mut(p, "m-1-1-1").indicators.push(sample::indicator(
                "oi-1-1-1",
                "新規就農者数",
                "人",
                50,
            ));
        },
        &[
            "+ outcome_indicator oi-1-1-1 「新規就農者数」",
            "+ outcome_indicator oi-1-1 「農業産出額」",
        ],
    ),
];

#[test]
fn comprehensive_plan_cases() {
    let old = sample::comprehensive();
    run_cases(COMPREHENSIVE_CASES.iter().map(|(name, change, expect)| {
        let mut new = old.clone();
        change(&mut new);
        let result = check(
            &Plan::Comprehensive(old.clone()),
            &Plan::Comprehensive(new),
            expect,
        );
        (*name, result)
    }));
}

type StrategyCase = (&'static str, fn(&mut Strategy), &'static [&'static str]);

const STRATEGY_CASES: &[StrategyCase] = &[
    ("identical", |_| {}, &[]),
    (
        "a KPI target",
        |s| {
            s.basic_objectives[0].measures[0].kpis[0].target = sample::year_value(12, 2019);
        },
        &["= kpi kpi-1-1-1 目標値: 10 → 12"],
    ),
    (
        "a numerical target's baseline, direction and unit",
        |s| {
            let t = &mut s.basic_objectives[0].numerical_targets[0];
            t.baseline = None;
            t.direction = keikaku_domain::Direction::Maintain;
            t.unit = "人／年".to_owned();
        },
        &[
            "= numerical_target nt-1-1 単位: 人 → 人／年",
            "= numerical_target nt-1-1 方向: 増加を目指す → 維持を目指す",
            "= numerical_target nt-1-1 基準値: 0 → ",
            "= numerical_target nt-1-1 基準年度: 平成26年度（2014年度） → ",
        ],
    ),
    (
        "strategy measure links and an added KPI",
        |s| {
            let m = &mut s.basic_objectives[0].measures[0];
            m.linked_measures.push(sample::link("m-1-2-2"));
            m.linked_priority_projects.clear();
            m.kpis
                .push(sample::indicator("kpi-1-1-2", "新規雇用者数", "人", 300));
        },
        &[
            "= strategy_measure sm-1-1 関連する施策: sogo-keikaku-2016/m-1-2-1 → sogo-keikaku-2016/m-1-2-1, sogo-keikaku-2016/m-1-2-2",
            "= strategy_measure sm-1-1 関連する重点プロジェクト: sogo-keikaku-2016/pp-1 → ",
            "+ kpi kpi-1-1-2 「新規雇用者数」",
        ],
    ),
    (
        "a removed measure with its KPI, and a changed title shown with the new title",
        |s| {
            s.basic_objectives[0].measures.clear();
            s.basic_objectives[0].title = "しごとをつくり、安心して働ける".to_owned();
        },
        &[
            "~ basic_objective o-1 名称: 「しごとをつくり、安心して働ける[-ようにする-]」→「しごとをつくり、安心して働ける」",
            "- strategy_measure sm-1-1 「企業誘致と雇用の創出」",
            "- kpi kpi-1-1-1 「誘致企業数」",
        ],
    ),
    (
        "a KPI's code, decimals, interim targets and data-quality notes",
        |s| {
            let k = &mut s.basic_objectives[0].measures[0].kpis[0];
            k.code = "K1-1-1".to_owned();
            k.decimals = Some(1);
            k.interim_targets = vec![
                sample::year_value(4, 2016).unwrap(),
                sample::year_value(7, 2017).unwrap(),
            ];
            k.cumulative_entry = keikaku_domain::kpi::Entered::YearlyAmounts;
            k.acquisition = "企業への聞き取り".to_owned();
            k.lag_years = Some(1);
            k.definition_changes = vec![keikaku_domain::DefinitionChange {
                year: sample::fy(2017),
                note: "誘致の定義に増設を含める".to_owned(),
            }];
        },
        &[
            "= kpi kpi-1-1-1 指標コード:  → K1-1-1",
            "= kpi kpi-1-1-1 中間目標値:  → 4（平成28年度・2016年度）\n7（平成29年度・2017年度）",
            "= kpi kpi-1-1-1 累計値の入力方法: 累計を入力する → 各年度の実績を入力する（累計は計算）",
            "= kpi kpi-1-1-1 表示桁数:  → 1桁",
            "~ kpi kpi-1-1-1 把握方法: 「」→「[+企業への聞き取り+]」",
            "= kpi kpi-1-1-1 把握時期:  → 1年後",
            "~ kpi kpi-1-1-1 定義の変更: 「」→「[+平成29年度（2017年度）: 誘致の定義に増設を含める+]」",
        ],
    ),
    (
        "a maintain-type target's tolerance",
        |s| {
            let t = &mut s.basic_objectives[0].numerical_targets[0];
            t.tolerance = Some(rust_decimal::Decimal::new(25, 1));
        },
        &["= numerical_target nt-1-1 許容幅:  → ±2.5"],
    ),
];

#[test]
fn strategy_cases() {
    let old = sample::strategy();
    run_cases(STRATEGY_CASES.iter().map(|(name, change, expect)| {
        let mut new = old.clone();
        change(&mut new);
        let result = check(&Plan::Strategy(old.clone()), &Plan::Strategy(new), expect);
        (*name, result)
    }));
}

#[test]
fn changed_title_is_reported_under_the_new_title() {
    let old = sample::comprehensive();
    let mut new = old.clone();
    measure_mut(&mut new, "m-1-1-1").title = "担い手の育成".to_owned();
    let diff = diff_plans(&Plan::Comprehensive(old), &Plan::Comprehensive(new));
    assert_eq!(diff.changes.len(), 1);
    assert_eq!(diff.changes[0].title, "担い手の育成");
    assert_eq!(diff.changes[0].change.label(), "変更");
}

#[test]
fn different_plans_share_nothing() {
    let comprehensive = Plan::Comprehensive(sample::comprehensive());
    let strategy = Plan::Strategy(sample::strategy());
    let diff = diff_plans(&comprehensive, &strategy);
    // 1 header + 2 principles + 3 goals + 1 approach + 1 basic plan + 1 project + 3 fields
    // + 4 measures + 1 approach removed; 1 header + objective + target + measure + KPI added.
    assert_eq!(diff.counts(), (5, 17, 0));
    let lines = render(&diff);
    assert_eq!(lines[0], "- plan 「一関市総合計画」");
    assert_eq!(lines[17], "+ plan 「一関市まち・ひと・しごと創生総合戦略」");
    assert_eq!(lines[21], "+ kpi kpi-1-1-1 「誘致企業数」");

    // The same kind with another id: also nothing in common.
    let mut other = sample::comprehensive();
    other.header.id = keikaku_domain::PlanId::parse("sogo-keikaku-2026").unwrap();
    let diff = diff_plans(&comprehensive, &Plan::Comprehensive(other));
    assert_eq!(diff.counts(), (17, 17, 0));
}

#[test]
fn counts_added_removed_and_changed_with_moved() {
    let old = sample::comprehensive();
    let mut new = old.clone();
    new.vision.goals.swap(1, 2); // moved
    new.header.title = "一関市総合計画（案）".to_owned(); // changed
    new.basic_plans[0].fields[0].measures.pop(); // removed
    new.basic_plans[0].fields[1].measures.clear(); // removed
    new.basic_plans[0].fields[1].measures.push(sample::measure(
        "m-1-2-9",
        "1-2-9",
        "新産業の創出",
        "",
    )); // added
    let diff = diff_plans(&Plan::Comprehensive(old), &Plan::Comprehensive(new));
    assert_eq!(diff.counts(), (1, 2, 2));
    assert!(!diff.is_empty());
    assert_eq!(
        render(&diff),
        [
            "~ plan 名称: 「一関市総合計画」→「一関市総合計画[+（案）+]」",
            "> goal goal-3 「自ら輝きながら 次代の担い手を応援するまち」 2→1",
            "- measure m-1-1-2 「林業の振興」",
            "- measure m-1-2-1 「企業誘致の推進」",
            "+ measure m-1-2-9 「新産業の創出」",
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Text diff.

fn both(old: &str, new: &str) -> (String, String) {
    let (o, n) = text_diff(old, new);
    (marked(&o, '-'), marked(&n, '+'))
}

#[test]
fn text_diff_table() {
    let cases = [
        ("", "", "", ""),
        ("同じ", "同じ", "同じ", "同じ"),
        ("", "新しい", "", "[+新しい+]"),
        ("古い", "", "[-古い-]", ""),
        ("旧い", "新しい", "[-旧-]い", "[+新し+]い"),
        (
            "観光の振興",
            "農業の支援",
            "[-観光の振興-]",
            "[+農業の支援+]",
        ),
        (
            "子育て支援の充実",
            "高齢者支援の強化",
            "[-子育て-]支援の[-充実-]",
            "[+高齢者+]支援の[+強化+]",
        ),
        (
            "市民と行政の協働",
            "市民と行政と企業の協働",
            "市民と行政の協働",
            "市民と行政[+と企業+]の協働",
        ),
        ("ABC", "ＡＢＣ", "[-ABC-]", "[+ＡＢＣ+]"),
        (
            "改行\nあり",
            "改行\nなし",
            "改行\n[-あり-]",
            "改行\n[+なし+]",
        ),
        (
            "一行目\n二行目\n",
            "一行目\n三行目\n四行目",
            "一行目\n[-二-]行目\n",
            "一行目\n[+三+]行目\n[+四行目+]",
        ),
    ];
    for (old, new, o, n) in cases {
        assert_eq!(
            both(old, new),
            (o.to_owned(), n.to_owned()),
            "{old} → {new}"
        );
    }
}

#[test]
fn unchanged_parts_pair_up_around_a_pure_insertion() {
    let (old, new) = text_diff("子育て世代への支援", "子育て世代への経済的支援");
    let texts = |parts: &[TextPart]| -> Vec<(String, bool)> {
        parts.iter().map(|p| (p.text.clone(), p.changed)).collect()
    };
    assert_eq!(
        texts(&old),
        [("子育て世代への".into(), false), ("支援".into(), false)]
    );
    assert_eq!(
        texts(&new),
        [
            ("子育て世代への".into(), false),
            ("経済的".into(), true),
            ("支援".into(), false)
        ]
    );
}

fn sentences(n: usize) -> String {
    (0..n)
        .map(|k| format!("施策{k}を推進し、地域の活力を高めます。"))
        .collect()
}

#[test]
fn long_text_with_one_change() {
    let old = sentences(250);
    assert!(old.chars().count() > 5_000);
    let new = old.replacen("施策125を推進し", "施策125を着実に推進し", 1);
    let (o, n) = text_diff(&old, &new);
    let (head, tail) = old.split_at(old.find("施策125を").unwrap() + "施策125を".len());
    assert_eq!(
        o,
        [
            TextPart {
                text: head.to_owned(),
                changed: false
            },
            TextPart {
                text: tail.to_owned(),
                changed: false
            },
        ]
    );
    assert_eq!(
        n,
        [
            TextPart {
                text: head.to_owned(),
                changed: false
            },
            TextPart {
                text: "着実に".to_owned(),
                changed: true
            },
            TextPart {
                text: tail.to_owned(),
                changed: false
            },
        ]
    );
}

#[test]
fn long_text_with_changes_far_apart_is_compared_by_lines() {
    // The changes at both ends leave about 6,000 characters between them on each side, more
    // than one character table allows: the texts are compared sentence by sentence, then
    // character by character inside the changed sentences.
    let old = sentences(300);
    let new = old
        .replacen("施策0を推進し", "施策0を強力に推進し", 1)
        .replacen("施策299を推進し", "施策299を見直し", 1);
    let (o, n) = text_diff(&old, &new);
    let changed = |parts: &[TextPart]| -> Vec<String> {
        parts
            .iter()
            .filter(|p| p.changed)
            .map(|p| p.text.clone())
            .collect()
    };
    assert_eq!(changed(&o), ["推進"]);
    assert_eq!(changed(&n), ["強力に", "見直"]);
    let unchanged = |parts: &[TextPart]| -> String {
        parts
            .iter()
            .filter(|p| !p.changed)
            .map(|p| p.text.as_str())
            .collect()
    };
    assert_eq!(unchanged(&o).chars().count(), old.chars().count() - 2);
    assert_eq!(unchanged(&o), unchanged(&n));
    assert_eq!(o.iter().map(|p| p.text.as_str()).collect::<String>(), old);
    assert_eq!(n.iter().map(|p| p.text.as_str()).collect::<String>(), new);
}

#[test]
fn long_texts_without_anything_in_common_are_changed_as_a_whole() {
    let old = "あ".repeat(5_000);
    let new = "い".repeat(5_000);
    assert_eq!(
        both(&old, &new),
        (format!("[-{old}-]"), format!("[+{new}+]"))
    );
    // One long line each, different throughout except a little: still bounded and exact.
    let old = format!("{}の{}", "か".repeat(3_000), "き".repeat(3_000));
    let new = format!("{}の{}", "さ".repeat(3_000), "し".repeat(3_000));
    let (o, n) = text_diff(&old, &new);
    assert_eq!(o.iter().map(|p| p.text.as_str()).collect::<String>(), old);
    assert_eq!(n.iter().map(|p| p.text.as_str()).collect::<String>(), new);
}

/// The invariants of [`text_diff`] for any pair of texts.
fn assert_invariants(a: &str, b: &str) {
    let (old, new) = text_diff(a, b);
    let joined = |parts: &[TextPart]| -> String { parts.iter().map(|p| p.text.as_str()).collect() };
    assert_eq!(joined(&old), a);
    assert_eq!(joined(&new), b);
    let unchanged = |parts: &[TextPart]| -> Vec<String> {
        parts
            .iter()
            .filter(|p| !p.changed)
            .map(|p| p.text.clone())
            .collect()
    };
    assert_eq!(unchanged(&old), unchanged(&new));
    for parts in [&old, &new] {
        assert!(parts.iter().all(|p| !p.text.is_empty()), "{parts:?}");
        assert!(
            parts.windows(2).all(|w| !(w[0].changed && w[1].changed)),
            "{parts:?}"
        );
    }
    if a == b {
        assert!(old.iter().chain(&new).all(|p| !p.changed));
    }
}

fn text(max: usize) -> impl proptest::strategy::Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            'あ', 'い', 'う', 'の', '支', '援', '。', '\n', 'a', 'b',
        ]),
        0..max,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

/// Long texts made of a few phrases, so that they share lines and exceed the character table.
fn long_text() -> impl proptest::strategy::Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "施策を推進します。",
            "子育て世代への支援",
            "\n",
            "の",
            "地域資源を生かし",
            "。",
            "観光",
        ]),
        300..700,
    )
    .prop_map(|pieces| pieces.concat())
}

proptest! {
    #[test]
    fn text_diff_invariants(a in text(60), b in text(60)) {
        assert_invariants(&a, &b);
    }

    #[test]
    fn text_diff_of_an_edited_text(a in text(80), at in 0usize..80, cut in 0usize..10, insert in text(10)) {
        let chars: Vec<char> = a.chars().collect();
        let at = at.min(chars.len());
        let end = (at + cut).min(chars.len());
        let b: String = chars[..at].iter().chain(insert.chars().collect::<Vec<_>>().iter()).chain(&chars[end..]).collect();
        assert_invariants(&a, &b);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn text_diff_invariants_on_long_texts(a in long_text(), b in long_text()) {
        assert_invariants(&a, &b);
    }
}

/// A changed baseline is two values, each shown whole: 「0 → 5」 and the years, never 元 and
/// 19 struck out separately.
#[test]
fn numbers_and_years_are_compared_as_values() {
    let old = sample::strategy();
    let mut new = old.clone();
    let k = &mut new.basic_objectives[0].measures[0].kpis[0];
    k.baseline = sample::year_value(0, 2019);
    let mut older = old.clone();
    older.basic_objectives[0].measures[0].kpis[0].baseline = sample::year_value(0, 2019);
    let mut newer = older.clone();
    newer.basic_objectives[0].measures[0].kpis[0].baseline = sample::year_value(5, 2025);
    check(
        &Plan::Strategy(older),
        &Plan::Strategy(newer),
        &[
            "= kpi kpi-1-1-1 基準値: 0 → 5",
            "= kpi kpi-1-1-1 基準年度: 令和元年度（2019年度） → 令和7年度（2025年度）",
        ],
    )
    .unwrap();
    // Only the year moved: the value is not reported.
    check(
        &Plan::Strategy(old),
        &Plan::Strategy(new),
        &["= kpi kpi-1-1-1 基準年度: 平成26年度（2014年度） → 令和元年度（2019年度）"],
    )
    .unwrap();
}

/// An added KPI carries its values and its place; a removed measure its old content.
#[test]
fn added_and_removed_elements_carry_their_content_and_place() {
    let old = sample::strategy();
    let mut new = old.clone();
    let mut kpi = sample::indicator("kpi-1-1-2", "雇用創出数", "人", 300);
    kpi.department = "商業労政課".to_owned();
    new.basic_objectives[0].measures[0].kpis.push(kpi);
    let diff = diff_plans(&Plan::Strategy(old.clone()), &Plan::Strategy(new));
    let added = &diff.changes[0];
    assert_eq!(added.change, Change::Added);
    assert_eq!(added.place, "施策「企業誘致と雇用の創出」のKPIの2番目");
    let content: Vec<String> = added
        .content
        .iter()
        .map(|s| format!("{}={}", s.label, s.text))
        .collect();
    assert_eq!(
        content,
        [
            "名称=雇用創出数",
            "単位=人",
            "方向=増加を目指す",
            "種類=累計値",
            "基準値=0",
            "基準年度=平成26年度（2014年度）",
            "目標値=300",
            "目標年度=令和元年度（2019年度）",
            "累計値の入力方法=累計を入力する",
            "所管課=商業労政課",
        ]
    );
    assert!(added.content.iter().all(|s| s.value || s.label == "名称"));

    let c = sample::comprehensive();
    let mut fewer = c.clone();
    fewer.basic_plans[0].fields[0].measures.remove(1);
    let diff = diff_plans(&Plan::Comprehensive(c), &Plan::Comprehensive(fewer));
    let removed = &diff.changes[0];
    assert_eq!(removed.change, Change::Removed);
    assert_eq!(removed.place, "分野「農林水産業」の施策の2番目");
    assert!(
        removed
            .content
            .iter()
            .any(|s| s.label == "展開方法" && s.text == "森林の整備を進めます。" && !s.value)
    );
    // A changed element lists only what changed.
    assert!(diff.changes.iter().all(|c| c.change == Change::Removed));
}

/// The outline of a plan is every element in display order, with its depth and content, as a
/// version's page reads it.
#[test]
fn outline_lists_every_element_with_its_depth() {
    use keikaku_domain::plan::diff::outline;
    let plan = Plan::Comprehensive(sample::comprehensive());
    let lines: Vec<String> = outline(&plan)
        .iter()
        .map(|e| format!("{} {} {}", e.depth, kind_code(e.kind), e.title))
        .collect();
    assert_eq!(lines[0], "0 plan 一関市総合計画");
    assert!(lines.contains(&"1 goal 地域資源をみがき生かせる 魅力あるまち".to_owned()));
    assert!(lines.contains(&"1 basic_plan 前期基本計画".to_owned()));
    assert!(lines.contains(&"2 field 農林水産業".to_owned()));
    assert!(lines.contains(&"3 measure 林業の振興".to_owned()));
    let header = &outline(&plan)[0];
    assert!(
        header
            .content
            .iter()
            .any(|s| s.label == "開始年度" && s.text == "平成28年度（2016年度）")
    );
    // Every element of the plan is there once.
    assert_eq!(lines.len(), 1 + 2 + 3 + 1 + 1 + 1 + 3 + 4 + 1);
}

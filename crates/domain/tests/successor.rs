//! Tests for `keikaku_domain::plan::successor`: a 後期基本計画 started from the 前期 — every
//! element copied under a new id, the links inside the copy re-pointed and those outside kept
//! (a table of source → expected target), texts and values equal, codes left empty, the
//! refusals, and the copied plan as valid as the source.
#![allow(clippy::unwrap_used)]

use keikaku_domain::era::FiscalYear;
use keikaku_domain::kpi::Entered;
use keikaku_domain::plan::successor::{SuccessorRefusal, counts_text, start_from_predecessor};
use keikaku_domain::plan::validate::validate_plan;
use keikaku_domain::{
    Approach, BasicPlan, ComprehensivePlan, Direction, ElementId, ElementKind, Field, Goal, Half,
    Indicator, IndicatorType, Measure, MunicipalityCode, Period, Plan, PlanHeader, PlanId,
    PlanStatus, PriorityProject, Vision, YearValue,
};
use rust_decimal::Decimal;

fn id(s: &str) -> ElementId {
    ElementId::parse(s).unwrap()
}

fn fy(y: i32) -> FiscalYear {
    FiscalYear::new(y).unwrap()
}

fn indicator(i: &str, code: &str) -> Indicator {
    Indicator {
        id: id(i),
        title: format!("指標{i}"),
        unit: "件".to_owned(),
        direction: Direction::Higher,
        indicator_type: IndicatorType::Level,
        baseline: Some(YearValue {
            value: Decimal::from(100),
            year: fy(2014),
        }),
        target: Some(YearValue {
            value: Decimal::new(1105, 1),
            year: fy(2020),
        }),
        calculation_method: "方法".to_owned(),
        data_source: "出典".to_owned(),
        department: "農政課".to_owned(),
        sample: true,
        code: code.to_owned(),
        decimals: Some(1),
        interim_targets: Vec::new(),
        tolerance: None,
        cumulative_entry: Entered::RunningTotals,
        acquisition: String::new(),
        lag_years: None,
        definition_changes: Vec::new(),
    }
}

fn measure(m: &str) -> Measure {
    Measure {
        id: id(m),
        number: format!("{m}番"),
        title: format!("施策{m}"),
        course_of_action: "展開方法".to_owned(),
        citizen_participation: "市民の参画".to_owned(),
        department: "農政課".to_owned(),
        indicators: Vec::new(),
        sample: false,
    }
}

fn basic_plan(b: &str, half: Half, start: i32) -> BasicPlan {
    BasicPlan {
        id: id(b),
        half,
        title: format!("{}基本計画", half.label()),
        start: fy(start),
        end: fy(start + 4),
        description: format!("{}の説明", half.label()),
        priority_projects: Vec::new(),
        fields: Vec::new(),
        approaches: Vec::new(),
    }
}

/// A 前期 with two fields (one with a measure and indicators), an approach and two projects
/// — one pointing at its own measures and a measure of the other basic plan — and an empty
/// 後期.
fn plan() -> ComprehensivePlan {
    let mut first = basic_plan("bp-first", Half::First, 2016);
    let mut m1 = measure("m-1");
    m1.indicators.push(indicator("oi-m1", "K-1"));
    first.fields = vec![
        Field {
            id: id("f-1"),
            goal: id("goal-1"),
            number: "1-1".to_owned(),
            title: "農林水産業".to_owned(),
            current_state: "現状と課題".to_owned(),
            department: "農政課".to_owned(),
            measures: vec![m1, measure("m-2")],
            indicators: vec![indicator("oi-f1", "")],
            sample: true,
        },
        Field {
            id: id("f-2"),
            goal: id("goal-2"),
            number: "2-1".to_owned(),
            title: "道路".to_owned(),
            current_state: String::new(),
            department: String::new(),
            measures: Vec::new(),
            indicators: Vec::new(),
            sample: false,
        },
    ];
    first.approaches = vec![Approach {
        id: id("pa-1"),
        number: "1".to_owned(),
        title: "協働".to_owned(),
        description: "説明".to_owned(),
    }];
    first.priority_projects = vec![PriorityProject {
        id: id("pp-1"),
        number: "1".to_owned(),
        title: "しごと".to_owned(),
        description: "考え方".to_owned(),
        measures: vec![id("m-2"), id("m-1"), id("m-other")],
        sample: false,
    }];
    let mut other = basic_plan("bp-other", Half::First, 2010);
    other.fields.push(Field {
        id: id("f-other"),
        goal: id("goal-1"),
        number: "9".to_owned(),
        title: "別".to_owned(),
        current_state: String::new(),
        department: String::new(),
        measures: vec![measure("m-other")],
        indicators: Vec::new(),
        sample: false,
    });
    let goal = |g: &str| Goal {
        id: id(g),
        number: g.to_owned(),
        title: g.to_owned(),
        description: String::new(),
    };
    ComprehensivePlan {
        header: PlanHeader {
            id: PlanId::parse("sogo").unwrap(),
            municipality: MunicipalityCode::parse("03209").unwrap(),
            title: "総合計画".to_owned(),
            purpose: String::new(),
            scope: String::new(),
            period: Period {
                start: fy(2010),
                end: fy(2025),
                description: String::new(),
            },
            status: PlanStatus::Draft,
            position: 0,
        },
        vision: Vision {
            future_image: "将来像".to_owned(),
            future_image_note: String::new(),
            principles: Vec::new(),
            goals: vec![goal("goal-1"), goal("goal-2")],
            approaches: Vec::new(),
        },
        basic_plans: vec![other, first, basic_plan("bp-second", Half::Second, 2021)],
    }
}

/// New ids as the app makes them: the kind and a counter.
fn ids() -> impl FnMut(ElementKind) -> ElementId {
    let mut n = 0;
    move |kind| {
        n += 1;
        id(&format!("{}-new{n}", kind.code().replace('_', "-")))
    }
}

fn second(plan: &ComprehensivePlan) -> &BasicPlan {
    plan.basic_plan(&id("bp-second")).unwrap()
}

#[test]
fn every_element_is_copied_under_a_new_id() {
    let source = plan();
    let done = start_from_predecessor(&source, &id("bp-second"), ids()).unwrap();
    assert_eq!(done.source, id("bp-first"));
    let copied: Vec<(ElementKind, &str, &str)> = done
        .copied
        .iter()
        .map(|c| (c.kind, c.source.as_str(), c.copy.as_str()))
        .collect();
    use ElementKind::{Field, Measure, OutcomeIndicator, PlanApproach, PriorityProject};
    assert_eq!(
        copied,
        [
            (Field, "f-1", "field-new1"),
            (Measure, "m-1", "measure-new2"),
            (OutcomeIndicator, "oi-m1", "outcome-indicator-new3"),
            (Measure, "m-2", "measure-new4"),
            (OutcomeIndicator, "oi-f1", "outcome-indicator-new5"),
            (Field, "f-2", "field-new6"),
            (PlanApproach, "pa-1", "plan-approach-new7"),
            (PriorityProject, "pp-1", "priority-project-new8"),
        ]
    );
    // The other basic plans are as they were; the target keeps its own title, period and
    // description.
    assert_eq!(done.plan.basic_plans[0], source.basic_plans[0]);
    assert_eq!(done.plan.basic_plans[1], source.basic_plans[1]);
    let to = second(&done.plan);
    assert_eq!(
        (to.title.as_str(), to.start, to.end, to.description.as_str()),
        ("後期基本計画", fy(2021), fy(2025), "後期の説明")
    );
    assert_eq!(to.element_counts(), source.basic_plans[1].element_counts());
}

/// Where each link of the copy points: inside the copy re-pointed, outside kept.
#[test]
fn links_inside_the_copy_point_at_the_copies() {
    let done = start_from_predecessor(&plan(), &id("bp-second"), ids()).unwrap();
    let to = second(&done.plan);
    let cases: &[(&str, &str, &str)] = &[
        // (what, link target in the copy, expected)
        (
            "project → its first measure",
            to.priority_projects[0].measures[0].as_str(),
            "measure-new4",
        ),
        (
            "project → its second measure",
            to.priority_projects[0].measures[1].as_str(),
            "measure-new2",
        ),
        (
            "project → a measure of another basic plan",
            to.priority_projects[0].measures[2].as_str(),
            "m-other",
        ),
        (
            "field 1 → its goal in the vision",
            to.fields[0].goal.as_str(),
            "goal-1",
        ),
        (
            "field 2 → its goal in the vision",
            to.fields[1].goal.as_str(),
            "goal-2",
        ),
    ];
    for (what, got, expected) in cases {
        assert_eq!(got, expected, "{what}");
    }
}

#[test]
fn texts_and_values_are_copied_and_codes_left_empty() {
    let source = plan();
    let done = start_from_predecessor(&source, &id("bp-second"), ids()).unwrap();
    let from = &source.basic_plans[1];
    let to = second(&done.plan);
    let (f, g) = (&from.fields[0], &to.fields[0]);
    assert_eq!(
        (
            &g.number,
            &g.title,
            &g.current_state,
            &g.department,
            g.sample
        ),
        (
            &f.number,
            &f.title,
            &f.current_state,
            &f.department,
            f.sample
        )
    );
    let (m, n) = (&f.measures[0], &g.measures[0]);
    assert_eq!(
        (
            &n.number,
            &n.title,
            &n.course_of_action,
            &n.citizen_participation
        ),
        (
            &m.number,
            &m.title,
            &m.course_of_action,
            &m.citizen_participation
        )
    );
    let copy = &n.indicators[0];
    assert_eq!(
        copy.code, "",
        "codes are unique in a plan: the copy's is empty"
    );
    assert_eq!(
        keikaku_domain::Indicator {
            id: m.indicators[0].id.clone(),
            code: m.indicators[0].code.clone(),
            ..copy.clone()
        },
        m.indicators[0],
        "everything else is the source's"
    );
    assert_eq!(to.approaches[0].title, "協働");
    assert_eq!(to.priority_projects[0].description, "考え方");
}

#[test]
fn the_copy_is_as_valid_as_the_source() {
    // A project may only point at measures of its own basic plan: without that link the
    // source is valid, and so is the copy.
    let mut source = plan();
    source.basic_plans[1].priority_projects[0].measures.pop();
    assert_eq!(validate_plan(&Plan::Comprehensive(source.clone()), &[]), []);
    let done = start_from_predecessor(&source, &id("bp-second"), ids()).unwrap();
    let before = validate_plan(&Plan::Comprehensive(source), &[]);
    let after = validate_plan(&Plan::Comprehensive(done.plan), &[]);
    assert_eq!(after, before);
}

#[test]
fn refusals_say_why() {
    let mut filled = plan();
    filled.basic_plans[2].approaches.push(Approach {
        id: id("pa-9"),
        number: String::new(),
        title: "既存".to_owned(),
        description: String::new(),
    });
    let mut empty_source = plan();
    empty_source.basic_plans[1] = basic_plan("bp-first", Half::First, 2016);
    let cases: Vec<(&str, ComprehensivePlan, &str, &str)> = vec![
        (
            "target not empty",
            filled,
            "bp-second",
            "後期基本計画にはすでにまちづくりの進め方1件があるため、写しを作りません（今の内容を置き換えることはしません）。空の基本計画でだけ使えます。",
        ),
        (
            "first basic plan",
            plan(),
            "bp-other",
            "前期基本計画はこの計画の最初の基本計画のため、写す元になる基本計画がありません。",
        ),
        (
            "empty source",
            empty_source,
            "bp-second",
            "前期基本計画には写す要素（重点プロジェクト・分野・まちづくりの進め方）がありません。",
        ),
        (
            "unknown basic plan",
            plan(),
            "bp-none",
            "基本計画「bp-none」はこの計画にありません。",
        ),
    ];
    for (what, p, target, message) in cases {
        let refusal = start_from_predecessor(&p, &id(target), ids()).unwrap_err();
        assert_eq!(refusal.message(), message, "{what}");
    }
    let refusal = start_from_predecessor(&plan(), &id("bp-first"), ids()).unwrap_err();
    assert!(matches!(refusal, SuccessorRefusal::NotEmpty { .. }));
}

#[test]
fn counts_per_kind() {
    let p = plan();
    assert_eq!(
        counts_text(&p.basic_plans[1].element_counts()),
        "重点プロジェクト1件・分野2件・施策2件・成果指標2件・まちづくりの進め方1件"
    );
    assert!(p.basic_plans[2].element_counts().is_empty());
    assert!(p.basic_plans[2].is_empty());
}

//! The evaluation of a year from an indicator's definition and its stored yearly values:
//! which actual (yearly amounts summed for cumulative indicators), which expectation (the
//! plan's interim target, else the year's entered target, else the line), 速報値, and the grade
//! scale's text form.
#![allow(clippy::unwrap_used)]

use keikaku_domain::audit::Timestamp;
use keikaku_domain::era::FiscalYear;
use keikaku_domain::kpi::{
    Entered, GradeScale, LowerForm, Outcome, RateKind, Reference, Unevaluable, ValueState,
    YearlyValue, evaluate_year, latest_actual_year, values_of,
};
use keikaku_domain::{Direction, ElementId, Indicator, IndicatorType, YearValue};
use rust_decimal::Decimal;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn fy(y: i32) -> FiscalYear {
    FiscalYear::new(y).unwrap()
}

fn kpi(kind: IndicatorType, entry: Entered) -> Indicator {
    Indicator {
        id: ElementId::parse("kpi-1").unwrap(),
        title: "指標".to_owned(),
        unit: "人".to_owned(),
        direction: Direction::Higher,
        indicator_type: kind,
        baseline: Some(YearValue {
            value: d("100"),
            year: fy(2014),
        }),
        target: Some(YearValue {
            value: d("110"),
            year: fy(2019),
        }),
        calculation_method: String::new(),
        data_source: String::new(),
        department: String::new(),
        sample: false,
        code: String::new(),
        decimals: None,
        interim_targets: Vec::new(),
        tolerance: None,
        cumulative_entry: entry,
        acquisition: String::new(),
        lag_years: None,
        definition_changes: Vec::new(),
    }
}

fn value(year: i32, target: Option<&str>, actual: Option<&str>, state: ValueState) -> YearlyValue {
    YearlyValue {
        indicator: ElementId::parse("kpi-1").unwrap(),
        fiscal_year: fy(year),
        target: target.map(d),
        actual: actual.map(d),
        state,
        note: String::new(),
        entered_by: "kikaku".to_owned(),
        entered_at: Timestamp::from_millis(0).unwrap(),
        version: 1,
    }
}

fn percent(outcome: &Outcome) -> Decimal {
    match outcome {
        Outcome::Rate { percent, .. } => *percent,
        other => panic!("no rate: {other:?}"),
    }
}

#[test]
fn the_target_year_is_judged_by_its_actual() {
    let k = kpi(IndicatorType::Level, Entered::RunningTotals);
    let stored = [value(2019, None, Some("105"), ValueState::Confirmed)];
    let values = values_of(&k.id, &stored);
    let r = evaluate_year(
        &k,
        &values,
        fy(2019),
        RateKind::Progress,
        LowerForm::TargetOverActual,
    );
    assert_eq!(percent(&r.outcome), d("50"));
    assert!(!r.provisional);
    let r = evaluate_year(
        &k,
        &values,
        fy(2019),
        RateKind::Achievement,
        LowerForm::TargetOverActual,
    );
    assert_eq!(
        keikaku_domain::format::percent(percent(&r.outcome), 2),
        "95.45%"
    );
}

#[test]
fn a_missing_year_is_missing_not_zero_nor_carried_over() {
    let k = kpi(IndicatorType::Level, Entered::RunningTotals);
    let stored = [value(2017, None, Some("108"), ValueState::Confirmed)];
    let values = values_of(&k.id, &stored);
    let r = evaluate_year(
        &k,
        &values,
        fy(2018),
        RateKind::Progress,
        LowerForm::TargetOverActual,
    );
    assert_eq!(r.actual, None);
    assert_eq!(r.outcome, Outcome::Unevaluable(Unevaluable::MissingActual));
    assert_eq!(latest_actual_year(&values, fy(2019)), Some(fy(2017)));
    assert_eq!(latest_actual_year(&values, fy(2016)), None);
}

#[test]
fn the_expectation_is_the_plans_interim_then_the_entered_target_then_the_line() {
    let mut k = kpi(IndicatorType::Level, Entered::RunningTotals);
    // 2016 on the straight line 100 → 110 over 2014–2019: 104.
    let stored = [
        value(2016, None, Some("104"), ValueState::Confirmed),
        value(2017, Some("108"), Some("104"), ValueState::Provisional),
    ];
    let values = values_of(&k.id, &stored);
    let r = evaluate_year(
        &k,
        &values,
        fy(2016),
        RateKind::Progress,
        LowerForm::TargetOverActual,
    );
    assert_eq!(percent(&r.outcome), d("100"));
    // 2017: the entered target 108 is the expectation: (104 − 100) / (108 − 100) = 50 %.
    let r = evaluate_year(
        &k,
        &values,
        fy(2017),
        RateKind::Progress,
        LowerForm::TargetOverActual,
    );
    assert_eq!(percent(&r.outcome), d("50"));
    assert!(r.provisional);
    assert_eq!(r.target, Some(d("108")));
    // The plan's own interim target wins over the entered one.
    k.interim_targets = vec![YearValue {
        value: d("102"),
        year: fy(2017),
    }];
    let r = evaluate_year(
        &k,
        &values,
        fy(2017),
        RateKind::Progress,
        LowerForm::TargetOverActual,
    );
    assert_eq!(percent(&r.outcome), d("200"));
    assert!(matches!(
        r.outcome,
        Outcome::Rate {
            against: Reference::Interim { stated: true, .. },
            ..
        }
    ));
}

#[test]
fn cumulative_yearly_amounts_are_summed_from_the_baseline() {
    let k = kpi(IndicatorType::Cumulative, Entered::YearlyAmounts);
    let stored = [
        value(2015, None, Some("2"), ValueState::Confirmed),
        value(2016, None, Some("3"), ValueState::Confirmed),
        value(2018, None, Some("1"), ValueState::Confirmed),
    ];
    let values = values_of(&k.id, &stored);
    let r = evaluate_year(
        &k,
        &values,
        fy(2016),
        RateKind::Progress,
        LowerForm::TargetOverActual,
    );
    assert_eq!(r.entered, Some(d("3")));
    assert_eq!(r.actual, Some(d("105")));
    // 2016 expects 104: (105 − 100) / (104 − 100) = 125 %.
    assert_eq!(percent(&r.outcome), d("125"));
    // 2017 is missing, so 2018's running total cannot be known.
    let r = evaluate_year(
        &k,
        &values,
        fy(2018),
        RateKind::Progress,
        LowerForm::TargetOverActual,
    );
    assert_eq!(
        r.outcome,
        Outcome::Unevaluable(Unevaluable::MissingYear(fy(2017)))
    );
    assert_eq!(r.actual, None);
}

#[test]
fn a_grade_scale_is_kept_as_text_and_read_back() {
    for scale in [
        GradeScale::letters(RateKind::Progress),
        GradeScale::marks(RateKind::Achievement),
    ] {
        let text = scale.grades_text();
        assert_eq!(GradeScale::parse(scale.basis, &text), Ok(scale));
    }
    assert_eq!(
        GradeScale::letters(RateKind::Progress).grades_text(),
        "A=100\nB=80\nC=50\nD"
    );
    let own = GradeScale::parse(RateKind::Progress, "達成 ≥ 100%\n\n概ね達成＝70\n未達成").unwrap();
    assert_eq!(own.grades.len(), 3);
    assert_eq!(own.grades[1].at_least, Some(d("70")));
    let bad = GradeScale::parse(RateKind::Progress, "A=abc\nB=80\nC=90\nD=1").unwrap_err();
    assert!(bad.iter().any(|m| m.contains("1行目")), "{bad:?}");
    assert!(bad.iter().any(|m| m.contains("最後の段階")), "{bad:?}");
    assert!(bad.iter().any(|m| m.contains("一つ上の段階")), "{bad:?}");
}

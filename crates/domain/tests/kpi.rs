//! 進捗率, 達成率, interim expectations, maintain bands, cumulative actuals, 評価不能 and grade
//! scales, as tables: each row an indicator, a year's actual and the exact expected outcome.
#![allow(clippy::unwrap_used)]

use keikaku_domain::era::FiscalYear;
use keikaku_domain::kpi::{
    Entered, GradeScale, LowerForm, Outcome, RateKind, Reference, Settings, Unevaluable,
    cumulative_actual, evaluate,
};
use keikaku_domain::{Direction, ElementId, Indicator, IndicatorType, YearValue};
use rust_decimal::Decimal;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn fy(y: i32) -> FiscalYear {
    FiscalYear::new(y).unwrap()
}

fn at(value: &str, year: i32) -> YearValue {
    YearValue {
        value: d(value),
        year: fy(year),
    }
}

fn indicator(
    direction: Direction,
    baseline: Option<YearValue>,
    target: Option<YearValue>,
) -> Indicator {
    Indicator {
        id: ElementId::parse("kpi-1").unwrap(),
        title: "指標".to_owned(),
        unit: "人".to_owned(),
        direction,
        indicator_type: IndicatorType::Level,
        baseline,
        target,
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

fn rate(outcome: Outcome) -> Decimal {
    match outcome {
        Outcome::Rate { percent, .. } => percent,
        other => panic!("no rate: {other:?}"),
    }
}

#[test]
fn the_briefs_example_holds() {
    let kpi = indicator(
        Direction::Higher,
        Some(at("100", 2019)),
        Some(at("110", 2024)),
    );
    let actual = Some(at("105", 2024));
    let none = Settings::default();
    assert_eq!(
        rate(evaluate(&kpi, RateKind::Progress, actual, &none)),
        d("50")
    );
    let achieved = rate(evaluate(&kpi, RateKind::Achievement, actual, &none));
    // 105 × 100 / 110 to Decimal's 28 significant digits: 95.45454545454545454545454545.
    assert_eq!(achieved, d("10500") / d("110"));
    assert!(achieved.to_string().starts_with("95.4545454545"));
    assert_eq!(keikaku_domain::format::percent(achieved, 2), "95.45%");
    assert_eq!(keikaku_domain::format::percent(d("50"), 1), "50.0%");
}

/// direction, B, T, A, kind, lower form, expected percent.
type Row = (
    Direction,
    &'static str,
    &'static str,
    &'static str,
    RateKind,
    Option<LowerForm>,
    &'static str,
);

#[test]
fn rates_in_the_target_year_table() {
    use Direction::{Higher, Lower};
    // direction, B, T, A, kind, lower form, expected percent
    let rows: &[Row] = &[
        (Higher, "100", "110", "110", RateKind::Progress, None, "100"),
        (Higher, "100", "110", "120", RateKind::Progress, None, "200"),
        (Higher, "100", "110", "95", RateKind::Progress, None, "-50"),
        (Higher, "100", "110", "100", RateKind::Progress, None, "0"),
        // Lower is better without special cases: both differences are negative.
        (Lower, "100", "80", "90", RateKind::Progress, None, "50"),
        (Lower, "100", "80", "70", RateKind::Progress, None, "150"),
        (Lower, "100", "80", "110", RateKind::Progress, None, "-50"),
        (Lower, "2.5", "1.5", "2.0", RateKind::Progress, None, "50"),
        // 達成率.
        (
            Higher,
            "100",
            "200",
            "150",
            RateKind::Achievement,
            None,
            "75",
        ),
        (Lower, "100", "80", "100", RateKind::Achievement, None, "80"),
        (
            Lower,
            "100",
            "80",
            "100",
            RateKind::Achievement,
            Some(LowerForm::TargetOverActual),
            "80",
        ),
        (
            Lower,
            "100",
            "80",
            "90",
            RateKind::Achievement,
            Some(LowerForm::TwoMinusRatio),
            "87.5",
        ),
        (
            Lower,
            "100",
            "80",
            "0",
            RateKind::Achievement,
            Some(LowerForm::TwoMinusRatio),
            "200",
        ),
    ];
    for (i, (dir, b, t, a, kind, form, want)) in rows.iter().enumerate() {
        let kpi = indicator(*dir, Some(at(b, 2019)), Some(at(t, 2024)));
        let settings = Settings {
            lower_form: *form,
            ..Settings::default()
        };
        let outcome = evaluate(&kpi, *kind, Some(at(a, 2024)), &settings);
        assert_eq!(rate(outcome), d(want), "row {i}: {outcome:?}");
        let Outcome::Rate { against, .. } = outcome else {
            unreachable!()
        };
        assert_eq!(against, Reference::Target(d(t)), "row {i}");
    }
}

#[test]
fn before_the_target_year_the_actual_meets_the_years_expectation() {
    let kpi = indicator(
        Direction::Higher,
        Some(at("100", 2019)),
        Some(at("110", 2024)),
    );
    // The straight line: 2021 expects 100 + 10 × 2 / 5 = 104.
    let outcome = evaluate(
        &kpi,
        RateKind::Progress,
        Some(at("103", 2021)),
        &Settings::default(),
    );
    assert_eq!(
        outcome,
        Outcome::Rate {
            percent: d("75"),
            against: Reference::Interim {
                expected: d("104"),
                stated: false
            },
        }
    );
    // The plan's own interim target for the year wins over the line.
    let interim = [at("106", 2021), at("108", 2022)];
    let settings = Settings {
        interim: &interim,
        ..Settings::default()
    };
    let outcome = evaluate(&kpi, RateKind::Progress, Some(at("103", 2021)), &settings);
    assert_eq!(
        outcome,
        Outcome::Rate {
            percent: d("50"),
            against: Reference::Interim {
                expected: d("106"),
                stated: true
            },
        }
    );
    // 達成率 against the expectation; after the target year, against the target.
    assert_eq!(
        rate(evaluate(
            &kpi,
            RateKind::Achievement,
            Some(at("104", 2021)),
            &Settings::default()
        )),
        d("100")
    );
    assert_eq!(
        rate(evaluate(
            &kpi,
            RateKind::Progress,
            Some(at("111", 2026)),
            &Settings::default()
        )),
        d("110")
    );
    // A lower-is-better line: 50 → 30 over 4 years expects 45 after one; 47 is 60 % of the way.
    let lower = indicator(Direction::Lower, Some(at("50", 2020)), Some(at("30", 2024)));
    assert_eq!(
        rate(evaluate(
            &lower,
            RateKind::Progress,
            Some(at("47", 2021)),
            &Settings::default()
        )),
        d("60")
    );
    // An interim target at the baseline value leaves nothing to measure.
    let flat = [at("100", 2021)];
    let settings = Settings {
        interim: &flat,
        ..Settings::default()
    };
    assert_eq!(
        evaluate(&kpi, RateKind::Progress, Some(at("103", 2021)), &settings),
        Outcome::Unevaluable(Unevaluable::ExpectationEqualsBaseline)
    );
}

#[test]
fn what_cannot_be_evaluated_says_why() {
    let full = indicator(
        Direction::Higher,
        Some(at("100", 2019)),
        Some(at("110", 2024)),
    );
    let no_baseline = indicator(Direction::Higher, None, Some(at("110", 2024)));
    let no_target = indicator(Direction::Higher, Some(at("100", 2019)), None);
    let flat = indicator(
        Direction::Higher,
        Some(at("100", 2019)),
        Some(at("100", 2024)),
    );
    let zero = indicator(Direction::Higher, Some(at("5", 2019)), Some(at("0", 2024)));
    let lower = indicator(Direction::Lower, Some(at("5", 2019)), Some(at("2", 2024)));
    let none = Settings::default();
    let rows: &[(&Indicator, RateKind, Option<YearValue>, Unevaluable)] = &[
        (&full, RateKind::Progress, None, Unevaluable::MissingActual),
        (
            &full,
            RateKind::Achievement,
            None,
            Unevaluable::MissingActual,
        ),
        (
            &no_baseline,
            RateKind::Progress,
            Some(at("105", 2024)),
            Unevaluable::MissingBaseline,
        ),
        (
            &no_target,
            RateKind::Progress,
            Some(at("105", 2024)),
            Unevaluable::MissingTarget,
        ),
        (
            &no_target,
            RateKind::Achievement,
            Some(at("105", 2024)),
            Unevaluable::MissingTarget,
        ),
        (
            &flat,
            RateKind::Progress,
            Some(at("105", 2024)),
            Unevaluable::TargetEqualsBaseline,
        ),
        (
            &zero,
            RateKind::Achievement,
            Some(at("1", 2024)),
            Unevaluable::DivisionByZero,
        ),
        (
            &lower,
            RateKind::Achievement,
            Some(at("0", 2024)),
            Unevaluable::DivisionByZero,
        ),
    ];
    for (i, (kpi, kind, actual, why)) in rows.iter().enumerate() {
        assert_eq!(
            evaluate(kpi, *kind, *actual, &none),
            Outcome::Unevaluable(*why),
            "row {i}"
        );
        assert!(!why.reason().is_empty());
    }
    // 達成率 needs no baseline.
    assert_eq!(
        rate(evaluate(
            &no_baseline,
            RateKind::Achievement,
            Some(at("55", 2024)),
            &none
        )),
        d("50")
    );
    assert_eq!(Unevaluable::MissingActual.reason(), "実績値が未把握です。");
}

#[test]
fn a_maintain_type_indicator_is_judged_by_its_band() {
    let kpi = indicator(
        Direction::Maintain,
        Some(at("95", 2019)),
        Some(at("95", 2024)),
    );
    let band = Settings {
        tolerance: Some(d("2")),
        ..Settings::default()
    };
    let rows = [
        ("95", true, "0"),
        ("97", true, "2"),
        ("93", true, "-2"),
        ("97.1", false, "2.1"),
        ("92", false, "-3"),
    ];
    for (a, within, deviation) in rows {
        assert_eq!(
            evaluate(&kpi, RateKind::Progress, Some(at(a, 2022)), &band),
            Outcome::Maintained {
                within,
                deviation: d(deviation)
            },
            "{a}"
        );
    }
    assert_eq!(
        evaluate(
            &kpi,
            RateKind::Progress,
            Some(at("95", 2022)),
            &Settings::default()
        ),
        Outcome::Unevaluable(Unevaluable::MissingTolerance)
    );
    assert_eq!(
        evaluate(&kpi, RateKind::Progress, None, &band),
        Outcome::Unevaluable(Unevaluable::MissingActual)
    );
}

#[test]
fn cumulative_actuals_from_yearly_amounts_or_running_totals() {
    let baseline = Some(at("0", 2019));
    let amounts = [at("10", 2020), at("12", 2021), at("8", 2022)];
    assert_eq!(
        cumulative_actual(Entered::YearlyAmounts, baseline, &amounts, fy(2021)),
        Ok(at("22", 2021))
    );
    assert_eq!(
        cumulative_actual(Entered::YearlyAmounts, baseline, &amounts, fy(2022)),
        Ok(at("30", 2022))
    );
    // A baseline that is itself a total carries on from there.
    assert_eq!(
        cumulative_actual(
            Entered::YearlyAmounts,
            Some(at("100", 2019)),
            &amounts,
            fy(2020)
        ),
        Ok(at("110", 2020))
    );
    // A missing year is never taken as 0.
    let gap = [at("10", 2020), at("8", 2022)];
    assert_eq!(
        cumulative_actual(Entered::YearlyAmounts, baseline, &gap, fy(2022)),
        Err(Unevaluable::MissingYear(fy(2021)))
    );
    assert_eq!(
        cumulative_actual(Entered::YearlyAmounts, baseline, &gap, fy(2023)),
        Err(Unevaluable::MissingActual)
    );
    assert_eq!(
        cumulative_actual(Entered::YearlyAmounts, None, &amounts, fy(2021)),
        Err(Unevaluable::MissingBaseline)
    );
    assert!(
        Unevaluable::MissingYear(fy(2021))
            .reason()
            .contains("令和3年度（2021年度）")
    );
    // Running totals are taken as entered.
    let totals = [at("10", 2020), at("22", 2021)];
    assert_eq!(
        cumulative_actual(Entered::RunningTotals, baseline, &totals, fy(2021)),
        Ok(at("22", 2021))
    );
    assert_eq!(
        cumulative_actual(Entered::RunningTotals, baseline, &totals, fy(2022)),
        Err(Unevaluable::MissingActual)
    );
    // Both entries give the same progress: 2021 of a 0 → 50 line over 5 years expects 20.
    let kpi = Indicator {
        indicator_type: IndicatorType::Cumulative,
        ..indicator(Direction::Higher, baseline, Some(at("50", 2024)))
    };
    let a = cumulative_actual(Entered::YearlyAmounts, baseline, &amounts, fy(2021)).ok();
    let b = cumulative_actual(Entered::RunningTotals, baseline, &totals, fy(2021)).ok();
    assert_eq!(a, b);
    assert_eq!(
        rate(evaluate(&kpi, RateKind::Progress, a, &Settings::default())),
        d("110")
    );
}

#[test]
fn grades_follow_the_scale_and_count_up() {
    let scale = GradeScale::letters(RateKind::Progress);
    assert!(scale.problems().is_empty());
    let rows = [
        ("150", "A"),
        ("100", "A"),
        ("99.99", "B"),
        ("80", "B"),
        ("79.9", "C"),
        ("50", "C"),
        ("49.99", "D"),
        ("-20", "D"),
    ];
    for (percent, label) in rows {
        assert_eq!(scale.of_rate(d(percent)).unwrap().label, label, "{percent}");
    }
    let marks = GradeScale::marks(RateKind::Achievement);
    assert_eq!(marks.of_rate(d("100")).unwrap().label, "◎");
    assert_eq!(marks.of_rate(d("0")).unwrap().label, "×");
    let outcomes = [
        Outcome::Rate {
            percent: d("120"),
            against: Reference::Target(d("1")),
        },
        Outcome::Rate {
            percent: d("85"),
            against: Reference::Target(d("1")),
        },
        Outcome::Rate {
            percent: d("10"),
            against: Reference::Target(d("1")),
        },
        Outcome::Maintained {
            within: true,
            deviation: d("0"),
        },
        Outcome::Maintained {
            within: false,
            deviation: d("5"),
        },
        Outcome::Unevaluable(Unevaluable::MissingActual),
    ];
    assert_eq!(scale.of(&outcomes[3]).unwrap().label, "A");
    assert_eq!(scale.of(&outcomes[4]).unwrap().label, "D");
    assert_eq!(scale.of(&outcomes[5]), None);
    let tally = scale.tally(&outcomes);
    assert_eq!(
        tally.counts,
        [
            ("A".to_owned(), 2),
            ("B".to_owned(), 1),
            ("C".to_owned(), 0),
            ("D".to_owned(), 2)
        ]
    );
    assert_eq!((tally.unevaluable, tally.total()), (1, 6));
}

#[test]
fn a_scale_a_plan_defines_is_checked() {
    let mut scale = GradeScale::letters(RateKind::Progress);
    scale.grades[1].at_least = Some(d("100"));
    scale.grades[2].label = "A".to_owned();
    scale.grades[3].at_least = Some(d("10"));
    let problems = scale.problems();
    assert_eq!(problems.len(), 3, "{problems:?}");
    let mut short = GradeScale::letters(RateKind::Progress);
    short.grades.truncate(1);
    short.grades[0].at_least = None;
    assert!(!short.problems().is_empty());
}

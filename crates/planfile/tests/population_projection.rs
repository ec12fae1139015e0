//! Reading one projection's input (`keikaku population project`): a valid input maps onto the
//! projection's `Input` one to one, and every kind of problem — invalid JSON, wrong types,
//! missing and unknown members, wrong lengths, negative values, a per-step list of the wrong
//! length, steps and years out of range — comes back with its exact JSON path, all at once;
//! a value that could not be read is reported once, not again by the projection's checks. The
//! result is written one year per line and reads back to the same bits.
#![allow(clippy::unwrap_used, clippy::float_cmp)]

use keikaku_planfile::population_projection::{
    ProjectedYear, read_projection_input, write_projection,
};
use keikaku_projection::{Rates, project};
use serde_json::{Value, json};

/// A valid input: 100 men and 200 women in every group, flat rates.
fn base() -> Value {
    json!({
        "base_year": 2015,
        "steps": 9,
        "pop": {"M": vec![100.0; 19], "F": vec![200.0; 19]},
        "survival": {"M": vec![0.75; 19], "F": vec![0.875; 19]},
        "migration": {"M": vec![0.125; 19], "F": vec![-0.125; 19]},
        "cwr": 0.25,
        "sex_ratio": 105.0
    })
}

/// The problems of an input as (path, message), in the order reported.
fn problems(v: &Value) -> Vec<(String, String)> {
    problems_of(&v.to_string())
}

fn problems_of(text: &str) -> Vec<(String, String)> {
    match read_projection_input(text) {
        Ok(_) => Vec::new(),
        Err(list) => list.into_iter().map(|p| (p.path, p.message)).collect(),
    }
}

fn changed(edit: impl FnOnce(&mut Value)) -> Value {
    let mut v = base();
    edit(&mut v);
    v
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(p, m)| ((*p).to_owned(), (*m).to_owned()))
        .collect()
}

#[test]
fn a_valid_input_maps_onto_the_projection_one_to_one() {
    let input = read_projection_input(&base().to_string()).unwrap();
    assert_eq!(input.base_year, 2015);
    assert_eq!(input.steps, 9);
    assert_eq!(input.population.male, [100.0; 19]);
    assert_eq!(input.population.female, [200.0; 19]);
    let a = &input.assumptions;
    let Rates::Constant(s) = &a.survival else {
        panic!("constant survival")
    };
    assert_eq!((s.male[18], s.female[0]), (0.75, 0.875));
    let Rates::Constant(m) = &a.migration else {
        panic!("constant migration")
    };
    assert_eq!((m.male[0], m.female[18]), (0.125, -0.125));
    assert_eq!(a.child_woman_ratio, Rates::Constant(0.25));
    // Boys per 100 girls, as the projection's `sex_ratio`.
    assert_eq!(a.sex_ratio, 105.0);

    let per_step =
        changed(|v| v["cwr"] = json!([0.2, 0.21, 0.22, 0.23, 0.24, 0.25, 0.26, 0.27, 0.28]));
    let input = read_projection_input(&per_step.to_string()).unwrap();
    assert_eq!(
        input.assumptions.child_woman_ratio,
        Rates::PerStep(vec![0.2, 0.21, 0.22, 0.23, 0.24, 0.25, 0.26, 0.27, 0.28])
    );
    // Integers are numbers too, and a net outflow is a negative migration rate.
    let integers = changed(|v| {
        v["pop"]["M"] = json!(vec![1000; 19]);
        v["migration"]["F"][4] = json!(-0.05);
        v["sex_ratio"] = json!(105);
    });
    assert!(read_projection_input(&integers.to_string()).is_ok());
}

/// A case: its name, the input, and the problems expected as (path, message).
type Case = (&'static str, Value, Vec<(&'static str, &'static str)>);

#[test]
fn each_kind_of_problem_has_its_exact_path() {
    let cases: Vec<Case> = vec![
        (
            "a member missing",
            changed(|v| {
                v.as_object_mut().unwrap().remove("survival");
            }),
            vec![("$.survival", "必須項目「survival」がありません。")],
        ),
        (
            "a sex missing",
            changed(|v| {
                v["pop"].as_object_mut().unwrap().remove("F");
            }),
            vec![("$.pop.F", "必須項目「F」がありません。")],
        ),
        (
            "an unknown member",
            changed(|v| v["sexratio"] = json!(105)),
            vec![(
                "$.sexratio",
                "「sexratio」という項目はこの形式にありません。",
            )],
        ),
        (
            "an unknown member inside",
            changed(|v| v["migration"]["X"] = json!([])),
            vec![("$.migration.X", "「X」という項目はこの形式にありません。")],
        ),
        (
            "too few groups",
            changed(|v| v["survival"]["M"] = json!(vec![0.75; 18])),
            vec![(
                "$.survival.M",
                "年齢階級ごとの値は19個（0〜4歳 … 85〜89歳、90歳以上）必要ですが、18個です。",
            )],
        ),
        (
            "too many groups",
            changed(|v| v["pop"]["F"] = json!(vec![200.0; 20])),
            vec![(
                "$.pop.F",
                "年齢階級ごとの値は19個（0〜4歳 … 85〜89歳、90歳以上）必要ですが、20個です。",
            )],
        ),
        (
            "a number as text",
            changed(|v| v["pop"]["F"][2] = json!("200")),
            vec![("$.pop.F[2]", "数値である必要があります。")],
        ),
        (
            "null for a number",
            changed(|v| v["sex_ratio"] = Value::Null),
            vec![("$.sex_ratio", "数値である必要があります。")],
        ),
        (
            "a number for a list",
            changed(|v| v["survival"]["M"] = json!(0.75)),
            vec![(
                "$.survival.M",
                "19個の数値の配列（[…]）である必要があります。",
            )],
        ),
        (
            "a list for an object",
            changed(|v| v["migration"] = json!(vec![0.0; 19])),
            vec![("$.migration", "オブジェクト（{…}）である必要があります。")],
        ),
        (
            "cwr as text",
            changed(|v| v["cwr"] = json!("0.25")),
            vec![(
                "$.cwr",
                "数値か、期ごとの数値の配列（[…]）である必要があります。",
            )],
        ),
        (
            "a per-step cwr that is not a number",
            changed(|v| v["cwr"] = json!([0.2, 0.2, true, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2])),
            vec![("$.cwr[2]", "数値である必要があります。")],
        ),
        (
            "a per-step cwr of the wrong length",
            changed(|v| v["cwr"] = json!(vec![0.2; 8])),
            vec![(
                "$.cwr",
                "期ごとの値は推計の期数（9）と同じ9個が必要ですが、8個です。",
            )],
        ),
        (
            "steps as text",
            changed(|v| v["steps"] = json!("9")),
            vec![("$.steps", "推計の期数は1〜60の整数である必要があります。")],
        ),
        (
            "steps not whole",
            changed(|v| v["steps"] = json!(2.5)),
            vec![("$.steps", "推計の期数は1〜60の整数である必要があります。")],
        ),
        (
            "no steps",
            changed(|v| v["steps"] = json!(0)),
            vec![("$.steps", "推計の期数は1〜60です（0）。")],
        ),
        (
            "negative steps",
            changed(|v| v["steps"] = json!(-3)),
            vec![("$.steps", "推計の期数は1〜60です（-3）。")],
        ),
        (
            "too many steps",
            changed(|v| v["steps"] = json!(u64::MAX)),
            vec![("$.steps", "推計の期数は1〜60です（18446744073709551615）。")],
        ),
        (
            "base year as text",
            changed(|v| v["base_year"] = json!("2015")),
            vec![(
                "$.base_year",
                "基準年は整数（例: 2015）である必要があります。",
            )],
        ),
        (
            "base year out of range",
            changed(|v| v["base_year"] = json!(1800)),
            vec![(
                "$.base_year",
                "基準年「1800」は1900年から2300年の間で入力してください。",
            )],
        ),
        (
            "a negative population",
            changed(|v| v["pop"]["M"][0] = json!(-1)),
            vec![("$.pop.M[0]", "人口が負の値です（-1）。")],
        ),
        (
            "a negative survival ratio",
            changed(|v| v["survival"]["M"][3] = json!(-0.1)),
            vec![("$.survival.M[3]", "生残率が負の値です（-0.1）。")],
        ),
        (
            "survival plus migration below zero",
            changed(|v| {
                v["survival"]["F"][4] = json!(0.5);
                v["migration"]["F"][4] = json!(-0.625);
            }),
            vec![(
                "$.migration.F[4]",
                "生残率と純移動率の和が負です（0.5 + -0.625）。人口が負になります。",
            )],
        ),
        (
            "a negative child–woman ratio",
            changed(|v| v["cwr"] = json!(-0.25)),
            vec![("$.cwr", "子ども女性比が負の値です（-0.25）。")],
        ),
        (
            "a negative child–woman ratio of a step",
            changed(|v| v["cwr"] = json!([0.2, 0.2, 0.2, -0.2, 0.2, 0.2, 0.2, 0.2, 0.2])),
            vec![("$.cwr[3]", "子ども女性比が負の値です（-0.2）。")],
        ),
        (
            "a negative sex ratio",
            changed(|v| v["sex_ratio"] = json!(-105)),
            vec![("$.sex_ratio", "性比が負の値です（-105）。")],
        ),
        (
            "a sex ratio of 0",
            changed(|v| v["sex_ratio"] = json!(0)),
            vec![("$.sex_ratio", "性比（女100に対する男の数）が0です。")],
        ),
    ];
    for (name, input, expected) in cases {
        assert_eq!(problems(&input), pairs(&expected), "{name}");
    }
}

#[test]
fn text_that_is_not_an_input_is_one_problem() {
    let broken = problems_of("{\"base_year\": 2015,");
    assert_eq!(broken.len(), 1);
    assert_eq!(broken[0].0, "$");
    assert!(
        broken[0].1.starts_with("JSONとして読めません（1行19列）"),
        "{broken:?}"
    );
    // A number JSON can write but binary64 cannot hold.
    let huge = base().to_string().replace("105.0", "1e400");
    let huge = problems_of(&huge);
    assert_eq!(huge.len(), 1);
    assert_eq!(huge[0].0, "$");
    assert_eq!(
        problems_of("[1, 2]"),
        pairs(&[("$", "オブジェクト（{…}）である必要があります。")])
    );
    assert_eq!(
        problems_of("{}").len(),
        7,
        "every member missing: {:?}",
        problems_of("{}")
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let input = changed(|v| {
        v["steps"] = json!(9);
        v["pop"]["M"][0] = json!(-1);
        v["survival"]["M"][3] = json!(-0.1);
        v["migration"]["F"] = json!(vec![0.0; 17]);
        v["cwr"] = json!(vec![0.2; 8]);
        v["extra"] = json!(true);
    });
    let mut found = problems(&input);
    found.sort();
    assert_eq!(
        found,
        pairs(&[
            (
                "$.cwr",
                "期ごとの値は推計の期数（9）と同じ9個が必要ですが、8個です。"
            ),
            ("$.extra", "「extra」という項目はこの形式にありません。"),
            (
                "$.migration.F",
                "年齢階級ごとの値は19個（0〜4歳 … 85〜89歳、90歳以上）必要ですが、17個です。"
            ),
            ("$.pop.M[0]", "人口が負の値です（-1）。"),
            ("$.survival.M[3]", "生残率が負の値です（-0.1）。"),
        ])
    );
}

#[test]
fn a_value_not_read_is_not_reported_again() {
    // The survival ratio cannot be read: the sum with a negative migration rate is not
    // checked against a stand-in.
    let input = changed(|v| {
        v["survival"]["M"][5] = Value::Null;
        v["migration"]["M"][5] = json!(-0.5);
    });
    assert_eq!(
        problems(&input),
        pairs(&[("$.survival.M[5]", "数値である必要があります。")])
    );
    // Steps that cannot be read: a per-step list is not measured against a stand-in.
    let input = changed(|v| {
        v["steps"] = json!("nine");
        v["cwr"] = json!(vec![0.2; 9]);
    });
    assert_eq!(
        problems(&input),
        pairs(&[("$.steps", "推計の期数は1〜60の整数である必要があります。")])
    );
    // A missing sex ratio is not also "0".
    let input = changed(|v| {
        v.as_object_mut().unwrap().remove("sex_ratio");
    });
    assert_eq!(
        problems(&input),
        pairs(&[("$.sex_ratio", "必須項目「sex_ratio」がありません。")])
    );
}

#[test]
fn the_result_is_one_year_per_line_and_reads_back_to_the_bit() {
    let input = read_projection_input(&changed(|v| v["steps"] = json!(2)).to_string()).unwrap();
    let steps = project(&input).unwrap();
    let text = write_projection(&steps).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5, "{text}");
    assert_eq!(lines[0], "[");
    assert!(
        lines[1].starts_with("  {\"year\":2015,\"M\":[100.0,"),
        "{text}"
    );
    assert!(lines[2].starts_with("  {\"year\":2020,"), "{text}");
    assert_eq!(lines[4], "]");
    let back: Vec<ProjectedYear> = serde_json::from_str(&text).unwrap();
    for (y, s) in back.iter().zip(&steps) {
        assert_eq!(y.year, s.year);
        let bits = |a: &[f64]| a.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&y.male), bits(&s.population.male));
        assert_eq!(bits(&y.female), bits(&s.population.female));
        assert_eq!(y.total.to_bits(), s.total().to_bits());
    }
}

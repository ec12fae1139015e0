//! Version 2 of the plan file: the members it added to indicators (code, interim targets,
//! tolerance, cumulative entry, decimals, acquisition, lag years, definition changes) and the
//! 成果指標 of fields and measures survive a round trip; a version 1 file still imports, its
//! indicators with the defaults, and refuses version 2 members as unknown; problems in the new
//! members come back with their JSON paths.
#![allow(clippy::unwrap_used)]

use keikaku_domain::kpi::Entered;
use keikaku_domain::{ElementKind, Plan};
use keikaku_planfile::{parse, to_json};
use serde_json::{Value, json};

fn example() -> Value {
    serde_json::from_str(keikaku_planfile::example("ichinoseki").unwrap()).unwrap()
}

fn text(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap()
}

fn problems(v: &Value) -> Vec<String> {
    parse(&text(v), &[])
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect()
}

const KPI: &str = "/plans/1/basic_objectives/0/measures/0/kpis/0";

#[test]
fn the_example_carries_definitions_and_outcome_indicators() {
    let file = parse(keikaku_planfile::example("ichinoseki").unwrap(), &[]).unwrap();
    let kpis: Vec<_> = file.plans.iter().flat_map(Plan::indicators).collect();
    assert!(kpis.iter().any(|p| !p.indicator.code.is_empty()));
    assert!(kpis.iter().any(|p| !p.indicator.interim_targets.is_empty()));
    assert!(kpis.iter().any(|p| p.indicator.decimals.is_some()));
    assert!(kpis.iter().any(|p| !p.indicator.acquisition.is_empty()));
    let outcome: Vec<_> = kpis
        .iter()
        .filter(|p| p.kind == ElementKind::OutcomeIndicator)
        .collect();
    assert!(outcome.iter().any(|p| p.groups.len() == 2), "on a field");
    assert!(outcome.iter().any(|p| p.groups.len() == 3), "on a measure");
    assert!(outcome.iter().all(|p| p.indicator.sample), "sample data");
}

#[test]
fn every_new_member_round_trips() {
    let mut v = example();
    let k = v.pointer_mut(KPI).unwrap();
    k["code"] = json!("K-9");
    k["interim_targets"] =
        json!([{ "value": "3", "year": "平成28年度" }, { "value": "6.50", "year": 2017 }]);
    k["tolerance"] = json!(null);
    k["cumulative_entry"] = json!("yearly_amounts");
    k["decimals"] = json!(2);
    k["acquisition"] = json!("企業への聞き取り");
    k["lag_years"] = json!(1);
    k["definition_changes"] = json!([{ "year": "R1", "note": "増設を含める" }]);
    let file = parse(&text(&v), &[]).unwrap();
    let Plan::Strategy(s) = &file.plans[1] else {
        panic!("a strategy")
    };
    let kpi = &s.basic_objectives[0].measures[0].kpis[0];
    assert_eq!(kpi.code, "K-9");
    assert_eq!(kpi.interim_targets[1].value.to_string(), "6.50");
    assert_eq!(kpi.interim_targets[0].year.year(), 2016);
    assert_eq!(kpi.cumulative_entry, Entered::YearlyAmounts);
    assert_eq!((kpi.decimals, kpi.lag_years), (Some(2), Some(1)));
    assert_eq!(kpi.definition_changes[0].year.year(), 2019);
    let written = to_json(&file.municipality, &file.plans);
    assert!(written.contains("\"year\": 2016"));
    assert_eq!(parse(&written, &[]).unwrap(), file);
}

#[test]
fn a_version_1_file_imports_with_defaults() {
    let mut v = example();
    v["version"] = json!(1);
    let strip = |o: &mut Value| {
        for m in [
            "code",
            "interim_targets",
            "tolerance",
            "cumulative_entry",
            "decimals",
            "acquisition",
            "lag_years",
            "definition_changes",
        ] {
            o.as_object_mut().unwrap().remove(m);
        }
    };
    for plan in v["plans"].as_array_mut().unwrap() {
        for bp in plan
            .get_mut("basic_plans")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            for f in bp["fields"].as_array_mut().unwrap() {
                f.as_object_mut().unwrap().remove("indicators");
                for m in f["measures"].as_array_mut().unwrap() {
                    m.as_object_mut().unwrap().remove("indicators");
                }
            }
        }
        for o in plan
            .get_mut("basic_objectives")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            o["numerical_targets"]
                .as_array_mut()
                .unwrap()
                .iter_mut()
                .for_each(strip);
            for m in o["measures"].as_array_mut().unwrap() {
                m["kpis"].as_array_mut().unwrap().iter_mut().for_each(strip);
            }
        }
    }
    let file = parse(&text(&v), &[]).unwrap_or_else(|p| panic!("{p:#?}"));
    for place in file.plans.iter().flat_map(Plan::indicators) {
        let i = place.indicator;
        assert_ne!(place.kind, ElementKind::OutcomeIndicator);
        assert!(
            i.code.is_empty() && i.interim_targets.is_empty() && i.definition_changes.is_empty()
        );
        assert_eq!((i.decimals, i.lag_years, i.tolerance), (None, None, None));
        assert_eq!(i.cumulative_entry, Entered::RunningTotals);
    }
    // Export writes version 2.
    assert!(to_json(&file.municipality, &file.plans).contains("\"version\": 2,"));
}

#[test]
fn version_2_members_are_unknown_in_a_version_1_file() {
    let mut v = example();
    v["version"] = json!(1);
    let got = problems(&v);
    assert!(
        got.contains(&"$.plans[1].basic_objectives[0].measures[0].kpis[0].code: 「code」という項目はこの形式にありません。".to_owned()),
        "{got:#?}"
    );
    assert!(
        got.contains(&"$.plans[0].basic_plans[0].fields[0].indicators: 「indicators」という項目はこの形式にありません。".to_owned()),
        "{got:#?}"
    );
}

#[test]
fn problems_in_new_members_name_their_path() {
    let mut v = example();
    let k = v.pointer_mut(KPI).unwrap();
    k["interim_targets"] =
        json!([{ "value": "多い", "year": 2016 }, { "value": "1", "year": "来年" }, 5]);
    k["tolerance"] = json!("±1");
    k["cumulative_entry"] = json!("sum");
    k["decimals"] = json!(-1);
    k["lag_years"] = json!("2年");
    k["definition_changes"] = json!([{ "year": 2016 }]);
    let f = v
        .pointer_mut("/plans/0/basic_plans/0/fields/0/indicators")
        .unwrap();
    *f = json!([{ "id": "Bad Id" }]);
    let got = problems(&v);
    let at = "$.plans[1].basic_objectives[0].measures[0].kpis[0]";
    let expect = [
        format!("{at}.interim_targets[0].value: 「多い」は数値として読めません（例: \"105.5\"）。"),
        format!("{at}.interim_targets[1].year: "),
        format!("{at}.interim_targets[2]: オブジェクト（{{…}}）である必要があります。"),
        format!("{at}.tolerance: 「±1」は数値として読めません（例: \"105.5\"）。"),
        format!("{at}.cumulative_entry: 「sum」: cumulative_entry は running_totals"),
        format!("{at}.decimals: -1 は使えません。0以上の整数で指定してください。"),
        format!("{at}.lag_years: 0以上の整数（例: 2）か null で指定してください。"),
        format!("{at}.definition_changes[0].note: 必須項目「note」がありません。"),
        "$.plans[0].basic_plans[0].fields[0].indicators[0].id: 要素ID「Bad Id」は使えません。"
            .to_owned(),
        "$.plans[0].basic_plans[0].fields[0].indicators[0].title: 必須項目「title」がありません。"
            .to_owned(),
    ];
    for e in &expect {
        assert!(
            got.iter().any(|g| g.starts_with(e.as_str())),
            "missing 「{e}」 in {got:#?}"
        );
    }
}

#[test]
fn a_rule_is_not_applied_to_an_unread_year() {
    let mut v = example();
    let k = v.pointer_mut(KPI).unwrap();
    k["interim_targets"] = json!([{ "value": "4", "year": 2016 }]);
    k["target"]["year"] = json!("令和0年度");
    let got = problems(&v);
    assert_eq!(got.len(), 1, "{got:#?}");
    assert!(got[0].contains(".target.year: "), "{got:#?}");
}

#[test]
fn validation_problems_of_new_members_carry_file_paths() {
    let mut v = example();
    let k = v.pointer_mut(KPI).unwrap();
    k["decimals"] = json!(9);
    k["interim_targets"] = json!([{ "value": "1", "year": 2030 }]);
    let got = problems(&v);
    let at = "$.plans[1].basic_objectives[0].measures[0].kpis[0]";
    assert!(
        got.iter().any(|g| g.starts_with(&format!(
            "{at}.decimals: 表示する小数点以下の桁数は0〜6です"
        ))),
        "{got:#?}"
    );
    assert!(
        got.iter()
            .any(|g| g.starts_with(&format!("{at}.interim_targets[0]: 中間目標値の年度"))),
        "{got:#?}"
    );
}

//! Reading plan files: every problem is reported at once with its exact JSON path, 和暦 years
//! are accepted, and the canonical form survives a round trip byte for byte.
#![allow(clippy::unwrap_used)]
#![recursion_limit = "256"]

use keikaku_domain::Plan;
use keikaku_planfile::{FileProblem, parse, to_json};
use serde_json::{Value, json};

/// A small valid file: a comprehensive plan with two basic plans and a strategy linking into it.
fn base() -> Value {
    json!({
        "format": "keikaku-plan-file",
        "version": 1,
        "municipality": { "code": "03209", "name": "一関市", "prefecture": "岩手県" },
        "plans": [
            {
                "kind": "comprehensive_plan",
                "id": "sogo-keikaku",
                "title": "一関市総合計画",
                "purpose": "まちづくりの将来像を明らかにする。",
                "scope": "全ての施策分野",
                "period": { "start": 2016, "end": 2025, "description": "10か年計画" },
                "status": "published",
                "vision": {
                    "future_image": "みつけよう育てよう 郷土の宝 いのち輝く一関",
                    "future_image_note": "",
                    "principles": [
                        { "id": "principle-1", "number": "1", "title": "地域資源を活用しよう", "description": "" }
                    ],
                    "goals": [
                        { "id": "goal-1", "number": "1", "title": "魅力あるまち", "description": "" },
                        { "id": "goal-2", "number": "2", "title": "活力あるまち", "description": "" }
                    ],
                    "approaches": [
                        { "id": "approach-1", "number": "1", "title": "協働のまちづくり", "description": "" }
                    ]
                },
                "basic_plans": [
                    {
                        "id": "basic-plan-first",
                        "half": "first",
                        "title": "前期基本計画",
                        "start": 2016,
                        "end": 2020,
                        "description": "",
                        "priority_projects": [
                            {
                                "id": "priority-project-1",
                                "number": "1",
                                "title": "産業振興と雇用の創出",
                                "description": "",
                                "measures": ["measure-1-1-1"],
                                "sample": true
                            }
                        ],
                        "fields": [
                            {
                                "id": "field-1-1",
                                "goal": "goal-1",
                                "number": "1-1",
                                "title": "農林業",
                                "current_state": "",
                                "department": "農政課",
                                "measures": [
                                    {
                                        "id": "measure-1-1-1",
                                        "number": "1-1-1",
                                        "title": "担い手の育成",
                                        "course_of_action": "",
                                        "citizen_participation": "",
                                        "department": "農政課",
                                        "sample": true
                                    }
                                ],
                                "sample": true
                            }
                        ],
                        "approaches": []
                    },
                    {
                        "id": "basic-plan-second",
                        "half": "second",
                        "title": "後期基本計画",
                        "start": 2021,
                        "end": 2025,
                        "description": "",
                        "priority_projects": [],
                        "fields": [
                            {
                                "id": "field-2-1",
                                "goal": "goal-2",
                                "number": "2-1",
                                "title": "商工業",
                                "current_state": "",
                                "department": "商工労働課",
                                "measures": [
                                    {
                                        "id": "measure-2-1-1",
                                        "number": "2-1-1",
                                        "title": "企業誘致",
                                        "course_of_action": "",
                                        "citizen_participation": "",
                                        "department": "商工労働課",
                                        "sample": true
                                    }
                                ],
                                "sample": true
                            }
                        ],
                        "approaches": []
                    }
                ]
            },
            {
                "kind": "strategy",
                "id": "sogo-senryaku",
                "title": "一関市まち・ひと・しごと創生総合戦略",
                "purpose": "",
                "scope": "",
                "period": { "start": 2015, "end": 2019, "description": "5か年計画" },
                "status": "published",
                "basic_objectives": [
                    {
                        "id": "objective-1",
                        "number": "1",
                        "title": "安定した雇用を創出する",
                        "description": "",
                        "numerical_targets": [
                            {
                                "id": "target-1-1",
                                "title": "新規雇用者数（累計）",
                                "unit": "人",
                                "direction": "higher",
                                "indicator_type": "cumulative",
                                "baseline": { "value": "0", "year": 2014 },
                                "target": { "value": "1000", "year": 2019 },
                                "calculation_method": "",
                                "data_source": "市調べ",
                                "department": "商工労働課",
                                "sample": true
                            }
                        ],
                        "measures": [
                            {
                                "id": "strategy-measure-1-1",
                                "number": "1-1",
                                "title": "企業誘致と地元企業の振興",
                                "description": "",
                                "department": "商工労働課",
                                "kpis": [
                                    {
                                        "id": "kpi-1-1-1",
                                        "title": "企業立地件数（累計）",
                                        "unit": "件",
                                        "direction": "higher",
                                        "indicator_type": "cumulative",
                                        "baseline": { "value": "0", "year": 2014 },
                                        "target": { "value": "10", "year": 2019 },
                                        "calculation_method": "",
                                        "data_source": "市調べ",
                                        "department": "商工労働課",
                                        "sample": true
                                    }
                                ],
                                "linked_measures": [
                                    { "plan": "sogo-keikaku", "element": "measure-1-1-1" }
                                ],
                                "linked_priority_projects": [
                                    { "plan": "sogo-keikaku", "element": "priority-project-1" }
                                ],
                                "sample": true
                            }
                        ],
                        "sample": true
                    }
                ]
            }
        ]
    })
}

/// `base()` with the value at each JSON pointer replaced (`None`: the member removed).
fn edited(edits: &[(&str, Option<Value>)]) -> String {
    let mut v = base();
    for (pointer, value) in edits {
        match value {
            Some(value) => {
                let (parent, key) = pointer.rsplit_once('/').unwrap();
                let parent = v
                    .pointer_mut(parent)
                    .unwrap_or_else(|| panic!("no {parent}"));
                match parent {
                    Value::Object(map) => {
                        map.insert(key.to_owned(), value.clone());
                    }
                    Value::Array(items) => items[key.parse::<usize>().unwrap()] = value.clone(),
                    _ => panic!("{pointer}: parent is not a container"),
                }
            }
            None => {
                let (parent, key) = pointer.rsplit_once('/').unwrap();
                let parent = v.pointer_mut(parent).unwrap().as_object_mut().unwrap();
                assert!(parent.remove(key).is_some(), "{pointer} was not there");
            }
        }
    }
    serde_json::to_string_pretty(&v).unwrap()
}

/// Parses `text` and checks that it is refused with exactly the `expected` problems (in any
/// order): each one at exactly this path, its message containing the fragment.
#[track_caller]
fn check(text: &str, expected: &[(&str, &str)]) {
    let problems = match parse(text, &[]) {
        Ok(_) => panic!("the file was accepted; expected {expected:?}"),
        Err(problems) => problems,
    };
    let shown = || {
        problems
            .iter()
            .map(|p| format!("  {p}\n"))
            .collect::<String>()
    };
    let mut unmatched: Vec<&FileProblem> = problems.iter().collect();
    for (path, fragment) in expected {
        let Some(i) = unmatched
            .iter()
            .position(|p| p.path == *path && p.message.contains(fragment))
        else {
            panic!(
                "no problem at {path} containing 「{fragment}」; got:\n{}",
                shown()
            );
        };
        unmatched.remove(i);
    }
    assert!(
        unmatched.is_empty(),
        "unexpected problems: {unmatched:#?}\nall problems:\n{}",
        shown()
    );
}

fn plans(text: &str) -> Vec<Plan> {
    parse(text, &[])
        .unwrap_or_else(|p| panic!("refused: {p:#?}"))
        .plans
}

#[test]
fn the_base_file_is_valid() {
    let file = parse(&edited(&[]), &[]).unwrap();
    assert_eq!(file.plans.len(), 2);
    assert_eq!(file.municipality.name, "一関市");
}

#[test]
fn many_independent_errors_are_reported_together() {
    let text = edited(&[
        ("/format", Some(json!("keikaku"))),
        ("/version", Some(json!(3))),
        // bad id in a goal
        ("/plans/0/vision/goals/1/id", Some(json!("Goal 2"))),
        // unknown member
        ("/plans/0/vision/goals/0/colour", Some(json!("red"))),
        // a field whose goal does not exist
        (
            "/plans/0/basic_plans/0/fields/0/goal",
            Some(json!("goal-9")),
        ),
        // a missing title
        ("/plans/0/basic_plans/0/fields/0/measures/0/title", None),
        // a string where an array is expected
        ("/plans/0/basic_plans/0/approaches", Some(json!("なし"))),
        // a priority project pointing to a measure of the other basic plan
        (
            "/plans/0/basic_plans/0/priority_projects/0/measures",
            Some(json!(["measure-1-1-1", "measure-2-1-1"])),
        ),
        // 令和0年度 does not exist
        ("/plans/1/period/end", Some(json!("令和0年度"))),
        // baseline year after target year
        (
            "/plans/1/basic_objectives/0/numerical_targets/0/baseline/year",
            Some(json!(2020)),
        ),
        // a duplicate element id (the KPI reuses the numerical target's id)
        (
            "/plans/1/basic_objectives/0/measures/0/kpis/0/id",
            Some(json!("target-1-1")),
        ),
        // a non-numeric KPI value
        (
            "/plans/1/basic_objectives/0/measures/0/kpis/0/target/value",
            Some(json!("約10")),
        ),
        // a strategy link to a missing measure
        (
            "/plans/1/basic_objectives/0/measures/0/linked_measures/0/element",
            Some(json!("measure-9-9-9")),
        ),
    ]);
    check(
        &text,
        &[
            ("$.format", "keikaku-plan-file"),
            ("$.version", "version 1〜2"),
            (
                "$.plans[0].vision.goals[1].id",
                "要素ID「Goal 2」は使えません",
            ),
            // … which leaves the field that refers to goal-2 without its goal: true of the
            // file as written, so reported too.
            (
                "$.plans[0].basic_plans[1].fields[0].goal",
                "まちづくりの目標「goal-2」が見つかりません",
            ),
            (
                "$.plans[0].vision.goals[0].colour",
                "「colour」という項目はこの形式にありません",
            ),
            (
                "$.plans[0].basic_plans[0].fields[0].goal",
                "まちづくりの目標「goal-9」が見つかりません",
            ),
            (
                "$.plans[0].basic_plans[0].fields[0].measures[0].title",
                "必須項目「title」がありません",
            ),
            ("$.plans[0].basic_plans[0].approaches", "配列"),
            (
                "$.plans[0].basic_plans[0].priority_projects[0].measures[1]",
                "施策「measure-2-1-1」がこの基本計画にありません",
            ),
            ("$.plans[1].period.end", "令和0年度"),
            (
                "$.plans[1].basic_objectives[0].numerical_targets[0].target",
                "目標値の年度",
            ),
            (
                "$.plans[1].basic_objectives[0].measures[0].kpis[0].id",
                "要素ID「target-1-1」が重複しています（最初の使用: $.basic_objectives[0].numerical_targets[0].id）",
            ),
            (
                "$.plans[1].basic_objectives[0].measures[0].kpis[0].target.value",
                "「約10」は数値として読めません",
            ),
            (
                "$.plans[1].basic_objectives[0].measures[0].linked_measures[0]",
                "計画「sogo-keikaku」に施策「measure-9-9-9」が見つかりません",
            ),
        ],
    );
}

#[test]
fn not_json_gives_one_error_with_line_and_column() {
    let text = "{\n  \"format\": \"keikaku-plan-file\",\n  \"version\": 1,\n}\n";
    let problems = parse(text, &[]).unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].path, "$");
    assert!(
        problems[0].message == "JSONとして読めません（4行1列）: trailing comma at line 4 column 1",
        "{}",
        problems[0].message
    );
    check("", &[("$", "JSONとして読めません（1行0列）")]);
    check("\u{feff}{}", &[("$", "JSONとして読めません")]);
}

#[test]
fn a_root_that_is_not_an_object_is_one_error() {
    check("[]", &[("$", "オブジェクト")]);
    check("\"keikaku\"", &[("$", "オブジェクト")]);
}

#[test]
fn format_and_version() {
    check(
        &edited(&[("/format", Some(json!("keikaku-plan")))]),
        &[("$.format", "「keikaku-plan」でした")],
    );
    check(
        &edited(&[("/format", None)]),
        &[("$.format", "必須項目「format」がありません")],
    );
    check(
        &edited(&[("/version", Some(json!(3)))]),
        &[("$.version", "version 1〜2 です（3 でした）")],
    );
    check(
        &edited(&[("/version", Some(json!(0)))]),
        &[("$.version", "version 1〜2 です（0 でした）")],
    );
    check(
        &edited(&[("/version", Some(json!("1")))]),
        &[("$.version", "version（整数）")],
    );
    check(
        &edited(&[("/version", None)]),
        &[("$.version", "version（整数）")],
    );
}

#[test]
fn unknown_members_are_refused_everywhere() {
    check(
        &edited(&[
            ("/comment", Some(json!("x"))),
            ("/municipality/mayor", Some(json!("x"))),
            ("/plans/0/owner", Some(json!("x"))),
            ("/plans/0/period/months", Some(json!(12))),
            (
                "/plans/1/basic_objectives/0/measures/0/kpis/0/target/note",
                Some(json!("x")),
            ),
            (
                "/plans/1/basic_objectives/0/measures/0/linked_measures/0/kind",
                Some(json!("measure")),
            ),
        ]),
        &[
            ("$.comment", "「comment」という項目"),
            ("$.municipality.mayor", "「mayor」という項目"),
            ("$.plans[0].owner", "「owner」という項目"),
            ("$.plans[0].period.months", "「months」という項目"),
            (
                "$.plans[1].basic_objectives[0].measures[0].kpis[0].target.note",
                "「note」という項目",
            ),
            (
                "$.plans[1].basic_objectives[0].measures[0].linked_measures[0].kind",
                "「kind」という項目",
            ),
        ],
    );
    // A member of the other kind of plan is unknown too.
    check(
        &edited(&[("/plans/1/vision", Some(json!({})))]),
        &[("$.plans[1].vision", "「vision」という項目")],
    );
}

#[test]
fn wrong_types_are_reported_once_at_their_member() {
    check(
        &edited(&[
            ("/plans/0/title", Some(json!(1))),
            ("/plans/0/vision/goals/0/id", Some(json!(5))),
            ("/plans/0/basic_plans/0/fields/0/sample", Some(json!("yes"))),
            (
                "/plans/0/basic_plans/0/fields/0/department",
                Some(json!(["農政課"])),
            ),
            (
                "/plans/0/basic_plans/0/priority_projects/0/measures/0",
                Some(json!(7)),
            ),
            ("/plans/1/basic_objectives/0/measures", Some(json!({}))),
        ]),
        &[
            ("$.plans[0].title", "文字列"),
            ("$.plans[0].vision.goals[0].id", "文字列"),
            (
                "$.plans[0].basic_plans[0].fields[0].goal",
                "まちづくりの目標「goal-1」が見つかりません",
            ),
            (
                "$.plans[0].basic_plans[0].fields[0].sample",
                "true か false",
            ),
            ("$.plans[0].basic_plans[0].fields[0].department", "文字列"),
            (
                "$.plans[0].basic_plans[0].priority_projects[0].measures[0]",
                "要素IDの文字列",
            ),
            ("$.plans[1].basic_objectives[0].measures", "配列"),
        ],
    );
}

#[test]
fn values_that_are_not_objects_are_reported_once() {
    check(
        &edited(&[
            ("/municipality", Some(json!("一関市"))),
            ("/plans/0/vision/goals/0", Some(json!("goal-1"))),
            (
                "/plans/1/basic_objectives/0/numerical_targets/0/baseline",
                Some(json!(0)),
            ),
        ]),
        &[
            ("$.municipality", "オブジェクト"),
            ("$.plans[0].vision.goals[0]", "オブジェクト"),
            (
                "$.plans[0].basic_plans[0].fields[0].goal",
                "まちづくりの目標「goal-1」が見つかりません",
            ),
            (
                "$.plans[1].basic_objectives[0].numerical_targets[0].baseline",
                "オブジェクト",
            ),
        ],
    );
}

#[test]
fn a_plan_that_is_not_an_object_keeps_the_positions_of_the_others() {
    let mut v = base();
    let plans = v["plans"].as_array_mut().unwrap();
    plans.insert(0, json!("sogo-keikaku"));
    // The comprehensive plan is now $.plans[1]: its problems must say so.
    plans[1]["vision"]["goals"][0]["title"] = json!("");
    check(
        &serde_json::to_string(&v).unwrap(),
        &[
            ("$.plans[0]", "オブジェクト"),
            (
                "$.plans[1].vision.goals[0].title",
                "まちづくりの目標を入力してください",
            ),
        ],
    );
}

#[test]
fn missing_required_members() {
    check(
        &edited(&[
            ("/municipality/code", None),
            ("/plans/0/id", None),
            ("/plans/0/vision/future_image", None),
            ("/plans/0/basic_plans/0/half", None),
            ("/plans/0/basic_plans/1/start", None),
            ("/plans/1/period", None),
            (
                "/plans/1/basic_objectives/0/numerical_targets/0/direction",
                None,
            ),
            (
                "/plans/1/basic_objectives/0/measures/0/linked_measures/0/plan",
                None,
            ),
            (
                "/plans/1/basic_objectives/0/measures/0/kpis/0/target/value",
                None,
            ),
        ]),
        &[
            ("$.municipality.code", "必須項目「code」"),
            ("$.plans[0].id", "必須項目「id」"),
            ("$.plans[0].vision.future_image", "必須項目「future_image」"),
            ("$.plans[0].basic_plans[0].half", "必須項目「half」"),
            ("$.plans[0].basic_plans[1].start", "必須項目「start」"),
            ("$.plans[1].period", "必須項目「period」"),
            (
                "$.plans[1].basic_objectives[0].numerical_targets[0].direction",
                "必須項目「direction」",
            ),
            (
                "$.plans[1].basic_objectives[0].measures[0].linked_measures[0].plan",
                "必須項目「plan」",
            ),
            // The comprehensive plan has no id, so the strategy's other link finds no plan.
            (
                "$.plans[1].basic_objectives[0].measures[0].linked_priority_projects[0]",
                "リンク先の計画「sogo-keikaku」が見つかりません",
            ),
            (
                "$.plans[1].basic_objectives[0].measures[0].kpis[0].target.value",
                "必須項目「value」",
            ),
        ],
    );
    check(
        &edited(&[("/plans/0/vision", None)]),
        &[
            // Reported once: not its future image as well.
            ("$.plans[0].vision", "必須項目「vision」"),
            // Without a vision there are no goals for the fields.
            (
                "$.plans[0].basic_plans[0].fields[0].goal",
                "まちづくりの目標「goal-1」が見つかりません",
            ),
            (
                "$.plans[0].basic_plans[1].fields[0].goal",
                "まちづくりの目標「goal-2」が見つかりません",
            ),
        ],
    );
}

#[test]
fn blank_required_text_is_refused() {
    check(
        &edited(&[
            ("/municipality/name", Some(json!(" "))),
            ("/plans/0/title", Some(json!(""))),
            ("/plans/0/vision/future_image", Some(json!("　"))),
            ("/plans/1/basic_objectives/0/title", Some(json!(""))),
            (
                "/plans/1/basic_objectives/0/measures/0/kpis/0/title",
                Some(json!("")),
            ),
        ]),
        &[
            ("$.municipality.name", "団体名を入力してください"),
            ("$.plans[0].title", "計画の名称を入力してください"),
            ("$.plans[0].vision.future_image", "将来像を入力してください"),
            (
                "$.plans[1].basic_objectives[0].title",
                "基本目標の名称を入力してください",
            ),
            (
                "$.plans[1].basic_objectives[0].measures[0].kpis[0].title",
                "KPIの名称を入力してください",
            ),
        ],
    );
}

#[test]
fn bad_codes_and_ids() {
    let long = "a".repeat(65);
    check(
        &edited(&[
            ("/municipality/code", Some(json!("3209"))),
            ("/plans/0/id", Some(json!("Sogo_Keikaku"))),
            (
                "/plans/0/basic_plans/0/fields/0/measures/0/id",
                Some(json!(long)),
            ),
            ("/plans/0/basic_plans/0/half", Some(json!("前期"))),
            ("/plans/0/status", Some(json!("final"))),
            (
                "/plans/1/basic_objectives/0/numerical_targets/0/indicator_type",
                Some(json!("sum")),
            ),
            (
                "/plans/1/basic_objectives/0/measures/0/kpis/0/direction",
                Some(json!("up")),
            ),
            ("/plans/1/kind", Some(json!("senryaku"))),
        ]),
        &[
            ("$.municipality.code", "市町村コード「3209」"),
            ("$.plans[0].id", "計画ID「Sogo_Keikaku」は使えません"),
            (
                "$.plans[0].basic_plans[0].fields[0].measures[0].id",
                "64文字以内",
            ),
            (
                "$.plans[0].basic_plans[0].half",
                "first（前期）か second（後期）",
            ),
            ("$.plans[0].status", "状態「final」"),
            ("$.plans[1].kind", "comprehensive_plan か strategy"),
            // The priority project refers to the measure by its former id.
            (
                "$.plans[0].basic_plans[0].priority_projects[0].measures[0]",
                "施策「measure-1-1-1」がこの基本計画にありません",
            ),
        ],
    );
    // The strategy's own problems are reported when its kind is readable.
    check(
        &edited(&[
            (
                "/plans/1/basic_objectives/0/numerical_targets/0/indicator_type",
                Some(json!("sum")),
            ),
            (
                "/plans/1/basic_objectives/0/measures/0/kpis/0/direction",
                Some(json!("up")),
            ),
        ]),
        &[
            (
                "$.plans[1].basic_objectives[0].numerical_targets[0].indicator_type",
                "「sum」: indicator_type",
            ),
            (
                "$.plans[1].basic_objectives[0].measures[0].kpis[0].direction",
                "「up」: direction",
            ),
        ],
    );
}

#[test]
fn years() {
    check(
        &edited(&[
            ("/plans/0/period/start", Some(json!("令和0年度"))),
            (
                "/plans/0/basic_plans/0/end",
                Some(json!("平成三十三年度のつもり")),
            ),
            ("/plans/0/basic_plans/1/start", Some(json!(2021.5))),
            ("/plans/1/period/start", Some(json!(true))),
            (
                "/plans/1/basic_objectives/0/numerical_targets/0/target/year",
                Some(json!(1867)),
            ),
            (
                "/plans/1/basic_objectives/0/measures/0/kpis/0/baseline/year",
                Some(json!("昭和65年度")),
            ),
        ]),
        &[
            (
                "$.plans[0].period.start",
                "「令和0年度」は年度として解釈できません",
            ),
            ("$.plans[0].basic_plans[0].end", "平成三十三年度のつもり"),
            ("$.plans[0].basic_plans[1].start", "整数"),
            (
                "$.plans[1].period.start",
                "整数（例: 2016）か「平成28年度」",
            ),
            (
                "$.plans[1].basic_objectives[0].numerical_targets[0].target.year",
                "1867",
            ),
            (
                "$.plans[1].basic_objectives[0].measures[0].kpis[0].baseline.year",
                "昭和は64年まで",
            ),
        ],
    );
}

/// Reading goes on past an unreadable value with a placeholder; no rule may then report
/// something about the placeholder (a year 2000, an id `invalid`, an empty title).
#[test]
fn nothing_is_reported_about_values_that_could_not_be_read() {
    let text = edited(&[
        ("/plans/0/period/end", Some(json!("令和0年度"))),
        ("/plans/0/basic_plans/1/start", Some(json!("来年度"))),
        ("/plans/0/vision/principles/0/id", Some(json!("P1"))),
        ("/plans/0/vision/approaches/0/id", Some(json!("A1"))),
        ("/plans/0/basic_plans/0/fields/0/title", Some(json!(5))),
        (
            "/plans/0/basic_plans/0/priority_projects/0/measures/0",
            Some(json!("Measure")),
        ),
        (
            "/plans/1/basic_objectives/0/measures/0/kpis/0/target/year",
            Some(json!("平成")),
        ),
        (
            "/plans/1/basic_objectives/0/measures/0/linked_measures/0/element",
            Some(json!("Measure")),
        ),
        (
            "/plans/1/basic_objectives/0/measures/0/linked_priority_projects/0",
            Some(json!({ "plan": "Sogo", "element": "priority-project-1" })),
        ),
    ]);
    check(
        &text,
        &[
            ("$.plans[0].period.end", "令和0年度"),
            ("$.plans[0].basic_plans[1].start", "来年度"),
            ("$.plans[0].vision.principles[0].id", "要素ID「P1」"),
            ("$.plans[0].vision.approaches[0].id", "要素ID「A1」"),
            ("$.plans[0].basic_plans[0].fields[0].title", "文字列"),
            (
                "$.plans[0].basic_plans[0].priority_projects[0].measures[0]",
                "要素ID「Measure」",
            ),
            (
                "$.plans[1].basic_objectives[0].measures[0].kpis[0].target.year",
                "「平成」",
            ),
            (
                "$.plans[1].basic_objectives[0].measures[0].linked_measures[0].element",
                "要素ID「Measure」",
            ),
            (
                "$.plans[1].basic_objectives[0].measures[0].linked_priority_projects[0].plan",
                "計画ID「Sogo」",
            ),
        ],
    );
    let problems = parse(&text, &[]).unwrap_err();
    assert!(
        problems
            .iter()
            .all(|p| !p.message.contains("invalid") && !p.message.contains("2000")),
        "{problems:#?}"
    );
}

#[test]
fn year_order() {
    check(
        &edited(&[
            ("/plans/0/period/start", Some(json!(2026))),
            ("/plans/0/basic_plans/1/start", Some(json!(2022))),
            ("/plans/0/basic_plans/1/end", Some(json!(2021))),
            (
                "/plans/1/basic_objectives/0/measures/0/kpis/0/target/year",
                Some(json!(2013)),
            ),
        ]),
        &[
            ("$.plans[0].period", "期間の開始"),
            ("$.plans[0].basic_plans[0].start", "総合計画の期間"),
            ("$.plans[0].basic_plans[1].start", "総合計画の期間"),
            (
                "$.plans[0].basic_plans[1].end",
                "終了年度が開始年度より前です",
            ),
            (
                "$.plans[1].basic_objectives[0].measures[0].kpis[0].target",
                "目標値の年度（平成25年度・2013年度）が基準値の年度（平成26年度・2014年度）より前です",
            ),
        ],
    );
}

#[test]
fn decimal_values() {
    check(
        &edited(&[
            (
                "/plans/1/basic_objectives/0/numerical_targets/0/baseline/value",
                Some(json!("1,000")),
            ),
            (
                "/plans/1/basic_objectives/0/numerical_targets/0/target/value",
                Some(json!(true)),
            ),
            (
                "/plans/1/basic_objectives/0/measures/0/kpis/0/baseline/value",
                Some(json!("")),
            ),
        ]),
        &[
            (
                "$.plans[1].basic_objectives[0].numerical_targets[0].baseline.value",
                "「1,000」は数値として読めません",
            ),
            (
                "$.plans[1].basic_objectives[0].numerical_targets[0].target.value",
                "文字列（例: \"105.5\"）",
            ),
            (
                "$.plans[1].basic_objectives[0].measures[0].kpis[0].baseline.value",
                "「」は数値として読めません",
            ),
        ],
    );
    // Exact decimals keep their scale; JSON numbers are accepted and written as strings.
    let text = edited(&[
        (
            "/plans/1/basic_objectives/0/numerical_targets/0/baseline/value",
            Some(json!("1.60")),
        ),
        (
            "/plans/1/basic_objectives/0/numerical_targets/0/target/value",
            Some(json!(1.75)),
        ),
        (
            "/plans/1/basic_objectives/0/measures/0/kpis/0/baseline/value",
            Some(json!("-500")),
        ),
        (
            "/plans/1/basic_objectives/0/measures/0/kpis/0/target",
            Some(Value::Null),
        ),
    ]);
    let file = parse(&text, &[]).unwrap();
    let out = to_json(&file.municipality, &file.plans);
    let written: Value = serde_json::from_str(&out).unwrap();
    let target = &written["plans"][1]["basic_objectives"][0]["numerical_targets"][0];
    assert_eq!(target["baseline"], json!({ "value": "1.60", "year": 2014 }));
    assert_eq!(target["target"], json!({ "value": "1.75", "year": 2019 }));
    let kpi = &written["plans"][1]["basic_objectives"][0]["measures"][0]["kpis"][0];
    assert_eq!(kpi["baseline"]["value"], json!("-500"));
    assert_eq!(kpi["target"], Value::Null);
}

#[test]
fn duplicate_ids() {
    check(
        &edited(&[
            (
                "/plans/0/vision/approaches/0/id",
                Some(json!("principle-1")),
            ),
            (
                "/plans/0/basic_plans/1/fields/0/measures/0/id",
                Some(json!("measure-1-1-1")),
            ),
            ("/plans/1/id", Some(json!("sogo-keikaku"))),
        ]),
        &[
            (
                "$.plans[0].vision.approaches[0].id",
                "要素ID「principle-1」が重複しています（最初の使用: $.vision.principles[0].id）",
            ),
            (
                "$.plans[0].basic_plans[1].fields[0].measures[0].id",
                "要素ID「measure-1-1-1」が重複しています",
            ),
            (
                "$.plans[1].id",
                "計画ID「sogo-keikaku」が $.plans[0] と重複しています",
            ),
        ],
    );
}

#[test]
fn references_inside_a_plan() {
    check(
        &edited(&[
            (
                "/plans/0/basic_plans/1/fields/0/goal",
                Some(json!("goal-3")),
            ),
            (
                "/plans/0/basic_plans/0/priority_projects/0/measures",
                Some(json!(["measure-2-1-1", "measure-1-1-1", "field-1-1"])),
            ),
        ]),
        &[
            (
                "$.plans[0].basic_plans[1].fields[0].goal",
                "まちづくりの目標「goal-3」が見つかりません",
            ),
            (
                "$.plans[0].basic_plans[0].priority_projects[0].measures[0]",
                "施策「measure-2-1-1」がこの基本計画にありません",
            ),
            (
                "$.plans[0].basic_plans[0].priority_projects[0].measures[2]",
                "施策「field-1-1」がこの基本計画にありません",
            ),
        ],
    );
}

#[test]
fn links_between_plans() {
    let m = "/plans/1/basic_objectives/0/measures/0";
    check(
        &edited(&[
            (
                &format!("{m}/linked_measures"),
                Some(json!([
                    { "plan": "sogo-keikaku", "element": "measure-2-1-1" },
                    { "plan": "sogo-keikaku", "element": "priority-project-1" },
                    { "plan": "other-plan", "element": "measure-1-1-1" },
                    { "plan": "sogo-senryaku", "element": "strategy-measure-1-1" }
                ])),
            ),
            (
                &format!("{m}/linked_priority_projects"),
                Some(json!([{ "plan": "sogo-keikaku", "element": "measure-1-1-1" }])),
            ),
        ]),
        &[
            (
                "$.plans[1].basic_objectives[0].measures[0].linked_measures[1]",
                "計画「sogo-keikaku」に施策「priority-project-1」が見つかりません",
            ),
            (
                "$.plans[1].basic_objectives[0].measures[0].linked_measures[2]",
                "リンク先の計画「other-plan」が見つかりません",
            ),
            (
                "$.plans[1].basic_objectives[0].measures[0].linked_measures[3]",
                "リンク先の計画「sogo-senryaku」は総合計画ではありません",
            ),
            (
                "$.plans[1].basic_objectives[0].measures[0].linked_priority_projects[0]",
                "計画「sogo-keikaku」に重点プロジェクト「measure-1-1-1」が見つかりません",
            ),
        ],
    );
}

#[test]
fn links_resolve_against_stored_plans() {
    let whole = plans(&edited(&[]));
    let mut v = base();
    v["plans"].as_array_mut().unwrap().remove(0);
    let strategy_only = serde_json::to_string(&v).unwrap();

    // Alone, the strategy's links point nowhere.
    check(
        &strategy_only,
        &[
            (
                "$.plans[0].basic_objectives[0].measures[0].linked_measures[0]",
                "リンク先の計画「sogo-keikaku」が見つかりません",
            ),
            (
                "$.plans[0].basic_objectives[0].measures[0].linked_priority_projects[0]",
                "リンク先の計画「sogo-keikaku」が見つかりません",
            ),
        ],
    );
    // With the comprehensive plan stored, they resolve.
    let file = parse(&strategy_only, &whole[..1]).unwrap();
    assert_eq!(file.plans.len(), 1);
    assert_eq!(file.plans[0].id().as_str(), "sogo-senryaku");
    assert_eq!(file.plans[0].header().position, 0);

    // A plan in the file takes the place of the stored plan with the same id: links are
    // checked against the file's version.
    let replaced = edited(&[(
        "/plans/0/basic_plans/0/fields/0/measures/0/id",
        Some(json!("measure-1-1-9")),
    )]);
    let problems = parse(&replaced, &whole[..1]).unwrap_err();
    let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "$.plans[0].basic_plans[0].priority_projects[0].measures[0]",
            "$.plans[1].basic_objectives[0].measures[0].linked_measures[0]",
        ],
        "{problems:#?}"
    );
}

#[test]
fn no_plans() {
    check(
        &edited(&[("/plans", Some(json!([])))]),
        &[("$.plans", "計画が1つもありません")],
    );
    check(
        &edited(&[("/plans", None)]),
        &[("$.plans", "計画が1つもありません")],
    );
}

#[test]
fn optional_members_may_be_left_out_or_null() {
    let text = edited(&[
        ("/municipality/prefecture", None),
        ("/plans/0/purpose", None),
        ("/plans/0/scope", Some(Value::Null)),
        ("/plans/0/status", None),
        ("/plans/0/period/description", None),
        ("/plans/0/vision/principles", None),
        ("/plans/0/vision/approaches", Some(Value::Null)),
        ("/plans/0/basic_plans/0/description", None),
        ("/plans/0/basic_plans/0/fields/0/number", None),
        ("/plans/0/basic_plans/0/fields/0/sample", None),
        ("/plans/0/basic_plans/1/priority_projects", None),
        (
            "/plans/1/basic_objectives/0/numerical_targets/0/baseline",
            None,
        ),
        ("/plans/1/basic_objectives/0/measures/0/kpis/0/unit", None),
        (
            "/plans/1/basic_objectives/0/measures/0/linked_priority_projects",
            None,
        ),
    ]);
    let file = parse(&text, &[]).unwrap();
    let out = to_json(&file.municipality, &file.plans);
    let written: Value = serde_json::from_str(&out).unwrap();
    // Written back in full: absent text is "", absent lists [], absent flags false, absent
    // status "published", absent baseline null.
    assert_eq!(written["municipality"]["prefecture"], json!(""));
    assert_eq!(written["plans"][0]["purpose"], json!(""));
    assert_eq!(written["plans"][0]["scope"], json!(""));
    assert_eq!(written["plans"][0]["status"], json!("published"));
    assert_eq!(written["plans"][0]["period"]["description"], json!(""));
    assert_eq!(written["plans"][0]["vision"]["principles"], json!([]));
    assert_eq!(written["plans"][0]["vision"]["approaches"], json!([]));
    let field = &written["plans"][0]["basic_plans"][0]["fields"][0];
    assert_eq!(field["number"], json!(""));
    assert_eq!(field["sample"], json!(false));
    assert_eq!(
        written["plans"][0]["basic_plans"][1]["priority_projects"],
        json!([])
    );
    let objective = &written["plans"][1]["basic_objectives"][0];
    assert_eq!(objective["numerical_targets"][0]["baseline"], Value::Null);
    assert_eq!(objective["measures"][0]["kpis"][0]["unit"], json!(""));
    assert_eq!(
        objective["measures"][0]["linked_priority_projects"],
        json!([])
    );
}

#[test]
fn wareki_years_are_accepted_and_written_as_integers() {
    let text = edited(&[
        ("/plans/0/period/start", Some(json!("平成28年度"))),
        ("/plans/0/period/end", Some(json!("平成37年度"))),
        ("/plans/0/basic_plans/0/end", Some(json!("令和2年度"))),
        ("/plans/0/basic_plans/1/start", Some(json!("R3"))),
        ("/plans/1/period/start", Some(json!("H27"))),
        ("/plans/1/period/end", Some(json!("令和元年度"))),
        (
            "/plans/1/basic_objectives/0/numerical_targets/0/baseline/year",
            Some(json!("平成二十六年度")),
        ),
        (
            "/plans/1/basic_objectives/0/numerical_targets/0/target/year",
            Some(json!("平成31年度")),
        ),
        (
            "/plans/1/basic_objectives/0/measures/0/kpis/0/target/year",
            Some(json!("令和元年度（2019年度）")),
        ),
    ]);
    let file = parse(&text, &[]).unwrap();
    let out = to_json(&file.municipality, &file.plans);
    // The same as writing the years as integers in the first place.
    let with_integers = plans(&edited(&[]));
    assert_eq!(file.plans, with_integers);
    assert_eq!(out, to_json(&file.municipality, &with_integers));
    assert!(!out.contains("平成") && !out.contains("令和"), "{out}");
    assert!(out.contains("\"start\": 2016,\n") && out.contains("\"year\": 2019\n"));
}

/// The forms listed in docs/plan-file.md, each read as the start of the strategy's period.
#[test]
fn fiscal_year_strings() {
    let cases: &[(&str, i32)] = &[
        ("平成28年度", 2016),
        ("平成28年", 2016),
        ("H28", 2016),
        ("H28年度", 2016),
        ("平成二十八年度", 2016),
        (" 平成２８年度 ", 2016),
        ("令和元年度", 2019),
        ("R1", 2019),
        ("㋿1", 2019),
        ("平成31年度", 2019),
        ("令和元年度（2019年度）", 2019),
        ("平成37年", 2025),
        ("2016", 2016),
        ("2016年度", 2016),
        ("FY2016", 2016),
    ];
    for (written, year) in cases {
        let text = edited(&[
            ("/plans/1/period/start", Some(json!(written))),
            ("/plans/1/period/end", Some(json!(2030))),
        ]);
        let plans = parse(&text, &[]).unwrap_or_else(|p| panic!("{written}: {p:#?}"));
        assert_eq!(
            plans.plans[1].header().period.start.year(),
            *year,
            "{written}"
        );
    }
    let refused = [
        "令和0年度",
        "昭和65年度",
        "明治46年度",
        "大正16年度",
        "天平1年",
        "令和元年度（2020年度）",
        "1867",
        "",
    ];
    for written in refused {
        check(
            &edited(&[("/plans/1/period/start", Some(json!(written)))]),
            &[("$.plans[1].period.start", "年度")],
        );
    }
    check(
        &edited(&[("/plans/1/period/start", Some(json!(9999)))]),
        &[("$.plans[1].period.start", "1868年度〜9998年度")],
    );
}

#[test]
fn status_may_be_left_out_but_not_null() {
    let file = parse(&edited(&[("/plans/1/status", None)]), &[]).unwrap();
    assert_eq!(file.plans[1].header().status.code(), "published");
    let file = parse(&edited(&[("/plans/1/status", Some(json!("draft")))]), &[]).unwrap();
    assert_eq!(file.plans[1].header().status.code(), "draft");
    check(
        &edited(&[("/plans/1/status", Some(Value::Null))]),
        &[("$.plans[1].status", "文字列")],
    );
}

#[test]
fn the_example_round_trips_byte_for_byte() {
    let text = keikaku_planfile::example("ichinoseki").unwrap();
    let file = parse(text, &[]).unwrap();
    assert_eq!(to_json(&file.municipality, &file.plans), text);
    assert_eq!(file.plans.len(), 2);
    assert!(keikaku_planfile::example("nowhere").is_none());
    for name in keikaku_planfile::EXAMPLES {
        let text = keikaku_planfile::example(name).unwrap();
        let file = parse(text, &[]).unwrap();
        assert_eq!(to_json(&file.municipality, &file.plans), text, "{name}");
    }
}

#[test]
fn canonical_form() {
    let text = keikaku_planfile::example("ichinoseki").unwrap();
    assert!(text.starts_with("{\n  \"format\": \"keikaku-plan-file\",\n  \"version\": 2,\n"));
    assert!(text.ends_with("}\n") && !text.ends_with("\n\n"));
    assert!(!text.contains("\\u") && !text.contains('\t') && !text.contains('\r'));
    assert!(text.contains("\"name\": \"一関市\""));
    // Any valid file, however it is laid out, is written in the same canonical form.
    let compact = serde_json::to_string(&serde_json::from_str::<Value>(text).unwrap()).unwrap();
    let file = parse(&compact, &[]).unwrap();
    assert_eq!(to_json(&file.municipality, &file.plans), text);
}

#[test]
fn tricky_text_survives_a_round_trip() {
    let tricky = [
        "<script>alert(\"x\")</script>",
        "「引用」と \"quotes\" と 'single' と \\backslash\\",
        "葛\u{E0100}城市",
        "🎌 👨‍👩‍👧 ⑴ ㋿",
        "一行目\n二行目\r\n三行目\t終わり",
        "\u{2028}\u{2029}\u{0}\u{1f}",
        " 前後の空白 ",
    ];
    let mut edits = Vec::new();
    let paths = [
        "/municipality/name",
        "/plans/0/title",
        "/plans/0/vision/future_image",
        "/plans/0/basic_plans/0/fields/0/measures/0/course_of_action",
        "/plans/1/basic_objectives/0/description",
        "/plans/1/basic_objectives/0/measures/0/kpis/0/unit",
        "/plans/1/period/description",
    ];
    for (path, text) in paths.iter().zip(tricky) {
        edits.push((*path, Some(json!(text))));
    }
    let text = edited(&edits);
    let first = parse(&text, &[]).unwrap();
    assert_eq!(first.municipality.name, tricky[0]);
    let written = to_json(&first.municipality, &first.plans);
    let second = parse(&written, &[]).unwrap();
    assert_eq!(second, first);
    // Written once more, the text does not change; non-ASCII text is not escaped.
    assert_eq!(to_json(&second.municipality, &second.plans), written);
    assert!(written.contains("葛\u{E0100}城市"));
    assert!(written.contains("🎌 👨‍👩‍👧 ⑴ ㋿"));
    assert!(written.contains("<script>alert(\\\"x\\\")</script>"));
    assert!(written.contains("一行目\\n二行目\\r\\n三行目\\t終わり"));
    assert!(written.contains("\\u0000\\u001f"));
}

#[test]
fn problems_display_as_path_and_message() {
    let problems = parse(&edited(&[("/version", Some(json!(3)))]), &[]).unwrap_err();
    assert_eq!(
        problems[0].to_string(),
        "$.version: この版のkeikakuが読めるのは version 1〜2 です（3 でした）。"
    );
}

/// The example in docs/plan-file.md is a valid file in canonical form.
#[test]
fn the_documented_example_is_canonical() {
    let doc = include_str!("../../../docs/plan-file.md");
    let start = doc
        .find("<!-- example -->\n```json\n")
        .expect("docs/plan-file.md has an example marked <!-- example -->");
    let rest = &doc[start..];
    let body_start = rest.find("```json\n").unwrap() + "```json\n".len();
    let body_end = rest[body_start..].find("```\n").unwrap();
    let example = &rest[body_start..body_start + body_end];
    let file = parse(example, &[]).unwrap_or_else(|p| panic!("{p:#?}"));
    assert_eq!(to_json(&file.municipality, &file.plans), example);
}

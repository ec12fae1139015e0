//! Indicator definitions in the browser: a 成果指標 added under a field and a measure through
//! the element form, interim targets and definition changes typed one line per year (和暦,
//! tabs from Excel, full-width digits) and stored canonically, a bad line named in Japanese
//! next to its field, the plan's rules (unique code, interim years inside the span, tolerance
//! only for maintain-type) by field, and the public pages showing codes, display decimals,
//! interim targets and the data-quality notes.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::{TestApp, example_json, plan_mut, to_text};
use keikaku_app::edit;
use keikaku_domain::PlanId;

const PASSWORD: &str = "correct horse battery";

async fn editing_app() -> (TestApp, String, String) {
    let mut file = example_json();
    plan_mut(&mut file, "sogo-keikaku")["status"] = "under_deliberation".into();
    plan_mut(&mut file, "sogo-senryaku")["status"] = "under_deliberation".into();
    let app = TestApp::with_plan_file(&to_text(&file)).await;
    app.add_user("kikaku", "企画 太郎", PASSWORD).await;
    let token = app.sign_in("kikaku", PASSWORD).await;
    let (_, _, page) = app
        .get_with_cookies("/staff", &[("keikaku_session", &token)])
        .await;
    let marker = "name=\"csrf\" value=\"";
    let at = page.find(marker).unwrap() + marker.len();
    let csrf = page[at..].split('"').next().unwrap().to_owned();
    (app, token, csrf)
}

async fn draft(app: &TestApp, plan: &str) -> edit::Draft {
    edit::draft(&app.catalog.context(), &PlanId::parse(plan).unwrap())
        .await
        .unwrap()
}

async fn post(
    app: &TestApp,
    token: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let (status, headers, body) = app
        .post_form(path, fields, &[("keikaku_session", token)])
        .await;
    let location = headers
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, location, body)
}

fn new_indicator<'a>(
    csrf: &'a str,
    parent: &'a str,
    more: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("csrf", csrf),
        ("version", "0"),
        ("kind", "outcome_indicator"),
        ("parent", parent),
        ("title", "新規就農者数"),
        ("unit", "人"),
        ("direction", "higher"),
        ("indicator_type", "level"),
        ("baseline_value", "15"),
        ("baseline_year", "平成27年度"),
        ("target_value", "20"),
        ("target_year", "令和2年度"),
    ];
    f.extend_from_slice(more);
    f
}

#[tokio::test]
async fn outcome_indicators_are_added_under_fields_and_measures() {
    let (app, token, csrf) = editing_app().await;
    let cookies = [("keikaku_session", token.as_str())];
    // The outline offers them under a field and under a measure.
    let (_, _, outline) = app
        .get_with_cookies("/staff/plans/sogo-keikaku", &cookies)
        .await;
    assert!(
        outline.contains("kind=outcome_indicator&#38;parent=field-1-1")
            && outline.contains("kind=outcome_indicator&#38;parent=measure-1-1-1"),
        "{outline}"
    );
    let (status, _, form) = app
        .get_with_cookies(
            "/staff/plans/sogo-keikaku/new?kind=outcome_indicator&parent=measure-1-4-1",
            &cookies,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("成果指標を追加"), "{form}");
    assert!(form.contains("<textarea id=\"field-interim_targets\""));
    assert!(form.contains("令和3年度 105"), "the hint shows a line");
    let fields = new_indicator(
        &csrf,
        "measure-1-4-1",
        &[
            ("code", "C1-4-1"),
            ("decimals", "０"),
            ("interim_targets", "平成29年度\t１６\r\nR1 18\r\n"),
            ("definition_changes", "平成30年度 対象に法人を含める"),
            ("acquisition", "就農相談の記録から集計する。"),
            ("lag_years", "1"),
        ],
    );
    let (status, location, body) =
        post(&app, &token, "/staff/plans/sogo-keikaku/elements", &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let id = location
        .trim_start_matches("/staff/plans/sogo-keikaku/elements/")
        .trim_end_matches("?done=created")
        .to_owned();
    let d = draft(&app, "sogo-keikaku").await;
    let values = d.values(&id);
    assert_eq!(values["interim_targets"], "2017 16\n2019 18");
    assert_eq!(values["definition_changes"], "2018 対象に法人を含める");
    assert_eq!(values["decimals"], "0");
    let plan = &d.plan;
    let place = plan
        .indicator(&keikaku_domain::ElementId::parse(&id).unwrap())
        .unwrap();
    let groups: Vec<&str> = place.groups.iter().map(|g| g.id.as_str()).collect();
    assert_eq!(groups, ["goal-1", "field-1-4", "measure-1-4-1"]);
    assert_eq!(place.department, "商工労働課", "the measure's department");
    // Under a field too.
    let fields = new_indicator(&csrf, "field-1-4", &[("title", "若者の就業率")]);
    let (status, _, body) = post(&app, &token, "/staff/plans/sogo-keikaku/elements", &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
}

#[tokio::test]
async fn list_lines_and_indicator_rules_are_reported_by_field() {
    let (app, token, csrf) = editing_app().await;
    let fields = new_indicator(
        &csrf,
        "measure-1-4-1",
        &[
            ("code", "C1-1"),
            ("decimals", "7"),
            ("interim_targets", "平成29年度 16\n令和9年度 25"),
            ("tolerance", "1"),
            ("definition_changes", "そのうち 変更"),
        ],
    );
    let (status, _, page) = post(&app, &token, "/staff/plans/sogo-keikaku/elements", &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    // A line that cannot be read is named, next to its field, and the text is kept.
    assert!(
        page.contains("id=\"error-definition_changes\">定義の変更の1行目「そのうち 変更」: "),
        "{page}"
    );
    assert!(page.contains(">そのうち 変更</textarea>"));
    let (status, _, page) = post(
        &app,
        &token,
        "/staff/plans/sogo-keikaku/elements",
        &new_indicator(
            &csrf,
            "measure-1-4-1",
            &[
                ("code", "C1-1"),
                ("decimals", "7"),
                ("interim_targets", "平成29年度 16\n令和9年度 25"),
                ("tolerance", "1"),
            ],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    for (field, message) in [
        ("code", "指標コード「C1-1」が重複しています"),
        (
            "decimals",
            "表示する小数点以下の桁数は0〜6です（7でした）。",
        ),
        (
            "interim_targets",
            "中間目標値の年度（令和9年度・2027年度）は",
        ),
        (
            "tolerance",
            "許容幅は「維持を目指す」指標にだけ指定できます。",
        ),
    ] {
        assert!(
            page.contains(&format!("id=\"error-{field}\">{message}")),
            "{field}: {page}"
        );
    }
}

#[tokio::test]
async fn public_pages_show_codes_decimals_interim_targets_and_notes() {
    let app = TestApp::with_plan_file(&to_text(&example_json())).await;
    let (status, _, page) = app.get("/plans/sogo-keikaku/fields/field-1-1").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("<h2 id=\"indicators-heading\">成果指標</h2>"),
        "{page}"
    );
    assert!(page.contains("新規就農者数（累計）（人）"));
    assert!(page.contains("指標コード C1-1"));
    assert!(page.contains("平成30年度（2018年度） 60人"), "{page}");
    assert!(page.contains("成果指標 1件"), "the measure's count");
    assert!(page.contains("各年度の実績を入力する（累計は計算）"));
    let (_, _, page) = app.get("/plans/sogo-keikaku/measures/measure-3-1-2").await;
    assert!(page.contains("95.0%（平成27年度・2015年度）"), "{page}");
    assert!(page.contains("目標値の±3.0%の内にあれば達成とみなします。"));
    let (_, _, page) = app
        .get("/plans/sogo-senryaku/strategy-measures/strategy-measure-2-1")
        .await;
    assert!(page.contains("把握方法"), "{page}");
    assert!(page.contains("年度の値は1年後に判明します。"));
    assert!(page.contains("平成28年度（2016年度）から: 観光入込客統計"));
    let (_, _, page) = app.get("/plans/sogo-senryaku/objectives/objective-3").await;
    assert!(page.contains("1.45（平成26年度・2014年度）"), "{page}");
    assert!(page.contains("1.52"), "{page}");
    // Search finds a 成果指標 and links to its measure's page.
    let (_, _, page) = app.get("/search?q=定員充足率").await;
    assert!(
        page.contains("/plans/sogo-keikaku/measures/measure-3-1-2#e-outcome-3-1-2-1"),
        "{page}"
    );
}

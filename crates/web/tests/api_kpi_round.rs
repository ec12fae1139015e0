//! The verification round's API through the router: the round read with a token (a
//! department editor only its own part), every step with the role the staff pages need — the
//! department's analyses and 提出, the planning office's 差戻し (with a comment) and 承認, the
//! panel's assessments and overall opinion in one write, the responses, publication and
//! re-opening — the wrong role refused (403), no token 401, stale revisions 409 with the round
//! now, bad input 422 by JSON path; the published report read without a token only after
//! publication, kept while the round is re-opened; every path in the OpenAPI document.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::{TestApp, form_encode};
use keikaku_domain::account::Role;
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery";
/// FY2016: the example has no round for it.
const ROUND: &str = "/api/v1/plans/sogo-senryaku/kpi/rounds/2016";
const REPORTS: &str = "/api/v1/plans/sogo-senryaku/kpi/reports";
const KODOMO: &str = "こども家庭課";

/// A user with one role and department, and a token of theirs.
async fn token(app: &TestApp, login: &str, role: Role, department: &str) -> String {
    app.add_staff(login, "検証 花子", role, department, PASSWORD)
        .await;
    app.token_for(login).await
}

async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> (StatusCode, Value) {
    app.call_json(method, path, token, body.map(Value::to_string))
        .await
}

async fn get(app: &TestApp, path: &str, token: Option<&str>) -> (StatusCode, Value) {
    call(app, "GET", path, token, None).await
}

async fn put(app: &TestApp, token: &str, step: &str, body: &Value) -> (StatusCode, Value) {
    call(
        app,
        "PUT",
        &format!("{ROUND}/{step}"),
        Some(token),
        Some(body),
    )
    .await
}

async fn post(app: &TestApp, token: &str, step: &str, body: &Value) -> (StatusCode, Value) {
    call(
        app,
        "POST",
        &format!("{ROUND}/{step}"),
        Some(token),
        Some(body),
    )
    .await
}

fn department_step(department: &str, step: &str) -> String {
    format!("departments/{}/{step}", form_encode(department))
}

fn assessment<'a>(round: &'a Value, id: &str) -> &'a Value {
    round["assessments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["indicator"] == id)
        .unwrap_or_else(|| panic!("{id} in {round}"))
}

fn department<'a>(round: &'a Value, name: &str) -> &'a Value {
    round["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["department"] == name)
        .unwrap_or_else(|| panic!("{name} in {round}"))
}

fn fields(error: &Value) -> Vec<&str> {
    error["error"]["problems"]
        .as_array()
        .unwrap_or_else(|| panic!("problems in {error}"))
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect()
}

fn messages(error: &Value) -> String {
    error["error"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["message"].as_str().unwrap())
        .collect::<Vec<_>>()
        .join(" / ")
}

#[tokio::test]
async fn the_round_needs_a_token_and_a_department_reads_only_its_own_part() {
    let app = TestApp::new().await;
    let (status, refused) = get(&app, ROUND, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{refused}");
    assert_eq!(refused["error"]["code"], "unauthorized");
    let (status, _) = get(&app, ROUND, Some("kk_not-a-token")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let office = token(&app, "kikaku", Role::PlanningOffice, "政策企画課").await;
    let (status, round) = get(&app, ROUND, Some(&office)).await;
    assert_eq!(status, StatusCode::OK, "{round}");
    assert_eq!(round["plan"], "sogo-senryaku");
    assert_eq!(round["fiscal_year"], 2016);
    assert_eq!(round["state"], "open");
    assert_eq!(
        (round["revision"].as_i64(), round["publications"].as_i64()),
        (Some(0), Some(0))
    );
    assert!(round["departments"].as_array().unwrap().len() > 1);
    let part = department(&round, KODOMO);
    assert_eq!(part["state"], "draft");
    assert_eq!(part["revision"], 0);
    let a = assessment(&round, "target-3-1");
    assert_eq!(a["department"], KODOMO);
    assert_eq!(
        (a["revision"].as_i64(), &a["course"]),
        (Some(0), &Value::Null)
    );
    assert_eq!(a["updated_by"], Value::Null);

    // A department editor: its own department and indicators only.
    let kodomo = token(&app, "kodomo", Role::DepartmentEditor, KODOMO).await;
    let (status, own) = get(&app, ROUND, Some(&kodomo)).await;
    assert_eq!(status, StatusCode::OK, "{own}");
    let names: Vec<&str> = own["departments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["department"].as_str().unwrap())
        .collect();
    assert_eq!(names, [KODOMO]);
    assert!(
        own["assessments"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["department"] == KODOMO)
    );
    // The panel reads it too; 和暦 in the path; a year outside the period, bad years.
    let member = token(&app, "iin", Role::Member, "").await;
    let heisei28 = "/api/v1/plans/sogo-senryaku/kpi/rounds/%E5%B9%B3%E6%88%9028%E5%B9%B4%E5%BA%A6";
    let (status, same) = get(&app, heisei28, Some(&member)).await;
    assert_eq!(status, StatusCode::OK, "{same}");
    assert_eq!(same["fiscal_year"], 2016);
    let (status, _) = get(
        &app,
        "/api/v1/plans/sogo-senryaku/kpi/rounds/2030",
        Some(&office),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = get(
        &app,
        "/api/v1/plans/sogo-senryaku/kpi/rounds/x",
        Some(&office),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = get(&app, &format!("{ROUND}?x=1"), Some(&office)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Every write needs a token.
    for (method, step) in [
        ("PUT", "analyses".to_owned()),
        ("POST", department_step(KODOMO, "submit")),
        ("POST", department_step(KODOMO, "approve")),
        ("POST", department_step(KODOMO, "return")),
        ("PUT", "panel".to_owned()),
        ("PUT", "responses".to_owned()),
        ("POST", "publish".to_owned()),
        ("POST", "reopen".to_owned()),
    ] {
        let (status, body) = call(
            &app,
            method,
            &format!("{ROUND}/{step}"),
            None,
            Some(&json!({"revision": 0})),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {step}: {body}");
    }
}

#[tokio::test]
async fn the_department_enters_its_analyses_and_submits_its_part() {
    let app = TestApp::new().await;
    let kodomo = token(&app, "kodomo", Role::DepartmentEditor, KODOMO).await;
    let office = token(&app, "kikaku", Role::PlanningOffice, "政策企画課").await;
    let member = token(&app, "iin", Role::Member, "").await;

    // Bad input: every problem by JSON path, in Japanese, nothing written.
    let (status, bad) = put(
        &app,
        &kodomo,
        "analyses",
        &json!({"analyses": [
            {"indicator": "target-3-1", "analysis": "出生数の減少", "course": "grow", "revision": 0},
            {"indicator": "kpi-2-1-1", "analysis": "他課の指標", "revision": 0},
        ]}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    assert_eq!(
        fields(&bad),
        ["$.analyses[0].course", "$.analyses[1].indicator"]
    );
    let text = messages(&bad);
    assert!(text.contains("「grow」は選択肢にありません"), "{text}");
    assert!(text.contains("あなたの担当ではありません"), "{text}");
    let (status, bad) = put(
        &app,
        &kodomo,
        "analyses",
        &json!({"analyses": [
            {"indicator": "target-3-1", "analysis": "制御\u{7}文字", "revision": -1},
        ]}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    assert_eq!(
        fields(&bad),
        ["$.analyses[0].analysis", "$.analyses[0].revision"]
    );
    let (status, bad) = put(&app, &kodomo, "analyses", &json!({"analyses": []})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&bad), ["$.analyses"]);
    // One indicator twice in one write: refused, never the second silently winning.
    let twice = json!({"analyses": [
        {"indicator": "target-3-1", "analysis": "一つ目", "course": "expand", "revision": 0},
        {"indicator": "target-3-1", "analysis": "二つ目", "course": "expand", "revision": 1}
    ]});
    let (status, bad) = put(&app, &kodomo, "analyses", &twice).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    assert!(messages(&bad).contains("2回あります"), "{bad}");
    let (status, bad) = put(&app, &kodomo, "analyses", &json!({"analysis": []})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    // The panel may not enter a department's analysis.
    let good = json!({"analyses": [
        {"indicator": "target-3-1", "analysis": "出生数の減少が続いた", "course": "expand", "revision": 0}
    ]});
    let (status, _) = put(&app, &member, "analyses", &good).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Stored: the round as stored now comes back.
    let (status, round) = put(&app, &kodomo, "analyses", &good).await;
    assert_eq!(status, StatusCode::OK, "{round}");
    let a = assessment(&round, "target-3-1");
    assert_eq!(
        (&a["analysis"], &a["course"], a["revision"].as_i64()),
        (&json!("出生数の減少が続いた"), &json!("expand"), Some(1))
    );
    assert_eq!(a["updated_by"], "kodomo");
    // The same write again is stale: 409 with the round now.
    let (status, stale) = put(&app, &kodomo, "analyses", &good).await;
    assert_eq!(status, StatusCode::CONFLICT, "{stale}");
    assert_eq!(stale["error"]["code"], "conflict");
    let now = &stale["error"]["current"];
    assert_eq!(assessment(now, "target-3-1")["revision"], 1);
    assert_eq!(
        assessment(now, "target-3-1")["analysis"],
        "出生数の減少が続いた"
    );

    // 提出: only its own department, with the part's revision; the review is not its to do.
    let submit = department_step(KODOMO, "submit");
    let (status, _) = post(&app, &member, &submit, &json!({"revision": 0})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, missing) = post(
        &app,
        &kodomo,
        &department_step("観光物産課", "submit"),
        &json!({"revision": 0}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
    let (status, round) = post(&app, &kodomo, &submit, &json!({"revision": 0})).await;
    assert_eq!(status, StatusCode::OK, "{round}");
    let part = department(&round, KODOMO);
    assert_eq!(
        (&part["state"], part["revision"].as_i64()),
        (&json!("submitted"), Some(1))
    );
    let (status, twice) = post(&app, &kodomo, &submit, &json!({"revision": 1})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{twice}");
    assert_eq!(
        department(&twice["error"]["current"], KODOMO)["state"],
        "submitted"
    );
    // Submitted: its analyses are fixed.
    let later = json!({"analyses": [
        {"indicator": "target-3-1", "analysis": "後から", "course": "expand", "revision": 1}
    ]});
    let (status, fixed) = put(&app, &kodomo, "analyses", &later).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{fixed}");
    assert_eq!(fields(&fixed), ["$.analyses[0].analysis"]);
    let (status, _) = post(
        &app,
        &kodomo,
        &department_step(KODOMO, "approve"),
        &json!({"revision": 1}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // 差戻し needs a comment; the department sees it and may change its analyses again.
    let send_back = department_step(KODOMO, "return");
    let (status, bad) = post(&app, &office, &send_back, &json!({"revision": 1})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    assert_eq!(fields(&bad), ["$.comment"]);
    assert!(messages(&bad).contains("差戻しの理由"));
    let (status, stale) = post(
        &app,
        &office,
        &send_back,
        &json!({"revision": 0, "comment": "根拠の数値を追記してください"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{stale}");
    let (status, round) = post(
        &app,
        &office,
        &send_back,
        &json!({"revision": 1, "comment": "根拠の数値を追記してください"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{round}");
    let (_, own) = get(&app, ROUND, Some(&kodomo)).await;
    let part = department(&own, KODOMO);
    assert_eq!(part["state"], "returned");
    assert_eq!(part["comment"], "根拠の数値を追記してください");
    let (status, round) = put(&app, &kodomo, "analyses", &later).await;
    assert_eq!(status, StatusCode::OK, "{round}");
    assert_eq!(assessment(&round, "target-3-1")["analysis"], "後から");
    // Submitted again and approved by the planning office.
    let (status, _) = post(&app, &kodomo, &submit, &json!({"revision": 2})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, round) = post(
        &app,
        &office,
        &department_step(KODOMO, "approve"),
        &json!({"revision": 3}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{round}");
    assert_eq!(department(&round, KODOMO)["state"], "approved");
}

#[tokio::test]
async fn the_panel_writes_its_assessments_and_opinion_at_once() {
    let app = TestApp::new().await;
    let office = token(&app, "kikaku", Role::PlanningOffice, "政策企画課").await;
    let member = token(&app, "iin", Role::Member, "").await;
    let body = json!({
        "assessments": [
            {"indicator": "target-3-1", "rating": "needs_improvement", "remark": "若い世代への周知を", "revision": 0}
        ],
        "opinion": {"text": "おおむね順調である", "revision": 0}
    });
    let (status, _) = put(&app, &office, "panel", &body).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the panel's part");
    let (status, bad) = put(
        &app,
        &member,
        "panel",
        &json!({
            "assessments": [{"indicator": "target-3-1", "rating": "good", "revision": 0}],
            "opinion": {"text": "意見\u{7}", "revision": 0}
        }),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    assert_eq!(fields(&bad), ["$.assessments[0].rating", "$.opinion.text"]);
    assert!(messages(&bad).contains("委員評価"));
    let (status, bad) = put(&app, &member, "panel", &json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");

    let (status, round) = put(&app, &member, "panel", &body).await;
    assert_eq!(status, StatusCode::OK, "{round}");
    assert_eq!(
        (&round["opinion"], round["revision"].as_i64()),
        (&json!("おおむね順調である"), Some(1))
    );
    let a = assessment(&round, "target-3-1");
    assert_eq!(
        (&a["rating"], &a["remark"]),
        (&json!("needs_improvement"), &json!("若い世代への周知を"))
    );

    // A stale opinion beside a fresh remark: nothing of either is written.
    let (status, stale) = put(
        &app,
        &member,
        "panel",
        &json!({
            "assessments": [{"indicator": "target-3-1", "rating": "appropriate", "remark": "後から", "revision": 1}],
            "opinion": {"text": "別の意見", "revision": 0}
        }),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{stale}");
    let now = &stale["error"]["current"];
    assert_eq!(now["opinion"], "おおむね順調である");
    assert_eq!(
        assessment(now, "target-3-1")["remark"],
        "若い世代への周知を"
    );
    // A stale remark beside a fresh opinion: the same.
    let (status, _) = put(
        &app,
        &member,
        "panel",
        &json!({
            "assessments": [{"indicator": "target-3-1", "remark": "後から", "revision": 0}],
            "opinion": {"text": "別の意見", "revision": 1}
        }),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (_, round) = get(&app, ROUND, Some(&member)).await;
    assert_eq!(round["opinion"], "おおむね順調である");
    assert_eq!(assessment(&round, "target-3-1")["revision"], 1);
    // The opinion alone.
    let (status, round) = put(
        &app,
        &member,
        "panel",
        &json!({"opinion": {"text": "順調である", "revision": 1}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{round}");
    assert_eq!(
        (&round["opinion"], round["revision"].as_i64()),
        (&json!("順調である"), Some(2))
    );

    // The city's responses: the planning office's, with the assessment's revision.
    let answer = json!({"responses": [
        {"indicator": "target-3-1", "response": "広報で周知する", "revision": 1}
    ]});
    let (status, _) = put(&app, &member, "responses", &answer).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, bad) = put(
        &app,
        &office,
        "responses",
        &json!({"responses": [{"indicator": "nai", "response": "x"}]}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    assert_eq!(fields(&bad), ["$.responses[0].indicator"]);
    let (status, round) = put(&app, &office, "responses", &answer).await;
    assert_eq!(status, StatusCode::OK, "{round}");
    let a = assessment(&round, "target-3-1");
    assert_eq!(
        (&a["response"], a["revision"].as_i64()),
        (&json!("広報で周知する"), Some(2))
    );
    assert_eq!(a["remark"], "若い世代への周知を", "the panel's part kept");
    let (status, stale) = put(&app, &office, "responses", &answer).await;
    assert_eq!(status, StatusCode::CONFLICT, "{stale}");
}

/// Submits and approves every department through the API (the planning office may submit
/// for any department).
async fn approve_all(app: &TestApp, office: &str) {
    let (_, round) = get(app, ROUND, Some(office)).await;
    for d in round["departments"].as_array().unwrap() {
        let name = d["department"].as_str().unwrap();
        let revision = d["revision"].as_i64().unwrap();
        let (status, body) = post(
            app,
            office,
            &department_step(name, "submit"),
            &json!({"revision": revision}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{name}: {body}");
        let (status, body) = post(
            app,
            office,
            &department_step(name, "approve"),
            &json!({"revision": revision + 1}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{name}: {body}");
    }
}

#[tokio::test]
#[allow(clippy::too_many_lines)] // one story: publication, the public report, re-opening
async fn the_report_is_public_only_once_published_and_kept_while_reopened() {
    let app = TestApp::new().await;
    let office = token(&app, "kikaku", Role::PlanningOffice, "政策企画課").await;
    let member = token(&app, "iin", Role::Member, "").await;
    let kodomo = token(&app, "kodomo", Role::DepartmentEditor, KODOMO).await;
    let (status, _) = put(
        &app,
        &kodomo,
        "analyses",
        &json!({"analyses": [{"indicator": "target-3-1", "analysis": "出生数の減少が続いた", "course": "expand"}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = put(
        &app,
        &member,
        "panel",
        &json!({"opinion": {"text": "おおむね順調である", "revision": 0}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    // Before publication: the example's FY2017 report only, FY2016 a 404 — without a token.
    let (status, list) = get(&app, REPORTS, None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["plan"], "sogo-senryaku");
    let years: Vec<i64> = list["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["fiscal_year"].as_i64().unwrap())
        .collect();
    assert_eq!(years, [2017]);
    let (status, missing) = get(&app, &format!("{REPORTS}/2016"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
    assert!(
        missing["error"]["message"]
            .as_str()
            .unwrap()
            .contains("公表されていません")
    );
    let (status, example) = get(&app, &format!("{REPORTS}/2017"), None).await;
    assert_eq!(status, StatusCode::OK, "{example}");
    assert_eq!(example["number"], 1);
    let (status, _) = get(&app, &format!("{REPORTS}/x"), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = get(&app, "/api/v1/plans/nai/kpi/reports", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Publication: the planning office's, once every department is approved.
    let (status, _) = post(&app, &member, "publish", &json!({"revision": 1})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, early) = post(&app, &office, "publish", &json!({"revision": 1})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{early}");
    assert!(
        early["error"]["message"]
            .as_str()
            .unwrap()
            .contains("承認されていない所管課があります")
    );
    assert_eq!(early["error"]["current"]["state"], "open");
    approve_all(&app, &office).await;
    let (status, stale) = post(&app, &office, "publish", &json!({"revision": 0})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{stale}");
    let (status, round) = post(&app, &office, "publish", &json!({"revision": 1})).await;
    assert_eq!(status, StatusCode::OK, "{round}");
    assert_eq!(
        (&round["state"], round["publications"].as_i64()),
        (&json!("published"), Some(1))
    );
    let revision = round["revision"].as_i64().unwrap();

    // Public now, without a token.
    let (status, report) = get(&app, &format!("{REPORTS}/2016"), None).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["fiscal_year"], 2016);
    assert_eq!(
        (report["number"].as_i64(), &report["opinion"]),
        (Some(1), &json!("おおむね順調である"))
    );
    let line = report["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["analysis"] == "出生数の減少が続いた")
        .unwrap_or_else(|| panic!("the analysis in {report}"));
    assert_eq!(
        (&line["course"], &line["department"]),
        (&json!("拡充"), &json!(KODOMO))
    );
    // The numbers frozen with the text: the indicator, its groups, decimals as strings.
    assert_eq!(line["indicator"], "target-3-1", "{line}");
    assert_eq!(line["groups"][0]["kind"], "basic_objective", "{line}");
    assert!(
        line["actual_value"].is_null() || line["actual_value"].is_string(),
        "{line}"
    );
    assert!(
        report["published_at"].as_str().unwrap().ends_with('Z'),
        "{report}"
    );
    let (_, list) = get(&app, REPORTS, None).await;
    assert_eq!(list["reports"][0]["fiscal_year"], 2016);
    assert_eq!(list["reports"].as_array().unwrap().len(), 2);

    // Published: nothing changes; publishing twice is a conflict.
    let (status, _) = put(
        &app,
        &member,
        "panel",
        &json!({"opinion": {"text": "公表後", "revision": revision}}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = post(&app, &office, "publish", &json!({"revision": revision})).await;
    assert_eq!(status, StatusCode::CONFLICT);

    // Re-opened: the public keeps the published report until it is published again.
    let (status, _) = post(&app, &member, "reopen", &json!({"revision": revision})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, round) = post(&app, &office, "reopen", &json!({"revision": revision})).await;
    assert_eq!(status, StatusCode::OK, "{round}");
    assert_eq!(round["state"], "open");
    let revision = round["revision"].as_i64().unwrap();
    let (status, round) = put(
        &app,
        &member,
        "panel",
        &json!({"opinion": {"text": "改めて検証した", "revision": revision}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{round}");
    let (_, kept) = get(&app, &format!("{REPORTS}/2016"), None).await;
    assert_eq!(
        (kept["number"].as_i64(), &kept["opinion"]),
        (Some(1), &json!("おおむね順調である"))
    );
    let (status, round) = post(
        &app,
        &office,
        "publish",
        &json!({"revision": round["revision"]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{round}");
    let (_, again) = get(&app, &format!("{REPORTS}/2016"), None).await;
    assert_eq!(
        (again["number"].as_i64(), &again["opinion"]),
        (Some(2), &json!("改めて検証した"))
    );
}

#[tokio::test]
async fn the_openapi_document_describes_the_round_api() {
    let app = TestApp::new().await;
    let doc = app.get_json("/api/v1/openapi.json").await;
    let paths = doc["paths"].as_object().unwrap();
    let round = "/api/v1/plans/{plan}/kpi/rounds/{year}";
    for (path, method) in [
        (round.to_owned(), "get"),
        (format!("{round}/analyses"), "put"),
        (format!("{round}/departments/{{department}}/submit"), "post"),
        (
            format!("{round}/departments/{{department}}/approve"),
            "post",
        ),
        (format!("{round}/departments/{{department}}/return"), "post"),
        (format!("{round}/panel"), "put"),
        (format!("{round}/responses"), "put"),
        (format!("{round}/publish"), "post"),
        (format!("{round}/reopen"), "post"),
        ("/api/v1/plans/{plan}/kpi/reports".to_owned(), "get"),
        ("/api/v1/plans/{plan}/kpi/reports/{year}".to_owned(), "get"),
    ] {
        let op = &paths
            .get(&path)
            .unwrap_or_else(|| panic!("{path} in the document"))[method];
        assert!(op.is_object(), "{method} {path}");
        let secured = op["security"].is_array();
        assert_eq!(
            secured,
            !path.contains("/reports"),
            "{method} {path}: security"
        );
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for schema in [
        "KpiRound",
        "KpiAssessment",
        "KpiAnalysesChange",
        "KpiPanelChange",
        "KpiOpinionChange",
        "KpiResponsesChange",
        "KpiReview",
        "KpiReport",
        "KpiReportLine",
    ] {
        assert!(schemas.contains_key(schema), "{schema}");
    }
}
